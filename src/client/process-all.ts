/**
 * Many requests at once: a list of Requests run with a cap on how many are in flight, an
 * optional cap on how many start per second, and one env (one transport, one connection pool)
 * shared by all of them. Each request runs as `processRequest` runs it.
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import type * as T from 'fp-ts/lib/Task.js'
import { showValue } from '../encoding/json.js'
import { envProblem, type Env } from '../execute/env.js'
import { invalidInput, type ClientError } from '../model/errors.js'
import type { Method } from '../model/method.js'
import type { Request } from '../model/request.js'
import type { HttpResponse } from '../model/response.js'
import { isRequest } from '../steps/step.js'
import { guarded, logOf, unexpected } from './process.js'

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

/**
 * One result of {@link processAll}.
 * @example
 * const r: ProcessAllResult = E.left(invalidInput('processAll', 'processAll: …', []))
 * @category running
 * @since 0.3.0
 * @internal
 */
export type ProcessAllResult = Result

interface Plan {
  readonly concurrency: number
  readonly intervalMs: number
  readonly env: Env | undefined
}

/**
 * What the options of {@link processAll} come to: workers, the spacing of starts (0: none) and the env.
 * @example
 * const plan: ProcessAllPlan = { concurrency: 8, intervalMs: 0, env: undefined }
 * @category running
 * @since 0.3.0
 * @internal
 */
export type ProcessAllPlan = Plan

/** The runs, loaded by the first call rather than with the package (a failed load is tried again by the next). */
let loading: Promise<typeof import('./process-all-run.js')> | null = null
const runModule = (): Promise<typeof import('./process-all-run.js')> =>
  (loading ??= import('./process-all-run.js').catch((e: unknown) => {
    loading = null
    throw e
  }))

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
    return guarded<ReadonlyArray<Result>>(
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
        return (await runModule()).runAll(method, plan.right, all, results)
      },
      (e) =>
        list === null
          ? [E.left(unexpected(STEP, e, []))]
          : list.map((req, i) => results[i] ?? E.left(unexpected(STEP, e, logOf(req)))),
    )
  }
