/**
 * AWS Signature Version 4, through the `aws4` package, signed when the request runs (on every
 * attempt and same-origin redirect), after user headers, so `x-amz-*` user headers are signed.
 * The canonical path and query are taken from the URL exactly as it is sent; aws4 applies the
 * S3 rules (path decoded and encoded once, not normalized) or the rules of other services
 * (path normalized and encoded twice).
 * @module
 */
import { isSecretInput, isSecretRef, showSecret, type SecretRef } from '../model/secret.js'
import { createHash } from 'node:crypto'
import type aws4 from 'aws4'
import { aws4Package } from './aws4-package.js'
import querystring from 'node:querystring'
import * as E from 'fp-ts/lib/Either.js'
import type { HeaderList } from '../model/headers.js'
import type { SignFailure } from '../model/prepared.js'
import type { Aws4Auth, Step } from '../model/request.js'
import type { Scheme } from './schemes.js'
import { isLineText } from '../model/valid.js'
import { change, invalid, makeStep } from '../steps/step.js'

/**
 * Options of AWS4 signing.
 * @example
 * const o: Aws4Options = { sessionToken: 'FQoGZX…', unsignedPayload: true }
 * @category auth
 * @since 0.1.0
 */
export interface Aws4Options {
  readonly sessionToken?: string | SecretRef
  readonly unsignedPayload?: boolean
}

const REGION = /^[a-z0-9-]+$/
const SERVICE = /^[a-z0-9-]+$/i

/**
 * Signs the request with AWS Signature V4 when it runs (credentials come only from the
 * arguments). `service` defaults to `s3`; `options.sessionToken` adds X-Amz-Security-Token;
 * `options.unsignedPayload` signs `UNSIGNED-PAYLOAD` instead of the body hash.
 * @example
 * pipe(req, addAws4Authorization('AKIDEXAMPLE', 'wJalrXUtnFEMI/K7MDENG', 'us-east-1'))
 * @category auth
 * @since 0.1.0
 */
export const addAws4Authorization = (
  accessKey: string,
  secretKey: string | SecretRef,
  region: string,
  service = 's3',
  options: Aws4Options = {},
): Step =>
  makeStep('addAws4Authorization', () => {
    if (typeof accessKey !== 'string' || accessKey === '' || /[\s/]/.test(accessKey))
      return invalid('the access key must be a non-empty string without spaces or slashes')
    if (!isSecretInput(secretKey) || secretKey === '')
      return invalid('the secret key must be a non-empty string or secretFromEnv(name)')
    if (typeof region !== 'string' || !REGION.test(region))
      return invalid(`invalid region ${JSON.stringify(String(region))}`)
    if (typeof service !== 'string' || !SERVICE.test(service))
      return invalid(`invalid service ${JSON.stringify(String(service))}`)
    if (typeof options !== 'object' || options === null) return invalid('options must be an object')
    const st = options.sessionToken
    if (st !== undefined && !isSecretRef(st) && !isLineText(st))
      return invalid('sessionToken must be a string without CR, LF or NUL, or secretFromEnv(name)')
    if (options.unsignedPayload !== undefined && typeof options.unsignedPayload !== 'boolean')
      return invalid('unsignedPayload must be a boolean')
    const auth: Aws4Auth = {
      _tag: 'Aws4',
      accessKey,
      secretKey,
      region,
      service: service.toLowerCase(),
      sessionToken: options.sessionToken ?? null,
      unsignedPayload: options.unsignedPayload ?? false,
    }
    return change(
      { auth },
      `AWS4 authorization set: key ${accessKey}, secret ${showSecret(auth.secretKey)}, ${region}/${auth.service}${auth.sessionToken === null ? '' : `, session token ${showSecret(auth.sessionToken)}`}${auth.unsignedPayload ? ', unsigned payload' : ''}`,
    )
  })

/** Headers AWS4 signing writes; removed before signing again. */
const SIGNATURE_HEADERS = new Set([
  'authorization',
  'x-amz-date',
  'x-amz-content-sha256',
  'x-amz-security-token',
  'host',
])

/**
 * The AWS4 timestamp (`YYYYMMDDTHHMMSSZ`) of epoch milliseconds.
 * @example
 * amzDate(Date.UTC(2015, 7, 30, 12, 36)) // '20150830T123600Z'
 */
export const amzDate = (ms: number): string => {
  const second = Math.floor(ms / 1000)
  if (second === lastDate.second) return lastDate.text
  const iso = new Date(ms).toISOString() // YYYY-MM-DDTHH:MM:SS.sssZ (a year past 9999 has more digits)
  const t = iso.indexOf('T')
  const text = `${iso.slice(0, t).replace(/-/g, '')}T${iso.slice(t + 1, t + 3)}${iso.slice(t + 4, t + 6)}${iso.slice(t + 7, t + 9)}Z`
  lastDate = { second, text }
  return text
}

/** The last timestamp written (requests signed in the same second share it). */
let lastDate = { second: Number.NaN, text: '' }

/**
 * The hex SHA-256 of bytes (the AWS4 payload hash).
 * @example
 * sha256Hex(new Uint8Array()) // 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'
 */
export const sha256Hex = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex')

/**
 * What AWS4 signs: the method, the URL as sent, the headers so far, the payload hash (hex,
 * or null for `UNSIGNED-PAYLOAD`), and the time.
 * @example
 * const s: Aws4Input = { method: 'GET', url: 'https://bucket.s3.amazonaws.com/key', headers: [], payloadHash: sha256Hex(new Uint8Array()), now: Date.now() }
 */
