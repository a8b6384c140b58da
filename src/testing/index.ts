/**
 * Test helpers for httpipe: an embedded httpbin-like server.
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
  Params,
  RecordedRequest,
  UploadedFile,
} from './types.js'
