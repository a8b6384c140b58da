/**
 * The Request value: plain, readonly, JSON-serialisable data describing a request.
 * No functions, class instances or streams live inside it; bytes are kept as base64 text and
 * files as path references, so `JSON.stringify` of a Request is a template that
 * {@link RequestCodec} can load back.
 * @module
 */
import type { Log } from './log.js'
import type { Secret } from './secret.js'
import type { MultipartBody } from './multipart.js'

import { defaultSettings, type Settings } from './settings.js'
import type { Endomorphism } from 'fp-ts/lib/Endomorphism.js'

/**
 * A JSON value.
 * @example
 * const j: Json = { a: [1, 'two', null, true] }
 * @category request
 * @since 0.1.0
 */
export type Json = null | boolean | number | string | ReadonlyArray<Json> | { readonly [key: string]: Json }

/**
 * Where body bytes come from: in-memory bytes (base64), text (encoded with the request's
 * encoding when it runs), a file (streamed when it runs) or a URL (downloaded when it runs).
 * @example
 * const s: Source = { _tag: 'File', path: './photo.jpg' }
 * @category request
 * @since 0.1.0
 */
export type Source =
  | { readonly _tag: 'Bytes'; readonly base64: string }
  | { readonly _tag: 'Text'; readonly text: string }
  | { readonly _tag: 'File'; readonly path: string }
  | { readonly _tag: 'Url'; readonly url: string }

/**
 * An ordered list of name/value pairs (URL params, form fields).
 * @example
 * const p: Pairs = [['q', 'fp-ts'], ['page', 2]]
 * @inline
 * @category request
 * @since 0.1.0
 */
export type Pairs = ReadonlyArray<readonly [string, Json]>

/**
 * The value of a `{name}` placeholder in the URL path (`setPathParams`): one path segment.
 * @example
 * const id: PathParamValue = 42
 * @inline
 * @category request
 * @since 0.3.0
 */
export type PathParamValue = string | number | boolean

/**
 * The request body as data. `Json` and `Form` bodies are built whole or field by field
 * (`collection: true` after `initializeJsonBody`/`initializeFormBody`); `Multipart` part by part.
 * `JsonText` is JSON text given to `setJsonBody` (checked, then sent exactly as written: no digit
 * of a big number or duplicate key lost); a step that adds a field to it reads it into a `Json`
 * value first.
 * @example
 * const b: Body = { _tag: 'Json', value: { a: 1 }, collection: false }
 * @category bodies
 * @since 0.1.0
 */
export type Body =
  | { readonly _tag: 'None' }
  | { readonly _tag: 'Binary'; readonly source: Source }
  | { readonly _tag: 'String'; readonly text: string; readonly bom: boolean }
  | { readonly _tag: 'Json'; readonly value: Json; readonly collection: boolean }
  | { readonly _tag: 'JsonText'; readonly text: string }
  | { readonly _tag: 'Form'; readonly fields: Pairs; readonly collection: boolean }
  | { readonly _tag: 'FormText'; readonly text: string }
  | MultipartBody

/**
 * The authorization scheme (one at a time; the last one set wins). Its credentials are `S`: in a
 * Request a {@link Secret} (a value or a `secretFromEnv` reference), once prepared a string.
 * @example
 * const a: Auth = { _tag: 'Bearer', token: 't0k' }
 * @category auth
 * @since 0.1.0
 */
export type Auth<S = Secret> =
  | { readonly _tag: 'None' }
  | { readonly _tag: 'Basic'; readonly user: string; readonly password: S }
  | { readonly _tag: 'Bearer'; readonly token: S }
  | Aws4Auth<S>
  | OAuth1Auth<S>
  | { readonly _tag: 'Digest'; readonly user: string; readonly password: S }

/**
 * An auth scheme with its secrets resolved, as a prepared request and the executor hold it.
 * @example
 * const a: ResolvedAuth = { _tag: 'Basic', user: 'ann', password: 's3cret' }
 * @category auth
 * @since 0.2.0
 */
export type ResolvedAuth = Auth<string>

/**
 * AWS Signature V4 credentials and scope, signed when the request runs.
 * @example
 * const a: Aws4Auth = { _tag: 'Aws4', accessKey: 'AKID', secretKey: 'SECRET', region: 'us-east-1', service: 's3', sessionToken: null, unsignedPayload: false }
 * @category auth
 * @since 0.1.0
 */
export interface Aws4Auth<S = Secret> {
  readonly _tag: 'Aws4'
  readonly accessKey: string
  readonly secretKey: S
  readonly region: string
  readonly service: string
  readonly sessionToken: S | null
  readonly unsignedPayload: boolean
}

/**
 * OAuth 1.0a signature method: `HMAC`, `RSA` (consumer secret is a PEM private key) or
 * `PLAINTEXT`, with `SHA1` or `SHA256`.
 * @example
 * const m: OAuth1Algorithm = 'HMAC'
 * @inline
 * @category auth
 * @since 0.1.0
 */
