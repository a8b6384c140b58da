/**
 * The `setRetryPolicy` step: which failures are retried and how long to wait.
 * @module
 */
import type { Step } from '../model/request.js'
import { isStatus, isToken, MAX_TIMER_MS } from '../model/valid.js'
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import { defaultRetryPolicy, type RetryPolicy } from '../model/retry-policy.js'
import { showValue } from '../encoding/json.js'
import { change, makeStep } from './step.js'

/**
 * The input of {@link setRetryPolicy}: every field optional, a missing one takes its default.
 * @example
 * const p: RetryPolicyInput = { methods: ['GET', 'POST'], statuses: [503] }
 * @category settings
 * @since 0.2.0
 */
export type RetryPolicyInput = Partial<RetryPolicy>

const isMs = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x) && x >= 0 && x <= MAX_TIMER_MS

/**
 * Checks a retry policy input: the policy it describes, or the reason it is invalid.
 * @example
 * checkRetryPolicy({ methods: ['post'] }) // right({ ...defaultRetryPolicy, methods: ['POST'] })
 * @internal
 */
export const checkRetryPolicy = (p: unknown): E.Either<string, RetryPolicy> => {
  if (typeof p !== 'object' || p === null || Array.isArray(p))
    return E.left(`the policy must be an object, got ${JSON.stringify(showValue(p))}`)
  const o = p as Record<string, unknown>
  const known = ['methods', 'statuses', 'baseMs', 'capMs', 'retryAfterCapMs']
  const unknown = Object.keys(o).find((k) => !known.includes(k))
  if (unknown !== undefined) return E.left(`unknown field ${JSON.stringify(unknown)} (known: ${known.join(', ')})`)
  const { methods = defaultRetryPolicy.methods, statuses = defaultRetryPolicy.statuses } = o
  if (!Array.isArray(methods) || !methods.every(isToken))
    return E.left(`methods must be an array of method names, got ${JSON.stringify(showValue(methods))}`)
  if (!Array.isArray(statuses) || !statuses.every(isStatus))
    return E.left(
      `statuses must be an array of status codes from 100 to 599, got ${JSON.stringify(showValue(statuses))}`,
    )
  const ms: Record<'baseMs' | 'capMs' | 'retryAfterCapMs', number> = {
    baseMs: defaultRetryPolicy.baseMs,
    capMs: defaultRetryPolicy.capMs,
    retryAfterCapMs: defaultRetryPolicy.retryAfterCapMs,
  }
  for (const k of ['baseMs', 'capMs', 'retryAfterCapMs'] as const) {
    const v = o[k]
    if (v === undefined) continue
    if (!isMs(v))
      return E.left(
        `${k} must be a number of milliseconds from 0 to ${MAX_TIMER_MS}, got ${JSON.stringify(showValue(v))}`,
      )
    ms[k] = Math.round(v)
  }
  return E.right({
    methods: [...new Set(methods.map((m) => m.toUpperCase()))],
    statuses: [...new Set(statuses)],
    ...ms,
  })
}

/**
 * Replaces the retry policy (fields not given take their defaults). The default is got's and
 * ky's: methods GET, HEAD, PUT, DELETE, OPTIONS, TRACE; statuses 408, 413, 429, 500, 502, 503,
 * 504; transport errors and timeouts; full-jitter backoff from 100 ms to 10 s; Retry-After
 * honoured up to 60 s. A failure before the request was sent (connection refused, DNS failure,
 * connect timeout) is retried for every method. `maxAttempts(n)` says how many retries.
 * @example
 * pipe(req, maxAttempts(3), setRetryPolicy({ methods: ['GET', 'POST'], statuses: [503] }))
 * @category settings
 * @since 0.2.0
 */
export const setRetryPolicy = (policy: RetryPolicyInput): Step =>
  makeStep('setRetryPolicy', (req) =>
    pipe(
      checkRetryPolicy(policy),
      E.flatMap((p) =>
        change(
          { settings: { ...req.settings, retryPolicy: p } },
          `retry policy set: methods ${p.methods.join(', ') || 'none'}; statuses ${p.statuses.join(', ') || 'none'}; backoff ${p.baseMs}-${p.capMs} ms; Retry-After up to ${p.retryAfterCapMs} ms`,
        ),
      ),
    ),
  )
