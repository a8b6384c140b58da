/**
 * The public types of the echo server: its options, the running server, and the documents it
 * records and answers with.
 *
 * @packageDocumentation
 */
import type { startEchoServer } from './echo-server.js'

/**
 * Where {@link startEchoServer} listens.
 *
 * @example
 * ```ts
 * const server = await startEchoServer({ host: '127.0.0.1', port: 0 })
 * server.url.startsWith('http://127.0.0.1:') // true
 * await server.close()
 * ```
 * @category testing
 * @since 0.1.0
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
 * const request = server.requests.at(-1) // the last one received
 * request?.method // 'POST'
 * new TextDecoder().decode(request?.body) // 'hi'
 * ```
 * @category testing
 * @since 0.1.0
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
 * @category testing
 * @since 0.1.0
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
  /**
   * The bytes `/upload/:id` has stored for `id` so far (a copy), or undefined when the server has
   * no upload `id`. Each server keeps its own uploads; `DELETE /upload/:id` forgets one.
   * @since 0.3.0
   */
  uploaded(id: string): Uint8Array | undefined
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
 * @category testing
 * @since 0.1.0
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
 * echo.files['doc'] // { filename: 'a.txt', contentType: 'text/plain', size: 5, sha256: '2cf2…', base64: 'aGVsbG8=', headers: {...} }
 * ```
 * @category testing
 * @since 0.1.0
 */
export interface UploadedFile {
  /** The `filename` (or decoded `filename*`) from Content-Disposition. */
  readonly filename: string
  /** The part's Content-Type, `'text/plain'` when absent (RFC 7578 default). */
  readonly contentType: string
  /** Size in bytes. */
  readonly size: number
  /**
   * SHA-256 of the content, lower-case hex.
   * @since 0.3.0
   */
  readonly sha256: string
  /** The content, base64-encoded. */
  readonly base64: string
  /** The part's headers (lower-case names). */
  readonly headers: Readonly<Record<string, string>>
}

/**
 * What the echo server reports about one part of a `multipart/*` body, without its content (the
 * parts of a {@link MultipartEcho}; {@link MultipartPart} adds the content).
 *
 * @example
 * ```ts
 * const body = new FormData()
 * body.append('a', '1')
 * const echo = (await (await fetch(`${server.url}/multipart`, { method: 'POST', body })).json()) as MultipartEcho
 * echo.parts[0]?.sha256 // '6b86b273ff34fce19d6b804eff5a3f5747ada4eaa22f1d49c01e52ddb7875b4b'
 * ```
 * @category testing
 * @since 0.3.0
 */
export interface MultipartPartInfo {
  /** The part's headers (lower-case names; repeated joined with `', '`). */
  readonly headers: Readonly<Record<string, string>>
  /** The Content-Disposition `name`, unquoted (`\"` → `"`) but not %-decoded (browsers send `"` as `%22`), when present. */
  readonly name?: string
  /** The Content-Disposition `filename*` (RFC 5987, decoded) or else `filename`, when present. */
  readonly filename?: string
  /** The part's Content-Type header as sent, when present (no default filled in). */
  readonly contentType?: string
  /** The part's Content-ID header as sent (e.g. `'<meta@x>'`), when present. */
  readonly contentId?: string
  /** The content's size in bytes. */
  readonly size: number
  /** SHA-256 of the content, lower-case hex. */
  readonly sha256: string
}

/**
 * One part of any `multipart/*` body, in order (reported under the echo `multipart` key).
 *
 * @example
 * ```ts
 * const body = new FormData()
 * body.append('a', '1')
 * const echo = (await (await fetch(`${server.url}/post`, { method: 'POST', body })).json()) as EchoPayload
 * echo.multipart[0] // { headers: { 'content-disposition': 'form-data; name="a"' }, name: 'a', size: 1, sha256: '6b86b273ff34fce19d6b804eff5a3f5747ada4eaa22f1d49c01e52ddb7875b4b', text: '1', base64: 'MQ==' }
 * ```
 * @category testing
 * @since 0.1.0
 */
export interface MultipartPart extends MultipartPartInfo {
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
 * @category testing
 * @since 0.1.0
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
