/**
 * An embedded, dependency-free, httpbin-like HTTP server for tests, demos and examples.
 *
 * @packageDocumentation
 */
import { createServer, validateHeaderName, validateHeaderValue } from 'node:http'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib'

// ---------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------

/**
 * Where {@link startEchoServer} listens.
 *
 * @example
 * ```ts
 * const server = await startEchoServer({ host: '127.0.0.1', port: 0 })
 * ```
 */
export interface EchoServerOptions {
  /** Interface to bind. Default `'127.0.0.1'`. */
  readonly host?: string
  /** Port to bind; `0` (the default) picks a free port. */
  readonly port?: number
}

/**
 * One request as the server received it (recorded for every route, in arrival order).
 *
 * @example
 * ```ts
 * await fetch(`${server.url}/post`, { method: 'POST', body: 'hi' })
 * const [request] = server.requests
 * request?.method // 'POST'
 * new TextDecoder().decode(request?.body) // 'hi'
 * ```
 */
export interface RecordedRequest {
  /** Request method, e.g. `'GET'`. */
  readonly method: string
  /** Request target (path and query) exactly as received. */
  readonly url: string
  /** Lower-case header name → value; repeated headers joined with `', '`. */
  readonly headers: Readonly<Record<string, string>>
  /** Header lines in order, with their original case. */
  readonly rawHeaders: ReadonlyArray<readonly [string, string]>
  /** The complete request body. */
  readonly body: Uint8Array
}

/**
 * A running echo server.
 *
 * @example
 * ```ts
 * const server = await startEchoServer()
 * try {
 *   const res = await fetch(`${server.url}/get?a=1`)
 *   console.log(await res.json()) // { method: 'GET', args: { a: '1' }, ... }
 * } finally {
 *   await server.close()
 * }
 * ```
 */
export interface EchoServer {
  /** Base URL without trailing slash, e.g. `'http://127.0.0.1:54321'`. */
  readonly url: string
  /** The port the server listens on. */
  readonly port: number
  /** Every request received so far, in order (a live view). */
  readonly requests: ReadonlyArray<RecordedRequest>
  /** How many times `/flaky/:key` was hit for `key` (0 when never). */
  hits(key: string): number
  /** Stops listening and destroys every open (keep-alive or pending) connection. Idempotent. */
  close(): Promise<void>
}

/**
 * Query-string-like record: a key maps to its value, or to all values when repeated.
 *
 * @example
 * ```ts
 * // for `?a=1&b=2&b=3`
 * const args: Params = { a: '1', b: ['2', '3'] }
 * ```
 */
export type Params = Readonly<Record<string, string | ReadonlyArray<string>>>

/**
 * A file uploaded in a `multipart/form-data` body (reported under the echo `files` key).
 *
 * @example
 * ```ts
 * const body = new FormData()
 * body.append('doc', new Blob(['hello'], { type: 'text/plain' }), 'a.txt')
 * const echo = (await (await fetch(`${server.url}/post`, { method: 'POST', body })).json()) as EchoPayload
 * echo.files['doc'] // { filename: 'a.txt', contentType: 'text/plain', size: 5, base64: 'aGVsbG8=', headers: {...} }
 * ```
 */
export interface UploadedFile {
  /** The `filename` (or decoded `filename*`) from Content-Disposition. */
  readonly filename: string
  /** The part's Content-Type, `'text/plain'` when absent (RFC 7578 default). */
  readonly contentType: string
  /** Size in bytes. */
  readonly size: number
  /** The content, base64-encoded. */
  readonly base64: string
  /** The part's headers (lower-case names). */
  readonly headers: Readonly<Record<string, string>>
}

/**
 * One part of any `multipart/*` body, in order (reported under the echo `multipart` key).
 *
 * @example
 * ```ts
 * const echo = (await res.json()) as EchoPayload
 * echo.multipart[0] // { headers: { 'content-disposition': 'form-data; name="a"' }, name: 'a', text: '1', base64: 'MQ==' }
 * ```
 */
export interface MultipartPart {
  /** The part's headers (lower-case names; repeated joined with `', '`). */
  readonly headers: Readonly<Record<string, string>>
  /** The Content-Disposition `name`, when present. */
  readonly name?: string
  /** The Content-Disposition `filename` (or decoded `filename*`), when present. */
  readonly filename?: string
  /** The content decoded as UTF-8. */
  readonly text: string
  /** The content, base64-encoded. */
  readonly base64: string
}

