/**
 * OAuth 1.0a (RFC 5849) request signing: HMAC-SHA1, HMAC-SHA256 (default, as OPI), RSA-SHA1,
 * RSA-SHA256 and PLAINTEXT, signed when the request runs with `env.now` and `env.random`.
 * @module
 */
import { isSecretRef, type SecretRef } from '../model/secret.js'
import { createHmac, createPrivateKey, sign as rsaSign, type KeyObject } from 'node:crypto'
import * as E from 'fp-ts/lib/Either.js'
import { SECRET } from '../model/log.js'
import { putHeader } from '../model/headers.js'
import type { SignFailure } from '../model/prepared.js'
import type { OAuth1Algorithm, OAuth1Auth, Step } from '../model/request.js'
import { oauthBodyFields } from './oauth1-fields.js'
import type { Scheme } from './schemes.js'
import { isLineText } from '../model/valid.js'
import { change, invalid, makeStep } from '../steps/step.js'
import { encodeComponent } from '../encoding/url.js'

/** The consumer secret may span lines: with RSA it is a PEM private key. */
const isSecretText = (v: unknown): v is string => typeof v === 'string' && !v.includes('\0')

/**
 * The RSA private key of a consumer secret, or why it cannot sign RSA-SHA1/RSA-SHA256 (an
 * unencrypted PEM RSA private key is needed: not a public key, not an EC key, not encrypted).
 * The reason never quotes the secret.
 */
const rsaKey = (pem: string): E.Either<string, KeyObject> => {
  try {
    const key = createPrivateKey(pem)
    return key.asymmetricKeyType === 'rsa'
      ? E.right(key)
      : E.left(`RSA needs an RSA private key, and the consumer secret is a ${key.asymmetricKeyType ?? 'different'} key`)
  } catch {
    return E.left('RSA needs the consumer secret to be an unencrypted PEM private key, and it is not one')
  }
}
const rsaKeyProblem = (pem: string): string | null =>
  E.match(
    (why: string) => why,
    () => null,
  )(rsaKey(pem))

/**
 * Signs the request with OAuth 1.0a when it runs (HMAC-SHA256 unless `setOAuthV1Algorithm`
 * says otherwise). An empty token means two-legged OAuth (no `oauth_token`); an empty
 * version leaves `oauth_version` out. With RSA the consumer secret is a PEM private key (it may
 * span lines; the other arguments may not hold CR or LF). Adding again keeps the chosen method.
 * @example
 * pipe(req, addOAuthV1Authorization('token', 'tokenSecret', 'consumerKey', 'consumerSecret'))
 * @category auth
 * @since 0.1.0
 */
export const addOAuthV1Authorization = (
  token: string | SecretRef,
  secret: string | SecretRef,
  consumerKey: string,
  consumerSecret: string | SecretRef,
  version = '1.0',
): Step =>
  makeStep('addOAuthV1Authorization', (req) => {
    if (
      ![token, secret].every((x) => isSecretRef(x) || isLineText(x)) ||
      ![consumerKey, version].every(isLineText) ||
      !(isSecretRef(consumerSecret) || isSecretText(consumerSecret))
    )
      return invalid(
        'token, secret, consumer key, consumer secret and version must be strings without CR, LF or NUL (the consumer secret may span lines: a PEM key)',
      )
    if (consumerKey === '') return invalid('the consumer key must not be empty')
    const prev = req.auth._tag === 'OAuth1' ? req.auth : null
    if (prev?.algorithm === 'RSA' && typeof consumerSecret === 'string') {
      const problem = rsaKeyProblem(consumerSecret)
      if (problem !== null) return invalid(`the signature method is ${methodName(prev)}: ${problem}`)
    }
    const auth: OAuth1Auth = {
      _tag: 'OAuth1',
      token,
      tokenSecret: secret,
      consumerKey,
      consumerSecret,
      version,
      algorithm: prev?.algorithm ?? 'HMAC',
      hash: prev?.hash ?? 'SHA256',
    }
    return change(
      { auth },
      `OAuth1 authorization set: consumer key ${consumerKey}, token ${SECRET}, secrets ${SECRET}, ${methodName(auth)}`,
    )
  })

/**
 * The `oauth_signature_method` of an OAuth1 auth.
 * @example
 * methodName({ algorithm: 'HMAC', hash: 'SHA1' }) // 'HMAC-SHA1'
 */
export const methodName = (a: Pick<OAuth1Auth, 'algorithm' | 'hash'>): string =>
  a.algorithm === 'PLAINTEXT' ? 'PLAINTEXT' : `${a.algorithm}-${a.hash}`

