/**
 * Running requests with httpipe's transports: the composition root where the executor (which
 * knows only the transport interface) meets the default transport (undici on Node.js) and the
 * fetch adapter.
 * @module
 */
import type * as TE from 'fp-ts/lib/TaskEither.js'
import type { ClientError } from './errors.js'
import type { Env, TransportDefaults } from './execute/env.js'
import { prepareRequest as prepare } from './execute/prepare.js'
import { processNow, runSafe } from './execute/run.js'
import type { Method } from './model/method.js'
import type { PreparedRequest } from './model/prepared.js'
import type { Request } from './request/model.js'
import type { HttpResponse } from './response/model.js'
import { defaultTransport } from './transport/default.js'
import { fromFetch } from './transport/fetch.js'

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
 * What a Request would send, with nothing sent: the final URL, headers (auth composed, AWS4 and
 * OAuth1 signed as the first attempt would be) and the body as segments. An invalid or
 * sticky-error request is `InvalidInput`. Run the result with {@link executeRequest}.
 * @example
 * const prepared = await pipe(H.newRequest(), H.initialize(`${url}/get`), H.addHeader('X-A', '1'), H.prepareRequest('GET'))()
 * @category running
 * @since 0.1.0
 */
export const prepareRequest: (method: Method, env?: Env) => (req: Request) => TE.TaskEither<ClientError, PreparedRequest> = prepare