/**
 * The JSON document the echo routes (`/anything`, `/get`, `/post`, …) answer with.
 *
 * @example
 * ```ts
 * const res = await fetch(`${server.url}/anything/x?a=1&a=2`, { method: 'PUT', body: '{"k":1}' })
 * const echo = (await res.json()) as EchoPayload
 * echo.method // 'PUT'
 * echo.path // '/anything/x'
 * echo.args // { a: ['1', '2'] }
 * echo.json // { k: 1 }
 * ```
 */
export interface EchoPayload {
  /** Request method. */
  readonly method: string
  /** Absolute URL: `http://` + Host header + the request target as received. */
  readonly url: string
  /** The path as received (still percent-encoded), without the query. */
  readonly path: string
  /** The query string parsed. */
  readonly args: Params
  /** The query string exactly as received, without `'?'`. */
  readonly rawQuery: string
  /** Lower-case header name → value; repeated headers joined with `', '`. */
  readonly headers: Readonly<Record<string, string>>
  /** The body decoded as UTF-8. */
  readonly data: string
  /** The body, base64-encoded. */
  readonly bodyBase64: string
  /** The body size in bytes. */
  readonly bodyLength: number
  /** The body parsed as JSON, or `null` when it is empty or not JSON. */
  readonly json: unknown
  /** Urlencoded fields, or the text fields of a `multipart/form-data` body; `{}` otherwise. */
  readonly form: Params
  /** Files of a `multipart/form-data` body by field name (the last one wins when a name repeats). */
  readonly files: Readonly<Record<string, UploadedFile>>
  /** Every part of a `multipart/*` body, in order; `[]` otherwise. */
  readonly multipart: ReadonlyArray<MultipartPart>
}

// ---------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------

/** A client error, answered with 400 and `{ error: message }`. */
class BadRequest extends Error {
  override readonly name = 'BadRequest'
}

const badRequest = (message: string): BadRequest => new BadRequest(message)

type HeaderValue = string | number | ReadonlyArray<string>
type HeaderList = ReadonlyArray<readonly [string, HeaderValue]>

const EMPTY = Buffer.alloc(0)
const JSON_TYPE: readonly [string, string] = ['Content-Type', 'application/json']
const CHUNK_SIZE = 64 * 1024
const MAX_BYTES = 100 * 1024 * 1024

/** Groups pairs by key: one value → string, several → string[]. */
const groupPairs = (pairs: Iterable<readonly [string, string]>): Record<string, string | string[]> => {
  const grouped = new Map<string, string[]>()
  for (const [key, value] of pairs) {
    const values = grouped.get(key)
    if (values === undefined) grouped.set(key, [value])
    else values.push(value)
  }
  return Object.fromEntries([...grouped].map(([key, values]) => [key, values.length === 1 ? (values[0] ?? '') : values]))
}

/** Lower-cases header names and joins repeated ones with `', '`. */
const headerRecord = (pairs: Iterable<readonly [string, string]>): Record<string, string> => {
  const grouped = new Map<string, string[]>()
  for (const [name, value] of pairs) {
    const key = name.toLowerCase()
    grouped.set(key, [...(grouped.get(key) ?? []), value])
  }
  return Object.fromEntries([...grouped].map(([key, values]) => [key, values.join(', ')]))
}

/** Node's flat `rawHeaders` array as `[name, value]` pairs. */
const rawHeaderPairs = (raw: ReadonlyArray<string>): Array<readonly [string, string]> => {
  const pairs: Array<readonly [string, string]> = []
  for (let i = 0; i + 1 < raw.length; i += 2) pairs.push([raw[i] ?? '', raw[i + 1] ?? ''])
  return pairs
}

/** Parses a decimal integer in `[min, max]`, or throws {@link BadRequest}. */
const parseInteger = (raw: string, label: string, min: number, max: number): number => {
  const value = /^\d{1,20}$/.test(raw) ? Number(raw) : Number.NaN
  if (!(value >= min && value <= max)) throw badRequest(`${label} must be an integer between ${min} and ${max}`)
  return value
}

/** Throws {@link BadRequest} unless `name: value` is a valid response header. */
const checkHeader = (name: string, value: string | ReadonlyArray<string>): void => {
  try {
    validateHeaderName(name)
    for (const item of typeof value === 'string' ? [value] : value) validateHeaderValue(name, item)
  } catch {
    throw badRequest(`invalid response header: ${JSON.stringify(name)}`)
  }
}

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text) as unknown
  } catch {
    return null
  }
}

