/**
 * Setting steps (`use*` toggles, limits, the timeout) and the `returnSettings` reader.
 * @module
 */
import { isByteCount, isCount, isEncodingName, MAX_TIMER_MS } from '../model/valid.js'
import { type Request, type Step } from '../model/request.js'
import { defaultSettings, type Settings } from '../model/settings.js'
import { quote, showValue } from '../encoding/json.js'
import { change, invalid, isRequest, makeStep, note } from './step.js'

const setting = <K extends keyof Settings>(step: string, key: K, value: Settings[K], message: string) =>
  makeStep(step, (req) => change({ settings: { ...req.settings, [key]: value } }, message))

const flagStep =
  (step: string, key: 'gzip' | 'bodyFieldsAtOAuth' | 'urlEncoding' | 'http2', label: string) =>
  (flag: boolean): Step =>
    typeof flag !== 'boolean'
      ? makeStep(step, () => invalid(`flag must be a boolean, got ${typeof flag}`))
      : setting(step, key, flag, `${label} ${flag ? 'on' : 'off'}`)

const countStep =
  (step: string, key: 'maxAttempts' | 'maxRedirects', label: string) =>
  (n: number): Step =>
    !isCount(n)
      ? makeStep(step, () => invalid(`${label} must be a whole number from 0 to 1000, got ${showValue(n)}`))
      : setting(step, key, n, `${label} set to ${n}`)

/**
 * Whether an encoding name is known (to Node's TextDecoder and to iconv-lite): the one
 * definition in model/valid.ts, which RequestCodec uses too.
 * @example
 * isKnownEncoding('windows-1251') // true
 * isKnownEncoding('klingon') // false
 */
export const isKnownEncoding = isEncodingName

/**
 * The encoding of text bodies and their charset labels (default `utf-8`): any encoding Node's
 * TextDecoder knows.
 * @example
 * pipe(req, useEncoding('windows-1251'), setStringBody('Привет'))
 * @category settings
 * @since 0.1.0
 */
export const useEncoding = (enc: string): Step =>
  typeof enc !== 'string' || !isKnownEncoding(enc)
    ? makeStep('useEncoding', () => invalid(`unknown encoding ${quote(enc)}`))
    : setting('useEncoding', 'encoding', enc.toLowerCase(), `encoding set to ${enc.toLowerCase()}`)

/**
 * Advertise (`Accept-Encoding: gzip, deflate, br`) and decode compressed responses (default on).
 * Off: no Accept-Encoding is sent and bodies are returned as they arrive. At most 5 codings are
 * undone (as undici and curl do): an answer listing more is a `TransportError` (`cause`
 * `TOO_MANY_CODINGS`) before any decoding.
 * @example
 * pipe(req, useGzipCompression(false))
 * @category settings
 * @since 0.1.0
 */
export const useGzipCompression = flagStep('useGzipCompression', 'gzip', 'gzip compression')

/**
 * Include form/JSON body fields in the OAuth1 signature base string (default off).
 * @example
 * pipe(req, useBodyFieldsAtOAuth(true))
 * @category settings
 * @since 0.1.0
 */
export const useBodyFieldsAtOAuth = flagStep('useBodyFieldsAtOAuth', 'bodyFieldsAtOAuth', 'body fields at OAuth')

/**
 * Percent-encode URL params and illegal URL characters (default on). Off: inserted raw.
 * @example
 * pipe(req, useUrlEncoding(false))
 * @category settings
 * @since 0.1.0
 */
export const useUrlEncoding = flagStep('useUrlEncoding', 'urlEncoding', 'URL encoding')

const http2Step = flagStep('useHttp2', 'http2', 'HTTP/2')