/**
 * Chooses the OAuth1 signature method; OAuth1 must be set first. RSA takes the consumer
 * secret as a PEM private key, checked here.
 * @example
 * pipe(req, addOAuthV1Authorization('token', 'tokenSecret', 'consumerKey', 'consumerSecret'), setOAuthV1Algorithm('HMAC', 'SHA1'))
 * // RSA: the consumer secret is the PEM private key
 * pipe(req, addOAuthV1Authorization('token', 'tokenSecret', 'consumerKey', '-----BEGIN PRIVATE KEY-----…'), setOAuthV1Algorithm('RSA', 'SHA1')).error?.step // 'setOAuthV1Algorithm'
 * @category auth
 * @since 0.1.0
 */
export const setOAuthV1Algorithm = (algorithm: OAuth1Algorithm, hash: 'SHA1' | 'SHA256'): Step =>
  makeStep('setOAuthV1Algorithm', (req) => {
    if (req.auth._tag !== 'OAuth1') return invalid('OAuth1 is not set: call addOAuthV1Authorization first')
    if (algorithm !== 'HMAC' && algorithm !== 'RSA' && algorithm !== 'PLAINTEXT')
      return invalid(`unknown algorithm ${JSON.stringify(String(algorithm))} (HMAC, RSA or PLAINTEXT)`)
    if (hash !== 'SHA1' && hash !== 'SHA256')
      return invalid(`unknown hash ${JSON.stringify(String(hash))} (SHA1 or SHA256)`)
    // a key given as secretFromEnv is checked when it is read, at send time
    if (algorithm === 'RSA' && typeof req.auth.consumerSecret === 'string') {
      const problem = rsaKeyProblem(req.auth.consumerSecret)
      if (problem !== null) return invalid(problem)
    }
    const auth: OAuth1Auth = { ...req.auth, algorithm, hash }
    return change({ auth }, `OAuth1 signature method ${methodName(auth)}`)
  })