/** A header value split into its lower-case main token and its (lower-case named) parameters. */
interface HeaderParts {
  readonly value: string
  readonly params: Readonly<Record<string, string>>
}

/** Parses `type; a=b; c="d \"e\""` (Content-Type, Content-Disposition). */
const parseHeaderParams = (header: string): HeaderParts => {
  const semicolon = header.indexOf(';')
  const value = (semicolon < 0 ? header : header.slice(0, semicolon)).trim().toLowerCase()
  const params = new Map<string, string>()
  const rest = semicolon < 0 ? '' : header.slice(semicolon)
  for (const match of rest.matchAll(/;\s*([^\s=;]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]*))/g)) {
    const [, name = '', quoted, token] = match
    params.set(name.toLowerCase(), quoted !== undefined ? quoted.replace(/\\(.)/g, '$1') : (token ?? '').trim())
  }
  return { value, params: Object.fromEntries(params) }
}

/** Decodes an RFC 5987 extended value (`UTF-8''%E2%82%AC.txt`); undefined when not UTF-8 or malformed. */
const decodeExtendedValue = (raw: string): string | undefined => {
  const match = /^utf-8'[^']*'(.*)$/i.exec(raw)
  if (match?.[1] === undefined) return undefined
  try {
    return decodeURIComponent(match[1])
  } catch {
    return undefined
  }
}

// ---------------------------------------------------------------------------
// Multipart
// ---------------------------------------------------------------------------

const CRLF = Buffer.from('\r\n')
const BOUNDARY = /^[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]$/
const HEADER_LINE = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+):[ \t]*(.*?)[ \t]*$/

const malformed = (reason: string): BadRequest => badRequest(`malformed multipart body: ${reason}`)

/** Parses a part's header block (`name: value` lines separated by CRLF). */
const parsePartHeaders = (block: string): Record<string, string> =>
  headerRecord(
    block.split('\r\n').map((line) => {
      const match = HEADER_LINE.exec(line)
      if (match === null) throw malformed(`invalid part header line ${JSON.stringify(line)}`)
      return [match[1] ?? '', match[2] ?? ''] as const
    }),
  )

/** Parses one part: headers, a blank line, then the content (a part may start with the blank line). */
const parsePart = (raw: Buffer): MultipartPart => {
  const separator = raw.subarray(0, 2).equals(CRLF) ? -2 : raw.indexOf('\r\n\r\n')
  if (separator === -1) throw malformed('part headers are not terminated by a blank line')
  const headers = separator < 0 ? {} : parsePartHeaders(raw.subarray(0, separator).toString('utf8'))
  const content = raw.subarray(separator < 0 ? 2 : separator + 4)
  const disposition = parseHeaderParams(headers['content-disposition'] ?? '').params
  const extended = disposition['filename*'] === undefined ? undefined : decodeExtendedValue(disposition['filename*'])
  const filename = extended ?? disposition['filename']
  return {
    headers,
    ...(disposition['name'] === undefined ? {} : { name: disposition['name'] }),
    ...(filename === undefined ? {} : { filename }),
    text: content.toString('utf8'),
    base64: content.toString('base64'),
  }
}

/**
 * Splits a multipart body on `--boundary` delimiters (RFC 2046): an optional preamble, parts each
 * introduced by `--boundary` CRLF, then `--boundary--` and an optional epilogue. Works on bytes.
 */
const parseMultipart = (body: Buffer, boundary: string): MultipartPart[] => {
  const delimiter = Buffer.from(`\r\n--${boundary}`)
  // A leading CRLF lets the first delimiter be found like the others.
  const data = Buffer.concat([CRLF, body])
  const parts: MultipartPart[] = []
  let position = data.indexOf(delimiter)
  if (position < 0) throw malformed('missing opening boundary')
  for (;;) {
    position += delimiter.length
    const after = data.subarray(position, position + 2).toString('latin1')
    if (after === '--') return parts
    if (after !== '\r\n') throw malformed('boundary must be followed by CRLF or "--"')
    const next = data.indexOf(delimiter, position + 2)
    if (next < 0) throw malformed('missing closing boundary')
    parts.push(parsePart(data.subarray(position + 2, next)))
    position = next
  }
}

