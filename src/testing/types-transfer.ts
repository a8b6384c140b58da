/**
 * The public types of the echo server's transfer routes: the `/multipart` echo and the
 * `/upload/:id` resumable-upload state.
 *
 * @packageDocumentation
 */
import type { MultipartPartInfo, Params } from './types.js'

/**
 * A file of a `multipart/form-data` body as `/multipart` reports it (under `files[name]`).
 *
 * @example
 * ```ts
 * const body = new FormData()
 * body.append('doc', new Blob(['hello'], { type: 'text/plain' }), 'a.txt')
 * const echo = (await (await fetch(`${server.url}/multipart`, { method: 'POST', body })).json()) as MultipartEcho
 * echo.files['doc']?.[0]?.size // 5
 * ```
 * @category testing
 * @since 0.3.0
 */
export interface MultipartEchoFile {
  /** The `filename*` (decoded) or else `filename` from Content-Disposition. */
  readonly filename: string
  /** The part's Content-Type, `'text/plain'` when absent (RFC 7578 default). */
  readonly contentType: string
  /** Size in bytes. */
  readonly size: number
  /** SHA-256 of the content, lower-case hex. */
  readonly sha256: string
}

/**
 * The JSON document `/multipart` answers with: the body's media type and parameters, every part
 * (headers, names, sizes and hashes, no content), and for `multipart/form-data` the fields and files.
 *
 * @example
 * ```ts
 * const body = new FormData()
 * body.append('a', '1')
 * body.append('doc', new Blob(['hello'], { type: 'text/plain' }), 'a.txt')
 * const echo = (await (await fetch(`${server.url}/multipart`, { method: 'POST', body })).json()) as MultipartEcho
 * echo.mediaType // 'multipart/form-data'
 * echo.fields // { a: '1' }
 * echo.files['doc']?.[0]?.size // 5
 * ```
 * @category testing
 * @since 0.3.0
 */
export interface MultipartEcho {
  /** The media type, lower-case: `'multipart/form-data'`, `'multipart/related'`, … */
  readonly mediaType: string
  /** The Content-Type parameters (lower-case names, values unquoted): `boundary`, `type`, `start`, … */
  readonly params: Readonly<Record<string, string>>
  /** The body size in bytes. */
  readonly bodySize: number
  /** Bytes before the first `--boundary` line (0 when the body starts with it). */
  readonly preambleSize: number
  /** Bytes after the closing `--boundary--` (a trailing CRLF counts 2). */
  readonly epilogueSize: number
  /** Every part, in order. */
  readonly parts: ReadonlyArray<MultipartPartInfo>
  /** The text fields of a form-data body (name → value, or values when repeated); `{}` for other kinds. */
  readonly fields: Params
  /** The files of a form-data body by field name, every one in order; `{}` for other kinds. */
  readonly files: Readonly<Record<string, ReadonlyArray<MultipartEchoFile>>>
}

/**
 * The state of a resumable upload: what `GET /upload/:id` answers, and the body of the `200` that
 * completes the upload.
 *
 * @example
 * ```ts
 * await fetch(`${server.url}/upload/u1`, { method: 'PUT', headers: { 'Content-Range': 'bytes 0-4/5' }, body: 'hello' })
 * const state = (await (await fetch(`${server.url}/upload/u1`)).json()) as UploadStatus
 * state // { id: 'u1', size: 5, total: 5, complete: true, chunks: 1, sha256: '2cf2…' }
 * ```
 * @category testing
 * @since 0.3.0
 */
export interface UploadStatus {
  /** The upload id (the `:id` path segment, decoded). */
  readonly id: string
  /** Bytes stored so far. */
  readonly size: number
  /** The declared total size, or null while every Content-Range said `/*`. */
  readonly total: number | null
  /** Whether `size` reached the declared total. */
  readonly complete: boolean
  /** Chunk requests received for this id (with a byte range; status queries not counted), failed ones included. */
  readonly chunks: number
  /** SHA-256 of the stored bytes, lower-case hex. */
  readonly sha256: string
}
