/**
 * The executor: the one place where a request meets the world. A run is one attempt wrapped
 * in layers — signing, the challenge answer, retries, redirects — each in its own module.
 * @module
 */
import { isTagged } from '../model/valid.js'
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import { secretsOf } from '../auth/schemes.js'
import { invalidInput, type ClientError } from '../model/errors.js'
import { putHeader } from '../model/headers.js'
import type { PreparedRequest, Sink } from '../model/prepared.js'
import type { HttpStream } from '../model/stream.js'
import { toStream } from './streams/response.js'
import type { Request } from '../model/request.js'
import type { HttpResponse } from '../model/response.js'
import { attempt } from './attempt/attempt.js'
import type { ResolvedEnv } from './env.js'
import { withChallenge } from './layers/challenge.js'
import { withCookies } from './layers/cookies.js'
import { withRedirects } from './layers/redirects.js'
import { withRetries } from './layers/retries.js'
import { withSigning } from './layers/signing.js'
import { prepareNow } from './prepare/prepare.js'
import { loadTls, resolveBody } from './resolve.js'
import { toResponse } from './response.js'
import { RunLog, runContext, type Received, type RunCtx } from './context.js'

/** A run up to its final answer: the context, and what was received or why not. */
const send = async (
  p: PreparedRequest,
  env: ResolvedEnv,
): Promise<E.Either<ClientError, { readonly ctx: RunCtx; readonly received: Received }>> => {
  const proxies = p.proxy === null ? env.proxies : null
  const secrets =
    proxies === null || proxies.secrets.length === 0 ? secretsOf(p) : [...secretsOf(p), ...proxies.secrets]
  const log = new RunLog(p.log, env.now, env.debug, secrets)
  const tls = p.tls === null ? E.right(null) : await loadTls(p, log)
  if (E.isLeft(tls)) return tls
  const ctx = runContext(p, env, tls.right, secrets, log)
  const body = p.body._tag === 'None' || p.body.length !== null ? E.right(p.body) : await resolveBody(ctx, p.body, run)
  if (E.isLeft(body)) return body
  const length = body.right._tag === 'Segments' ? body.right.length : null
  const headers =
    length !== null && body.right !== p.body ? putHeader(p.headers, 'Content-Length', String(length)) : p.headers
  const go = pipe(
    attempt(ctx),
    withSigning(ctx),
    withCookies(ctx),
    withChallenge(ctx),
    withRetries(ctx),
    withRedirects(ctx),
  )
  const r = await go({ method: p.method, url: p.url, headers, body: body.right, auth: p.auth, attempt: 1 })
  return E.isLeft(r) ? E.left(r.left.error) : E.right({ ctx, received: r.right })
}

/**
 * Runs a prepared request to its final response, with the env resolved by the client's
 * boundary (which also catches whatever is thrown below).
 * @example
 * await run(prepared, resolveEnv({}, defaults)) // right(HttpResponse) or left(ClientError)
 * @internal
 */
export const run = async (p: PreparedRequest, env: ResolvedEnv): Promise<E.Either<ClientError, HttpResponse>> => {
  const r = await send(p, env)
  return E.isLeft(r) ? r : toResponse(r.right.ctx, r.right.received)
}

/**
 * Prepares and runs a Request up to the head of its final answer, its body left to be read as
 * it arrives (a `2xx`; any other answer is read whole, as the layers read it).
 * @example
 * await streamNow('GET', env, req) // right(HttpStream) or left(ClientError)
 * @internal
 */
export const streamNow = async (
  method: string,
  env: ResolvedEnv,
  req: Request,
): Promise<E.Either<ClientError, HttpStream>> => {
  const p = await prepareNow('streamRequest', method, env, req)
  if (E.isLeft(p)) return p
  const r = await send({ ...p.right, sink: STREAM }, env)
  return E.isLeft(r) ? r : E.right(toStream(r.right.ctx, r.right.received))
}

const STREAM: Sink = { _tag: 'Stream' }

/**
 * Runs a Request as `processRequest` does, but a `2xx` answer whose media type is one of
 * `only` is handed over unread, as an HttpStream (the command line's run: an event stream or
 * NDJSON is printed as it arrives, any other body read whole under the attempt's limits).
 * @example
 * await processOrStreamNow('GET', env, req, ['text/event-stream']) // right(HttpResponse | HttpStream)
 * @internal
 */
export const processOrStreamNow = async (
  method: string,
  env: ResolvedEnv,
  req: Request,
  only: ReadonlyArray<string> | undefined,
): Promise<E.Either<ClientError, HttpResponse | HttpStream>> => {
  const p = await prepareNow('processRequest', method, env, req)
  if (E.isLeft(p)) return p
  const r = await send({ ...p.right, sink: only === undefined ? STREAM : { _tag: 'Stream', only } }, env)
  if (E.isLeft(r)) return r
  const { ctx, received } = r.right
  return received.open === undefined ? toResponse(ctx, received) : E.right(toStream(ctx, received))
}

const isPrepared = isTagged<PreparedRequest>('PreparedRequest')

/**
 * Runs what was given as a PreparedRequest (`executeRequest`): anything else is `InvalidInput`.
 * @example
 * await runPrepared(prepared, env) // right(HttpResponse) or left(ClientError)
 * @internal
 */
export const runPrepared = (p: unknown, env: ResolvedEnv): Promise<E.Either<ClientError, HttpResponse>> =>
  isPrepared(p)
    ? run(p, env)
    : Promise.resolve(
        E.left(
          invalidInput(
            'executeRequest',
            'executeRequest: the input is not a PreparedRequest (from prepareRequest)',
            [],
          ),
        ),
      )

/**
 * Prepares and runs a Request (an invalid or sticky-error request is returned as `InvalidInput`
 * without sending).
 * @example
 * await processNow('GET', env, req)
 * @internal
 */
export const processNow = async (
  method: string,
  env: ResolvedEnv,
  req: Request,
): Promise<E.Either<ClientError, HttpResponse>> => {
  const p = await prepareNow('processRequest', method, env, req)
  return E.isLeft(p) ? p : run(p.right, env)
}