/** The boundary parameter of a multipart Content-Type, validated (RFC 2046 bchars, 1..70). */
const multipartBoundary = (contentType: HeaderParts): string => {
  const boundary = contentType.params['boundary']
  if (boundary === undefined || !BOUNDARY.test(boundary)) throw malformed('missing or invalid boundary parameter')
  return boundary
}

/** The text fields and files of a `multipart/form-data` body (RFC 7578: every part needs a name). */
const formDataFields = (parts: ReadonlyArray<MultipartPart>): { form: Params; files: Record<string, UploadedFile> } => {
  const fields: Array<readonly [string, string]> = []
  const files = new Map<string, UploadedFile>()
  for (const part of parts) {
    if (part.name === undefined) throw malformed('form-data part without a name')
    if (part.filename === undefined) fields.push([part.name, part.text])
    else files.set(part.name, uploadedFile(part, part.filename))
  }
  return { form: groupPairs(fields), files: Object.fromEntries(files) }
}

const uploadedFile = (part: MultipartPart, filename: string): UploadedFile => ({
  filename,
  contentType: part.headers['content-type'] ?? 'text/plain',
  size: Buffer.byteLength(part.base64, 'base64'),
  base64: part.base64,
  headers: part.headers,
})

// ---------------------------------------------------------------------------
// Request context and responses
// ---------------------------------------------------------------------------

/** Everything a route handler needs. */
interface Context {
  readonly req: IncomingMessage
  readonly res: ServerResponse
  readonly request: RecordedRequest
  readonly body: Buffer
  /** `http://host:port` from the Host header (or the socket when absent). */
  readonly origin: string
  readonly path: string
  readonly rawQuery: string
  readonly query: URLSearchParams
  /** Decoded `:name` path parameters of the matched route. */
  readonly params: Readonly<Record<string, string>>
  readonly hits: Map<string, number>
}

type Handler = (ctx: Context) => void

/** The only response-writing primitive for whole bodies: headers, Content-Length, no body for HEAD/204/304. */
const send = (ctx: Pick<Context, 'req' | 'res'>, status: number, body: Buffer, headers: HeaderList = []): void => {
  const { res } = ctx
  for (const [name, value] of headers) res.setHeader(name, value)
  if (status === 204 || status === 304) {
    res.removeHeader('Content-Type')
    res.writeHead(status).end()
    return
  }
  res.setHeader('Content-Length', body.length)
  res.writeHead(status).end(ctx.req.method === 'HEAD' ? undefined : body)
}

const sendJson = (ctx: Pick<Context, 'req' | 'res'>, status: number, value: unknown, headers: HeaderList = []): void =>
  send(ctx, status, Buffer.from(JSON.stringify(value)), [JSON_TYPE, ...headers])

/** A `:name` path parameter of the matched route (the route table guarantees it exists). */
const param = (ctx: Context, name: string): string => ctx.params[name] ?? ''

/** An optional integer query parameter. */
const queryInteger = (ctx: Context, name: string, fallback: number, min: number, max: number): number => {
  const raw = ctx.query.get(name)
  return raw === null ? fallback : parseInteger(raw, name, min, max)
}

/** The echo document for the current request. */
const echoPayload = (ctx: Context): EchoPayload => {
  const contentType = parseHeaderParams(ctx.request.headers['content-type'] ?? '')
  const isMultipart = contentType.value.startsWith('multipart/')
  const multipart = isMultipart ? parseMultipart(ctx.body, multipartBoundary(contentType)) : []
  const data = ctx.body.toString('utf8')
  const formData = contentType.value === 'multipart/form-data' ? formDataFields(multipart) : undefined
  const urlencoded = contentType.value === 'application/x-www-form-urlencoded'
  return {
    method: ctx.request.method,
    url: /^[a-z][a-z0-9+.-]*:\/\//i.test(ctx.request.url) ? ctx.request.url : ctx.origin + ctx.request.url,
    path: ctx.path,
    args: groupPairs(ctx.query),
    rawQuery: ctx.rawQuery,
    headers: ctx.request.headers,
    data,
    bodyBase64: ctx.body.toString('base64'),
    bodyLength: ctx.body.length,
    json: ctx.body.length === 0 ? null : parseJson(data),
    form: formData?.form ?? (urlencoded ? groupPairs(new URLSearchParams(data)) : {}),
    files: formData?.files ?? {},
    multipart,
  }
}

