/**
 * `/upload/:id`: a resumable upload speaking the Google Drive / Cloud Storage protocol. Chunks
 * carry `Content-Range: bytes s-e/total`; while incomplete the server answers `308` with
 * `Range: bytes=0-N` (no Range while nothing is stored), and `200` with the {@link UploadStatus}
 * once complete. Failures can be injected through the query.
 *
 * @packageDocumentation
 */
import { EMPTY, param, queryInteger, send, sendJson } from './context.js'
import type { Context, Handler, HeaderList } from './context.js'
import { parseInteger } from './parse.js'
import type { UploadStatus } from './types-transfer.js'
import { append, declareTotal, isComplete, parseChunkRange, uploadOf, uploadStatus } from './uploads.js'
import type { Upload } from './uploads.js'

/** The `Range` header of an incomplete upload: absent while nothing is stored. */
const storedRange = (upload: Upload): HeaderList => (upload.size === 0 ? [] : [['Range', `bytes=0-${upload.size - 1}`]])

/** 200 with the state when complete, else 308 "Resume Incomplete" with the stored Range and no body. */
const answer = (ctx: Context, id: string, upload: Upload): void =>
  isComplete(upload)
    ? sendJson(ctx, 200, uploadStatus(id, upload) satisfies UploadStatus)
    : send(ctx, 308, EMPTY, storedRange(upload))

/** A query parameter listing chunk request numbers (`2` or `2,5`). */
const chunkNumbers = (ctx: Context, name: string): ReadonlySet<number> => {
  const raw = ctx.query.get(name)
  if (raw === null) return new Set()
  return new Set(raw.split(',').map((item) => parseInteger(item.trim(), name, 1, 1_000_000)))
}

/** Receives one chunk or status query of upload `id` (PUT, POST or PATCH). */
const receive = (ctx: Context, id: string): void => {
  const fail = chunkNumbers(ctx, 'fail')
  const drop = chunkNumbers(ctx, 'drop')
  const failStatus = queryInteger(ctx, 'failStatus', 503, 400, 599)
  const short = queryInteger(ctx, 'short', 0, 0, Number.MAX_SAFE_INTEGER)
  const range = parseChunkRange(ctx.request.headers['content-range'], ctx.body.length)
  const upload = uploadOf(ctx.uploads, id)
  declareTotal(upload, range.total)
  if (range._tag === 'Query') return answer(ctx, id, upload)
  upload.requests += 1
  const chunk = upload.requests
  if (fail.has(chunk)) return sendJson(ctx, failStatus, { error: 'injected failure', chunk })
  // A finished upload answers every later chunk with its state, as Cloud Storage does.
  if (isComplete(upload)) return answer(ctx, id, upload)
  if (range.start !== upload.size) {
    const error = `the chunk starts at byte ${range.start}, the server has ${upload.size} bytes`
    return sendJson(ctx, 416, { error, size: upload.size }, storedRange(upload))
  }
  const last = upload.total !== undefined && range.end + 1 === upload.total
  append(upload, ctx.body.subarray(0, last ? ctx.body.length : Math.max(0, ctx.body.length - short)))
  if (drop.has(chunk)) return void ctx.req.socket.destroy()
  answer(ctx, id, upload)
}

/**
 * `/upload/:id`: PUT, POST or PATCH send a chunk or a status query, GET and HEAD answer the
 * {@link UploadStatus} (404 for an unknown id), DELETE forgets the upload (204).
 *
 * Query parameters (on chunk requests; chunk requests are numbered from 1 per id, status queries
 * not counted): `fail=K[,K…]` answers those chunk requests with `failStatus` (default 503) without
 * storing; `short=N` stores N bytes fewer of every chunk that does not complete the upload;
 * `drop=K[,K…]` stores those chunks, then destroys the connection without answering.
 * @internal
 */
export const upload: Handler = (ctx) => {
  const id = param(ctx, 'id')
  const method = ctx.request.method
  if (method === 'PUT' || method === 'POST' || method === 'PATCH') return receive(ctx, id)
  if (method === 'DELETE') {
    ctx.uploads.delete(id)
    return send(ctx, 204, EMPTY)
  }
  if (method !== 'GET' && method !== 'HEAD')
    return sendJson(ctx, 405, { error: `method ${method} not allowed` }, [
      ['Allow', 'GET, HEAD, PUT, POST, PATCH, DELETE'],
    ])
  const found = ctx.uploads.get(id)
  if (found === undefined) return sendJson(ctx, 404, { error: 'no such upload', id })
  sendJson(ctx, 200, uploadStatus(id, found))
}
