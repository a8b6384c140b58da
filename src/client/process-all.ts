/**
 * Many requests at once: a list of Requests run with a cap on how many are in flight, an
 * optional cap on how many start per second, and one env (one transport, one connection pool)
 * shared by all of them. Each request runs as `processRequest` runs it.
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import type * as T from 'fp-ts/lib/Task.js'
import { showValue } from '../encoding/json.js'
import { envProblem, type Env, type ResolvedEnv } from '../execute/env.js'
import { prepareNow } from '../execute/prepare/prepare.js'
import { run } from '../execute/run.js'
import { invalidInput, transportError, type ClientError } from '../model/errors.js'
import { appendLog } from '../model/log.js'
import type { Method } from '../model/method.js'
import type { Request } from '../model/request.js'
import type { HttpResponse } from '../model/response.js'
import { isRequest } from '../steps/step.js'
import { guarded, logOf, resolveClientEnv, unexpected } from './process.js'

/**
 * Options of {@link processAll}; all optional:
 * - `concurrency`: the most requests in flight at once, a whole number ≥ 1 (default 8);
 *   `Infinity` runs them all at once;
 * - `perSecond`: the most requests started per second, a number > 0 (`0.5` is one every two
 *   seconds); starts are spaced `1000 / perSecond` ms apart on `env.now`, waiting with
 *   `env.sleep`; no limit when absent (or `Infinity`);
 * - `env`: as for `processRequest`, resolved once and shared by every request (one transport,
 *   so the connections are pooled; its `signal` stops starting new requests).
 * @example
 * const options: ProcessAllOptions = { concurrency: 16, perSecond: 50, env: { signal } }
 * @category running
 * @since 0.3.0
 */
export interface ProcessAllOptions {
  readonly concurrency?: number
  readonly perSecond?: number
  readonly env?: Env
}

const STEP = 'processAll'
const DEFAULT_CONCURRENCY = 8
const KEYS: ReadonlySet<string> = new Set(['concurrency', 'perSecond', 'env'])

type Result = E.Either<ClientError, HttpResponse>

/** What the options come to: workers, the spacing of starts (0: none) and the env. */
interface Plan {
  readonly concurrency: number
  readonly intervalMs: number
  readonly env: Env | undefined
}

/** A value as short text for a message (at most 60 characters). */
const shown = (v: unknown): string => {
  const text = typeof v === 'string' ? JSON.stringify(v) : showValue(v)
  return text.length > 60 ? `${text.slice(0, 59)}…` : text
}

/** The options read once (a Left names the option that is wrong). */
const readOptions = (options: unknown): E.Either<string, Plan> => {
  if (options === undefined) return E.right({ concurrency: DEFAULT_CONCURRENCY, intervalMs: 0, env: undefined })
  if (typeof options !== 'object' || options === null || Array.isArray(options))
    return E.left(`the options must be an object { concurrency?, perSecond?, env? }, not ${shown(options)}`)
  const unknownKey = Object.keys(options).find((k) => !KEYS.has(k))
  if (unknownKey !== undefined)
    return E.left(`unknown option ${JSON.stringify(unknownKey)} (the options are concurrency, perSecond and env)`)
  const { concurrency = DEFAULT_CONCURRENCY, perSecond, env } = options as Record<string, unknown>
  if (
    typeof concurrency !== 'number' ||
    !(concurrency === Infinity || (Number.isInteger(concurrency) && concurrency >= 1))
  )
    return E.left(`concurrency must be a whole number ≥ 1 or Infinity, not ${shown(concurrency)}`)
  if (perSecond !== undefined && (typeof perSecond !== 'number' || !(perSecond > 0)))
    return E.left(`perSecond must be a number > 0, not ${shown(perSecond)}`)
  const envWrong = envProblem(env)
  if (envWrong !== null) return E.left(envWrong)
  return E.right({ concurrency, intervalMs: perSecond === undefined ? 0 : 1000 / perSecond, env: env as Env })
}

/** `env.signal` has aborted (a signal that cannot be read counts as aborted: nothing more starts). */
const aborted = (env: ResolvedEnv): boolean => {
  try {
    return env.signal?.aborted === true
  } catch {
    return true
  }
}

/**
 * Waits for the next start: one caller at a time, in the order they called, each at least
 * `intervalMs` (on `env.now`) after the one before; a wait is cut short when `env.signal` aborts.
 */
const pacer = (env: ResolvedEnv, intervalMs: number): (() => Promise<void>) => {
  let turns: Promise<void> = Promise.resolve()
  let next = Number.NEGATIVE_INFINITY
  const turn = async (): Promise<void> => {
    const wait = next - env.now()
    if (wait > 0 && !aborted(env)) await env.sleep(wait, env.signal)
    next = env.now() + intervalMs
  }
  return () => {
    const mine = turns.then(turn)
    turns = mine.catch(() => undefined)
    return mine
  }
}

/**
 * Waits for the event loop's current phase to end. Between one request's end and the next's
 * start it lets the transport put the connection back in its pool first (undici marks it free
 * on a later tick), so the next request reuses it instead of opening another: without this,
 * 2,000 requests 16 at a time open about 25 connections, with it 16. A no-op without
 * `setImmediate` (browsers, where the pool is the browser's).
 */
