/**
 * Resolving a request's secrets when it runs: each `secretFromEnv` reference is read through
 * `env.secrets` (by default the process environment, read here and nowhere else); a missing
 * variable, or a value a template withheld, is an `InvalidInput` naming the field and the
 * variable, never the value.
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import type { HeaderList } from '../../model/headers.js'
import type { Json, Proxy, Request, ResolvedAuth, Tls } from '../../model/request.js'
import type { Secret, Withheld } from '../../model/secret.js'
import { isSecretParam } from '../../encoding/redact.js'
import { encodeComponent } from '../../encoding/url.js'

/**
 * Where `secretFromEnv` references are read: a variable's value, or undefined when it is not set.
 * @example
 * const secrets: SecretLookup = (name) => ({ API_TOKEN: 't0k' })[name]
 * @category auth
 * @since 0.2.0
 */
export type SecretLookup = (name: string) => string | undefined

/** The request's credentials with every reference read. */
export interface Resolved {
  readonly auth: ResolvedAuth
  readonly proxy: Proxy<string> | null
  readonly tls: Tls<string> | null
  readonly headers: HeaderList
}

/** Where a reference is read for: the origin of the request (or of its proxy), null when it has none; asked only for a bound reference. */
type For = () => string | null

/** Fields whose value goes into a header line as it is: a value read for them may not hold CR, LF or NUL. */
const ONE_LINE = /^(auth\.token|auth\.tokenSecret|auth\.sessionToken|headers\[)/

const one = (s: Secret, field: string, lookup: SecretLookup, origin: For): E.Either<string, string> => {
  if (typeof s === 'string') return E.right(s)
  if (s._tag === 'Withheld')
    return E.left(`${s.field} was not saved in the template: set it again (or give it as secretFromEnv)`)
  const to = s.origins === undefined ? null : origin()
  if (s.origins !== undefined && (to === null || !s.origins.includes(to)))
    return E.left(
      `${field}: the environment variable ${s.env} is trusted only for ${s.origins.join(', ') || 'no origin'}, not for ${to ?? 'a request without an origin'}`,
    )
  let v: string | undefined
  try {
    v = lookup(s.env)
  } catch {
    v = undefined
  }
  if (typeof v !== 'string') return E.left(`${field}: the environment variable ${s.env} is not set`)
  if (ONE_LINE.test(field) && /[\r\n\0]/.test(v))
    return E.left(`${field}: the environment variable ${s.env} holds a CR, LF or NUL, which a header cannot carry`)
  return E.right(v)
}

const maybe = (s: Secret | null, field: string, lookup: SecretLookup, origin: For): E.Either<string, string | null> =>
  s === null ? E.right(null) : one(s, field, lookup, origin)

const resolveAuth = (a: Request['auth'], lookup: SecretLookup, origin: For): E.Either<string, ResolvedAuth> => {
  switch (a._tag) {
    case 'None':
      return E.right(a)
    case 'Basic':
    case 'Digest':
      return E.map((password: string) => ({ ...a, password }))(one(a.password, 'auth.password', lookup, origin))
    case 'Bearer':
      return E.map((token: string) => ({ ...a, token }))(one(a.token, 'auth.token', lookup, origin))
    case 'Aws4': {
      const secretKey = one(a.secretKey, 'auth.secretKey', lookup, origin)
      if (E.isLeft(secretKey)) return secretKey
      const sessionToken = maybe(a.sessionToken, 'auth.sessionToken', lookup, origin)
      return E.map((t: string | null) => ({ ...a, secretKey: secretKey.right, sessionToken: t }))(sessionToken)
    }
    case 'OAuth1': {
      const token = one(a.token, 'auth.token', lookup, origin)
      if (E.isLeft(token)) return token
      const tokenSecret = one(a.tokenSecret, 'auth.tokenSecret', lookup, origin)
      if (E.isLeft(tokenSecret)) return tokenSecret
      const consumerSecret = one(a.consumerSecret, 'auth.consumerSecret', lookup, origin)
      return E.map((c: string) => ({ ...a, token: token.right, tokenSecret: tokenSecret.right, consumerSecret: c }))(
        consumerSecret,
      )
    }
  }
}

const isText = (s: Secret | null): boolean => s === null || typeof s === 'string'

/** Whether a request holds no reference and no withheld value at all. */
const plain = (req: Request): boolean => {
  const a = req.auth
  const authPlain =
    a._tag === 'None' ||
    ((a._tag === 'Basic' || a._tag === 'Digest') && isText(a.password)) ||
    (a._tag === 'Bearer' && isText(a.token)) ||
    (a._tag === 'Aws4' && isText(a.secretKey) && isText(a.sessionToken)) ||
    (a._tag === 'OAuth1' && isText(a.token) && isText(a.tokenSecret) && isText(a.consumerSecret))
  return (
    authPlain &&
    (req.proxy === null || isText(req.proxy.password)) &&
    (req.tls === null || isText(req.tls.passphrase)) &&
    req.headers.every(([, v]) => typeof v === 'string')
  )
}

/**
 * Reads every reference of a request (auth, proxy password, TLS passphrase, header values) for a
 * request to `origin` (the origin of its URL; null when it has none): a reference bound to other
 * origins is not read (the proxy password and a Proxy-Authorization header are read for the
 * proxy's origin). Left: why one could not
 * be read, naming the field, the variable and the origin, never the value.
 * @example
 * resolveSecrets(req, env.secrets, () => 'https://api.example.com') // right({ auth, proxy, tls, headers })
 * @internal
 */
export const resolveSecrets = (req: Request, lookup: SecretLookup, origin: For): E.Either<string, Resolved> => {
  if (plain(req)) return E.right(req as unknown as Resolved) // nothing to read: the common request
  const auth = resolveAuth(req.auth, lookup, origin)
  if (E.isLeft(auth)) return auth
  let proxy: Proxy<string> | null = null
  if (req.proxy !== null) {
    const p = req.proxy
    const password = maybe(p.password, 'proxy.password', lookup, () => proxyOrigin(p))
    if (E.isLeft(password)) return password
    proxy = { ...p, password: password.right }
  }
  let tls: Tls<string> | null = null
  if (req.tls !== null) {
    const passphrase = maybe(req.tls.passphrase, 'tls.passphrase', lookup, origin)
    if (E.isLeft(passphrase)) return passphrase
    tls = { ...req.tls, passphrase: passphrase.right }
  }
  const headers: Array<readonly [string, string]> = []
  const p = req.proxy
  for (const [i, [n, v]] of req.headers.entries()) {
    if (typeof v === 'string') {
      headers.push([n, v])
      continue
    }
    // a Proxy-Authorization header goes to the proxy, not to the target: read for the proxy's origin
    const to = p !== null && n.toLowerCase() === 'proxy-authorization' ? () => proxyOrigin(p) : origin
    const r = one(v, `headers[${i}] (${n})`, lookup, to)
    if (E.isLeft(r)) return r
    headers.push([n, r.right])
  }
  return E.right({ auth: auth.right, proxy, tls, headers })
}

const proxyOrigin = (p: Proxy): string | null => {
  const url = `${p.protocol}://${p.host.includes(':') && !p.host.startsWith('[') ? `[${p.host}]` : p.host}:${p.port}`
  return URL.canParse(url) ? new URL(url).origin : null
}

const isWithheld = (v: unknown): v is Withheld =>
  typeof v === 'object' &&
  v !== null &&
  (v as { _tag?: unknown })._tag === 'Withheld' &&
  typeof (v as { field?: unknown }).field === 'string'

/** The withheld values in a JSON value (at most `max`), in document order, walked with a stack of its own (any depth). */
const withheldIn = (root: Json, max = 10): ReadonlyArray<Withheld> => {
  const found: Withheld[] = []
  const stack: Json[] = [root]
  while (stack.length > 0 && found.length < max) {
    const v = stack.pop()
    if (typeof v !== 'object' || v === null) continue
    if (isWithheld(v)) found.push(v)
    else {
      const children = Array.isArray(v) ? (v as ReadonlyArray<Json>) : Object.values(v)
      for (let i = children.length - 1; i >= 0; i--) stack.push(children[i] as Json)
    }
  }
  return found
}

/**
 * The body fields a template withheld (JSON members, form fields, multipart text fields), as a
 * message naming them; null when there is none.
 * @example
 * withheldBodyField(req) // 'body.password was not saved in the template: set the body again'
 * @internal
 */
export const withheldBodyField = (req: Request): string | null => {
  const b = req.body
  const found =
    b._tag === 'Json'
      ? withheldIn(b.value)
      : b._tag === 'Form'
        ? withheldIn(b.fields.map(([, v]) => v))
        : b._tag === 'Multipart'
          ? b.parts.flatMap((p) => (p._tag === 'Field' && isWithheld(p.value) ? [p.value] : []))
          : []
  if (found.length === 0) return null
  const names = found.map((w) => w.field).join(', ')
  return `${names} ${found.length === 1 ? 'was' : 'were'} not saved in the template: set the body again`
}

/**
 * The first query param a template withheld, as a message naming it; null when there is none.
 * @example
 * withheldParam([['token', { _tag: 'Withheld', field: 'params.token' }]]) // 'the query param token was not saved …'
 * @internal
 */
export const withheldParam = (params: Request['params']): string | null => {
  const found = params.find(
    ([, v]) =>
      typeof v === 'object' && v !== null && !Array.isArray(v) && (v as { _tag?: unknown })._tag === 'Withheld',
  )
  return found === undefined
    ? null
    : `the query param ${found[0]} was not saved in the template: set it again (addUrlParameter)`
}

/**
 * The values of a request's references, to be masked in its log like every literal secret.
 * @example
 * referencedValues(req, env.secrets) // ['t0k']
 * @internal
 */
export const referencedValues = (req: Request, r: Resolved): ReadonlyArray<string> =>
  req.headers.flatMap(([, v], i) => (typeof v === 'string' ? [] : [r.headers[i]?.[1] ?? '']))

/**
 * The values of secret-named path params (`/bot{token}/…`) as they appear in the URL (encoded)
 * and as given: masked in the run's log, errors and `toCurl`, as secret query params are.
 * @example
 * secretPathValues({ ...req, pathParams: [['token', '1:ab'], ['id', 7]] }) // ['1%3Aab', '1:ab']
 */
export const secretPathValues = (req: Pick<Request, 'pathParams'>): ReadonlyArray<string> =>
  (Array.isArray(req.pathParams) ? req.pathParams : []).flatMap(([name, value]) =>
    typeof value === 'boolean' || !isSecretParam(name) ? [] : [encodeComponent(String(value)), String(value)],
  )
