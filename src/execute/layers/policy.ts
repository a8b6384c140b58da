/**
 * The retry and redirect policies, as pure functions.
 * @module
 */
import { schemeOf } from '../../auth/schemes.js'
import { dropHeaders, findHeader, type HeaderList } from '../../model/headers.js'
import { noBody, type Hop } from '../../model/prepared.js'
import type { ResolvedAuth as Auth } from '../../model/request.js'
import { isSecretHeader } from '../../encoding/redact.js'
import { defaultRetryPolicy, type RetryPolicy } from '../../model/retry-policy.js'
import { type Settings } from '../../model/settings.js'
import { httpDate } from './http-date.js'

/**
 * Full-jitter exponential backoff before retry `n` (1-based): `random() * min(cap, base * 2^(n-1))`.
 * @example
 * backoffMs(3, () => 0.5, defaultRetryPolicy) // 200
 */
export const backoffMs = (
  retry: number,
  random: () => number,
  p: Pick<RetryPolicy, 'baseMs' | 'capMs'> = defaultRetryPolicy,
): number => Math.floor(random() * Math.min(p.capMs, p.baseMs * 2 ** Math.max(0, retry - 1)))

/**
 * The wait a Retry-After header asks for, capped at `capMs` (60 s by default): delay-seconds
 * (one or more digits) or an HTTP-date (see {@link httpDate}; a date in the past waits 0).
 * Anything else (`-5`, `1.5`, `soon`, a date in another format) is invalid and read as absent
 * (RFC 9110 §10.2.3): undefined, so the retry waits the normal backoff.
 * @example
 * retryAfterMs('2', () => 0) // 2000
 * retryAfterMs('Wed, 21 Oct 2015 07:28:00 GMT', () => Date.parse('Wed, 21 Oct 2015 07:27:59 GMT')) // 1000
 * retryAfterMs('-5', () => 0) // undefined
 */
export const retryAfterMs = (
  value: string | undefined,
  now: () => number,
  capMs = defaultRetryPolicy.retryAfterCapMs,
): number | undefined => {
  if (value === undefined) return undefined
  const v = value.trim()
  if (/^\d+$/.test(v)) return Math.min(capMs, Number(v) * 1000)
  const at = httpDate(v, now)
  return at === null ? undefined : Math.min(capMs, Math.max(0, at - now()))
}

/**
 * Whether a status is a redirect httpipe follows (any 3xx but 304, given a Location).
 * @example
 * isRedirect(302) // true
 * isRedirect(304) // false
 */
export const isRedirect = (status: number): boolean => status >= 300 && status < 400 && status !== 304

/**
 * The method after a redirect, and whether the body is kept: 303 turns everything but HEAD
 * into GET, 301/302 turn POST into GET (both dropping the body); the rest keep both.
 * @example
 * redirectMethod(302, 'POST') // { method: 'GET', keepBody: false }
 * redirectMethod(307, 'POST') // { method: 'POST', keepBody: true }
 */
export const redirectMethod = (
  status: number,
  method: string,
): { readonly method: string; readonly keepBody: boolean } => {
  if (status === 303) return { method: method === 'HEAD' ? 'HEAD' : 'GET', keepBody: false }
  if ((status === 301 || status === 302) && method === 'POST') return { method: 'GET', keepBody: false }
  return { method, keepBody: true }
}

/**
 * Headers that describe a body, dropped with it.
 * @example
 * BODY_HEADERS.includes('content-type') // true
 */
export const BODY_HEADERS = [
  'content-type',
  'content-length',
  'content-encoding',
  'content-language',
  'content-location',
  'transfer-encoding',
]
/**
 * Headers that carry credentials, dropped on a cross-origin redirect.
 * @example
 * CREDENTIAL_HEADERS.includes('cookie') // true
 */
export const CREDENTIAL_HEADERS = ['authorization', 'cookie', 'proxy-authorization', 'x-amz-security-token']