const settle: () => Promise<void> =
  typeof setImmediate === 'function' ? () => new Promise((resolve) => setImmediate(resolve)) : () => Promise.resolve()

/** One request, as `processRequest` runs it (prepared, then run with the shared env). */
const runOne = async (method: Method, env: ResolvedEnv, req: unknown): Promise<Result> => {
  const prepared = await prepareNow(STEP, method, env, req as Request)
  return E.isLeft(prepared) ? prepared : run(prepared.right, env)
}

/** A request that was not started because `env.signal` aborted first: a TransportError as the executor's. */
const notStarted = (env: ResolvedEnv, req: unknown): Result => {
  const message = 'not started: aborted by env.signal'
  let at: number | null = null
  try {
    at = env.now()
  } catch {
    // a clock that throws leaves the entry without a time
  }
  return E.left(transportError(`${STEP}: ${message}`, 'ABORTED', appendLog(logOf(req), { at, step: STEP, message })))
}

/**
 * Runs the list with `min(concurrency, n)` workers, each taking the next request in turn
 * (paced when `perSecond` is set) until the list is done or `env.signal` aborts; then the
 * requests not started are TransportErrors. A throw while running one request is a Left of
 * that request only.
 */
const runAll = async (
  method: Method,
  plan: Plan,
  list: ReadonlyArray<unknown>,
  results: Array<Result | undefined>,
): Promise<ReadonlyArray<Result>> => {
  const env = resolveClientEnv(plan.env)
  const pace = plan.intervalMs > 0 ? pacer(env, plan.intervalMs) : null
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < list.length && !aborted(env)) {
      const i = next++
      const req = list[i]
      results[i] = await guarded(
        async () => {
          if (pace !== null) await pace()
          return aborted(env) ? notStarted(env, req) : runOne(method, env, req)
        },
        (e) => E.left(unexpected(STEP, e, logOf(req))),
      )
      if (next < list.length) await settle()
    }
  }
  await Promise.all(Array.from({ length: Math.min(plan.concurrency, list.length) }, worker))
  return list.map((req, i) => results[i] ?? notStarted(env, req))
}

/**
 * Runs a list of Requests, each as {@link processRequest} runs it (log, retries, redirects,
 * auth, limits), with at most `concurrency` in flight (default 8) and, when `perSecond` is set,
 * starts at least `1000 / perSecond` ms apart on `env.now` (timers can only make the real rate
 * lower); the results come back in the order of the list. The env is resolved once, so every
 * request shares one transport and its connection pool, and a connection is reused as soon as
 * its answer is read (2,000 requests at concurrency 16 open 16 connections, not 2,000).
 * When `env.signal` aborts, no further request starts: those in flight end as the executor
 * ends them (a `TransportError` with cause `ABORTED`) and those not started are
 * `TransportError`s with cause `ABORTED` (`processAll: not started: aborted by env.signal`).
 *
 * The Task never rejects; one request failing does not stop the others (and any HTTP status
 * is a Right, as with `processRequest`). Input that makes no sense is an `InvalidInput` of
 * step `processAll`, and nothing is sent:
 * - options that are not an object, an unknown option, a `concurrency` that is not a whole
 *   number ≥ 1 or `Infinity` (all at once), a `perSecond` that is not a number > 0, an `env`
 *   that is not an object: every result is that Left, naming the option;
 * - an element that is not a Request: a Left for that element only;
 * - `requests` that is not an array: one Left (there is no list to answer element by element).
 *
 * An empty list is `[]`.
 * @example
 * const ids = [1, 2, 3]
 * const results = await pipe(
 *   ids.map((id) => pipe(H.newRequest(), H.initialize(`${url}/anything/users/${id}`))),
 *   H.processAll('GET', { concurrency: 2, perSecond: 100 }),
 * )()
 * results.map((r) => (E.isRight(r) ? r.right.status : r.left._tag)) // [200, 200, 200]
 * @category running
 * @since 0.3.0
 */
export const processAll =
  (method: Method, options?: ProcessAllOptions) =>
  (requests: ReadonlyArray<Request>): T.Task<ReadonlyArray<Result>> =>
  () => {
    let list: ReadonlyArray<unknown> | null = null
    const results: Array<Result | undefined> = []
    return guarded(
      async () => {
        if (!Array.isArray(requests)) {
          const what = isRequest(requests) ? 'one Request (put it in an array)' : shown(requests)
          return [E.left(invalidInput(STEP, `${STEP}: the requests must be an array of Requests, not ${what}`, []))]
        }
        // Array.from: a hole in the list is undefined (a Left of its own), never a hole in the results
        const all: ReadonlyArray<unknown> = Array.from(requests as ReadonlyArray<unknown>)
        list = all
        const plan = readOptions(options)
        if (E.isLeft(plan)) return all.map((req) => E.left(invalidInput(STEP, `${STEP}: ${plan.left}`, logOf(req))))
        return runAll(method, plan.right, all, results)
      },
      (e) =>
        list === null
          ? [E.left(unexpected(STEP, e, []))]
          : list.map((req, i) => results[i] ?? E.left(unexpected(STEP, e, logOf(req)))),
    )
  }