export interface Aws4Input {
  readonly method: string
  readonly url: string
  readonly headers: HeaderList
  readonly payloadHash: string | null
  readonly now: number
  /**
   * Whether the payload hash travels as the X-Amz-Content-Sha256 header (default true: S3
   * requires it). When false it is only signed (the last line of the canonical request), as in
   * the AWS SigV4 test suite and for services that hash the body themselves.
   */
  readonly payloadHeader?: boolean
}

/**
 * White space that JavaScript's `\s` matches but HTTP does not treat as space (U+00A0 and other
 * Unicode spaces; CR and LF never reach here). aws4 trims and collapses header values with
 * `\s`, AWS (and its SDKs) only with SP and HTAB, so such a value would be signed wrongly.
 */
const ODD_SPACE = /[^\S \t]/

/**
 * Signs: returns the headers with Authorization, X-Amz-Date, X-Amz-Content-Sha256 (and
 * X-Amz-Security-Token) set; the Host header that was signed is the one the transport sends.
 * @example
 * signAws4(auth, { method: 'GET', url: 'http://127.0.0.1:9000/bucket/key', headers: [], payloadHash: null, now: Date.now() })
 */
export const signAws4 = (auth: Aws4Auth<string>, input: Aws4Input): E.Either<string, HeaderList> => {
  const u = URL.parse(input.url)
  if (u === null) return E.left('AWS4 signing failed: the URL is not valid')
  const headers: Record<string, string> = {}
  for (const [n, v] of input.headers) if (!SIGNATURE_HEADERS.has(n.toLowerCase())) headers[n] = v
  headers['X-Amz-Date'] = amzDate(input.now)
  headers['X-Amz-Content-Sha256'] = input.payloadHash ?? 'UNSIGNED-PAYLOAD'
  if (auth.sessionToken !== null) headers['X-Amz-Security-Token'] = auth.sessionToken
  for (const n in headers)
    if (ODD_SPACE.test(headers[n] as string))
      return E.left(
        `AWS4 signing failed: header ${n} holds a space other than SP or HTAB (such as U+00A0), which aws4 would sign as a plain space`,
      )
  const payloadHeader = input.payloadHeader ?? true
  const lib = aws4Package()
  if (E.isLeft(lib)) return lib
  try {
    const signer = new lib.right.RequestSigner(
      {
        host: u.host,
        path: `${u.pathname}${u.search}`,
        method: input.method,
        service: auth.service,
        region: auth.region,
        headers,
        ...(payloadHeader ? {} : { extraHeadersToIgnore: { 'x-amz-content-sha256': true } }),
      } as aws4.Request,
      {
        accessKeyId: auth.accessKey,
        secretAccessKey: auth.secretKey,
        ...(auth.sessionToken === null ? {} : { sessionToken: auth.sessionToken }),
      },
    )
    signer.prepareRequest()
    // aws4's own parsePath rewrites the whole target with encodeURI(decodeURI(…)) when it holds
    // a character outside its safe set (`[` and `]` are enough, e.g. `k=[1,2]`): that encodes
    // the `%` of reserved escapes (`%3B` becomes `%253B`) and decodes others, so the signed
    // path or query is no longer the one sent. The canonical path and query are computed from
    // the URL exactly as it is sent instead (aws4 then applies its S3 / other-service rules).
    const query = querystring.parse(u.search.slice(1), '&', '=', { maxKeys: 0 }) as Record<string, string | string[]>
    // aws4 collects the query into a plain object, where a `__proto__` name would vanish
    if (Object.hasOwn(query, '__proto__'))
      return E.left('AWS4 signing failed: aws4 cannot sign a query parameter named __proto__')
    signer.parsedPath = { path: u.pathname, query }
    const signed = signer.sign()
    const out = Object.entries(signed.headers ?? {})
      .filter(([n]) => n.toLowerCase() !== 'host' && (payloadHeader || n.toLowerCase() !== 'x-amz-content-sha256'))
      .map(([n, v]) => [n, String(v)] as const)
    return E.right(out)
  } catch (e) {
    return E.left(`AWS4 signing failed: ${e instanceof Error ? e.message : String(e)}`)
  }
}

const authFailure = (message: string): SignFailure => ({ _tag: 'Auth', message })

/**
 * The AWS4 scheme's record: nothing pre-emptive; every attempt signed with the run's clock
 * (the payload hashed unless `unsignedPayload`); the signing headers dropped on another origin.
 * @example
 * aws4Scheme.crossOriginDrop // ['x-amz-date', 'x-amz-content-sha256', 'x-amz-security-token']
 * @category auth
 * @since 0.3.0
 */
export const aws4Scheme: Scheme<Aws4Auth<string>> = {
  preemptive: () => [],
  sign: async (a, input) => {
    let payloadHash: string | null = null
    if (!a.unsignedPayload) {
      const h = await input.hash('sha256')
      if (E.isLeft(h)) return h
      payloadHash = h.right
    }
    const { method, url, headers } = input.hop
    return E.mapLeft(authFailure)(signAws4(a, { method, url, headers, payloadHash, now: input.now }))
  },
  challenge: null,
  secrets: (a) => (a.sessionToken === null ? [a.secretKey] : [a.secretKey, a.sessionToken]),
  crossOriginDrop: ['x-amz-date', 'x-amz-content-sha256', 'x-amz-security-token'],
}
