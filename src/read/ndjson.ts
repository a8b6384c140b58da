/**
 * Reading a stream as NDJSON (JSON Lines): one JSON value per line, each decoded as it arrives.
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import type * as t from 'io-ts'
import { parseError, responseTooLarge, type ClientError } from '../model/errors.js'
import type { HttpResponse } from '../model/response.js'
import { DEFAULT_MAX_MEMORY_BYTES } from '../model/settings.js'
import { streamHead, type HttpStream } from '../model/stream.js'
import { decodeBody } from './readers.js'
import { codecProblem, decodeStream, parseJsonText, type Decoded, type IncrementalDecoder } from './stream-body.js'

/**
 * The longest NDJSON line, in bytes (its line break not counted): the run's memory cap,
 * {@link DEFAULT_MAX_MEMORY_BYTES} (100 MiB). A longer line is a `ResponseTooLarge`, so a body
 * without line breaks cannot grow memory without end.
 * @example
 * MAX_LINE_BYTES // 104857600
 * @category responses
 * @since 0.3.0
 */
export const MAX_LINE_BYTES = DEFAULT_MAX_MEMORY_BYTES

const LF = 0x0a
const CR = 0x0d
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/** A carry buffer grown past this is let go once its line is read (a long line is not kept alive). */
const KEEP_BYTES = 1 << 20

/** `chunk` as a Buffer (a view, no copy): its indexOf is memchr, a Uint8Array's a byte loop. */
const asBuffer = (chunk: Uint8Array): Buffer =>
  Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)

/**
 * The incremental NDJSON decoder of reader `step`: bytes in, one value per line out. Lines end
 * with `\n` (a `\r` before it is dropped), blank lines are skipped, a last line without a line
 * break counts, a leading byte order mark is dropped. The lines are cut as bytes, so a network
 * split inside a UTF-8 character does not matter. Line `n` (counting blank ones) that is not
 * UTF-8 or not JSON is a `ParseError`, one the codec refuses a `DecodeError`, one longer than
 * `maxLineBytes` a `ResponseTooLarge`, each naming the line.
 * @example
 * ndjsonDecoder('asNdjson', undefined, streamHead(stream)).push(new TextEncoder().encode('{"a":1}\n'))
 * // { items: [{ a: 1 }], error: null }
 */
