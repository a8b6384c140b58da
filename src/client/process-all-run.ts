/**
 * The runs of `processAll` (process-all.ts): the workers, the pacing of starts and the results
 * in order. Loaded by the first call.
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import type { ResolvedEnv } from '../execute/env.js'
import { prepareNow } from '../execute/prepare/prepare.js'
import { run } from '../execute/run.js'
import { transportError } from '../model/errors.js'
import { appendLog } from '../model/log.js'
import type { Method } from '../model/method.js'
import type { Request } from '../model/request.js'
import { guarded, logOf, resolveClientEnv, unexpected } from './process.js'
import type { ProcessAllPlan as Plan, ProcessAllResult as Result } from './process-all.js'

const STEP = 'processAll'

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
 * @example
 * await runAll('GET', { concurrency: 8, intervalMs: 0, env: undefined }, requests, [])
 * @category running
 * @since 0.3.0
 * @internal
 */
export const runAll = async (
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
