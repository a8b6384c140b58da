/**
 * Initialization and the request-level steps: URL, response file, data type, proxy, TLS.
 * @module
 */
import { isMediaType, isPort } from '../model/valid.js'
import { isSecretInput, type SecretRef } from '../model/secret.js'
import * as E from 'fp-ts/lib/Either.js'
import { flow, pipe } from 'fp-ts/lib/function.js'
import { SECRET } from '../model/log.js'
import { redactUrl } from '../encoding/redact.js'
import { checkPath, checkUrl, hasScheme, isRelative } from '../encoding/url.js'
import { quote, showValue } from '../encoding/json.js'
import { andThen, change, invalid, makeStep, note, type Change } from './step.js'
import { newRequest, type Pem, type Proxy, type Request, type Tls, type Step } from '../model/request.js'

/**
 * Replaces the URL. A URL with a scheme (`http://`, `https://`) is taken as it is. A URL without
 * one (`/users`, `users`, `users?x=1`, `example.com/x`) is kept as given and decided when the
 * request runs: while a base URL is set (`setBaseUrl`, before or after this step) it joins onto
 * the base's path with one slash, never becoming a host; without a base it means `https://`
 * (and a path starting with `/` is `InvalidInput`). Without a base yet, a URL without a scheme
 * that is no valid host but a valid path (`v1.0/users`, for a base set later) is taken and
 * refused when prepared if no base came. An empty string is logged and ignored.
 * Characters illegal in a URL are encoded when the request runs.
 * @example
 * pipe(newRequest(), setUrl('127.0.0.1:8443/api')) // sent to https://127.0.0.1:8443/api
 * pipe(newRequest(), setBaseUrl('https://api.example.com/v2'), setUrl('users')) // sent to https://api.example.com/v2/users
 * @category request
 * @since 0.1.0
 */
export const setUrl = (url: string): Step =>
  makeStep('setUrl', (req) => {
    if (url === '') return note('empty URL - ignored')
    if (typeof url === 'string' && isRelative(url))
      return andThen(checkPath(url), (path) =>
        change({ url: path }, `URL set to the path ${redactUrl(path)} (joined onto the base URL when sent)`),
      )
    if (typeof url !== 'string' || hasScheme(url) || url.startsWith('//'))
      return andThen(checkUrl('setUrl', url), (full) => change({ url: full }, `URL set to ${redactUrl(full)}`))
    // no scheme: a path while a base is set, https:// without one. The base may come later, so
    // it is taken when it reads as either; the URL it makes is checked again when prepared.
    const asHost = checkUrl('setUrl', url)
    const asPath = checkPath(`/${url}`)
    return andThen(req.baseUrl !== null ? asPath : E.isRight(asHost) || E.isLeft(asPath) ? asHost : asPath, () =>
      change(
        { url },
        `URL set to ${redactUrl(url)} (joined onto the base URL when sent, https://${redactUrl(url)} without one)`,
      ),
    )
  })

/**
 * A base for URLs without a scheme, as ky's `prefixUrl`: a later (or earlier) `setUrl('users')`
 * or `setUrl('/users')` is sent to the base and the path joined with exactly one slash, so a
 * template of base and auth composes with any path, and a path never becomes a host (the base's
 * credentials never go to `https://users`). A URL with a scheme replaces the base. No scheme in
 * the base means `https://`. A request with a base and no URL goes to the base.
 * @example
 * const api = flow(H.setBaseUrl('https://api.example.com/v2'), H.addBearerAuthorization(token))
 * pipe(H.newRequest(), api, H.setUrl('users')) // sent to https://api.example.com/v2/users
 * @category request
 * @since 0.2.0
 */
