/**
 * Test helpers for httpipe: an embedded httpbin-like server (routes listed at {@link startEchoServer}).
 *
 * Besides the httpbin-style echo, status, redirect, delay, compression, bytes, auth and failure
 * routes, it serves transfers:
 *
 * - `/multipart` (any method) answers a {@link MultipartEcho}: media type and parameters, every part
 *   with headers, name, filename, Content-Type, Content-ID, size and SHA-256, form-data fields and files.
 * - `/upload/:id` is a resumable upload (`Content-Range: bytes s-e/total` chunks, `308` with
 *   `Range: bytes=0-N` until complete, then `200` {@link UploadStatus}), with injectable failures
 *   (`?fail=K`, `?short=N`, `?drop=K`); `GET` answers its state, `DELETE` forgets it.
 * - `/range/:n` serves `a-z` repeated with `Range`/`If-Range`/ETag (206, 416), or a broken server
 *   (`?ignoreRange=1`, `?badRange=shift|total|length|missing|garbage`, `?dropAfter=B`).
 *
 * @example
 * ```ts
 * import { startEchoServer } from 'httpipe/testing'
 *
 * const server = await startEchoServer()
 * const res = await fetch(`${server.url}/status/418`)
 * console.log(res.status) // 418
 * await server.close()
 * ```
 *
 * @module httpipe/testing
 */
export { startEchoServer } from './echo-server.js'
export type {
  EchoPayload,
  EchoServer,
  EchoServerOptions,
  MultipartPart,
  MultipartPartInfo,
  Params,
  RecordedRequest,
  UploadedFile,
} from './types.js'
export type { MultipartEcho, MultipartEchoFile, UploadStatus } from './types-transfer.js'