/**
 * Offer HTTP/2 (default off). On `https:` the default transport offers `h2` by ALPN, and
 * concurrent requests to one origin then share ONE connection as streams (as many at once as
 * the server's `SETTINGS_MAX_CONCURRENT_STREAMS` allows; the others wait for a stream on the
 * same connection). Where the server does not choose `h2`, the request goes over HTTP/1.1 on
 * the usual keep-alive connections. `res.httpVersion` says which version answered (`'2'` or
 * `'1.1'`) and the log says it too (`HTTP/2 used`, or why HTTP/1.1 was). What it does not do:
 * - plain `http:` is always HTTP/1.1 (no cleartext h2c is offered), and the log says so;
 * - through a proxy, `https:` targets offer h2 inside the CONNECT tunnel; `http:` targets
 *   forwarded by a proxy are HTTP/1.1;
 * - `crossFetchTransport` (always HTTP/1.1) and a WHATWG fetch (`fromFetch`: it chooses the
 *   version itself and does not say) cannot choose: the request runs as it would without,
 *   and the log says the setting had no effect;
 * - `undiciTransport({ allowH2: true })` behaves as if every request had it on.
 * Faults stay typed: a stream the server resets is a `TransportError`, a stalled stream a
 * `Timeout` (`idle`), a GOAWAY ends the streams it did not take as `TransportError`s (retried
 * by the retry policy where it allows).
 * @example
 * pipe(req, useHttp2()) // on
 * pipe(req, useHttp2(false)) // off again
 * @category settings
 * @since 0.3.0
 */
export const useHttp2 = (flag = true): Step => http2Step(flag)

/**
 * How many retries the retry policy may make (default 0: one attempt only; `maxAttempts(3)`
 * sends at most 4 times). What is retried and how long to wait is the retry policy's (see
 * `setRetryPolicy`): by default idempotent methods after a transport error, a timeout or a
 * status 408, 413, 429, 500, 502, 503 or 504, and any method when nothing was sent.
 * @example
 * pipe(req, maxAttempts(3))
 * @category settings
 * @since 0.1.0
 */
export const maxAttempts = countStep('maxAttempts', 'maxAttempts', 'retries')

/**
 * How many redirects are followed before the 3xx is returned as the response (default 5).
 * @example
 * pipe(req, maxRedirects(0)) // never follow
 * @category settings
 * @since 0.1.0
 */
export const maxRedirects = countStep('maxRedirects', 'maxRedirects', 'max redirects')

/**
 * Render array params as repeated keys: `k=a&k=b`, or `k[]=a&k[]=b` with `squareBrackets`.
 * @example
 * pipe(req, splitArraysInUrl(true, true))
 * @category settings
 * @since 0.1.0
 */
export const splitArraysInUrl = (flag: boolean, squareBrackets = false): Step =>
  makeStep('splitArraysInUrl', (req) =>
    typeof flag !== 'boolean' || typeof squareBrackets !== 'boolean'
      ? invalid('flags must be booleans')
      : change(
          { settings: { ...req.settings, splitArrayParams: flag, arraysSquareBrackets: squareBrackets } },
          `split arrays ${flag ? 'on' : 'off'}${flag && squareBrackets ? ', with square brackets' : ''}`,
        ),
  )

/** A step that sets a limit in milliseconds: whole, at most MAX_TIMER_MS; zero or negative is logged and ignored. */
const msStep =
  (step: string, key: 'timeout' | 'connectTimeout' | 'idleTimeout' | 'deadline', label: string) =>
  (ms: number): Step => {
    if (typeof ms !== 'number' || Number.isNaN(ms))
      return makeStep(step, () => invalid(`${label} must be a number of milliseconds, got ${showValue(ms)}`))
    const whole = Math.min(Math.round(ms), MAX_TIMER_MS)
    return whole <= 0
      ? makeStep(step, () => note(`${label} ${ms} ignored (must be at least 1 ms)`))
      : setting(step, key, whole, `${label} set to ${whole} ms`)
  }

/**
 * Per-attempt timeout in milliseconds (default 3 600 000): the whole attempt, from sending to
 * the last byte of the body. Zero or negative is logged and ignored.
 * @example
 * pipe(req, setTimeout(5_000))
 * @category settings
 * @since 0.1.0
 */
