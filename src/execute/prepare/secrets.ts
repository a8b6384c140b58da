/**
 * Resolving a request's secrets when it runs: each `secretFromEnv` reference is read through
 * `env.secrets` (by default the process environment, read here and nowhere else); a missing
 * variable, or a value a template withheld, is an `InvalidInput` naming the field and the
 * variable, never the value.
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import type { HeaderList } from '../../model/headers.js'
import type { Proxy, Request, ResolvedAuth, Tls } from '../../model/request.js'
import type { Secret } from '../../model/secret.js'

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

const one = (s: Secret, field: string, lookup: SecretLookup): E.Either<string, string> => {
  if (typeof s === 'string') return E.right(s)
  if (s._tag === 'Withheld')
    return E.left(`${field} was not saved in the template: set it again (or give it as secretFromEnv)`)
  let v: string | undefined
  try {
    v = lookup(s.env)
  } catch {
    v = undefined
  }
  return typeof v === 'string' ? E.right(v) : E.left(`${field}: the environment variable ${s.env} is not set`)
}

const maybe = (s: Secret | null, field: string, lookup: SecretLookup): E.Either<string, string | null> =>
  s === null ? E.right(null) : one(s, field, lookup)

const resolveAuth = (a: Request['auth'], lookup: SecretLookup): E.Either<string, ResolvedAuth> => {
  switch (a._tag) {
    case 'None':
      return E.right(a)
    case 'Basic':
    case 'Digest':
      return E.map((password: string) => ({ ...a, password }))(one(a.password, 'auth.password', lookup))
    case 'Bearer':
      return E.map((token: string) => ({ ...a, token }))(one(a.token, 'auth.token', lookup))
    case 'Aws4': {
      const secretKey = one(a.secretKey, 'auth.secretKey', lookup)
      if (E.isLeft(secretKey)) return secretKey
      const sessionToken = maybe(a.sessionToken, 'auth.sessionToken', lookup)
      return E.map((t: string | null) => ({ ...a, secretKey: secretKey.right, sessionToken: t }))(sessionToken)
    }
    case 'OAuth1': {
      const token = one(a.token, 'auth.token', lookup)
      if (E.isLeft(token)) return token
      const tokenSecret = one(a.tokenSecret, 'auth.tokenSecret', lookup)
      if (E.isLeft(tokenSecret)) return tokenSecret
      const consumerSecret = one(a.consumerSecret, 'auth.consumerSecret', lookup)
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
 * Reads every reference of a request (auth, proxy password, TLS passphrase, header values).
 * Left: why one could not be read, naming the field and the variable.
 * @example
 * resolveSecrets(req, env.secrets) // right({ auth, proxy, tls, headers })
 * @internal
 */
export const resolveSecrets = (req: Request, lookup: SecretLookup): E.Either<string, Resolved> => {
  if (plain(req)) return E.right(req as unknown as Resolved) // nothing to read: the common request
  const auth = resolveAuth(req.auth, lookup)
  if (E.isLeft(auth)) return auth
  let proxy: Proxy<string> | null = null
  if (req.proxy !== null) {
    const password = maybe(req.proxy.password, 'proxy.password', lookup)
    if (E.isLeft(password)) return password
    proxy = { ...req.proxy, password: password.right }
  }
  let tls: Tls<string> | null = null
  if (req.tls !== null) {
    const passphrase = maybe(req.tls.passphrase, 'tls.passphrase', lookup)
    if (E.isLeft(passphrase)) return passphrase
    tls = { ...req.tls, passphrase: passphrase.right }
  }
  const headers: Array<readonly [string, string]> = []
  for (const [i, [n, v]] of req.headers.entries()) {
    if (typeof v === 'string') {
      headers.push([n, v])
      continue
    }
    const r = one(v, `headers[${i}] (${n})`, lookup)
    if (E.isLeft(r)) return r
    headers.push([n, r.right])
  }
  return E.right({ auth: auth.right, proxy, tls, headers })
}

/**
 * The values of a request's references, to be masked in its log like every literal secret.
 * @example
 * referencedValues(req, env.secrets) // ['t0k']
 * @internal
 */
export const referencedValues = (req: Request, r: Resolved): ReadonlyArray<string> =>
  req.headers.flatMap(([, v], i) => (typeof v === 'string' ? [] : [r.headers[i]?.[1] ?? '']))
