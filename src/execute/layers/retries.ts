/**
 * The retry layer: sends a hop again while the retry policy says so, waiting between sends
 * with `env.sleep`, never past the run's deadline or `env.signal`.
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import { transportError } from '../../model/errors.js'
import { redactSecrets, redactUrl } from '../../encoding/redact.js'
import { retryAfterOf, retryDecision, type RetryOutcome } from './policy.js'
import { timeoutFailure } from '../attempt/failures.js'
import { EXECUTE_STEP as STEP, type Failure, type Layer, type Received, type RunCtx } from '../context.js'

const outcome = (r: E.Either<Failure, Received>): RetryOutcome =>
  E.isLeft(r)
    ? { _tag: 'Failed', phase: r.left.phase, error: r.left.error._tag }
    : { _tag: 'Status', status: r.right.status, retryAfter: retryAfterOf(r.right.headers) }

/**
 * Waits `ms` before a retry, unless the deadline would pass first (a `Timeout` with limit
 * `deadline`) or `env.signal` aborts (a `TransportError`).
 * @example
 * await pause(ctx, 100, 'GET http://h/', 1) // null: go on
 * @internal
 */
export const pause = async (ctx: RunCtx, ms: number, what: string, retry: number): Promise<Failure | null> => {
  if (ctx.env.now() + ms >= ctx.deadlineAt) {
    ctx.log.add(
      `the wait of ${ms} ms before retry ${retry} would pass the deadline of ${ctx.p.settings.deadline ?? 0} ms - stopping`,
    )
    return timeoutFailure(ctx, 'deadline', what)
  }
  await ctx.env.sleep(ms, ctx.env.signal)
  if (ctx.env.signal?.aborted !== true) return null
  ctx.log.add('aborted by env.signal')
  return { error: transportError(`${STEP}: ${what} aborted by env.signal`, 'ABORTED', ctx.log.log), phase: 'final' }
}

/**
 * Retries a hop by the pure {@link retryDecision}: `hop.attempt` counts its sends.
 * @example
 * const send = withRetries(ctx)(withChallenge(ctx)(withSigning(ctx)(attempt(ctx))))
 * @internal
 */
export const withRetries =
  (ctx: RunCtx): Layer =>
  (send) => {
    if (ctx.p.settings.maxAttempts === 0) return send
    return async (hop) => {
      for (let n = 1; ; n++) {
        const r = await send(n === 1 ? hop : { ...hop, attempt: n })
        const d = retryDecision(outcome(r), hop.method, n, ctx.p.settings, ctx.env.random, ctx.env.now)
        if (d._tag === 'Done') return r
        // a stream's body the policy retries (a 2xx it lists) is dropped unread
        if (E.isRight(r)) void r.right.open?.return()
        ctx.log.add(d.reason)
        const stop = await pause(ctx, d.waitMs, `${hop.method} ${redactSecrets(redactUrl(hop.url), ctx.secrets)}`, n)
        if (stop !== null) return E.left(stop)
      }
    }
  }