/** Writes `length` bytes made by repeating `chunk` (whose length is a multiple of the pattern period). */
const streamRepeated = (ctx: Context, status: number, headers: HeaderList, length: number, chunk: Buffer): void => {
  const { res } = ctx
  for (const [name, value] of headers) res.setHeader(name, value)
  res.setHeader('Content-Length', length)
  res.writeHead(status)
  if (ctx.req.method === 'HEAD') return void res.end()
  let remaining = length
  const pump = (): void => {
    while (remaining > 0 && !res.destroyed) {
      const size = Math.min(remaining, chunk.length)
      remaining -= size
      if (!res.write(size === chunk.length ? chunk : chunk.subarray(0, size))) return void res.once('drain', pump)
    }
    if (!res.destroyed) res.end()
  }
  pump()
}

/** One chunk (≈64 KiB, a whole number of periods) of the periodic byte pattern `byteAt`, starting at `offset`. */
const patternChunk = (period: number, byteAt: (index: number) => number, offset = 0): Buffer => {
  const chunk = Buffer.allocUnsafe(period * Math.floor(CHUNK_SIZE / period))
  for (let i = 0; i < chunk.length; i++) chunk[i] = byteAt(offset + i)
  return chunk
}

// ---------------------------------------------------------------------------
// Route handlers
// ---------------------------------------------------------------------------

const echo: Handler = (ctx) => sendJson(ctx, 200, echoPayload(ctx))

const status: Handler = (ctx) => {
  const code = parseInteger(param(ctx, 'code'), 'status code', 200, 599)
  sendJson(ctx, code, { status: code })
}

const redirect =
  (absolute: boolean): Handler =>
  (ctx) => {
    const n = parseInteger(param(ctx, 'n'), 'n', 1, 100)
    const next = n === 1 ? '/get' : `/${absolute ? 'absolute-redirect' : 'redirect'}/${n - 1}`
    send(ctx, 302, EMPTY, [['Location', absolute ? ctx.origin + next : next]])
  }

/** The body was already drained before routing (every request is read in full). */
const redirectTo: Handler = (ctx) => {
  const location = ctx.query.get('url')
  if (location === null || location === '') throw badRequest('url is required')
  const code = queryInteger(ctx, 'status_code', 302, 300, 399)
  checkHeader('Location', location)
  send(ctx, code, EMPTY, [['Location', location]])
}

const delay: Handler = (ctx) => {
  const ms = parseInteger(param(ctx, 'ms'), 'delay', 0, 60_000)
  const payload = echoPayload(ctx)
  const timer = setTimeout(() => {
    ctx.res.off('close', cancel)
    sendJson(ctx, 200, payload)
  }, ms)
  const cancel = (): void => clearTimeout(timer)
  ctx.res.once('close', cancel)
}

interface Encoding {
  readonly header: string
  readonly flag: string
  readonly compress: (input: Buffer) => Buffer
}

const ENCODINGS = {
  gzip: { header: 'gzip', flag: 'gzipped', compress: (input) => gzipSync(input) },
  deflate: { header: 'deflate', flag: 'deflated', compress: (input) => deflateSync(input) },
  brotli: { header: 'br', flag: 'brotli', compress: (input) => brotliCompressSync(input) },
} satisfies Record<string, Encoding>

const compressed =
  (encoding: Encoding): Handler =>
  (ctx) => {
    const json = JSON.stringify({ ...echoPayload(ctx), [encoding.flag]: true })
    send(ctx, 200, encoding.compress(Buffer.from(json)), [
      JSON_TYPE,
      ['Content-Encoding', encoding.header],
      ['Vary', 'Accept-Encoding'],
    ])
  }

const bytes: Handler = (ctx) => {
  const length = parseInteger(param(ctx, 'n'), 'n', 0, MAX_BYTES)
  const seed = queryInteger(ctx, 'seed', 0, 0, Number.MAX_SAFE_INTEGER) % 256
  // (i * 31 + seed) & 255 repeats every 256 bytes, so one chunk serves the whole stream.
  const chunk = patternChunk(256, (i) => (i * 31 + seed) & 255)
  streamRepeated(ctx, 200, [['Content-Type', 'application/octet-stream']], length, chunk)
}

type ByteRange = { readonly start: number; readonly end: number }

/**
 * Parses a single `bytes=` range against `size`: a range, `'unsatisfiable'`, or undefined when the
 * header is invalid or unsupported (multiple ranges), which RFC 9110 says to ignore.
 */