export const setBaseUrl = (url: string): Step =>
  makeStep('setBaseUrl', () =>
    typeof url === 'string' && isRelative(url)
      ? invalid('the base URL must name a host (a path cannot be a base)')
      : typeof url === 'string' && /[?#]/.test(url)
        ? invalid(
            'the base URL has a query or a fragment: a path cannot join onto it (give params with addUrlParameter)',
          )
        : pipe(
            checkUrl('setBaseUrl', url),
            E.flatMap((full) => change({ baseUrl: full }, `base URL set to ${redactUrl(full)}`)),
          ),
  )

/**
 * The URL a request goes to: a URL with a scheme as it is; one without a scheme joined onto the
 * base with exactly one slash while there is a base, `https://` added without one. Null when a
 * path (`/users`) has no base, or there is no URL at all.
 * @example
 * targetUrl({ url: '/users', baseUrl: 'https://api.example.com/v2/' }) // 'https://api.example.com/v2/users'
 * targetUrl({ url: 'users', baseUrl: 'https://api.example.com/v2' }) // 'https://api.example.com/v2/users'
 * targetUrl({ url: 'example.com/x', baseUrl: null }) // 'https://example.com/x'
 * @category request
 * @since 0.2.0
 */
export const targetUrl = (req: Pick<Request, 'url' | 'baseUrl'>): string | null => {
  if (typeof req !== 'object' || req === null) return null
  if (typeof req.url !== 'string') return typeof req.baseUrl === 'string' ? req.baseUrl : null
  if (hasScheme(req.url)) return req.url
  if (typeof req.baseUrl === 'string')
    // a base with a query or a fragment (from a template: setBaseUrl refuses one) joins nothing
    return /[?#]/.test(req.baseUrl) ? null : `${req.baseUrl.replace(/\/+$/, '')}/${req.url.replace(/^\/+/, '')}`
  return isRelative(req.url) ? null : `https://${req.url}`
}

/**
 * Resets everything to the defaults (settings, params, headers, body, auth, file, proxy, TLS)
 * and sets the URL when given. The log is kept.
 * @example
 * pipe(newRequest(), initialize('http://127.0.0.1:8080/get'))
 * @category request
 * @since 0.1.0
 */
export const initialize = (url?: string): Step => (url === undefined ? reset : flow(reset, setUrl(url)))

/** Every field of a new Request but its tag, log and error; the values are immutable, so shared. */
const RESET: Change['patch'] = (() => {
  const { _tag, log, error, ...defaults } = newRequest()
  void _tag
  void log
  void error
  // frozen: shared by every initialized request (the settings record already is shared)
  for (const v of Object.values(defaults))
    if (typeof v === 'object' && v !== null && v !== defaults.settings) Object.freeze(v)
  return Object.freeze({ ...defaults, initialized: true })
})()

const reset = makeStep('initialize', () => change(RESET, 'request initialized with default settings'))

/**
 * Streams the response body to this file instead of holding it in memory.
 * @example
 * pipe(req, setResponseFile('/tmp/download.bin'))
 * @category request
 * @since 0.1.0
 */
export const setResponseFile = (path: string): Step =>
  makeStep('setResponseFile', () =>
    typeof path !== 'string' || path === ''
      ? invalid('the path must be a non-empty string')
      : change({ responseFile: path }, `response will be saved to ${path}`),
  )

/**
 * Sets an explicit Content-Type that body steps then keep (only `startMultipartBody`
 * overrides it).
 * @example
 * pipe(req, setDataType('application/vnd.api+json'))
 * @category request
 * @since 0.1.0
 */
export const setDataType = (mime: string): Step =>
  makeStep('setDataType', () =>
    !isMediaType(mime)
      ? invalid(`not a media type: ${quote(mime)}`)
      : change({ dataType: mime }, `Content-Type set to ${mime}`),
  )

/**
 * A proxy as a URL or as parts.
 * @example
 * const p: ProxyInput = { protocol: 'http', host: '127.0.0.1', port: 3128 }
 * @inline
 * @category request
 * @since 0.1.0
 */
export type ProxyInput =
  | string
  | {
      readonly protocol?: 'http' | 'https'
      readonly host: string
      readonly port: number
      readonly user?: string
      readonly password?: string | SecretRef
    }

const decode = (text: string): E.Either<string, string> =>
  E.tryCatch(
    () => decodeURIComponent(text),
    () => 'the user or password has an invalid %-escape',
  )

const parseProxy = (p: ProxyInput): E.Either<string, Proxy> => {
  if (typeof p === 'string') {
    if (!URL.canParse(p)) return E.left(`not a proxy URL: ${redactUrl(p)}`)
    const u = new URL(p)
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return E.left(`unsupported proxy scheme ${u.protocol}`)
    const port = u.port === '' ? (u.protocol === 'https:' ? 443 : 80) : Number(u.port)
    if (!isPort(port)) return E.left(`invalid proxy port ${port}`)
    const user = decode(u.username)
    const password = decode(u.password)
    if (E.isLeft(user)) return user
    if (E.isLeft(password)) return password
    return E.right({
      protocol: u.protocol === 'https:' ? 'https' : 'http',
      host: u.hostname,
      port,
      user: user.right === '' ? null : user.right,
      password: password.right === '' ? null : password.right,
    })
  }
  if (typeof p !== 'object' || p === null || typeof p.host !== 'string' || p.host === '')
    return E.left('proxy needs a host')
  if (!isPort(p.port)) return E.left(`invalid proxy port ${showValue(p.port)}`)
  const protocol = p.protocol ?? 'http'
  if (protocol !== 'http' && protocol !== 'https') return E.left(`unsupported proxy protocol ${showValue(protocol)}`)
  if ((p.user !== undefined && typeof p.user !== 'string') || (p.password !== undefined && !isSecretInput(p.password)))
    return E.left('proxy user must be a string and password a string or secretFromEnv(name)')
  return E.right({ protocol, host: p.host, port: p.port, user: p.user ?? null, password: p.password ?? null })
}

/**
 * A proxy URL as the environment gives one (`HTTP_PROXY`): `http://user:pass@host:port`, or
 * `host:port` (read as `http://`, as curl reads it); why not, naming no password.
 * @example
 * proxyFromUrl('proxy.local:3128') // right({ protocol: 'http', host: 'proxy.local', port: 3128, user: null, password: null })
 * @internal
 */
export const proxyFromUrl = (text: string): E.Either<string, Proxy<string>> =>
  parseProxy(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`) as E.Either<string, Proxy<string>>

/**
 * Sends the request through an HTTP(S) proxy: `'http://user:pass@host:port'` or parts. HTTPS
 * targets go through CONNECT.
 * @example
 * pipe(req, setProxy('http://127.0.0.1:3128'))
 * @category request
 * @since 0.1.0
 */
export const setProxy = (proxy: ProxyInput): Step =>
  makeStep('setProxy', () =>
    pipe(
      parseProxy(proxy),
      E.flatMap((p) =>
        change(
          { proxy: p },
          `proxy set to ${p.protocol}://${p.user === null ? '' : `${p.user}:${SECRET}@`}${p.host}:${p.port}`,
        ),
      ),
    ),
  )

