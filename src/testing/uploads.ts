/**
 * The per-server store of resumable uploads, and the `Content-Range` request header they are
 * driven by: `bytes s-e/total` or `bytes s-e/*` for a chunk, a `*` range (`bytes *` then `/total`)
 * for a status query.
 *
 * @packageDocumentation
 */
import { createHash } from 'node:crypto'
import { badRequest } from './parse.js'
import type { UploadStatus } from './types-transfer.js'

/**
 * One upload: the stored chunks in order, their total size, the declared total, the request count.
 * @internal
 */
export interface Upload {
  readonly chunks: Buffer[]
  size: number
  total: number | undefined
  requests: number
}

/**
 * The uploads of one server, by id.
 * @internal
 */
export type UploadStore = Map<string, Upload>

/**
 * A parsed request Content-Range: a chunk of bytes `[start, end]`, or a status query (range `*`).
 * @internal
 */
export type ChunkRange =
  | { readonly _tag: 'Chunk'; readonly start: number; readonly end: number; readonly total: number | undefined }
  | { readonly _tag: 'Query'; readonly total: number | undefined }

const CONTENT_RANGE = /^bytes +(?:(\d{1,16})-(\d{1,16})|(\*))\/(\d{1,16}|\*)$/i

/**
 * Parses the Content-Range of an upload request against its body. Without the header the body is
 * the whole upload (`bytes 0-(n-1)/n`; when empty, a status query declaring a total of 0). Throws BadRequest when the header
 * is malformed or disagrees with the body.
 * @internal
 */
export const parseChunkRange = (header: string | undefined, bodyLength: number): ChunkRange => {
  if (header === undefined)
    return bodyLength === 0
      ? { _tag: 'Query', total: 0 }
      : { _tag: 'Chunk', start: 0, end: bodyLength - 1, total: bodyLength }
  const match = CONTENT_RANGE.exec(header.trim())
  if (match === null) throw badRequest(`invalid Content-Range ${JSON.stringify(header)}: expected "bytes s-e/total"`)
  const [, first, last, star, rawTotal = '*'] = match
  const total = rawTotal === '*' ? undefined : Number(rawTotal)
  if (star !== undefined) {
    if (bodyLength !== 0) throw badRequest(`Content-Range ${header} is a status query: its body must be empty`)
    return { _tag: 'Query', total }
  }
  const start = Number(first)
  const end = Number(last)
  if (end < start) throw badRequest(`Content-Range ${header}: the last byte is before the first`)
  if (total !== undefined && end >= total) throw badRequest(`Content-Range ${header}: the last byte is past the total`)
  if (end - start + 1 !== bodyLength)
    throw badRequest(`Content-Range ${header} announces ${end - start + 1} bytes, the body has ${bodyLength}`)
  return { _tag: 'Chunk', start, end, total }
}

/**
 * The upload `id`, created empty when the store has none.
 * @internal
 */
export const uploadOf = (store: UploadStore, id: string): Upload => {
  const found = store.get(id)
  if (found !== undefined) return found
  const created: Upload = { chunks: [], size: 0, total: undefined, requests: 0 }
  store.set(id, created)
  return created
}

/**
 * Records the total a request declares; throws BadRequest when it contradicts an earlier total or
 * is smaller than what is already stored.
 * @internal
 */
export const declareTotal = (upload: Upload, total: number | undefined): void => {
  if (total === undefined) return
  if (upload.total !== undefined && upload.total !== total)
    throw badRequest(`the upload's total is ${upload.total}, this request says ${total}`)
  if (total < upload.size) throw badRequest(`total ${total} is less than the ${upload.size} bytes already stored`)
  upload.total = total
}

/**
 * Appends bytes (copied, so the request body can be released).
 * @internal
 */
export const append = (upload: Upload, bytes: Buffer): void => {
  upload.chunks.push(Buffer.from(bytes))
  upload.size += bytes.length
}

/**
 * Whether the upload holds all of its declared total.
 * @internal
 */
export const isComplete = (upload: Upload): boolean => upload.total !== undefined && upload.size === upload.total

/**
 * The stored bytes of an upload, as one copy.
 * @internal
 */
export const uploadBytes = (upload: Upload): Uint8Array => new Uint8Array(Buffer.concat(upload.chunks))

/**
 * The JSON state of an upload.
 * @internal
 */
export const uploadStatus = (id: string, upload: Upload): UploadStatus => {
  const hash = createHash('sha256')
  for (const chunk of upload.chunks) hash.update(chunk)
  return {
    id,
    size: upload.size,
    total: upload.total ?? null,
    complete: isComplete(upload),
    chunks: upload.requests,
    sha256: hash.digest('hex'),
  }
}
