/**
 * Running requests with httpipe's transports: the composition root where the executor (which
 * knows only the transport interface) meets the default transport (undici on Node.js) and the
 * fetch adapter.
 * @module
 */
import type * as TE from 'fp-ts/lib/TaskEither.js'
import type { ClientError } from '../model/errors.js'
import type { Env, TransportDefaults } from '../execute/env.js'
import { DEFAULT_CHUNK_SIZE, sendInPartsNow, sendPartNow } from '../execute/parts/upload.js'
import { getInPartsNow, getPartNow } from '../execute/parts/download.js'
import { prepareRequest as prepare } from '../execute/prepare/prepare.js'
import { processNow, runSafe } from '../execute/run.js'
import type { Method } from '../model/method.js'
import type { PreparedRequest } from '../model/prepared.js'
import type { Request } from '../model/request.js'
import type { HttpResponse } from '../model/response.js'
import { defaultTransport } from '../transport/default.js'
import { fromFetch } from '../transport/fetch.js'

const defaults: TransportDefaults = { transport: defaultTransport, fromFetch: (f) => fromFetch(f) }

/**
 * Sends a PreparedRequest: attempts with timeouts, retries, redirects; returns the final
 * response (any status) or a ClientError with the full log.
 * @example
 * pipe(req, H.prepareRequest('GET'), TE.flatMap(H.executeRequest()))
 * @category running
 * @since 0.1.0
 */
export const executeRequest =
  (env?: Env) =>
  (prepared: PreparedRequest): TE.TaskEither<ClientError, HttpResponse> =>
  () =>
    runSafe(prepared, env, defaults)

/**
 * Runs a Request: prepares it (an invalid or sticky-error request is returned as
 * `InvalidInput` without sending) and executes it. Any HTTP status that arrives is a Right.
 * @example
 * const result = await pipe(H.newRequest(), H.initialize('http://127.0.0.1:8080/get'), H.processRequest('GET'))()
 * @category running
 * @since 0.1.0
 */
export const processRequest =
  (method: Method, env?: Env) =>
  (req: Request): TE.TaskEither<ClientError, HttpResponse> =>
  () =>
    processNow(method, env, req, defaults)

/**
 * Sends the bytes `[start, start + count)` of the body (cut at its end) with
 * `Content-Range: bytes s-e/total`, as one run (signed, retried and redirected like any).
 * @example
 * const res = await pipe(H.newRequest(), H.initialize(`${url}/put`), H.setBinaryBody(new Uint8Array(1000)), H.sendPart(0, 500))()
 * @category running
 * @since 0.3.0
 */
export const sendPart =
  (start: number, count: number, method: Method = 'PUT', env?: Env) =>
  (req: Request): TE.TaskEither<ClientError, HttpResponse> =>
  () =>
    sendPartNow(start, count, method, env, req, defaults)

/**
 * Sends the whole body in chunks of `chunkSize` (5 MiB by default), each with its Content-Range,
 * following a resumable-upload server: a `308` with `Range: bytes=0-N` says what it holds, and
 * the next chunk starts there (also when it kept fewer bytes than were sent). A chunk that fails
 * with a retryable status or transport error is retried (at least 2 retries). Returns the answer
 * that completes the upload, or the first that is neither `308` nor `2xx`; upload progress is
 * reported across all chunks.
 * @example
 * const res = await pipe(H.newRequest(), H.initialize(`${url}/upload/backup`), H.setBinaryBody(new Uint8Array(100_000)), H.sendDataInParts(32 * 1024))()
 * @category running
 * @since 0.3.0
 */
export const sendDataInParts =
  (chunkSize: number = DEFAULT_CHUNK_SIZE, method: Method = 'PUT', env?: Env) =>
  (req: Request): TE.TaskEither<ClientError, HttpResponse> =>
  () =>
    sendInPartsNow(chunkSize, method, env, req, defaults)

/**
 * Fetches the bytes `[start, start + count)` with `Range: bytes=s-e` (and no compression, so the
 * range counts the bytes of the file): the `206` whose Content-Range starts at `start`, or a
 * `StatusError` — a `200` means the server ignored the range. A response file set with
 * `setResponseFile` is written only with the part asked for.
 * @example
 * const part = await pipe(H.newRequest(), H.initialize('http://127.0.0.1:8080/range/1000'), H.getPart(100, 50), TE.map(H.asBinary))()
 * @category running
 * @since 0.3.0
 */
export const getPart =
  (start: number, count: number, method: Method = 'GET', env?: Env) =>
  (req: Request): TE.TaskEither<ClientError, HttpResponse> =>
  () =>
    getPartNow(start, count, method, env, req, defaults)

/**
 * Downloads the whole representation to the file set with `setResponseFile`, in ranged parts of
 * `chunkSize` (5 MiB by default), each checked before it is appended; an existing partial file is
 * continued from its size, so an interrupted download resumes. Memory holds one part at a time.
 * @example
 * const res = await pipe(H.newRequest(), H.initialize('http://127.0.0.1:8080/range/100000'), H.setResponseFile('/tmp/httpipe-doc-range.bin'), H.getDataInParts(16 * 1024))()
 * @category running
 * @since 0.3.0
 */
export const getDataInParts =
  (chunkSize: number = DEFAULT_CHUNK_SIZE, method: Method = 'GET', env?: Env) =>
  (req: Request): TE.TaskEither<ClientError, HttpResponse> =>
  () =>
    getInPartsNow(chunkSize, method, env, req, defaults)

/**
 * What a Request would send, with nothing sent: the final URL, headers (auth composed, AWS4 and
 * OAuth1 signed as the first attempt would be) and the body as segments. An invalid or
 * sticky-error request is `InvalidInput`. Run the result with {@link executeRequest}.
 * @example
 * const prepared = await pipe(H.newRequest(), H.initialize(`${url}/get`), H.addHeader('X-A', '1'), H.prepareRequest('GET'))()
 * @category running
 * @since 0.1.0
 */
export const prepareRequest: (method: Method, env?: Env) => (req: Request) => TE.TaskEither<ClientError, PreparedRequest> = prepare
