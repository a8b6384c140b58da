/**
 * Reading an HttpStream's body through an incremental decoder: the plumbing `asNdjson` and
 * `asEventStream` share (input checks, a body that throws or yields garbage, releasing the
 * connection when reading stops early, ending after the first Left).
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import { invalidInput, parseError, transportError, type ClientError } from '../model/errors.js'
import { isStream, type HttpStream } from '../model/stream.js'
import type { HttpResponse } from '../model/response.js'
import { thrownText } from './readers.js'

/**
 * What an incremental decoder made of a piece of input: the items, in order, then the error that
 * ends the stream (null while it goes on).
 * @example
 * const d: Decoded<number> = { items: [1, 2], error: null }
 */
export interface Decoded<X> {
  readonly items: ReadonlyArray<X>
  readonly error: ClientError | null
}

/**
 * A decoder fed the body's chunks as they arrive, and told when the body ends. Once it has
 * returned an error it is not fed again.
 * @example
 * const d: IncrementalDecoder<string> = { push: () => ({ items: [], error: null }), end: () => ({ items: [], error: null }) }
 */
export interface IncrementalDecoder<X> {
  readonly push: (chunk: Uint8Array) => Decoded<X>
  readonly end: () => Decoded<X>
}

const codeOf = (e: unknown): string => {
  try {
    const code = (e as { code?: unknown } | null)?.code
    return typeof code === 'string' && code !== '' ? code : 'EBODY'
  } catch {
    return 'EBODY'
  }
}

/** Whether a value is a Left holding something tagged (a ClientError, as far as can be told). */
const isLeftError = (x: { _tag: unknown; left?: unknown }): boolean => {
  const left = x.left as { _tag?: unknown } | null | undefined
  return typeof left === 'object' && left !== null && typeof left._tag === 'string'
}

/** Asks the body to stop (releasing its connection), never throwing nor waiting on it. */
const release = (iterator: AsyncIterator<unknown>): void => {
  try {
    const done = iterator.return?.()
    if (done !== undefined) Promise.resolve(done).catch(() => undefined)
  } catch {
    // a body whose return() throws has nothing more to release
  }
}

type Next = { readonly chunk: Uint8Array } | { readonly error: ClientError } | null

/** What the body's iterator gave: its chunk, its Left, null at its end, or an error for anything else. */
const inspect = (step: string, stream: HttpStream, result: unknown): Next => {
  const notEither = (): Next => ({
    error: invalidInput(
      step,
      `${step}: the body yielded something else than Either<ClientError, Uint8Array>`,
      stream.log,
    ),
  })
  if (typeof result !== 'object' || result === null)
    return {
      error: invalidInput(step, `${step}: the body's iterator returned something else than a result`, stream.log),
    }
  const { done, value } = result as IteratorResult<unknown>
  if (done === true) return null
  if (typeof value !== 'object' || value === null) return notEither()
  const item = value as { _tag?: unknown; left?: unknown; right?: unknown }
  if (item._tag === 'Right' && item.right instanceof Uint8Array) return { chunk: item.right }
  if (item._tag === 'Left' && isLeftError(item as { _tag: unknown })) return { error: item.left as ClientError }
  return notEither()
}

/** The body's next chunk, its Left, an error for what it should not do, or null at its end. */
const pull = async (step: string, stream: HttpStream, iterator: AsyncIterator<unknown>): Promise<Next> => {
  let result: unknown
  try {
    result = await iterator.next()
  } catch (e) {
    return {
      error: transportError(`${step}: reading the body failed: ${thrownText(e)}`, codeOf(e), stream.log),
    }
  }
  try {
    return inspect(step, stream, result)
  } catch (e) {
    // a result or an item whose fields throw when read
    return { error: invalidInput(step, `${step}: the body's result cannot be read: ${thrownText(e)}`, stream.log) }
  }
}

