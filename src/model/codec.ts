/**
 * RequestCodec: the io-ts codec that saves and loads Request values (templates) as JSON.
 * @module
 */
import { MAX_DEPTH, MAX_TIMER_MS, Valid } from './valid.js'
import * as t from 'io-ts'
import type { Auth, Body, Json, Pairs, Pem, Proxy, Request, Source, Tls } from './request.js'
import type { Settings } from './settings.js'
import type { Secret, SecretRef } from './secret.js'
import type { MultipartBody, Part } from './multipart.js'
import { PathParamsCodec } from './path-params.js'

const nullable = <C extends t.Mixed>(c: C) => t.union([c, t.null])

const JsonTree: t.Type<Json> = t.recursion('Json', () =>
  t.union([
    t.null,
    t.boolean,
    t.refinement(t.number, Number.isFinite, 'FiniteNumber'),
    t.string,
    t.readonlyArray(JsonTree),
    t.record(t.string, JsonTree),
  ]),
)

/**
 * Whether a value nests no deeper than `MAX_DEPTH`, found without recursion (a template may be any depth).
 * @example
 * withinDepth({ a: [1] }) // true
 * @internal
 */
export const withinDepth = (u: unknown): boolean => {
  const stack: Array<readonly [unknown, number]> = [[u, 1]]
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    const [v, depth] = top
    if (typeof v !== 'object' || v === null) continue
    if (depth > MAX_DEPTH) return false
    for (const x of Object.values(v)) stack.push([x, depth + 1])
  }
  return true
}

/**
 * JSON data (finite numbers only), nested no deeper than `MAX_DEPTH` (256) levels, as the
 * steps take it: a deeper template is refused, never walked until the stack runs out.
 * @example
 * JsonCodec.is({ a: [1, null] }) // true
 * @category request
 * @since 0.1.0
 */
export const JsonCodec: t.Type<Json> = new t.Type<Json>(
  'Json',
  (u): u is Json => withinDepth(u) && JsonTree.is(u),
  (u, c) => (withinDepth(u) ? JsonTree.validate(u, c) : t.failure(u, c, `nested deeper than ${MAX_DEPTH} levels`)),
  t.identity,
)

/**
 * The codec of a Request's fields, built by the first use of {@link RequestCodec} rather than
 * with the package (about forty io-ts codecs, which only templates use).
 */
