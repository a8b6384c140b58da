/**
 * The effects a request runs with, injected through `env` (for tests and tuning).
 * @module
 */
import { randomFillSync } from 'node:crypto'
import type { FetchLike, Transport } from '../model/transport.js'
import { MAX_TIMER_MS } from '../model/valid.js'
import { resolveEnvProxies, type EnvProxies, type EnvProxyRoute } from './proxy-env.js'

/**
 * Progress of a body transfer: which way (`upload`: request body bytes the transport took;
 * `download`: response body bytes that arrived), bytes so far and the total when known.
 * @example
 * const p: Progress = { direction: 'upload', loaded: 512, total: 1024 }
 * @category running
 * @since 0.1.0
 */
export interface Progress {
  readonly direction: 'upload' | 'download'
  readonly loaded: number
  readonly total: number | null
}

/**
 * Injected effects. Every field is optional:
 * - `transport`: httpipe's transport interface (default: `undiciTransport()` on Node.js);
 * - `fetch`: any WHATWG fetch, adapted (shorthand for `transport: fromFetch(fetch)`);
 * - `now`: epoch milliseconds (default `Date.now`), for the log, timings and Retry-After dates;
 * - `random`: a number in [0, 1) (default: the operating system's cryptographic generator), for
 *   OAuth1 nonces, Digest cnonces and backoff jitter;
 * - `sleep`: waits between retries (default a timer, cut short by `signal`);
 * - `signal`: aborts the whole run;
 * - `onProgress`: called as request body bytes are sent (`direction: 'upload'`) and as response
 *   body bytes arrive (`direction: 'download'`), with the total when it is known;
 * - `maxResponseBytes`: the most decoded bytes of one response body, in memory or to a file
 *   (in place of `setMaxResponseSize`); past it a `ResponseTooLarge` error;
 * - `secrets`: where `secretFromEnv` references are read (default: the process environment,
 *   read when the request runs);
 * - `debug`: print every line of a run to stderr as it is written (default: `HTTPIPE_DEBUG=1`
 *   in the environment when the request runs);
 * - `cookieJar`: a cookie jar (a tough-cookie `CookieJar`, or anything with its
 *   `getCookieString(url)` and `setCookie(cookie, url)`): every attempt and redirect sends the
 *   cookies it holds for its URL and stores the answer's `Set-Cookie` lines (default: none, no
 *   cookie is kept);
 * - `proxyEnv`: the proxy variables (`HTTP_PROXY`, `HTTPS_PROXY`, `NO_PROXY`, either case) for a
 *   request that sets no proxy, or `false` for none (default: the process environment's, read
 *   once, at the first request); which URL goes through which proxy is undici's
 *   `EnvHttpProxyAgent`'s rule.
 * @example
 * pipe(req, H.processRequest('GET', { fetch: globalThis.fetch, now: () => 0, random: () => 0.5 }))
 * @category running
 * @since 0.1.0
 */
export interface Env {
  readonly transport?: Transport
  readonly fetch?: FetchLike
  readonly now?: () => number
  readonly random?: () => number
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>
  readonly signal?: AbortSignal
  readonly onProgress?: (p: Progress) => void
  readonly maxResponseBytes?: number
  readonly debug?: boolean
  readonly secrets?: (name: string) => string | undefined
  readonly cookieJar?: CookieJarLike
  readonly proxyEnv?: Readonly<Record<string, string | undefined>> | false
}

/**
 * What `env.cookieJar` must do: what tough-cookie's `CookieJar` does (RFC 6265: domain and path
 * matching, Secure, HttpOnly, SameSite, expiry, public suffixes). Either method may answer with
 * a promise. A `Cookie` string the jar gives is sent after the request's own `Cookie` header;
 * a `Set-Cookie` line it refuses (another domain) is logged by its name and dropped.
 * @example
 * import { CookieJar } from 'tough-cookie'
 * const jar: H.CookieJarLike = new CookieJar()
 * pipe(req, H.processRequest('GET', { cookieJar: jar }))
 * @category running
 * @since 0.3.0
 */
