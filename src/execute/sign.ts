/**
 * Signing an attempt with the schemes that sign the request itself (AWS4, OAuth1), run by
 * prepareRequest and again before every attempt and same-origin redirect.
 * @module
 */
import { createHash } from 'node:crypto'
import * as iconv from 'iconv-lite'
import { createReadStream } from 'node:fs'
import * as E from 'fp-ts/lib/Either.js'
import { signAws4 } from '../auth/aws4.js'
import { makeNonce, oauth1Header } from '../auth/oauth1.js'
import { findHeader, putHeader, type HeaderList } from '../headers.js'
import type { Auth, Settings } from '../request/model.js'
import type { PreparedBody } from './prepare.js'

/**
 * Why signing failed: the body file could not be read, or the scheme could not sign.
 * @example
 * const f: SignFailure = { kind: 'auth', message: 'AWS4 signing failed: …' }
 */
export type SignFailure = { readonly kind: 'auth'; readonly message: string } | { readonly kind: 'file'; readonly path: string; readonly code: string }

/**
 * Hashes of the body by algorithm (`sha256`, `md5`, …), computed once per run; file bodies are
 * streamed through the hash, never loaded whole.
 * @example
 * const hashes = bodyHasher({ _tag: 'File', path: './big.bin', size: 1 << 30 })
 * await hashes('sha256')
 */
export type BodyHasher = (algorithm: string) => Promise<E.Either<SignFailure, string>>

/**
 * A hasher of one body, caching each algorithm's result.
 * @example
 * await bodyHasher({ _tag: 'Bytes', bytes: new Uint8Array([1]) })('sha256')
 */
export const bodyHasher = (body: PreparedBody): BodyHasher => {
  const cache = new Map<string, Promise<E.Either<SignFailure, string>>>()
  const compute = async (algorithm: string): Promise<E.Either<SignFailure, string>> => {
    const h = createHash(algorithm)
    if (body._tag === 'Bytes') return E.right(h.update(body.bytes).digest('hex'))
    if (body._tag !== 'File') return E.right(h.digest('hex'))
    try {
      for await (const chunk of createReadStream(body.path)) h.update(chunk as Buffer)
      return E.right(h.digest('hex'))
    } catch (e) {
      return E.left({ kind: 'file', path: body.path, code: String((e as NodeJS.ErrnoException).code ?? e) })
    }
  }
  return (algorithm) => {
    const found = cache.get(algorithm)
    if (found !== undefined) return found
    const p = compute(algorithm)
    cache.set(algorithm, p)
    return p
  }
}

/**
 * The body fields OAuth1 includes (with `useBodyFieldsAtOAuth`): the fields of a form body,
 * or the top-level fields of a JSON object body (values as text, objects as JSON).
 * @example
 * oauthBodyFields([['Content-Type', 'application/x-www-form-urlencoded']], { _tag: 'Bytes', bytes: Buffer.from('a=1') }) // [['a', '1']]
 */
export const oauthBodyFields = (headers: HeaderList, body: PreparedBody, encoding = 'utf-8'): ReadonlyArray<readonly [string, string]> => {
  if (body._tag !== 'Bytes') return []
  const type = (findHeader(headers, 'content-type') ?? '').toLowerCase()
  const bytes = Buffer.from(body.bytes.buffer, body.bytes.byteOffset, body.bytes.byteLength)
  const text = bytes.toString('utf8')
  if (type.startsWith('application/x-www-form-urlencoded')) return decodeForm(bytes.toString('latin1'), encoding)
  if (type.startsWith('application/json')) {
    try {
      const v: unknown = JSON.parse(text)
      if (typeof v !== 'object' || v === null || Array.isArray(v)) return []
      return Object.entries(v).map(([k, x]) => [k, typeof x === 'string' ? x : JSON.stringify(x)] as const)
    } catch {
      return []
    }
  }
  return []
}

/**
/**
 * Parses `application/x-www-form-urlencoded` text whose escapes are bytes in `encoding`.
 * @example
 * decodeForm('a=%E6&b+c=1', 'windows-1251') // [['a', 'ж'], ['b c', '1']]
 */
export const decodeForm = (text: string, encoding: string): ReadonlyArray<readonly [string, string]> => {
  const decode = (s: string): string =>
    iconv.decode(Buffer.from(s.replace(/\+/g, ' ').replace(/%([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1'), encoding)
  return text
    .split('&')
    .filter((p) => p !== '')
    .map((p) => {
      const i = p.indexOf('=')
      return i === -1 ? ([decode(p), ''] as const) : ([decode(p.slice(0, i)), decode(p.slice(i + 1))] as const)
    })
}

/**
 * One attempt to sign.
 * @example
 * const a: SignAttempt = { auth, method: 'GET', url, headers, body: { _tag: 'None' }, settings, now: Date.now(), random: Math.random, hash: bodyHasher({ _tag: 'None' }) }
 */
export interface SignAttempt {
  readonly auth: Auth
  readonly method: string
  readonly url: string
  readonly headers: HeaderList
  readonly body: PreparedBody
  readonly settings: Settings
  readonly now: number
  readonly random: () => number
  readonly hash: BodyHasher
}

/**
 * The headers of an attempt, signed by its scheme (unchanged for schemes that do not sign the
 * request: Basic and Bearer are already in the headers, Digest answers challenges).
 * @example
 * await signAttempt({ auth: { _tag: 'Aws4', … }, method: 'PUT', … }) // right([… ['Authorization', 'AWS4-HMAC-SHA256 …']])
 */
export const signAttempt = async (a: SignAttempt): Promise<E.Either<SignFailure, HeaderList>> => {
  const auth = a.auth
  if (auth._tag === 'Aws4') {
    let payloadHash: string | null = null
    if (!auth.unsignedPayload) {
      const h = await a.hash('sha256')
      if (E.isLeft(h)) return h
      payloadHash = h.right
    }
    return E.mapLeft((message: string): SignFailure => ({ kind: 'auth', message }))(
      signAws4(auth, { method: a.method, url: a.url, headers: a.headers, payloadHash, now: a.now }),
    )
  }
  if (auth._tag === 'OAuth1') {
    const header = oauth1Header(auth, {
      method: a.method,
      url: a.url,
      bodyFields: a.settings.bodyFieldsAtOAuth ? oauthBodyFields(a.headers, a.body, a.settings.encoding) : [],
      timestamp: String(Math.floor(a.now / 1000)),
      nonce: makeNonce(a.random),
    })
    return E.bimap(
      (message: string): SignFailure => ({ kind: 'auth', message }),
      (value: string) => putHeader(a.headers, 'Authorization', value),
    )(header)
  }
  return E.right(a.headers)
}
