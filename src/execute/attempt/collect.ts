/**
 * Reading a response body: decompressing (gzip, deflate, br), counting progress, enforcing a
 * size limit, and collecting it in memory or streaming it to a file.
 * @module
 */
import { createWriteStream } from 'node:fs'
import { Readable, Transform, Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import zlib from 'node:zlib'
import { isPushBody, type PushBody } from '../../model/transport.js'
import type { Progress } from '../env.js'

/**
 * Why reading failed: the connection (`source`), the file (`file`), the compressed data
 * (`decode`) or the size limit (`limit`).
 * @example
 * const f: ReadFailure = { kind: 'file', error: new Error('EACCES') }
 */
export type ReadFailure =
  | { readonly kind: 'source'; readonly error: unknown }
  | { readonly kind: 'file'; readonly error: unknown }
  | { readonly kind: 'decode'; readonly error: unknown }
  | { readonly kind: 'limit'; readonly limit: number }

/** Inflates zlib-wrapped or raw deflate data, deciding on the first byte (servers send both). */
const autoInflate = (): Transform => {
  let inner: zlib.Inflate | zlib.InflateRaw | null = null
  let ended: (() => void) | null = null
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      if (inner === null) {
        inner = ((chunk[0] ?? 0) & 0x0f) === 0x08 ? zlib.createInflate() : zlib.createInflateRaw()
        inner.on('data', (d: Buffer) => this.push(d))
        inner.on('error', (e) => this.destroy(e))
        inner.on('end', () => ended?.())
      }
      inner.write(chunk, () => cb())
    },
    flush(cb) {
      if (inner === null) return cb()
      ended = () => cb()
      inner.end()
    },
  })
}

/**
 * The decoders for a Content-Encoding header, outermost last (as the header lists them).
 * Unknown codings give null: the body is then returned as it arrived.
 * @example
 * decodersFor('gzip')?.length // 1
 */
export const decodersFor = (contentEncoding: string | undefined): ReadonlyArray<Transform> | null => {
  if (contentEncoding === undefined) return []
  const codings = contentEncoding
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c !== '' && c !== 'identity')
  const make = (c: string): Transform | null =>
    c === 'gzip' || c === 'x-gzip'
      ? zlib.createGunzip({ finishFlush: zlib.constants.Z_SYNC_FLUSH })
      : c === 'deflate'
        ? autoInflate()
        : c === 'br'
          ? zlib.createBrotliDecompress()
          : null
  const ts = codings.reverse().map(make)
  return ts.every((t) => t !== null) ? (ts as Transform[]) : null
}

/**
 * Options of {@link readBody}.
 * @example
 * const o: ReadOptions = { decoders: [], file: null, total: null, maxBytes: Infinity, onProgress: undefined }
 */
export interface ReadOptions {
  readonly decoders: ReadonlyArray<Transform>
  readonly file: string | null
  /** append to the file instead of replacing it */
  readonly append?: boolean
  readonly total: number | null
  readonly maxBytes: number
  readonly onProgress: ((p: Progress) => void) | undefined
}

type Collected = { readonly ok: true; readonly bytes: Uint8Array } | { readonly ok: false; readonly failure: ReadFailure }

const isNodeReadable = (b: unknown): b is Readable =>
  b instanceof Readable || (typeof b === 'object' && b !== null && typeof (b as Readable).on === 'function' && typeof (b as Readable).resume === 'function')

const ignore = (): void => undefined

/** Collects a Node stream with events (much cheaper than its async iterator). */
const collectReadable = (body: Readable, o: ReadOptions): Promise<Collected> =>
  new Promise((resolve) => {
    const chunks: Buffer[] = []
    let size = 0
    const done = (r: Collected): void => {
      body.removeListener('data', onData)
      body.removeListener('end', onEnd)
      // the error listener stays (as a no-op once done): a stream destroyed here may still
      // emit its error later, and an error without a listener would end the process
      body.removeListener('error', onError)
      body.on('error', ignore)
      resolve(r)
    }
    const onData = (chunk: Buffer): void => {
      size += chunk.byteLength
      o.onProgress?.({ direction: 'download', loaded: size, total: o.total })
      if (size > o.maxBytes) {
        body.destroy()
        return done({ ok: false, failure: { kind: 'limit', limit: o.maxBytes } })
      }
      chunks.push(chunk)
    }
    const onEnd = (): void => done({ ok: true, bytes: chunks.length === 1 && chunks[0] !== undefined ? chunks[0] : Buffer.concat(chunks, size) })
    const onError = (error: unknown): void => done({ ok: false, failure: { kind: 'source', error } })
    body.on('data', onData)
    body.once('end', onEnd)
    body.once('error', onError)
  })