const parseRange = (header: string, size: number): ByteRange | 'unsatisfiable' | undefined => {
  const match = /^bytes=(\d*)-(\d*)$/i.exec(header.trim())
  const [, first = '', last = ''] = match ?? []
  if (match === null || (first === '' && last === '')) return undefined
  if (first === '') {
    const suffix = Number(last)
    return suffix === 0 || size === 0 ? 'unsatisfiable' : { start: Math.max(0, size - suffix), end: size - 1 }
  }
  const start = Number(first)
  const end = last === '' ? size - 1 : Number(last)
  if (end < start && last !== '') return undefined
  return start >= size ? 'unsatisfiable' : { start, end: Math.min(end, size - 1) }
}

const letterAt = (i: number): number => 97 + (i % 26)

const range: Handler = (ctx) => {
  const size = parseInteger(param(ctx, 'n'), 'n', 0, MAX_BYTES)
  const header = ctx.request.headers['range']
  const wanted = header === undefined ? undefined : parseRange(header, size)
  const acceptRanges = ['Accept-Ranges', 'bytes'] as const
  const octets = ['Content-Type', 'application/octet-stream'] as const
  if (wanted === 'unsatisfiable')
    return sendJson(ctx, 416, { error: 'range not satisfiable' }, [acceptRanges, ['Content-Range', `bytes */${size}`]])
  if (wanted === undefined) return streamRepeated(ctx, 200, [acceptRanges, octets], size, patternChunk(26, letterAt))
  const { start, end } = wanted
  const headers = [acceptRanges, octets, ['Content-Range', `bytes ${start}-${end}/${size}`] as const]
  streamRepeated(ctx, 206, headers, end - start + 1, patternChunk(26, letterAt, start))
}

/** The credentials of an `Authorization: <scheme> <credentials>` header, when the scheme matches. */
const credentials = (ctx: Context, scheme: string): string | undefined => {
  const match = /^(\S+) +(\S+) *$/.exec(ctx.request.headers['authorization'] ?? '')
  return match?.[1]?.toLowerCase() === scheme ? match[2] : undefined
}

const basicAuth: Handler = (ctx) => {
  const user = param(ctx, 'user')
  const given = credentials(ctx, 'basic')
  const valid = given !== undefined && /^[A-Za-z0-9+/]+={0,2}$/.test(given)
  if (valid && Buffer.from(given, 'base64').toString('utf8') === `${user}:${param(ctx, 'pass')}`)
    return sendJson(ctx, 200, { authenticated: true, user })
  sendJson(ctx, 401, { authenticated: false }, [['WWW-Authenticate', 'Basic realm="Fake Realm"']])
}

const bearer: Handler = (ctx) => {
  const token = credentials(ctx, 'bearer')
  if (token !== undefined) return sendJson(ctx, 200, { authenticated: true, token })
  sendJson(ctx, 401, { authenticated: false }, [['WWW-Authenticate', 'Bearer']])
}

const flaky: Handler = (ctx) => {
  const key = param(ctx, 'key')
  const failures = queryInteger(ctx, 'failures', 1, 0, 1_000_000)
  const code = queryInteger(ctx, 'status', 503, 200, 599)
  const retryAfter = ctx.query.get('retryAfter')
  if (retryAfter !== null) checkHeader('Retry-After', retryAfter)
  const payload = echoPayload(ctx)
  const attempt = (ctx.hits.get(key) ?? 0) + 1
  ctx.hits.set(key, attempt)
  if (attempt > failures) return sendJson(ctx, 200, { ...payload, attempt })
  sendJson(ctx, code, { attempt, failing: true }, retryAfter === null ? [] : [['Retry-After', retryAfter]])
}

/** Headers that would break the framing of the response, so cannot be set through `/response-headers`. */
const FRAMING_HEADERS = new Set(['content-length', 'transfer-encoding', 'connection'])

const responseHeaders: Handler = (ctx) => {
  const pairs = groupPairs(ctx.query)
  const headers = Object.entries(pairs).map(([name, value]) => {
    checkHeader(name, value)
    if (FRAMING_HEADERS.has(name.toLowerCase())) throw badRequest(`${name} cannot be set`)
    return [name, value] as const
  })
  sendJson(ctx, 200, pairs, headers)
}

/** RFC 6265 cookie-octets. */
const COOKIE_VALUE = /^[\x21\x23-\x2B\x2D-\x3A\x3C-\x5B\x5D-\x7E]*$/