/**
 * Whether two URLs differ in scheme, host or port.
 * @example
 * isCrossOrigin('http://a:1/x', 'http://a:2/x') // true
 */
export const isCrossOrigin = (from: string, to: string): boolean => new URL(from).origin !== new URL(to).origin

/**
 * The headers for the next hop: without body headers when the body is dropped, without
 * credentials when the origin changes.
 * @example
 * redirectHeaders([['Authorization', 'x']], { keepBody: true, crossOrigin: true }) // []
 */
export const redirectHeaders = (
  headers: HeaderList,
  o: { readonly keepBody: boolean; readonly crossOrigin: boolean },
): HeaderList =>
  dropHeaders(headers, [...(o.keepBody ? [] : BODY_HEADERS), ...(o.crossOrigin ? CREDENTIAL_HEADERS : [])])

/**
 * What to do with a response that may redirect: follow it (to where, with which method,
 * keeping the body or not, crossing origins or not), or stop with the reason to log; null
 * when the response is no redirect at all.
 * @example
 * planRedirect(302, '/next', 'http://h/a', 'POST', 0, 5)
 * // { _tag: 'Follow', to: 'http://h/next', method: 'GET', keepBody: false, crossOrigin: false }
 */
export const planRedirect = (
  status: number,
  location: string | undefined,
  url: string,
  method: string,
  redirects: number,
  maxRedirects: number,
):
  | {
      readonly _tag: 'Follow'
      readonly to: string
      readonly method: string
      readonly keepBody: boolean
      readonly crossOrigin: boolean
    }
  | { readonly _tag: 'Stop'; readonly reason: string }
  | null => {
  if (!isRedirect(status) || location === undefined || location === '') return null
  const next = URL.canParse(location, url) ? new URL(location, url) : null
  if (next === null || (next.protocol !== 'http:' && next.protocol !== 'https:'))
    return { _tag: 'Stop', reason: `redirect to ${next === null ? 'an invalid URL' : next.protocol} not followed` }
  if (redirects >= maxRedirects)
    return { _tag: 'Stop', reason: `maximum number of redirections reached (${maxRedirects}), returning ${status}` }
  next.hash = ''
  // user info in a Location is never followed, sent, logged or returned
  next.username = ''
  next.password = ''
  const to = next.toString()
  return { _tag: 'Follow', to, ...redirectMethod(status, method), crossOrigin: isCrossOrigin(url, to) }
}

/**
 * A redirect to follow, as {@link planRedirect} plans it.
 * @example
 * const f: RedirectPlan = { _tag: 'Follow', to: 'http://h/next', method: 'GET', keepBody: false, crossOrigin: false }
 */
export type RedirectPlan = Extract<ReturnType<typeof planRedirect>, { readonly _tag: 'Follow' }>

/**
 * The headers that may go to another origin: without the credential headers, the headers the
 * auth scheme's signature added, every header the log treats as secret (X-Api-Key,
 * Private-Token, …) and every header whose value is a secret (`isSecretValue`: a value read from
 * `secretFromEnv`). Used by a cross-origin redirect ({@link nextHop}) and by `paginate`.
 * @example
 * crossOriginHeaders([['X-Api-Key', 'k'], ['Accept', '*\/*']], { _tag: 'None' }, () => false) // [['Accept', '*\/*']]
 */
export const crossOriginHeaders = <V>(
  headers: HeaderList<V>,
  auth: Pick<Auth, '_tag'>,
  isSecretValue: (value: V) => boolean,
): HeaderList<V> =>
  dropHeaders(headers, [...CREDENTIAL_HEADERS, ...schemeOf(auth as Auth).crossOriginDrop]).filter(
    ([n, v]) => !isSecretHeader(n) && !isSecretValue(v),
  )

