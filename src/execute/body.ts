/**
 * Bodies over segments: opening them for an attempt, hashing them for signing, each written
 * once. A file segment is re-opened for every attempt and read as a stream, never whole.
 * @module
 */
import { createHash } from 'node:crypto'
import { open, type FileHandle } from 'node:fs/promises'
import * as E from 'fp-ts/lib/Either.js'
import type { BodyHasher, PreparedBody, Segment, SignFailure } from '../model/prepared.js'

/**
 * A body file that could not be read, or that changed size since the request was prepared
 * (`code` is then `EFILECHANGED`).
 * @example
 * const e = new BodyFileError('./a.bin', 'ENOENT')
 * @internal
 */
export class BodyFileError extends Error {
  constructor(
    readonly path: string,
    readonly code: string,
  ) {
    super(`cannot read body file ${path}: ${code}`)
  }
}

/**
 * The error code of a failed file operation (`ENOENT`, …), or the error as text.
 * @example
 * codeOf(Object.assign(new Error(), { code: "ENOENT" })) // "ENOENT"
 * @internal
 */
export const codeOf = (e: unknown): string => String((e as NodeJS.ErrnoException | null)?.code ?? e)

/**
 * The bytes `[start, end)` of a body file, read through one open handle. The file must still
 * have the size it had when the request was prepared, when it is opened and once the declared
 * bytes are read (an `fstat` of the same handle, so a file that grew or shrank while it was
 * sent is caught). The last chunk is held back until that second check has passed: a server
 * never receives the whole declared body of a file that changed, so it cannot answer it as
 * complete; the attempt ends in a `BodyFileError` with `EFILECHANGED` instead.
 */
async function* fileSegment(s: Extract<Segment, { _tag: 'File' }>): AsyncGenerator<Uint8Array> {
  let fh: FileHandle
  try {
    fh = await open(s.path, 'r')
  } catch (e) {
    throw new BodyFileError(s.path, codeOf(e))
  }
  const sizeNow = async (): Promise<number> => {
    try {
      return (await fh.stat()).size
    } catch (e) {
      throw new BodyFileError(s.path, codeOf(e))
    }
  }
  try {
    if ((await sizeNow()) !== s.size) throw new BodyFileError(s.path, 'EFILECHANGED')
    if (s.end <= s.start) return
    let read = 0
    let held: Uint8Array | null = null
    const stream = fh.createReadStream({ start: s.start, end: s.end - 1, autoClose: false })
    try {
      for await (const chunk of stream) {
        read += (chunk as Buffer).byteLength
        if (held !== null) yield held
        held = chunk as Buffer
      }
      // every declared byte is read (fewer: the file shrank); it must not have grown meanwhile
      if (read !== s.end - s.start || (await sizeNow()) !== s.size) throw new BodyFileError(s.path, 'EFILECHANGED')
    } catch (e) {
      throw e instanceof BodyFileError ? e : new BodyFileError(s.path, codeOf(e))
    } finally {
      // (destroying a FileHandle's stream closes the handle, autoClose or not: checked above first)
      stream.destroy()
    }
    if (held !== null) yield held
  } finally {
    await fh.close().catch(() => undefined)
  }
}

async function* segmentStream(segments: ReadonlyArray<Segment>): AsyncGenerator<Uint8Array> {
  for (const s of segments) {
    if (s._tag === 'Bytes') {
      if (s.bytes.byteLength > 0) yield s.bytes
    } else if (s._tag === 'File') yield* fileSegment(s)
    else throw new BodyFileError(s.url, 'EUNRESOLVED')
  }
}

/**
 * What an attempt sends: null for no body, the bytes when the body is one in-memory segment,
 * else a stream over the segments (files read from disk as it goes).
 * @example
 * openBody({ _tag: 'Segments', segments: [{ _tag: 'Bytes', bytes }], length: bytes.byteLength }) // bytes
 * @internal
 */
export const openBody = (body: PreparedBody): Uint8Array | AsyncIterable<Uint8Array> | null => {
  if (body._tag === 'None') return null
  const [only] = body.segments
  if (body.segments.length === 0) return new Uint8Array(0)
  if (body.segments.length === 1 && only?._tag === 'Bytes') return only.bytes
  return segmentStream(body.segments)
}

/**
 * The hashes of one body, caching each algorithm's result.
 * @example
 * await bodyHasher({ _tag: 'None' })('sha256')
 * @internal
 */
export const bodyHasher = (body: PreparedBody): BodyHasher => {
  const cache = new Map<string, Promise<E.Either<SignFailure, string>>>()
  const compute = async (algorithm: string): Promise<E.Either<SignFailure, string>> => {
    const h = createHash(algorithm)
    const opened = openBody(body)
    try {
      if (opened instanceof Uint8Array) h.update(opened)
      else if (opened !== null) for await (const chunk of opened) h.update(chunk)
      return E.right(h.digest('hex'))
    } catch (e) {
      return E.left(
        e instanceof BodyFileError
          ? { _tag: 'File', path: e.path, code: e.code }
          : { _tag: 'File', path: '', code: codeOf(e) },
      )
    }
  }
  return (algorithm) => {
    const found = cache.get(algorithm)
    if (found !== undefined) return found
    const p = compute(algorithm)
    cache.set(algorithm, p)
    return p
  }
}

/**
 * The bytes of a body held in memory (all segments bytes), or null when it has file or URL
 * segments.
 * @example
 * memoryBytes({ _tag: 'Segments', segments: [{ _tag: 'Bytes', bytes }], length: 3 }) // bytes
 * @internal
 */
export const memoryBytes = (body: PreparedBody): Uint8Array | null => {
  if (body._tag === 'None') return null
  if (!body.segments.every((s) => s._tag === 'Bytes')) return null
  const parts = body.segments.map((s) => (s as Extract<Segment, { _tag: 'Bytes' }>).bytes)
  return parts.length === 1 && parts[0] !== undefined ? parts[0] : Buffer.concat(parts)
}

/**
 * A file as a body segment: opened to see that it can be read, measured, closed again (an
 * attempt re-opens it and checks the size is unchanged).
 * @example
 * await fileSegmentOf('./a.bin') // right({ _tag: 'File', path: './a.bin', start: 0, end: 3, size: 3 })
 * @internal
 */
export const fileSegmentOf = async (path: string): Promise<E.Either<string, Segment>> => {
  let fh
  try {
    fh = await open(path, 'r')
    const st = await fh.stat()
    if (!st.isFile()) return E.left('EISDIR')
    return E.right({ _tag: 'File', path, start: 0, end: st.size, size: st.size })
  } catch (e) {
    return E.left(codeOf(e))
  } finally {
    await fh?.close().catch(() => undefined)
  }
}
