/**
 * `streamRequest`: a run whose answer's body is read as it arrives.
 * @module
 */
import type * as TE from 'fp-ts/lib/TaskEither.js'
import type { ClientError } from '../model/errors.js'
import type { Method } from '../model/method.js'
import type { Request } from '../model/request.js'
import type { HttpResponse } from '../model/response.js'
import type { HttpStream } from '../model/stream.js'
import type { Env } from '../execute/env.js'
import { processOrStreamNow, streamNow } from '../execute/run.js'
import { boundary } from './process.js'

/**
 * Runs a Request as `processRequest` does (redirects, retried heads, the Digest challenge,
 * signing, the log) up to the head of the final answer, and hands over its body unread: an
 * {@link HttpStream} whose `body` yields the decoded bytes as the reader asks for them, each a
 * `Right`, ending after the first `Left`.
 *
 * While the body is read, the idle timeout, the deadline, `env.signal` and
 * `setMaxResponseSize` keep applying (`setTimeout`, the limit of one attempt, bounds the wait
 * for the head only: a stream may last as long as bytes keep coming). A reader that does not
 * ask for more pauses the connection (backpressure: memory stays bounded); one that stops
 * asking for longer than the idle timeout ends the stream with a `Timeout`; leaving the loop
 * (`break`, `return()`) drops the connection at once. An answer that is not a `2xx` (and one
 * without a body) is read whole, as the layers read it, and given as one chunk. A response
 * file set with `setResponseFile` is not written: pipe the body into one.
 * @example
 * const res = await pipe(H.newRequest(), H.initialize(`${url}/drip?chunks=3`), H.streamRequest('GET'))()
 * if (E.isRight(res)) for await (const chunk of res.right.body) if (E.isRight(chunk)) console.log(chunk.right.length)
 * @category running
 * @since 0.3.0
 */
export const streamRequest =
  (method: Method, env?: Env) =>
  (req: Request): TE.TaskEither<ClientError, HttpStream> =>
    boundary('streamRequest', env, req, (r) => streamNow(method, r, req))

/**
 * Runs a Request as `processRequest` does, but hands a `2xx` answer whose media type is one of
 * `only` (any, when `only` is undefined) over unread, as an HttpStream: what the command line
 * runs, so that an event stream or NDJSON is printed as it arrives and any other body is read
 * whole under the same limits, retries and log as `processRequest`'s.
 * @example
 * const r = await processOrStream('GET', ['text/event-stream'])(req)() // right(HttpResponse | HttpStream)
 * @internal
 */
export const processOrStream =
  (method: Method, only: ReadonlyArray<string> | undefined, env?: Env) =>
  (req: Request): TE.TaskEither<ClientError, HttpResponse | HttpStream> =>
    boundary('processRequest', env, req, (r) => processOrStreamNow(method, r, req, only))