/**
 * The next hop of a redirect: the new method and URL, the body kept or dropped (with its
 * headers), and on another origin no credentials: the credential headers and every header
 * named like a secret, the scheme and the headers its signature added.
 * @example
 * nextHop(hop, { _tag: 'Follow', to: 'http://other/', method: 'GET', keepBody: false, crossOrigin: true }, []).auth // { _tag: 'None' }
 */
export const nextHop = (hop: Hop, plan: RedirectPlan, secretValues: ReadonlyArray<string> = []): Hop => {
  const kept = redirectHeaders(hop.headers, plan)
  const headers = plan.crossOrigin ? crossOriginHeaders(kept, hop.auth, (v) => secretValues.includes(v)) : kept
  return {
    method: plan.method,
    url: plan.to,
    headers,
    body: plan.keepBody ? hop.body : noBody,
    auth: plan.crossOrigin ? { _tag: 'None' } : hop.auth,
    attempt: 1,
  }
}

/**
 * What a finished send looks like to the retry policy: a failure (and whether it happened
 * before anything was sent) or a status with its Retry-After header.
 * @example
 * const o: RetryOutcome = { _tag: 'Status', status: 503, retryAfter: '2' }
 */
export type RetryOutcome =
  | { readonly _tag: 'Failed'; readonly phase: 'unsent' | 'sent' | 'final'; readonly error: string }
  | { readonly _tag: 'Status'; readonly status: number; readonly retryAfter: string | undefined }

/**
 * The retry decision: done, or retry after `waitMs` (logged with `reason`).
 * @example
 * const d: RetryDecision = { _tag: 'Retry', waitMs: 100, reason: 'retry 1/3 in 100 ms after TransportError' }
 */
export type RetryDecision =
  { readonly _tag: 'Done' } | { readonly _tag: 'Retry'; readonly waitMs: number; readonly reason: string }

/**
 * Whether to retry after send `n` (1-based) of `method`: never past `maxAttempts` retries; a
 * failure before sending is retried for every method; a failure after sending, and a status of
 * the policy, only for the policy's methods. The wait is Retry-After (capped) or full-jitter
 * backoff.
 * @example
 * retryDecision({ _tag: 'Status', status: 503, retryAfter: '1' }, 'GET', 1, { ...defaultSettings, maxAttempts: 2 }, () => 0.5, () => 0)
 * // { _tag: 'Retry', waitMs: 1000, reason: 'status 503, retry 1/2 in 1000 ms (Retry-After)' }
 */
export const retryDecision = (
  o: RetryOutcome,
  method: string,
  n: number,
  s: Pick<Settings, 'maxAttempts' | 'retryPolicy'>,
  random: () => number,
  now: () => number,
): RetryDecision => {
  if (n > s.maxAttempts) return { _tag: 'Done' }
  const p = s.retryPolicy
  const idempotent = p.methods.includes(method)
  const counter = `${n}/${s.maxAttempts}`
  if (o._tag === 'Failed') {
    if (o.phase === 'final' || (o.phase === 'sent' && !idempotent)) return { _tag: 'Done' }
    const waitMs = backoffMs(n, random, p)
    return {
      _tag: 'Retry',
      waitMs,
      reason: `retry ${counter} in ${waitMs} ms after ${o.error}${o.phase === 'unsent' ? ' (nothing was sent)' : ''}`,
    }
  }
  if (!idempotent || !p.statuses.includes(o.status)) return { _tag: 'Done' }
  const after = retryAfterMs(o.retryAfter, now, p.retryAfterCapMs)
  const waitMs = after ?? backoffMs(n, random, p)
  return {
    _tag: 'Retry',
    waitMs,
    reason: `status ${o.status}, retry ${counter} in ${waitMs} ms${after === undefined ? '' : ' (Retry-After)'}`,
  }
}

/**
 * The Retry-After header of a response's raw headers.
 * @example
 * retryAfterOf([['retry-after', '2']]) // '2'
 */
export const retryAfterOf = (headers: HeaderList): string | undefined => findHeader(headers, 'retry-after')
