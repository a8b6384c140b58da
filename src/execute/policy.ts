/**
 * The retry and redirect policies, as pure functions.
 * @module
 */
import { dropHeaders, type HeaderList } from '../headers.js'

/**
 * Base of the exponential backoff, in milliseconds.
 * @example
 * BACKOFF_BASE_MS // 100
 */
export const BACKOFF_BASE_MS = 100
/**
 * Cap of the exponential backoff, in milliseconds.
 * @example
 * BACKOFF_CAP_MS // 10000
 */
export const BACKOFF_CAP_MS = 10_000
/**
 * Cap of a Retry-After wait, in milliseconds.
 * @example
 * RETRY_AFTER_CAP_MS // 60000
 */
export const RETRY_AFTER_CAP_MS = 60_000

/**
 * Whether a status is worth retrying: 408, 429 and every 5xx.
 * @example
 * isRetryableStatus(503) // true
 * isRetryableStatus(404) // false
 */
export const isRetryableStatus = (status: number): boolean => status >= 500 || status === 429 || status === 408

/**
 * Full-jitter exponential backoff before retry `n` (1-based): `random() * min(cap, base * 2^(n-1))`.
 * @example
 * backoffMs(3, () => 0.5) // 200
 */
export const backoffMs = (retry: number, random: () => number): number =>
  Math.floor(random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, retry - 1)))

/**
 * The wait a Retry-After header asks for (seconds or an HTTP date), capped at 60 s; undefined
 * when absent or unreadable.
 * @example
 * retryAfterMs('2', () => 0) // 2000
 * retryAfterMs('Wed, 21 Oct 2015 07:28:00 GMT', () => Date.parse('Wed, 21 Oct 2015 07:27:59 GMT')) // 1000
 */
export const retryAfterMs = (value: string | undefined, now: () => number): number | undefined => {
  if (value === undefined) return undefined
  const v = value.trim()
  const ms = /^\d+$/.test(v) ? Number(v) * 1000 : Date.parse(v) - now()
  return Number.isNaN(ms) ? undefined : Math.min(RETRY_AFTER_CAP_MS, Math.max(0, ms))
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
export const redirectMethod = (status: number, method: string): { readonly method: string; readonly keepBody: boolean } => {
  if (status === 303) return { method: method === 'HEAD' ? 'HEAD' : 'GET', keepBody: false }
  if ((status === 301 || status === 302) && method === 'POST') return { method: 'GET', keepBody: false }
  return { method, keepBody: true }
}

/**
 * Headers that describe a body, dropped with it.
 * @example
 * BODY_HEADERS.includes('content-type') // true
 */
export const BODY_HEADERS = ['content-type', 'content-length', 'content-encoding', 'content-language', 'content-location', 'transfer-encoding']
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
export const redirectHeaders = (headers: HeaderList, o: { readonly keepBody: boolean; readonly crossOrigin: boolean }): HeaderList =>
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
  | { readonly _tag: 'Follow'; readonly to: string; readonly method: string; readonly keepBody: boolean; readonly crossOrigin: boolean }
  | { readonly _tag: 'Stop'; readonly reason: string }
  | null => {
  if (!isRedirect(status) || location === undefined || location === '') return null
  const next = URL.canParse(location, url) ? new URL(location, url) : null
  if (next === null || (next.protocol !== 'http:' && next.protocol !== 'https:'))
    return { _tag: 'Stop', reason: `redirect to ${next === null ? 'an invalid URL' : next.protocol} not followed` }
  if (redirects >= maxRedirects) return { _tag: 'Stop', reason: `maximum number of redirections reached (${maxRedirects}), returning ${status}` }
  next.hash = ''
  const to = next.toString()
  return { _tag: 'Follow', to, ...redirectMethod(status, method), crossOrigin: isCrossOrigin(url, to) }
}
