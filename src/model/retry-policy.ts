/**
 * The retry policy as data, and its defaults.
 * @module
 */

/**
 * What is retried (up to `maxAttempts` times) and how long to wait: requests with one of
 * `methods` that failed with a transport error, a timeout or one of `statuses` (any method
 * when the failure came before the request was sent); full-jitter exponential backoff from
 * `baseMs` up to `capMs`; a `Retry-After` wait up to `retryAfterCapMs`.
 * @example
 * const p: RetryPolicy = { ...defaultRetryPolicy, methods: ['GET', 'POST'] }
 * @category settings
 * @since 0.2.0
 */
export interface RetryPolicy {
  readonly methods: ReadonlyArray<string>
  readonly statuses: ReadonlyArray<number>
  readonly baseMs: number
  readonly capMs: number
  readonly retryAfterCapMs: number
}

/**
 * The default retry policy, as got and ky have it: idempotent methods; 408, 413, 429, 500,
 * 502, 503, 504; backoff from 100 ms to 10 s; Retry-After up to 60 s.
 * @example
 * defaultRetryPolicy.statuses.includes(503) // true
 * @category settings
 * @since 0.2.0
 */
export const defaultRetryPolicy: RetryPolicy = {
  methods: ['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'TRACE'],
  statuses: [408, 413, 429, 500, 502, 503, 504],
  baseMs: 100,
  capMs: 10_000,
  retryAfterCapMs: 60_000,
}