export interface CookieJarLike {
  readonly getCookieString: (url: string) => string | Promise<string>
  readonly setCookie: (cookie: string, url: string) => unknown
}

/**
 * An Env with every effect filled in.
 * @example
 * const env: ResolvedEnv = resolveEnv({})
 */
export interface ResolvedEnv {
  readonly transport: Transport
  readonly now: () => number
  readonly random: () => number
  readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>
  readonly signal: AbortSignal | undefined
  readonly onProgress: ((p: Progress) => void) | undefined
  readonly maxResponseBytes: number | undefined
  readonly debug: boolean
  readonly secrets: (name: string) => string | undefined
  readonly cookieJar: CookieJarLike | undefined
  /** the environment's proxies, for a request without one of its own (null: none) */
  readonly proxies: EnvProxies | null
}

const POOL = new Uint32Array(256)
let pooled = POOL.length

/**
 * A cryptographically random number in [0, 1), from the operating system's generator (drawn
 * 256 at a time): the default `env.random`, so nonces, cnonces and boundaries cannot be guessed.
 * @example
 * const x = cryptoRandom() // 0 <= x < 1
 * @category running
 * @since 0.2.0
 */
export const cryptoRandom = (): number => {
  if (pooled >= POOL.length) {
    randomFillSync(POOL)
    pooled = 0
  }
  return (POOL[pooled++] ?? 0) / 4_294_967_296
}

/**
 * Waits `ms`, or less when `signal` aborts.
 * @example
 * await realSleep(100)
 */
export const realSleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal?.aborted === true) return resolve()
    const done = (): void => {
      clearTimeout(timer)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    // a longer wait than a timer holds would fire at once: it is cut to the longest one
    const timer = setTimeout(done, Math.min(ms, MAX_TIMER_MS))
    signal?.addEventListener('abort', done, { once: true })
  })

/**
 * The default `env.secrets`: the process environment, read when the request runs.
 * @example
 * processSecrets('HOME') // '/root'
 * @internal
 */
export const processSecrets = (name: string): string | undefined => {
  try {
    return typeof process === 'undefined' ? undefined : process.env[name]
  } catch {
    return undefined // reading the environment refused (Deno without --allow-env): the variable is not set
  }
}

const FUNCTIONS = ['transport', 'fetch', 'now', 'random', 'sleep', 'onProgress', 'secrets'] as const

const kind = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v)

/**
 * What is wrong with an `env` given to a run, or null: it must be an object (or absent) whose
 * fields, where given, are what {@link Env} says — functions, an `AbortSignal`-like `signal`, a
 * whole `maxResponseBytes` ≥ 0, a boolean `debug`. A field that cannot be read (a throwing
 * getter, a hostile Proxy) is named too. Checked once per run, before anything is sent, so a
 * hostile env is an `InvalidInput` naming the step, not a failure deep in the run.
 * @example
 * envProblem({ now: 'x' }) // 'env.now must be a function, not string'
 * envProblem({}) // null
 * @internal
 */