const UNRESERVED = /^[A-Za-z0-9._~-]*$/
/** What `encodeURIComponent` keeps that RFC 3986 does not count as unreserved. */
const SUB_DELIMS = /[!'()*]/g
const escapeSubDelim = (c: string): string => `%${c.charCodeAt(0).toString(16).toUpperCase()}`

/**
 * Percent-encoding of RFC 5849 §3.6 (unreserved characters kept, uppercase hex, UTF-8): text
 * that needs none is returned as it is, the rest through the engine's `encodeURIComponent`
 * (a lone surrogate, which it refuses, is written as U+FFFD, as the bytes encoder writes it).
 * @example
 * oauthEncode('a b+c') // 'a%20b%2Bc'
 */
export const oauthEncode = (s: string): string => {
  if (UNRESERVED.test(s)) return s
  try {
    return encodeURIComponent(s).replace(SUB_DELIMS, escapeSubDelim)
  } catch {
    return encodeComponent(s)
  }
}

/**
 * What OAuth1 signs besides the credentials.
 * @example
 * const i: OAuth1Input = { method: 'GET', url: 'http://h/p?a=1', bodyFields: [], timestamp: '1318622958', nonce: 'kllo9940pd9333jh' }
 */
export interface OAuth1Input {
  readonly method: string
  readonly url: string
  /** form (or, when enabled, JSON) body fields to include, already decoded */
  readonly bodyFields: ReadonlyArray<readonly [string, string]>
  readonly timestamp: string
  readonly nonce: string
}

/**
 * The `oauth_*` protocol parameters (without the signature).
 * @example
 * oauthParams(auth, '1318622958', 'kllo9940pd9333jh')
 */
export const oauthParams = (
  auth: OAuth1Auth<string>,
  timestamp: string,
  nonce: string,
): ReadonlyArray<readonly [string, string]> => [
  ['oauth_consumer_key', auth.consumerKey],
  ['oauth_nonce', nonce],
  ['oauth_signature_method', methodName(auth)],
  ['oauth_timestamp', timestamp],
  ...(auth.token === '' ? [] : [['oauth_token', auth.token] as const]),
  ...(auth.version === '' ? [] : [['oauth_version', auth.version] as const]),
]

/**
 * The signature base string of RFC 5849 §3.4.1: method (uppercase, encoded: custom methods may
 * hold characters such as `!`), base string URI, and the normalized parameters (query, body
 * fields, `oauth_*`), each encoded, sorted by name then value.
 * @example
 * baseString('POST', 'http://example.com/request?b5=%3D%253D', [['c2', '']], params)
 */
export const baseString = (
  method: string,
  url: string,
  bodyFields: ReadonlyArray<readonly [string, string]>,
  protocol: ReadonlyArray<readonly [string, string]>,
): string => {
  const u = new URL(url)
  const baseUri = `${u.protocol}//${u.host}${u.pathname}`
  const query = [...new URLSearchParams(u.search)]
  const pairs = [...query, ...bodyFields, ...protocol]
    .map(([k, v]) => [oauthEncode(k), oauthEncode(v)] as const)
    .sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
  return [
    oauthEncode(method.toUpperCase()),
    oauthEncode(baseUri),
    oauthEncode(pairs.map(([k, v]) => `${k}=${v}`).join('&')),
  ].join('&')
}

/**
 * The signature of a base string.
 * @example
 * signature(auth, base) // 'tR3+Ty81lMeYAr/Fid0kMTYa/WM='
 */
export const signature = (auth: OAuth1Auth<string>, base: string): E.Either<string, string> => {
  const key = `${oauthEncode(auth.consumerSecret)}&${oauthEncode(auth.tokenSecret)}`
  const alg = auth.hash === 'SHA1' ? 'sha1' : 'sha256'
  switch (auth.algorithm) {
    case 'PLAINTEXT':
      return E.right(key)
    case 'HMAC':
      return E.right(createHmac(alg, key).update(base).digest('base64'))
    case 'RSA': {
      const failed = (why: string): string => `${methodName(auth)} signing failed: ${why}`
      const key = rsaKey(auth.consumerSecret)
      if (E.isLeft(key)) return E.left(failed(key.left))
      return E.tryCatch(
        () => rsaSign(alg, Buffer.from(base, 'utf8'), key.right).toString('base64'),
        () => failed('the consumer secret is not a usable RSA private key'),
      )
    }
  }
}

/**
 * The Authorization header value: `OAuth oauth_consumer_key="…", …, oauth_signature="…"`.
 * @example
 * oauth1Header(auth, { method: 'GET', url, bodyFields: [], timestamp: '137131200', nonce: 'wIjqoS' })
 */
export const oauth1Header = (auth: OAuth1Auth<string>, input: OAuth1Input): E.Either<string, string> => {
  const protocol = oauthParams(auth, input.timestamp, input.nonce)
  const base = baseString(input.method, input.url, input.bodyFields, protocol)
  return E.map(
    (sig: string) =>
      `OAuth ${[...protocol, ['oauth_signature', sig] as const].map(([k, v]) => `${oauthEncode(k)}="${oauthEncode(v)}"`).join(', ')}`,
  )(signature(auth, base))
}

const NONCE_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'

/**
 * A 32-character nonce from a random source.
 * @example
 * makeNonce(Math.random) // 'f3K9…'
 */
export const makeNonce = (random: () => number): string => {
  let s = ''
  for (let i = 0; i < 32; i++)
    s += NONCE_CHARS[Math.min(NONCE_CHARS.length - 1, Math.floor(random() * NONCE_CHARS.length))]
  return s
}

const authFailure = (message: string): SignFailure => ({ _tag: 'Auth', message })

/**
 * The OAuth1 scheme's record: nothing pre-emptive; every attempt signed with the run's clock
 * and randomness (the form body's fields too with `useBodyFieldsAtOAuth`).
 * @example
 * oauth1Scheme.secrets({ _tag: 'OAuth1', consumerKey: 'ck', consumerSecret: 'cs', token: 't', tokenSecret: 'ts', version: '1.0', algorithm: 'HMAC', hash: 'SHA256' }) // ['t', 'ts', 'cs']
 * @category auth
 * @since 0.3.0
 */
export const oauth1Scheme: Scheme<OAuth1Auth<string>> = {
  preemptive: () => [],
  sign: async (a, { hop, settings, now, random }) => {
    const header = oauth1Header(a, {
      method: hop.method,
      url: hop.url,
      bodyFields: settings.bodyFieldsAtOAuth ? oauthBodyFields(hop.headers, hop.body, settings.encoding) : [],
      timestamp: String(Math.floor(now / 1000)),
      nonce: makeNonce(random),
    })
    return E.bimap(authFailure, (value: string) => putHeader(hop.headers, 'Authorization', value))(header)
  },
  challenge: null,
  secrets: (a) => [a.token, a.tokenSecret, a.consumerSecret],
  crossOriginDrop: [],
}
