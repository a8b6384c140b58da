/**
 * Reading a response body: decompressing (gzip, deflate, br), and one collector that counts
 * progress, enforces the size limit and keeps the body in memory or lets it stream to a file.
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
 * const f: ReadFailure = { _tag: 'File', error: new Error('EACCES') }
 */
export type ReadFailure =
  | { readonly _tag: 'Source'; readonly error: unknown }
  | { readonly _tag: 'File'; readonly error: unknown }
  | { readonly _tag: 'Decode'; readonly error: unknown }
  | { readonly _tag: 'Limit'; readonly limit: number }

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

type Collected =
  { readonly _tag: 'Bytes'; readonly bytes: Uint8Array } | { readonly _tag: 'Failed'; readonly failure: ReadFailure }

/**
 * The one body collector, whatever reads the body and wherever it goes: it counts the bytes as
 * they arrive (download progress), counts them again as they are kept (decoded: the size limit,
 * so a gzip bomb stops here) and keeps them in memory, or lets them pass on to a file. Every way
 * of reading a body below feeds it; a body a layer throws away (a redirect, a 401, a 503 before
 * a retry) is read through it like any other.
 */
class Collector {
  /** bytes as they arrived */
  private loaded = 0
  /** bytes kept (decoded) */
  private size = 0
  private readonly chunks: Uint8Array[] = []

  constructor(
    private readonly o: ReadOptions,
    /** false: the kept bytes go on to a file, none is held here */
    private readonly inMemory: boolean,
  ) {}

  /** Bytes arrived from the connection. */
  arrived(n: number): void {
    this.loaded += n
    this.o.onProgress?.({ direction: 'download', loaded: this.loaded, total: this.o.total })
  }

  /** A (decoded) chunk to keep: false when it takes the body past the limit. */
  keep(chunk: Uint8Array): boolean {
    this.size += chunk.byteLength
    if (this.size > this.o.maxBytes) return false
    if (this.inMemory) this.chunks.push(chunk)
    return true
  }

  /** A chunk that arrived and is kept as it is (no decoder between). */
  take(chunk: Uint8Array): boolean {
    this.arrived(chunk.byteLength)
    return this.keep(chunk)
  }

  get anyArrived(): boolean {
    return this.loaded > 0
  }

  /** What was kept: the one chunk as it came, else all of them in one buffer (empty bytes for a file). */
  done(): Collected {
    if (!this.inMemory) return { _tag: 'Bytes', bytes: new Uint8Array(0) }
    const only = this.chunks.length === 1 ? this.chunks[0] : undefined
    if (only !== undefined) return { _tag: 'Bytes', bytes: only }
    try {
      return { _tag: 'Bytes', bytes: Buffer.concat(this.chunks, this.size) }
    } catch {
      // more than one Buffer holds (the limit keeps a body below it): never a throw in a listener
      return this.limit()
    }
  }

  limit(): Collected {
    return { _tag: 'Failed', failure: { _tag: 'Limit', limit: this.o.maxBytes } }
  }
}

const isNodeReadable = (b: unknown): b is Readable =>
  b instanceof Readable ||
  (typeof b === 'object' &&
    b !== null &&
    typeof (b as Readable).on === 'function' &&
    typeof (b as Readable).resume === 'function')

const ignore = (): void => undefined

const sourceFailed = (error: unknown): Collected => ({ _tag: 'Failed', failure: { _tag: 'Source', error } })

/** Reads a Node stream with events (much cheaper than its async iterator). */
const fromReadable = (body: Readable, c: Collector): Promise<Collected> =>
  new Promise((resolve) => {
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
      if (c.take(chunk)) return
      body.destroy()
      done(c.limit())
    }
    const onEnd = (): void => done(c.done())
    const onError = (error: unknown): void => done(sourceFailed(error))
    body.on('data', onData)
    body.once('end', onEnd)
    body.once('error', onError)
  })