export const setTimeout = msStep('setTimeout', 'timeout', 'timeout')

/**
 * Time to establish a connection (TCP and TLS, or the proxy tunnel), in milliseconds (default
 * 10 000). A failure to connect is retried for every method.
 * @example
 * pipe(req, setConnectTimeout(2_000))
 * @category settings
 * @since 0.2.0
 */
export const setConnectTimeout = msStep('setConnectTimeout', 'connectTimeout', 'connect timeout')

/**
 * The longest wait for the next byte of the response head or body, in milliseconds (default
 * 300 000, as undici): a server that stalls ends in a `Timeout` with `limit: 'idle'`.
 * @example
 * pipe(req, setIdleTimeout(30_000))
 * @category settings
 * @since 0.2.0
 */
export const setIdleTimeout = msStep('setIdleTimeout', 'idleTimeout', 'idle timeout')

/**
 * A limit for the whole run in milliseconds: every attempt, every wait between retries and
 * every redirect (default none). When it passes, the run ends in a `Timeout` with
 * `limit: 'deadline'`.
 * @example
 * pipe(req, maxAttempts(10), setDeadline(5_000))
 * @category settings
 * @since 0.2.0
 */
export const setDeadline = msStep('setDeadline', 'deadline', 'deadline')

/**
 * The most decoded bytes of one response body, in memory and streamed to a file (default: 100
 * MiB in memory, no limit to a file). Past it the body is cut off, a partial file removed, and
 * the run ends in `ResponseTooLarge`. Applies to every body of the run (redirects and retried
 * answers too); `env.maxResponseBytes`, where given, takes its place. A body held in memory is
 * at most what one Buffer holds (4 GiB on Node.js 20), whatever the limit: a larger one is a
 * `ResponseTooLarge` (save it with `setResponseFile`). A body whose Content-Length is past the
 * limit (and that is kept as it comes, not decoded) fails before a byte of it is read.
 * @example
 * pipe(req, setMaxResponseSize(10 * 1024 * 1024))
 * @category settings
 * @since 0.2.0
 */
export const setMaxResponseSize = (bytes: number): Step =>
  !isByteCount(bytes)
    ? makeStep('setMaxResponseSize', () =>
        invalid(
          `the size must be a whole number of bytes from 0 to ${Number.MAX_SAFE_INTEGER}, got ${JSON.stringify(showValue(bytes))}`,
        ),
      )
    : setting('setMaxResponseSize', 'maxResponseSize', bytes, `max response size set to ${bytes} bytes`)

/**
 * Reads the settings of a request: all of them, one value, or a subset. An unknown name
 * reads as `undefined` (and is left out of a subset).
 * @example
 * returnSettings()(req).maxRedirects // 5
 * returnSettings('timeout')(req) // 3600000
 * returnSettings(['gzip', 'encoding'])(req) // { gzip: true, encoding: 'utf-8' }
 * @category settings
 * @since 0.1.0
 */
export function returnSettings(): (req: Request) => Settings
export function returnSettings<K extends keyof Settings>(filter: K): (req: Request) => Settings[K]
export function returnSettings<K extends keyof Settings>(filter: ReadonlyArray<K>): (req: Request) => Pick<Settings, K>
export function returnSettings(filter?: keyof Settings | ReadonlyArray<keyof Settings>): (req: Request) => unknown {
  return (req) => {
    const s: Settings = isRequest(req) ? req.settings : defaultSettings
    if (filter === undefined) return s
    if (typeof filter === 'string') return Object.prototype.hasOwnProperty.call(s, filter) ? s[filter] : undefined
    if (!Array.isArray(filter)) return undefined
    const keys: ReadonlyArray<unknown> = filter
    return Object.fromEntries(
      keys
        .filter((k): k is keyof Settings => typeof k === 'string' && Object.prototype.hasOwnProperty.call(s, k))
        .map((k) => [k, s[k]]),
    )
  }
}