export type OAuth1Algorithm = 'HMAC' | 'RSA' | 'PLAINTEXT'

/**
 * OAuth 1.0a credentials and signature method, signed when the request runs.
 * @example
 * const o: OAuth1Auth = { _tag: 'OAuth1', token: 't', tokenSecret: 'ts', consumerKey: 'ck', consumerSecret: 'cs', version: '1.0', algorithm: 'HMAC', hash: 'SHA256' }
 * @category auth
 * @since 0.1.0
 */
export interface OAuth1Auth<S = Secret> {
  readonly _tag: 'OAuth1'
  readonly token: S
  readonly tokenSecret: S
  readonly consumerKey: string
  readonly consumerSecret: S
  readonly version: string
  readonly algorithm: OAuth1Algorithm
  readonly hash: 'SHA1' | 'SHA256'
}

/**
 * An HTTP or HTTPS proxy.
 * @example
 * const p: Proxy = { protocol: 'http', host: '127.0.0.1', port: 3128, user: null, password: null }
 * @category request
 * @since 0.1.0
 */
export interface Proxy<S = Secret> {
  readonly protocol: 'http' | 'https'
  readonly host: string
  readonly port: number
  readonly user: string | null
  readonly password: S | null
}

/**
 * PEM text, or a file holding it (read when the request runs).
 * @example
 * const pem: Pem = { _tag: 'File', path: './ca.pem' }
 * @inline
 * @category request
 * @since 0.1.0
 */
export type Pem = string | { readonly _tag: 'File'; readonly path: string }

/**
 * TLS options: trust a private CA, present a client certificate.
 * @example
 * const tls: Tls = { ca: { _tag: 'File', path: './ca.pem' }, cert: null, key: null, passphrase: null, rejectUnauthorized: true }
 * @category request
 * @since 0.1.0
 */
export interface Tls<S = Secret> {
  readonly ca: Pem | null
  readonly cert: Pem | null
  readonly key: Pem | null
  readonly passphrase: S | null
  readonly rejectUnauthorized: boolean
}

/**
 * The invalid input a step received: recorded in the Request, after which every step is a
 * no-op and running the request returns it as an `InvalidInput` error.
 * @example
 * const e: StepError = { step: 'setJsonBody', message: 'setJsonBody: invalid JSON text' }
 * @inline
 * @category request
 * @since 0.1.0
 */
export interface StepError {
  readonly step: string
  readonly message: string
}

/**
 * An HTTP request as an immutable value. Build it with the steps (`initialize`, `setUrl`,
 * `addHeader`, `setJsonBody`, …) and run it with `processRequest`.
 * @example
 * const req: Request = pipe(newRequest(), initialize('http://127.0.0.1:8080/get'))
 * @category request
 * @since 0.1.0
 */
export interface Request {
  readonly _tag: 'Request'
  readonly initialized: boolean
  /** the URL, or a path (`/users`) joined onto `baseUrl` when the request runs */
  readonly url: string | null
  /** the base of a relative URL (`setBaseUrl`) */
  readonly baseUrl: string | null
  readonly params: Pairs
  /** values of the `{name}` placeholders in the URL path, filled when the request is prepared (`setPathParams`) */
  readonly pathParams: ReadonlyArray<readonly [string, PathParamValue]>
  /** user headers; a value may be a `secretFromEnv` reference */
  readonly headers: ReadonlyArray<readonly [string, Secret]>
  readonly dataType: string | null
  readonly body: Body
  readonly auth: Auth
  readonly settings: Settings
  readonly responseFile: string | null
  readonly proxy: Proxy | null
  readonly tls: Tls | null
  readonly error: StepError | null
  readonly log: Log
}

/**
 * A builder step: a pure function from a Request to the next (fp-ts `Endomorphism<Request>`).
 * Every builder (`setUrl`, `addHeader`, `setJsonBody`, …) returns one; steps compose with
 * `pipe` and `flow`, and a step is a no-op once the Request holds an error.
 * @example
 * const api: Step = flow(setBaseUrl('https://api.example.com/v2'), addHeader('Accept', 'application/json'))
 * pipe(newRequest(), api, setUrl('/users')).baseUrl // 'https://api.example.com/v2'
 * @category request
 * @since 0.3.0
 */
export type Step = Endomorphism<Request>

/**
 * An empty, not yet initialized Request.
 * @example
 * const req = newRequest() // { _tag: 'Request', initialized: false, url: null, … }
 * @category request
 * @since 0.1.0
 */
export const newRequest = (): Request => ({
  _tag: 'Request',
  initialized: false,
  url: null,
  baseUrl: null,
  params: [],
  pathParams: [],
  headers: [],
  dataType: null,
  body: { _tag: 'None' },
  auth: { _tag: 'None' },
  settings: defaultSettings,
  responseFile: null,
  proxy: null,
  tls: null,
  error: null,
  log: [],
})