const buildRequestFields = (): t.Type<Request, Request, unknown> => {
  const PairsCodec: t.Type<Pairs> = t.readonlyArray(t.readonly(t.tuple([t.string, JsonCodec])), 'Pairs')

  const SourceCodec: t.Type<Source> = t.union([
    t.type({ _tag: t.literal('Bytes'), base64: t.string }),
    t.type({ _tag: t.literal('Text'), text: t.string }),
    t.type({ _tag: t.literal('File'), path: t.string }),
    t.type({ _tag: t.literal('Url'), url: t.string }),
  ])

  const WithheldCodec = t.type({ _tag: t.literal('Withheld'), field: t.string })

  const PartCodec: t.Type<Part> = t.union([
    t.type({ _tag: t.literal('Field'), name: t.string, value: t.union([t.string, WithheldCodec]) }),
    t.type({
      _tag: t.literal('File'),
      name: t.string,
      filename: t.string,
      source: SourceCodec,
      mime: Valid.MediaType,
      ignoreEmpty: t.boolean,
    }),
    t.type({
      _tag: t.literal('Related'),
      source: SourceCodec,
      mime: Valid.MediaType,
      contentId: nullable(Valid.ContentId),
    }),
  ])

  const MultipartCodec: t.Type<MultipartBody> = t.type({
    _tag: t.literal('Multipart'),
    kind: t.union([t.literal('form-data'), t.literal('related'), t.literal('mixed')]),
    rootType: nullable(Valid.BareMediaType),
    parts: t.readonlyArray(PartCodec),
  })

  const BodyCodec: t.Type<Body> = t.union([
    t.type({ _tag: t.literal('None') }),
    t.type({ _tag: t.literal('Binary'), source: SourceCodec }),
    t.type({ _tag: t.literal('String'), text: t.string, bom: t.boolean }),
    t.type({ _tag: t.literal('Json'), value: JsonCodec, collection: t.boolean }),
    t.type({ _tag: t.literal('JsonText'), text: Valid.JsonText }),
    t.type({ _tag: t.literal('Form'), fields: PairsCodec, collection: t.boolean }),
    t.type({ _tag: t.literal('FormText'), text: t.string }),
    MultipartCodec,
  ])

  // `origins` (the origins a reference is bound to) is optional: kept when present, absent when not
  const SecretRefCodec: t.Type<SecretRef> = t.intersection([
    t.type({ _tag: t.literal('SecretRef'), env: t.string }),
    t.partial({ origins: t.readonlyArray(t.string) }),
  ])
  const SecretCodec: t.Type<Secret> = t.union([
    t.string,
    SecretRefCodec,
    t.type({ _tag: t.literal('Withheld'), field: t.string }),
  ])

  const AuthCodec: t.Type<Auth> = t.union([
    t.type({ _tag: t.literal('None') }),
    t.type({ _tag: t.literal('Basic'), user: t.string, password: SecretCodec }),
    t.type({ _tag: t.literal('Bearer'), token: SecretCodec }),
    t.type({
      _tag: t.literal('Aws4'),
      accessKey: t.string,
      secretKey: SecretCodec,
      region: t.string,
      service: t.string,
      sessionToken: nullable(SecretCodec),
      unsignedPayload: t.boolean,
    }),
    t.type({
      _tag: t.literal('OAuth1'),
      token: SecretCodec,
      tokenSecret: SecretCodec,
      consumerKey: t.string,
      consumerSecret: SecretCodec,
      version: t.string,
      algorithm: t.union([t.literal('HMAC'), t.literal('RSA'), t.literal('PLAINTEXT')]),
      hash: t.union([t.literal('SHA1'), t.literal('SHA256')]),
    }),
    t.type({ _tag: t.literal('Digest'), user: t.string, password: SecretCodec }),
  ])

  const Ms = t.refinement(t.number, (n): n is number => Number.isInteger(n) && n >= 0 && n <= MAX_TIMER_MS, 'Ms')

  const SettingsCodec: t.Type<Settings> = t.type({
    encoding: Valid.Encoding,
    gzip: t.boolean,
    bodyFieldsAtOAuth: t.boolean,
    urlEncoding: t.boolean,
    maxAttempts: Valid.Count,
    maxRedirects: Valid.Count,
    splitArrayParams: t.boolean,
    arraysSquareBrackets: t.boolean,
    timeout: Valid.LimitMs,
    connectTimeout: Valid.LimitMs,
    idleTimeout: Valid.LimitMs,
    deadline: nullable(Valid.LimitMs),
    retryPolicy: t.type({
      methods: t.readonlyArray(Valid.Token),
      statuses: t.readonlyArray(Valid.Status),
      baseMs: Ms,
      capMs: Ms,
      retryAfterCapMs: Ms,
    }),
    maxResponseSize: nullable(Valid.ByteCount),
    http2: t.boolean,
  })

  const ProxyCodec: t.Type<Proxy> = t.type({
    protocol: t.union([t.literal('http'), t.literal('https')]),
    host: Valid.HostName,
    port: Valid.Port,
    user: nullable(t.string),
    password: nullable(SecretCodec),
  })

  const PemCodec: t.Type<Pem> = t.union([t.string, t.type({ _tag: t.literal('File'), path: t.string })])

  const TlsCodec: t.Type<Tls> = t.type({
    ca: nullable(PemCodec),
    cert: nullable(PemCodec),
    key: nullable(PemCodec),
    passphrase: nullable(SecretCodec),
    rejectUnauthorized: t.boolean,
  })

  const LogCodec = t.readonlyArray(t.type({ at: nullable(t.number), step: t.string, message: t.string }))

  return t.type(
    {
      _tag: t.literal('Request'),
      initialized: t.boolean,
      url: nullable(Valid.RequestUrl),
      baseUrl: nullable(Valid.RequestUrl),
      params: PairsCodec,
      pathParams: PathParamsCodec,
      headers: t.readonlyArray(
        t.readonly(
          t.tuple([
            Valid.Token,
            t.union([Valid.FieldValue, SecretRefCodec, t.type({ _tag: t.literal('Withheld'), field: t.string })]),
          ]),
        ),
      ),
      dataType: nullable(Valid.MediaType),
      body: BodyCodec,
      auth: AuthCodec,
      settings: SettingsCodec,
      responseFile: nullable(t.string),
      proxy: nullable(ProxyCodec),
      tls: nullable(TlsCodec),
      error: nullable(t.type({ step: t.string, message: t.string })),
      log: LogCodec,
    },
    'Request',
  )
}

let requestFields: t.Type<Request, Request, unknown> | null = null
const fields = (): t.Type<Request, Request, unknown> => (requestFields ??= buildRequestFields())

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === 'object' && u !== null && !Array.isArray(u)

/** A saved request without `pathParams` (saved before 0.3.0) has none; settings without `http2` have it off. */
const withDefaults = (u: unknown): unknown => {
  if (!isRecord(u)) return u
  const settings = u['settings']
  const oldSettings = isRecord(settings) && !('http2' in settings)
  if ('pathParams' in u && !oldSettings) return u
  return {
    ...u,
    ...('pathParams' in u ? {} : { pathParams: [] }),
    ...(oldSettings ? { settings: { ...settings, http2: false } } : {}),
  }
}

/**
 * Decodes a saved Request (for example `JSON.parse` of a template file) and encodes one for
 * saving: bytes are base64 text and files are path references, so `JSON.stringify` of the
 * encoded value is the template. A saved request without `pathParams` or without the `http2`
 * setting (written before 0.3.0) loads with none and with HTTP/2 off.
 * @example
 * const saved = JSON.stringify(RequestCodec.encode(req))
 * const loaded = RequestCodec.decode(JSON.parse(saved)) // right(req)
 * @category request
 * @since 0.1.0
 */
export const RequestCodec: t.Type<Request, Request, unknown> = new t.Type<Request, Request, unknown>(
  'Request',
  (u): u is Request => fields().is(u),
  (u, c) => fields().validate(withDefaults(u), c),
  (a) => fields().encode(a),
)