/** Collects a body that pushes its chunks (undiciTransport's): no stream, no iterator, no events. */
const collectPushed = (body: PushBody, o: ReadOptions): Promise<Collected> =>
  new Promise((resolve) => {
    const chunks: Uint8Array[] = []
    let size = 0
    let done = false
    body.listen({
      data: (chunk) => {
        if (done) return
        size += chunk.byteLength
        o.onProgress?.({ direction: 'download', loaded: size, total: o.total })
        if (size > o.maxBytes) {
          done = true
          body.cancel()
          return resolve({ ok: false, failure: { kind: 'limit', limit: o.maxBytes } })
        }
        chunks.push(chunk)
      },
      end: () => {
        if (done) return
        done = true
        const only = chunks.length === 1 ? chunks[0] : undefined
        resolve({ ok: true, bytes: only !== undefined ? only : Buffer.concat(chunks, size) })
      },
      error: (error) => {
        if (done) return
        done = true
        resolve({ ok: false, failure: { kind: 'source', error } })
      },
    })
  })

class Tagged {
  constructor(readonly failure: ReadFailure) {}
}

/**
 * Reads a body stream to the end: bytes in memory (file null), or written to the file
 * (returns empty bytes). Never throws: failures come back as a {@link ReadFailure}.
 * @example
 * const r = await readBody(stream, { decoders: [], file: null, total: 3, maxBytes: Infinity, onProgress: undefined })
 */
export const readBody = async (
  body: AsyncIterable<Uint8Array> | null,
  o: ReadOptions,
): Promise<{ readonly ok: true; readonly bytes: Uint8Array } | { readonly ok: false; readonly failure: ReadFailure }> => {
  let loaded = 0
  async function* source(): AsyncGenerator<Uint8Array> {
    if (body === null) return
    try {
      for await (const chunk of body) {
        loaded += chunk.byteLength
        o.onProgress?.({ direction: 'download', loaded, total: o.total })
        yield chunk
      }
    } catch (error) {
      throw new Tagged({ kind: 'source', error })
    }
  }
  const chunks: Buffer[] = []
  let size = 0
  if (o.file === null && o.decoders.length === 0) {
    // the common case: no stream machinery, just collect what arrives
    if (isPushBody(body)) return collectPushed(body, o)
    if (isNodeReadable(body)) return collectReadable(body, o)
    if (body === null) return { ok: true, bytes: Buffer.concat(chunks, 0) }
    // any other iterable, read directly (one iterator, not two)
    try {
      for await (const chunk of body) {
        size += chunk.byteLength
        o.onProgress?.({ direction: 'download', loaded: size, total: o.total })
        if (size > o.maxBytes) return { ok: false, failure: { kind: 'limit', limit: o.maxBytes } }
        chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength))
      }
    } catch (error) {
      return { ok: false, failure: { kind: 'source', error } }
    }
    return { ok: true, bytes: chunks.length === 1 && chunks[0] !== undefined ? chunks[0] : Buffer.concat(chunks, size) }
  }
  const memory = new Writable({
    write(chunk: Buffer, _enc, cb) {
      size += chunk.byteLength
      if (size > o.maxBytes) return cb(new Tagged({ kind: 'limit', limit: o.maxBytes }) as unknown as Error)
      chunks.push(chunk)
      cb()
    },
  })
  let fileFailed: unknown = null
  const sink = o.file === null ? memory : createWriteStream(o.file, { flags: o.append === true ? 'a' : 'w' }).on('error', (e) => (fileFailed = e))
  // decoded bytes on their way to a file count against the limit too (a gzip bomb stops here)
  const counted =
    o.file === null || o.maxBytes === Number.POSITIVE_INFINITY
      ? []
      : [
          new Transform({
            transform(chunk: Buffer, _enc, cb) {
              size += chunk.byteLength
              if (size > o.maxBytes) return cb(new Tagged({ kind: 'limit', limit: o.maxBytes }) as unknown as Error)
              cb(null, chunk)
            },
          }),
        ]
  try {
    await pipeline([Readable.from(source(), { objectMode: false }), ...o.decoders, ...counted, sink])
    return { ok: true, bytes: o.file === null ? Buffer.concat(chunks, size) : new Uint8Array(0) }
  } catch (e) {
    if (fileFailed !== null) return { ok: false, failure: { kind: 'file', error: fileFailed } }
    if (e instanceof Tagged) return { ok: false, failure: e.failure }
    if (loaded === 0) return { ok: true, bytes: new Uint8Array(0) }
    return { ok: false, failure: { kind: 'decode', error: e } }
  }
}