/**
 * TLS options: PEM text or `fromFile(path)` (read when the request runs).
 * @example
 * const o: TlsInput = { ca: fromFile('./ca.pem'), rejectUnauthorized: true }
 * @category request
 * @since 0.1.0
 */
export interface TlsInput {
  readonly ca?: Pem
  readonly cert?: Pem
  readonly key?: Pem
  readonly passphrase?: string | SecretRef
  readonly rejectUnauthorized?: boolean
}

const isPem = (p: unknown): p is Pem =>
  (typeof p === 'string' && p.includes('-----BEGIN')) ||
  (typeof p === 'object' &&
    p !== null &&
    (p as { _tag?: unknown })._tag === 'File' &&
    typeof (p as { path?: unknown }).path === 'string')

/**
 * Trusts a private CA and/or presents a client certificate.
 * @example
 * pipe(req, setTls({ ca: fromFile('./ca.pem') }))
 * @category request
 * @since 0.1.0
 */
export const setTls = (options: TlsInput): Step =>
  makeStep('setTls', () => {
    if (typeof options !== 'object' || options === null) return invalid('options must be an object')
    for (const k of ['ca', 'cert', 'key'] as const) {
      const v = options[k]
      if (v !== undefined && !isPem(v)) return invalid(`${k} must be PEM text or fromFile(path)`)
    }
    if ((options.cert === undefined) !== (options.key === undefined)) return invalid('cert and key go together')
    if (options.passphrase !== undefined && !isSecretInput(options.passphrase))
      return invalid('passphrase must be a string or secretFromEnv(name)')
    if (options.rejectUnauthorized !== undefined && typeof options.rejectUnauthorized !== 'boolean')
      return invalid('rejectUnauthorized must be a boolean')
    const tls: Tls = {
      ca: options.ca ?? null,
      cert: options.cert ?? null,
      key: options.key ?? null,
      passphrase: options.passphrase ?? null,
      rejectUnauthorized: options.rejectUnauthorized ?? true,
    }
    const parts = [
      tls.ca !== null && 'CA',
      tls.cert !== null && 'client certificate',
      !tls.rejectUnauthorized && 'certificate checks OFF',
    ]
    return change({ tls }, `TLS set: ${parts.filter(Boolean).join(', ') || 'defaults'}`)
  })