export const envProblem = (env: unknown): string | null => {
  if (env === undefined) return null
  if (typeof env !== 'object' || env === null || Array.isArray(env)) return `env must be an object, not ${kind(env)}`
  const e = env as Record<string, unknown>
  let name = ''
  try {
    for (name of FUNCTIONS) {
      const v = e[name]
      if (v !== undefined && typeof v !== 'function') return `env.${name} must be a function, not ${kind(v)}`
    }
    name = 'signal'
    const signal = e['signal'] as { aborted?: unknown; addEventListener?: unknown } | undefined
    if (
      signal !== undefined &&
      (typeof signal !== 'object' ||
        signal === null ||
        typeof signal.aborted !== 'boolean' ||
        typeof signal.addEventListener !== 'function')
    )
      return `env.signal must be an AbortSignal, not ${kind(signal)}`
    name = 'maxResponseBytes'
    const max = e['maxResponseBytes']
    if (max !== undefined && (typeof max !== 'number' || !(Number.isSafeInteger(max) || max === Infinity) || max < 0))
      return `env.maxResponseBytes must be a whole number of bytes ≥ 0, not ${typeof max === 'number' ? String(max) : kind(max)}`
    name = 'debug'
    const debug = e['debug']
    if (debug !== undefined && typeof debug !== 'boolean') return `env.debug must be true or false, not ${kind(debug)}`
    name = 'proxyEnv'
    const pe = e['proxyEnv']
    if (
      pe !== undefined &&
      pe !== false &&
      (typeof pe !== 'object' || pe === null || Array.isArray(pe) || pe instanceof Map)
    )
      return `env.proxyEnv must be an object of variables (as process.env) or false, not ${pe instanceof Map ? 'a Map' : kind(pe)}`
    name = 'cookieJar'
    const jar = e['cookieJar'] as Partial<Record<keyof CookieJarLike, unknown>> | undefined
    if (
      jar !== undefined &&
      (typeof jar !== 'object' ||
        jar === null ||
        typeof jar.getCookieString !== 'function' ||
        typeof jar.setCookie !== 'function')
    )
      return `env.cookieJar must be a cookie jar (getCookieString(url) and setCookie(cookie, url), as tough-cookie's CookieJar), not ${kind(jar)}`
    return null
  } catch (err) {
    return `env.${name} cannot be read (${errorText(err)})`
  }
}

/** What was thrown, as text, whatever it is (an error whose message throws, a null-prototype object). */
const errorText = (e: unknown): string => {
  try {
    return e instanceof Error ? String(e.message) : String(e)
  } catch {
    return 'an error that cannot be read'
  }
}

let debugSeen: boolean | undefined

/**
 * `HTTPIPE_DEBUG=1` in the environment, read once, by the first run that asks (reading
 * `process.env` costs a microsecond and a half a run; never at import, never by a step).
 * @example
 * debugFromEnvironment() // true when the process started with HTTPIPE_DEBUG=1
 * @internal
 */
export const debugFromEnvironment = (): boolean => (debugSeen ??= readDebug())

/** The variable itself; where reading the environment is refused (Deno without `--allow-env` throws), off. */
const readDebug = (): boolean => {
  try {
    return typeof process !== 'undefined' && process.env['HTTPIPE_DEBUG'] === '1'
  } catch {
    return false
  }
}

/**
 * The transports an Env falls back on, given by the layer that knows them (the executor itself
 * depends on the transport interface only).
 * @example
 * const d: TransportDefaults = { transport: H.defaultTransport, fromFetch: H.fromFetch }
 * @internal
 */
export interface TransportDefaults {
  readonly transport: Transport
  readonly fromFetch: (fetch: FetchLike) => Transport
  /** where the environment's proxy variables send a URL (undici's rule) */
  readonly proxyRoute?: EnvProxyRoute
}

/** Without a transport to fall back on, every attempt says so (instead of a crash). */
const noTransport: Transport = async () => {
  throw Object.assign(new Error('no transport: give env.transport or env.fetch'), { code: 'ENOTRANSPORT' })
}

/**
 * Fills in the defaults of an Env: the only place they live. The client resolves the env of a
 * run once, at its boundary; everything below takes the resolved env.
 * @example
 * resolveEnv({ now: () => 0 }, defaults).now() // 0
 * @internal
 */
export const resolveEnv = (env: Env = {}, defaults?: TransportDefaults): ResolvedEnv => ({
  transport:
    env.transport ??
    (env.fetch !== undefined ? (defaults?.fromFetch(env.fetch) ?? noTransport) : (defaults?.transport ?? noTransport)),
  now: env.now ?? Date.now,
  random: env.random ?? cryptoRandom,
  sleep: env.sleep ?? realSleep,
  signal: env.signal,
  onProgress: env.onProgress,
  maxResponseBytes: env.maxResponseBytes,
  // read here, when a request runs (never at import, never by a builder step)
  debug: env.debug ?? debugFromEnvironment(),
  secrets: env.secrets ?? processSecrets,
  cookieJar: env.cookieJar,
  proxies: resolveEnvProxies(env.proxyEnv, defaults?.proxyRoute),
})