const setCookies: Handler = (ctx) => {
  const cookies = [...ctx.query].map(([name, value]) => {
    checkHeader(name, '')
    if (!COOKIE_VALUE.test(value)) throw badRequest(`invalid cookie value for ${JSON.stringify(name)}`)
    return `${name}=${value}; Path=/`
  })
  sendJson(ctx, 200, groupPairs(ctx.query), cookies.length === 0 ? [] : [['Set-Cookie', cookies]])
}

/** Sends `n` JSON lines, one chunk per line (no Content-Length, so chunked transfer encoding). */
const stream: Handler = (ctx) => {
  const count = parseInteger(param(ctx, 'n'), 'n', 1, 1000)
  const { res } = ctx
  res.writeHead(200, { 'Content-Type': 'application/x-ndjson' })
  if (ctx.req.method === 'HEAD') return void res.end()
  const { url, args, headers } = echoPayload(ctx)
  let id = 0
  const next = (): void => {
    if (res.destroyed) return
    if (id === count) return void res.end()
    const written = res.write(`${JSON.stringify({ id, url, args, headers })}\n`)
    id += 1
    if (written) setImmediate(next)
    else res.once('drain', next)
  }
  next()
}

const closeSocket: Handler = (ctx) => void ctx.req.socket.destroy()

/** Never answers; the connection ends when the client gives up or the server closes. */
const hang: Handler = () => undefined

// ---------------------------------------------------------------------------
// Routing
// ---------------------------------------------------------------------------

/** Route patterns: literal segments, `:name` (one non-empty segment), or a final `*` (any rest). */
const ROUTES: ReadonlyArray<readonly [string, Handler]> = [
  ['/', echo],
  ['/anything', echo],
  ['/anything/*', echo],
  ['/get', echo],
  ['/post', echo],
  ['/put', echo],
  ['/patch', echo],
  ['/delete', echo],
  ['/headers', echo],
  ['/status/:code', status],
  ['/redirect/:n', redirect(false)],
  ['/absolute-redirect/:n', redirect(true)],
  ['/redirect-to', redirectTo],
  ['/delay/:ms', delay],
  ['/gzip', compressed(ENCODINGS.gzip)],
  ['/deflate', compressed(ENCODINGS.deflate)],
  ['/brotli', compressed(ENCODINGS.brotli)],
  ['/bytes/:n', bytes],
  ['/range/:n', range],
  ['/basic-auth/:user/:pass', basicAuth],
  ['/bearer', bearer],
  ['/flaky/:key', flaky],
  ['/response-headers', responseHeaders],
  ['/cookies/set', setCookies],
  ['/stream/:n', stream],
  ['/close', closeSocket],
  ['/hang', hang],
]

const decodeSegment = (segment: string): string => {
  try {
    return decodeURIComponent(segment)
  } catch {
    throw badRequest(`invalid percent-encoding in path segment ${JSON.stringify(segment)}`)
  }
}

/** Matches raw path segments against a pattern; returns the decoded parameters, or undefined. */
const matchPattern = (pattern: string, segments: ReadonlyArray<string>): Record<string, string> | undefined => {
  const expected = pattern.slice(1).split('/')
  const params: Record<string, string> = {}
  for (const [index, part] of expected.entries()) {
    if (part === '*') return params
    const segment = segments[index]
    if (segment === undefined) return undefined
    if (part.startsWith(':') && segment !== '') params[part.slice(1)] = decodeSegment(segment)
    else if (part !== segment) return undefined
  }
  return expected.length === segments.length ? params : undefined
}

const findRoute = (path: string): { handler: Handler; params: Record<string, string> } | undefined => {
  const segments = path.slice(1).split('/')
  for (const [pattern, handler] of ROUTES) {
    const params = matchPattern(pattern, segments)
    if (params !== undefined) return { handler, params }
  }
  return undefined
}

// ---------------------------------------------------------------------------
// Server
// ---------------------------------------------------------------------------

const readBody = (req: IncomingMessage): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => resolve(Buffer.concat(chunks)))
    req.on('error', reject)
    req.on('close', () => reject(new Error('request closed before its body was read')))
  })

const recordRequest = (req: IncomingMessage, body: Buffer): RecordedRequest => {
  const rawHeaders = rawHeaderPairs(req.rawHeaders)
  return Object.freeze({
    method: req.method ?? 'GET',
    url: req.url ?? '/',
    headers: headerRecord(rawHeaders),
    rawHeaders,
    body: new Uint8Array(body),
  })
}