/** Reads a body that pushes its chunks (undiciTransport's): no stream, no iterator, no events. */
const fromPushed = (body: PushBody, c: Collector): Promise<Collected> =>
  new Promise((resolve) => {
    let settled = false
    const settle = (r: Collected): void => {
      if (settled) return
      settled = true
      resolve(r)
    }
    body.listen({
      data: (chunk) => {
        if (settled || c.take(chunk)) return
        body.cancel()
        settle(c.limit())
      },
      end: () => settle(c.done()),
      error: (error) => settle(sourceFailed(error)),
    })
  })

/** Reads any other iterable directly (one iterator, not two); leaving the loop stops the source. */
const fromIterable = async (body: AsyncIterable<Uint8Array>, c: Collector): Promise<Collected> => {
  try {
    for await (const chunk of body)
      if (!c.take(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength))) return c.limit()
  } catch (error) {
    return sourceFailed(error)
  }
  return c.done()
}

class Tagged {
  constructor(readonly failure: ReadFailure) {}
}

/**
 * Reads through decoders and/or to a file, as a stream pipeline (with backpressure: the file is
 * written no faster than the disk takes it); the collector counts what arrives at its start and
 * what is kept at its end.
 */
const throughStreams = async (
  body: AsyncIterable<Uint8Array> | null,
  c: Collector,
  o: ReadOptions,
  file: string | null,
): Promise<Collected> => {
  async function* source(): AsyncGenerator<Uint8Array> {
    if (body === null) return
    try {
      for await (const chunk of body) {
        c.arrived(chunk.byteLength)
        yield chunk
      }
    } catch (error) {
      throw new Tagged({ _tag: 'Source', error })
    }
  }
  const over = (): Error => new Tagged({ _tag: 'Limit', limit: o.maxBytes }) as unknown as Error
  let fileFailed: unknown = null
  // to a file without a limit, nothing needs counting at the end
  const kept =
    file !== null && o.maxBytes === Number.POSITIVE_INFINITY
      ? []
      : [
          file === null
            ? new Writable({ write: (chunk: Buffer, _enc, cb) => (c.keep(chunk) ? cb() : cb(over())) })
            : new Transform({ transform: (chunk: Buffer, _enc, cb) => (c.keep(chunk) ? cb(null, chunk) : cb(over())) }),
        ]
  const out =
    file === null
      ? []
      : [createWriteStream(file, { flags: o.append === true ? 'a' : 'w' }).on('error', (e) => (fileFailed = e))]
  try {
    await pipeline([Readable.from(source(), { objectMode: false }), ...o.decoders, ...kept, ...out])
    return c.done()
  } catch (e) {
    if (fileFailed !== null) return { _tag: 'Failed', failure: { _tag: 'File', error: fileFailed } }
    if (e instanceof Tagged) return { _tag: 'Failed', failure: e.failure }
    if (!c.anyArrived) return { _tag: 'Bytes', bytes: new Uint8Array(0) }
    return { _tag: 'Failed', failure: { _tag: 'Decode', error: e } }
  }
}

/**
 * Reads a body stream to the end: bytes in memory (file null), or written to the file
 * (returns empty bytes). Never throws: failures come back as a {@link ReadFailure}.
 * @example
 * const r = await readBody(stream, { decoders: [], file: null, total: 3, maxBytes: Infinity, onProgress: undefined })
 */
export const readBody = (body: AsyncIterable<Uint8Array> | null, o: ReadOptions): Promise<Collected> => {
  const c = new Collector(o, o.file === null)
  if (o.file !== null || o.decoders.length > 0) return throughStreams(body, c, o, o.file)
  // the common case: no stream machinery, just collect what arrives
  if (body === null) return Promise.resolve(c.done())
  if (isPushBody(body)) return fromPushed(body, c)
  if (isNodeReadable(body)) return fromReadable(body, c)
  return fromIterable(body, c)
}
