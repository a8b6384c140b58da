/**
 * Running requests with httpipe's transports: the composition root where the executor (which
 * knows only the transport interface) meets the default transport (undici on Node.js) and the
 * fetch adapter, and the one TaskEither boundary: each runner resolves its env once and runs
 * inside one net that never rejects.
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import type * as TE from 'fp-ts/lib/TaskEither.js'
import { invalidInput, transportError, type ClientError } from '../model/errors.js'
import type { Log } from '../model/log.js'
import { envProblem, resolveEnv, type Env, type ResolvedEnv, type TransportDefaults } from '../execute/env.js'
import { errText } from '../execute/attempt/failures.js'
import { prepareNow } from '../execute/prepare/prepare.js'
import { processNow, runPrepared } from '../execute/run.js'
import type { Method } from '../model/method.js'
import type { PreparedRequest } from '../model/prepared.js'
import type { Request } from '../model/request.js'
import type { HttpResponse } from '../model/response.js'
import { defaultTransport } from '../transport/default.js'
import { proxyRoute } from '../transport/env-proxy.js'
import { fromFetch } from '../transport/fetch.js'

const defaults: TransportDefaults = { transport: defaultTransport, fromFetch: (f) => fromFetch(f), proxyRoute }

type Upload = typeof import('../execute/parts/upload.js')
type Download = typeof import('../execute/parts/download.js')

/**
 * A module loaded on the first call (a dynamic import, kept until the process ends; a failed
 * load is tried again on the next call): the parts runners (`sendPart`, `getDataInParts`, …)
 * load theirs with their first run, not with the package. A load that fails rejects, inside
 * the runner's net ({@link boundary}): a `TransportError` of the runner, never a throw.
 */
const onFirstUse = <M>(load: () => Promise<M>): (() => Promise<M>) => {
  let loading: Promise<M> | null = null
  return () =>
    (loading ??= load().catch((e: unknown) => {
      loading = null
      throw e
    }))
}
const upload = onFirstUse((): Promise<Upload> => import('../execute/parts/upload.js'))
const download = onFirstUse((): Promise<Download> => import('../execute/parts/download.js'))

/**
 * The log of what a runner was given (a Request or a PreparedRequest), or none (also when
 * reading it throws: it is read where a failure is reported, so it must not fail itself).
 * @example
 * logOf(H.newRequest()).length // 0
 * @internal
 */
export const logOf = (input: unknown): Log => {
  try {
    const log = typeof input === 'object' && input !== null ? (input as { readonly log?: unknown }).log : undefined
    return Array.isArray(log) ? (log as Log) : []
  } catch {
    return []
  }
}

/** What the net makes of a throw below it: a failure of `step`, with the log of its input. */
type Unexpected = (step: string, e: unknown, log: Log) => ClientError

/**
 * A throw while running: a TransportError of `step`.
 * @example
 * unexpected('processAll', new Error('boom'), []).message // 'processAll: unexpected failure: boom'
 * @internal
 */
export const unexpected: Unexpected = (step, e, log) =>
  transportError(`${step}: unexpected failure: ${errText(e).text}`, errText(e).code, log)

/** A throw while preparing (prepareRequest, which sends nothing): the request is InvalidInput. */
const unpreparable: Unexpected = (step, e, log) =>
  invalidInput(step, `${step}: cannot prepare the request: ${errText(e).text}`, log)

/**
 * The one boundary between httpipe and its caller: the env is resolved here, once (the only
 * defaults are in `resolveEnv`), and everything below runs with it inside one net, so that a
 * runner never rejects: whatever is thrown below (a bug, a hostile input) is a ClientError of
 * `step` with the log of its input.
 * @example
 * boundary('processRequest', env, req, (r) => processNow('GET', r, req))
 * @internal
 */
export const boundary =
  <A>(
    step: string,
    env: Env | undefined,
    input: unknown,
    go: (env: ResolvedEnv) => Promise<E.Either<ClientError, A>>,
    fail: Unexpected = unexpected,
  ): TE.TaskEither<ClientError, A> =>
  () =>
    guarded(
      () => {
        const problem = envProblem(env)
        return problem === null
          ? go(resolveClientEnv(env))
          : Promise.resolve(E.left(invalidInput(step, `${step}: ${problem}`, logOf(input))))
      },
      (e) => E.left(fail(step, e, logOf(input))),
    )

/**
 * The net of every runner: `go()`, or `caught(e)` for whatever it throws or rejects with, so
 * the promise never rejects (as long as `caught` does not throw).
 * @example
 * await guarded(() => Promise.reject(new Error('x')), () => 'caught') // 'caught'
 * @internal
 */