async function* run<X>(
  step: string,
  stream: unknown,
  start: (stream: HttpStream) => E.Either<ClientError, IncrementalDecoder<X>>,
): AsyncGenerator<E.Either<ClientError, X>, void, undefined> {
  if (!isStream(stream)) {
    yield E.left(invalidInput(step, `${step}: the input is not an HttpStream`, []))
    return
  }
  let decoder: E.Either<ClientError, IncrementalDecoder<X>>
  try {
    decoder = start(stream)
  } catch (e) {
    decoder = E.left(invalidInput(step, `${step}: the stream cannot be read: ${thrownText(e)}`, stream.log))
  }
  if (E.isLeft(decoder)) {
    // the stream ends here: its connection is let go at once, not at the idle limit
    try {
      release(stream.body[Symbol.asyncIterator]())
    } catch {
      // a body whose iterator cannot be made holds nothing to let go
    }
    yield decoder
    return
  }
  let iterator: AsyncIterator<unknown>
  try {
    iterator = stream.body[Symbol.asyncIterator]()
    if (typeof iterator !== 'object' || iterator === null || typeof iterator.next !== 'function')
      throw new TypeError('the body has no iterator')
  } catch (e) {
    yield E.left(invalidInput(step, `${step}: the body cannot be read: ${thrownText(e)}`, stream.log))
    return
  }
  let open = true
  // ends reading: releases the body unless it ended by itself
  const stop = (): void => {
    if (open) release(iterator)
    open = false
  }
  try {
    for (;;) {
      const next = await pull(step, stream, iterator)
      if (next !== null && 'error' in next) {
        stop()
        yield E.left(next.error)
        return
      }
      if (next === null) open = false
      let decoded: Decoded<X>
      try {
        decoded = next === null ? decoder.right.end() : decoder.right.push(next.chunk)
      } catch (e) {
        decoded = { items: [], error: invalidInput(step, `${step}: decoding failed: ${thrownText(e)}`, stream.log) }
      }
      if (decoded.error !== null) stop()
      for (const item of decoded.items) yield E.right(item)
      if (decoded.error !== null) {
        yield E.left(decoded.error)
        return
      }
      if (next === null) return
    }
  } finally {
    // the consumer left early (break, return()): let the connection go
    stop()
  }
}

/**
 * The items a decoder makes of a stream's body, as an AsyncIterable that never throws nor
 * rejects and ends after its first Left: not a stream, a body that throws or yields something
 * else than `Either<ClientError, Uint8Array>` (a `TransportError`, an `InvalidInput`), a Left
 * of the body (passed on as it is), or the decoder's error. When reading stops before the body
 * ended (an error, or the consumer leaving early), the body's iterator is told (`return()`).
 * @example
 * decodeStream('asNdjson', stream, (s) => E.right(ndjsonDecoder('asNdjson', undefined, s)))
 */
export const decodeStream = <X>(
  step: string,
  stream: unknown,
  start: (stream: HttpStream) => E.Either<ClientError, IncrementalDecoder<X>>,
): AsyncIterable<E.Either<ClientError, X>> => ({
  [Symbol.asyncIterator]: () => run(step, stream, start),
})

/**
 * A reader's text for a value that may be long or odd: JSON, at most 60 characters.
 * @example
 * shortText('{"a":1}') // '{"a":1}'
 */
export const shortText = (s: string): string => {
  const json = JSON.stringify(s.length > 60 ? s.slice(0, 60) : s)
  return json.length > 60 || s.length > 60 ? `${json.slice(0, 57)}...` : json
}

/**
 * `text` parsed as JSON for reader `step`: invalid JSON is a `ParseError` naming `what` (`line 3`,
 * `the data of event 2`) and showing `shown` (the text, by default) short.
 * @example
 * parseJsonText('asNdjson', 'line 2', '{oops', head) // left(ParseError 'asNdjson: line 2 is not valid JSON (…): "{oops"')
 */
export const parseJsonText = (
  step: string,
  what: string,
  text: string,
  head: HttpResponse,
  shown: string = text,
): E.Either<ClientError, unknown> => {
  try {
    return E.right(JSON.parse(text) as unknown)
  } catch (e) {
    return E.left(
      parseError(`${step}: ${what} is not valid JSON (${thrownText(e)}): ${shortText(shown)}`, head.log, head),
    )
  }
}

/**
 * The `InvalidInput` of reader `step` given, as its codec, a value without `decode`; null for
 * no codec or a usable one (checked before the body is read).
 * @example
 * codecProblem('asNdjson', {}, stream) // InvalidInput
 */
export const codecProblem = (step: string, codec: unknown, stream: HttpStream): ClientError | null =>
  codec === undefined || typeof (codec as { decode?: unknown } | null)?.decode === 'function'
    ? null
    : invalidInput(step, `${step}: the codec has no decode function`, stream.log)
