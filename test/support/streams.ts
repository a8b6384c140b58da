/**
 * HttpStream values built by hand for the stream readers' tests (not a test file itself): a body
 * over given chunks whose iterator records how far it was read and whether it was told to stop.
 */
import * as t from 'io-ts'
import * as E from 'fp-ts/lib/Either.js'
import type { ClientError } from '../../src/model/errors.js'
import type { HttpStream } from '../../src/model/stream.js'

/** One item of a hand-made body: bytes (sent as a Right), a Left, or a thrown error. */
export type BodyItem =
  Uint8Array | E.Either<ClientError, Uint8Array> | { readonly throws: unknown } | { readonly raw: unknown }

/** A hand-made stream and what its body saw. */
export interface Tracked {
  readonly stream: HttpStream
  /** how many times next() was called */
  readonly pulls: () => number
  /** how many times return() was called */
  readonly returns: () => number
}

const isBytes = (x: BodyItem): x is Uint8Array => x instanceof Uint8Array

/** An HttpStream (status 200, url `http://127.0.0.1/s`) whose body yields `items` in order. */
export const streamOf = (items: Iterable<BodyItem>, fields: Partial<HttpStream> = {}): Tracked => {
  const list = [...items]
  let pulls = 0
  let returns = 0
  let at = 0
  const iterator: AsyncIterator<E.Either<ClientError, Uint8Array>> = {
    next: async () => {
      pulls += 1
      await Promise.resolve()
      const item = list[at]
      at += 1
      if (item === undefined) return { done: true, value: undefined }
      if (isBytes(item)) return { done: false, value: E.right(item) }
      if ('throws' in item) throw item.throws
      if ('raw' in item) return { done: false, value: item.raw as E.Either<ClientError, Uint8Array> }
      return { done: false, value: item }
    },
    return: async () => {
      returns += 1
      at = list.length
      return { done: true, value: undefined }
    },
  }
  const stream: HttpStream = {
    _tag: 'HttpStream',
    status: 200,
    statusText: 'OK',
    headers: {},
    rawHeaders: [],
    url: 'http://127.0.0.1/s',
    body: { [Symbol.asyncIterator]: () => iterator },
    file: null,
    redirects: 0,
    attempts: 1,
    timings: { start: 0, headers: 1, end: 1, total: 1 },
    log: [],
    ...fields,
  }
  return { stream, pulls: () => pulls, returns: () => returns }
}

/** `bytes` cut at the given offsets (sorted, deduplicated, within the bytes). */
export const cutAt = (bytes: Uint8Array, cuts: ReadonlyArray<number>): Uint8Array[] => {
  const points = [...new Set(cuts.map((c) => Math.max(0, Math.min(bytes.length, c))))].sort((a, b) => a - b)
  const out: Uint8Array[] = []
  let from = 0
  for (const p of [...points, bytes.length]) {
    if (p > from) out.push(bytes.slice(from, p))
    from = Math.max(from, p)
  }
  return out
}

/** Every item of an async iterable, in order. */
export const collect = async <X>(items: AsyncIterable<X>): Promise<X[]> => {
  const out: X[] = []
  for await (const x of items) out.push(x)
  return out
}

/** UTF-8 bytes of a text. */
export const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text)

/** The same error with its log and response left out, for comparing results. */
export const plain = <X>(r: E.Either<ClientError, X>): unknown =>
  E.isLeft(r) ? { _tag: r.left._tag, message: r.left.message } : r

/** A codec whose decode throws `boom` (what a reader must turn into an InvalidInput). */
export const throwingCodec = new t.Type<number>(
  'Throws',
  (_): _ is number => false,
  () => {
    throw new Error('boom')
  },
  (a) => a,
)