/** Splits a request target (origin-form or absolute-form) into path and raw query. */
const splitTarget = (target: string): { path: string; rawQuery: string } => {
  const originForm = target.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, '')
  const question = originForm.indexOf('?')
  const path = question < 0 ? originForm : originForm.slice(0, question)
  return { path: path === '' ? '/' : path, rawQuery: question < 0 ? '' : originForm.slice(question + 1) }
}

/** `host:port` for URLs, with IPv6 literals bracketed and wildcard addresses mapped to loopback. */
const authority = (host: string, port: number): string => {
  const loopback = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host
  return `${loopback.includes(':') ? `[${loopback}]` : loopback}:${port}`
}

interface ServerState {
  readonly host: string
  readonly requests: RecordedRequest[]
  readonly hits: Map<string, number>
}

const fail = (ctx: Pick<Context, 'req' | 'res'>, error: unknown): void => {
  if (ctx.res.headersSent || ctx.res.destroyed) return void ctx.res.destroy()
  const message = error instanceof Error ? error.message : String(error)
  sendJson(ctx, error instanceof BadRequest ? 400 : 500, { error: message })
}

const route = (state: ServerState, req: IncomingMessage, res: ServerResponse, body: Buffer): void => {
  const request = recordRequest(req, body)
  state.requests.push(request)
  const { path, rawQuery } = splitTarget(request.url)
  const found = findRoute(path)
  if (found === undefined) return sendJson({ req, res }, 404, { error: 'not found', path })
  const origin = `http://${request.headers['host'] ?? authority(state.host, req.socket.localPort ?? 0)}`
  const query = new URLSearchParams(rawQuery)
  found.handler({ req, res, request, body, origin, path, rawQuery, query, params: found.params, hits: state.hits })
}

const onRequest =
  (state: ServerState) =>
  (req: IncomingMessage, res: ServerResponse): void => {
    readBody(req)
      .then((body) => route(state, req, res, body))
      .catch((error: unknown) => fail({ req, res }, error))
  }

const listen = (server: Server, host: string, port: number): Promise<AddressInfo> =>
  new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      resolve(server.address() as AddressInfo)
    })
  })

/** Tracks sockets so `close()` can destroy keep-alive and pending connections. */
const trackSockets = (server: Server): Set<Socket> => {
  const sockets = new Set<Socket>()
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
  })
  return sockets
}

/**
 * Starts an httpbin-like server for tests. Routes (any method unless noted):
 *
 * - `/`, `/anything[/*]`, `/get`, `/post`, `/put`, `/patch`, `/delete`, `/headers`: 200 with an {@link EchoPayload}
 * - `/status/:code` (200-599), `/redirect/:n`, `/absolute-redirect/:n` (1-100), `/redirect-to?url=&status_code=`
 * - `/delay/:ms` (0-60000), `/gzip`, `/deflate`, `/brotli`
 * - `/bytes/:n?seed=` (deterministic bytes), `/range/:n` (honours `Range`)
 * - `/basic-auth/:user/:pass`, `/bearer`
 * - `/flaky/:key?failures=&status=&retryAfter=` (fails the first N hits per key)
 * - `/response-headers?Name=Value`, `/cookies/set?name=value`
 * - `/stream/:n` (n JSON lines, chunked), `/close` (drops the socket), `/hang` (never answers)
 *
 * Bad parameters answer 400 `{ error }`, unknown paths 404 `{ error: 'not found', path }`.
 *
 * @example
 * ```ts
 * import { startEchoServer } from 'httpipe/testing'
 *
 * const server = await startEchoServer()
 * try {
 *   const res = await fetch(`${server.url}/post`, { method: 'POST', body: JSON.stringify({ a: 1 }) })
 *   const echo = await res.json() // { method: 'POST', json: { a: 1 }, ... }
 *   console.log(echo, server.requests.length) // ..., 1
 * } finally {
 *   await server.close()
 * }
 * ```
 */
export const startEchoServer = async (options: EchoServerOptions = {}): Promise<EchoServer> => {
  const state: ServerState = { host: options.host ?? '127.0.0.1', requests: [], hits: new Map() }
  const server = createServer(onRequest(state))
  const sockets = trackSockets(server)
  const { port } = await listen(server, state.host, options.port ?? 0)
  let closing: Promise<void> | undefined
  return {
    url: `http://${authority(state.host, port)}`,
    port,
    requests: state.requests,
    hits: (key) => state.hits.get(key) ?? 0,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve())
        for (const socket of sockets) socket.destroy()
      })),
  }
}