export const guarded = <A>(go: () => Promise<A>, caught: (e: unknown) => A): Promise<A> => {
  try {
    return go().catch(caught)
  } catch (e) {
    return Promise.resolve(caught(e))
  }
}

/**
 * An Env with its defaults filled in, with this package's transports to fall back on (the
 * default transport, and `fromFetch` for `env.fetch`): what a runner resolves once per call.
 * @example
 * resolveClientEnv({ now: () => 0 }).now() // 0
 * @internal
 */
export const resolveClientEnv = (env: Env | undefined): ResolvedEnv => resolveEnv(env, defaults)

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
    boundary('executeRequest', env, prepared, (r) => runPrepared(prepared, r))

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
    boundary('processRequest', env, req, (r) => processNow(method, r, req))

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
    boundary('sendPart', env, req, async (r) => (await upload()).sendPartNow(start, count, method, r, req))

/**
 * Sends the whole body in chunks of `chunkSize` (5 MiB by default), each with its Content-Range,
 * following a resumable-upload server: a `308` with `Range: bytes=0-N` says what it holds, and
 * the next chunk starts there (also when it kept fewer bytes than were sent). A chunk that fails
 * with a retryable status or transport error is retried (at least 2 retries). Returns the answer
 * that completes the upload, or the first that is neither `308` nor `2xx`; upload progress is
 * reported across all chunks. Bounded: an answer that takes the upload fewer than a quarter of a
 * chunk (at most 64 KiB) past the most the server held so far is a stall, and 3 stalls in a row
 * end the upload in a `StatusError` (at most 3 requests per such step, never one per byte). A body file
 * that changes size before or while it is sent is a `FileError`.
 * @example
 * const res = await pipe(H.newRequest(), H.initialize(`${url}/upload/backup`), H.setBinaryBody(new Uint8Array(100_000)), H.sendDataInParts(32 * 1024))()
 * @category running
 * @since 0.3.0
 */
export const sendDataInParts =
  (chunkSize?: number, method: Method = 'PUT', env?: Env) =>
  (req: Request): TE.TaskEither<ClientError, HttpResponse> =>
    boundary('sendDataInParts', env, req, async (r) => {
      const m = await upload()
      return m.sendInPartsNow(chunkSize === undefined ? m.DEFAULT_CHUNK_SIZE : chunkSize, method, r, req)
    })

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
    boundary('getPart', env, req, async (r) => (await download()).getPartNow(start, count, method, r, req))

/**
 * Downloads the whole representation to the file set with `setResponseFile`, in ranged parts of
 * `chunkSize` (5 MiB by default), each checked before it is appended; an existing partial file is
 * continued from its size, so an interrupted download resumes; parts stream to the file. It ends
 * at the total the answers name, or, when they name none (`bytes 0-99/*`), at a `416`: a short part
 * may be a server's cap on parts, not the end. Bounded: the total is the one the first answer
 * names (another total later is a `StatusError`);
 * `setMaxResponseSize` caps the whole file across all parts (`ResponseTooLarge`, no byte past it
 * written); 3 parts in a row that add fewer than a quarter of a chunk (at most 64 KiB) each end it in a
 * `StatusError`.
 * @example
 * const res = await pipe(H.newRequest(), H.initialize('http://127.0.0.1:8080/range/100000'), H.setResponseFile('/tmp/httpipe-doc-range.bin'), H.getDataInParts(16 * 1024))()
 * @category running
 * @since 0.3.0
 */
export const getDataInParts =
  (chunkSize?: number, method: Method = 'GET', env?: Env) =>
  (req: Request): TE.TaskEither<ClientError, HttpResponse> =>
    boundary('getDataInParts', env, req, async (r) => {
      const [m, { DEFAULT_CHUNK_SIZE }] = await Promise.all([download(), upload()])
      return m.getInPartsNow(chunkSize === undefined ? DEFAULT_CHUNK_SIZE : chunkSize, method, r, req)
    })

/**
 * What a Request would send, with nothing sent: the final URL, headers (auth composed, AWS4 and
 * OAuth1 signed as the first attempt would be) and the body as segments. An invalid or
 * sticky-error request is `InvalidInput`. Run the result with {@link executeRequest}.
 * @example
 * const prepared = await pipe(H.newRequest(), H.initialize(`${url}/get`), H.addHeader('X-A', '1'), H.prepareRequest('GET'))()
 * @category running
 * @since 0.1.0
 */
export const prepareRequest =
  (method: Method, env?: Env) =>
  (req: Request): TE.TaskEither<ClientError, PreparedRequest> =>
    boundary('prepareRequest', env, req, (r) => prepareNow('prepareRequest', method, r, req, false), unpreparable)