export const ndjsonDecoder = <A = unknown>(
  step: string,
  codec: t.Decoder<unknown, A> | undefined,
  head: HttpResponse,
  maxLineBytes: number = MAX_LINE_BYTES,
): IncrementalDecoder<A> => {
  // the unfinished line, in one buffer that doubles as it fills (never a piece per chunk: a body
  // arriving a few bytes at a time would cost far more than its bytes), capped by the bound, and
  // kept from line to line (a line spanning chunks costs one copy and no allocation) unless large
  let pending = new Uint8Array(0)
  let pendingBytes = 0
  const carry = (bytes: Uint8Array): void => {
    if (pendingBytes + bytes.length > pending.length) {
      const grown = new Uint8Array(
        Math.min(Math.max(64, pending.length * 2, pendingBytes + bytes.length), maxLineBytes + 1),
      )
      grown.set(pending.subarray(0, pendingBytes))
      pending = grown
    }
    pending.set(bytes, pendingBytes)
    pendingBytes += bytes.length
  }
  /** The carried bytes and then `piece`: the whole line (read before the next carry), or null when too long. */
  const takePending = (piece: Uint8Array): Uint8Array | null => {
    if (pendingBytes === 0) return piece
    // the line is too long even if it ends with a \r (dropped): no need to copy it
    if (pendingBytes + piece.length > maxLineBytes + 1) return null
    carry(piece)
    const whole = pending.subarray(0, pendingBytes)
    pendingBytes = 0
    if (pending.length > KEEP_BYTES) pending = new Uint8Array(0)
    return whole
  }
  let lineNo = 0

  const tooLong = (n: number): ClientError =>
    responseTooLarge(`${step}: line ${n} is longer than ${maxLineBytes} bytes`, maxLineBytes, head.log)

  /** One whole line (without its \n): skipped (undefined), a value, or the error naming it. */
  const line = (bytes: Uint8Array): E.Either<ClientError, { value: A } | undefined> => {
    lineNo += 1
    const end = bytes.length > 0 && bytes[bytes.length - 1] === CR ? bytes.length - 1 : bytes.length
    if (end > maxLineBytes) return E.left(tooLong(lineNo))
    let text: string
    try {
      text = UTF8.decode(bytes.subarray(0, end))
    } catch {
      return E.left(parseError(`${step}: line ${lineNo} is not valid UTF-8`, head.log, head))
    }
    if (lineNo === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1)
    if (text.trim() === '') return E.right(undefined)
    const parsed = parseJsonText(step, `line ${lineNo}`, text, head, text.trim())
    if (E.isLeft(parsed)) return parsed
    const json = parsed.right
    if (codec === undefined) return E.right({ value: json as A })
    return E.map((value: A) => ({ value }))(decodeBody(step, `line ${lineNo}`, codec, json, head))
  }

  const take = (bytes: Uint8Array, items: A[]): ClientError | null => {
    const r = line(bytes)
    if (E.isLeft(r)) return r.left
    if (r.right !== undefined) items.push(r.right.value)
    return null
  }

  const push = (input: Uint8Array): Decoded<A> => {
    const chunk = asBuffer(input)
    const items: A[] = []
    let start = 0
    for (;;) {
      const at = chunk.indexOf(LF, start)
      if (at < 0) {
        const rest = chunk.length - start
        // a line break may still come, but not before the bound: the line is too long already
        // (a \r the next chunk would drop is not counted)
        const carried = pendingBytes + rest - (rest > 0 && chunk[chunk.length - 1] === CR ? 1 : 0)
        if (carried > maxLineBytes) return { items, error: tooLong(lineNo + 1) }
        if (rest > 0) carry(chunk.subarray(start))
        return { items, error: null }
      }
      const whole = takePending(chunk.subarray(start, at))
      if (whole === null) return { items, error: tooLong(lineNo + 1) }
      const error = take(whole, items)
      if (error !== null) return { items, error }
      start = at + 1
    }
  }

  const end = (): Decoded<A> => {
    if (pendingBytes === 0) return { items: [], error: null }
    const items: A[] = []
    const whole = takePending(new Uint8Array(0))
    if (whole === null) return { items, error: tooLong(lineNo + 1) }
    return { items, error: take(whole, items) }
  }

  return { push, end }
}

/**
 * Reads a stream as NDJSON (JSON Lines): one JSON value per line (`\n` or `\r\n`; blank lines
 * skipped; a last line without a line break counts), each decoded with the codec when one is
 * given, as the lines arrive. A line that is not UTF-8 or not JSON is a `ParseError`, one the
 * codec refuses a `DecodeError`, one longer than 100 MiB a
 * `ResponseTooLarge`, each naming its line number (blank lines counted) and carrying the
 * stream's head as `response`. A Left of the body is passed on; the iterable ends after its
 * first Left, and leaving the loop early releases the connection. Never throws nor rejects.
 * @example
 * const Row = t.type({ id: t.number })
 * const s = await pipe(H.newRequest(), H.initialize(`${url}/ndjson/2`), H.streamRequest('GET'))()
 * if (E.isRight(s)) for await (const row of H.asNdjson(Row)(s.right)) {
 *   if (row._tag === 'Left') { console.error(row.left.message); break } // 'asNdjson: line 3 is not valid JSON …'
 *   console.log(row.right.id)
 * }
 * @category responses
 * @since 0.3.0
 */
export function asNdjson(): (stream: HttpStream) => AsyncIterable<E.Either<ClientError, unknown>>
export function asNdjson<A>(
  codec: t.Decoder<unknown, A>,
): (stream: HttpStream) => AsyncIterable<E.Either<ClientError, A>>
export function asNdjson<A>(
  codec?: t.Decoder<unknown, A>,
): (stream: HttpStream) => AsyncIterable<E.Either<ClientError, unknown>> {
  return (stream) =>
    decodeStream('asNdjson', stream, (s) => {
      const problem = codecProblem('asNdjson', codec, s)
      return problem === null ? E.right(ndjsonDecoder('asNdjson', codec, streamHead(s))) : E.left(problem)
    })
}
