/**
 * Templates: a request saved to share, with no literal secret and no build log, and loaded back.
 * Secrets given as `secretFromEnv` are saved as the name of their variable; a literal secret is
 * withheld (saved as a marker that fails with a clear `InvalidInput` when the request runs).
 * `RequestCodec` stays the lossless codec: it carries every secret.
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import type * as t from 'io-ts'
import { invalidInput, type ClientError } from '../model/errors.js'
import { isSecretHeader, isSecretParam } from '../encoding/redact.js'
import { RequestCodec } from '../model/codec.js'
import type { Auth, Json, Pairs, Request } from '../model/request.js'
import type { Secret } from '../model/secret.js'
import { isRequest } from './step.js'

/**
 * The version of the template format written by {@link toTemplate}.
 * @example
 * TEMPLATE_VERSION // 1
 * @category request
 * @since 0.2.0
 */
export const TEMPLATE_VERSION = 1

const withhold = (s: Secret, field: string): Secret => (typeof s === 'string' ? { _tag: 'Withheld', field } : s)
const withholdOrNull = (s: Secret | null, field: string): Secret | null => (s === null ? null : withhold(s, field))

const withholdAuth = (a: Auth): Auth => {
  switch (a._tag) {
    case 'None':
      return a
    case 'Basic':
    case 'Digest':
      return { ...a, password: withhold(a.password, 'auth.password') }
    case 'Bearer':
      return { ...a, token: withhold(a.token, 'auth.token') }
    case 'Aws4':
      return {
        ...a,
        secretKey: withhold(a.secretKey, 'auth.secretKey'),
        sessionToken: withholdOrNull(a.sessionToken, 'auth.sessionToken'),
      }
    case 'OAuth1':
      return {
        ...a,
        token: withhold(a.token, 'auth.token'),
        tokenSecret: withhold(a.tokenSecret, 'auth.tokenSecret'),
        consumerSecret: withhold(a.consumerSecret, 'auth.consumerSecret'),
      }
  }
}

/** A param value a template withheld: JSON data, refused when the request is prepared. */
const withheldParam = (field: string): Json => ({ _tag: 'Withheld', field })

/**
 * The URL without the values of its secret-named query params (moved to the params, withheld,
 * in the same order after the rest of the query).
 */
const withoutQuerySecrets = (url: string | null): { readonly url: string | null; readonly moved: Pairs } => {
  if (url === null) return { url, moved: [] }
  const q = url.indexOf('?')
  if (q === -1) return { url, moved: [] }
  const hash = url.indexOf('#', q)
  const query = url.slice(q + 1, hash === -1 ? undefined : hash)
  const kept: string[] = []
  const moved: Array<readonly [string, Json]> = []
  for (const part of query.split('&')) {
    const raw = part.split('=')[0] ?? ''
    let name = raw
    try {
      name = decodeURIComponent(raw.replace(/\+/g, ' '))
    } catch {
      /* keep the raw name */
    }
    if (part !== '' && isSecretParam(name)) moved.push([name, withheldParam(`url query ${name}`)])
    else kept.push(part)
  }
  if (moved.length === 0) return { url, moved: [] }
  const rest = kept.join('&')
  return { url: `${url.slice(0, q)}${rest === '' ? '' : `?${rest}`}${hash === -1 ? '' : url.slice(hash)}`, moved }
}

/** The URL without the password of its user info (which would be a literal secret). */
const withoutPassword = (url: string | null): string | null => {
  if (url === null || !URL.canParse(url)) return url
  const u = new URL(url)
  if (u.password === '') return url
  const at = url.indexOf('@', url.indexOf('//') + 2)
  const colon = url.indexOf(':', url.indexOf('//') + 2)
  return colon !== -1 && colon < at ? `${url.slice(0, colon)}${url.slice(at)}` : url
}

/**
 * A request as a shareable template (JSON data): every literal secret withheld (auth
 * credentials, the proxy password, the TLS passphrase, the value of every header and query param
 * named like a secret, the password in the URL), `secretFromEnv` references kept as the names of
 * their variables, and no log. Load it with {@link fromTemplate}.
 * @example
 * const saved = JSON.stringify(H.toTemplate(pipe(req, H.addBearerAuthorization(H.secretFromEnv('API_TOKEN')))))
 * @category request
 * @since 0.2.0
 */
export const toTemplate = (req: Request): Json => {
  if (!isRequest(req)) return { httpipeTemplate: TEMPLATE_VERSION, request: null }
  const query = withoutQuerySecrets(withoutPassword(req.url))
  const params: Pairs = [
    ...query.moved,
    ...req.params.map(([k, v], i): readonly [string, Json] => [
      k,
      isSecretParam(k) && v !== null ? withheldParam(`params[${i}] (${k})`) : v,
    ]),
  ]
  const safe: Request = {
    ...req,
    url: query.url,
    params,
    baseUrl: withoutPassword(req.baseUrl),
    auth: withholdAuth(req.auth),
    proxy: req.proxy === null ? null : { ...req.proxy, password: withholdOrNull(req.proxy.password, 'proxy.password') },
    tls: req.tls === null ? null : { ...req.tls, passphrase: withholdOrNull(req.tls.passphrase, 'tls.passphrase') },
    headers: req.headers.map(([n, v], i) => [n, isSecretHeader(n) ? withhold(v, `headers[${i}] (${n})`) : v] as const),
    log: [],
  }
  return { httpipeTemplate: TEMPLATE_VERSION, request: RequestCodec.encode(safe) as unknown as Json }
}

/** The field of a validation error as code would name it: `headers[0][1]`, `settings.timeout`. */
const pathOf = (e: t.ValidationError): string =>
  e.context
    // a union adds an entry per member it tried: not a field
    .filter(
      (c, i) => c.key !== '' && !((e.context[i - 1]?.type as { _tag?: string } | undefined)?._tag === 'UnionType'),
    )
    .map((c) => c.key)
    .reduce((acc, k) => (/^\d+$/.test(k) ? `${acc}[${k}]` : acc === '' ? k : `${acc}.${k}`), '')

/**
 * Loads a template saved by {@link toTemplate} (for example `JSON.parse` of a file): a Right
 * Request, or an `InvalidInput` naming the first field that is not as a template has it.
 * @example
 * const saved = JSON.stringify(H.toTemplate(pipe(H.newRequest(), H.setBaseUrl('https://api.github.com'))))
 * const loaded = H.fromTemplate(JSON.parse(saved)) // Either<ClientError, Request>: here a Right
 * H.fromTemplate({ httpipeTemplate: 99 })._tag // 'Left'
 * @category request
 * @since 0.2.0
 */
export const fromTemplate = (json: unknown): E.Either<ClientError, Request> => {
  const o = json as { httpipeTemplate?: unknown; request?: unknown } | null
  if (typeof o !== 'object' || o === null || o.httpipeTemplate !== TEMPLATE_VERSION)
    return E.left(
      invalidInput('fromTemplate', `fromTemplate: not an httpipe template of version ${TEMPLATE_VERSION}`, []),
    )
  const decoded = RequestCodec.decode(o.request)
  if (E.isLeft(decoded)) {
    const first = decoded.left[0]
    const expected = first?.context[first.context.length - 1]?.type.name ?? 'a valid value'
    return E.left(
      invalidInput(
        'fromTemplate',
        `fromTemplate: the template's request is not valid at ${first === undefined ? '<root>' : pathOf(first) || '<root>'} (expected ${expected})`,
        [],
      ),
    )
  }
  return E.right({
    ...decoded.right,
    log: [{ at: null, step: 'fromTemplate', message: 'request loaded from a template' }],
  })
}
