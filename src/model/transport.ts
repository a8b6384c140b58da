/**
 * httpipe's own small transport interface: a prepared attempt in; status, headers and a body
 * stream out. The executor owns everything else (redirects, retries, timeouts, decoding,
 * signing), so a transport is a thin adapter over fetch, undici or node:http.
 * @module
 */
import type { Proxy } from './request.js'
import type { HttpVersion } from './response.js'

/**
 * TLS material, already read from files.
 * @example
 * const t: TransportTls = { ca: '-----BEGIN CERTIFICATE-----…', cert: null, key: null, passphrase: null, rejectUnauthorized: true }
 * @inline
 * @category transports
 * @since 0.1.0
 */
export interface TransportTls {
  readonly ca: string | null
  readonly cert: string | null
  readonly key: string | null
  readonly passphrase: string | null
  readonly rejectUnauthorized: boolean
}

/**
 * Limits a transport applies where it can (the executor enforces the idle limit on every
 * transport as well, and the attempt limit through `signal`):
 * - `connectMs`: establishing the connection (TCP and TLS, or the proxy tunnel);
 * - `idleMs`: the longest wait for the next byte of the response head or body.
 * @example
 * const t: TransportTimeouts = { connectMs: 10_000, idleMs: 300_000 }
 * @inline
 * @category transports
 * @since 0.2.0
 */
export interface TransportTimeouts {
  readonly connectMs: number
  readonly idleMs: number
}

/**
 * One attempt to send. `body` is bytes, a stream of bytes, or null; when a stream,
 * Content-Length is in `headers` where it is known.
 * @example
 * const r: TransportRequest = { method: 'GET', url: 'http://127.0.0.1:8080/get', headers: [], body: null, signal, proxy: null, tls: null, timeouts: { connectMs: 10_000, idleMs: 300_000 } }
 * @category transports
 * @since 0.1.0
 */
export interface TransportRequest {
  readonly method: string
  readonly url: string
  readonly headers: ReadonlyArray<readonly [string, string]>
  readonly body: Uint8Array | AsyncIterable<Uint8Array> | null
  readonly signal: AbortSignal
  readonly proxy: Proxy<string> | null
  readonly tls: TransportTls | null
  readonly timeouts: TransportTimeouts
  /**
   * The request asks for HTTP/2 (`useHttp2`): a transport that can (`offersHttp2`) offers it by
   * ALPN on `https:` and multiplexes concurrent requests to one origin on one connection.
   */
  readonly http2?: boolean
  /**
   * Where present, a cheaper way than `signal` to learn of an abort: the listener is called
   * once when the attempt is aborted. A transport that uses it need not read `signal`, which
   * the executor then never has to make.
   */
  readonly onAbort?: (listener: () => void) => void
  /**
   * Where present, called for each interim (1xx) answer that comes before the final head
   * (`102 Processing`, `103 Early Hints`): a byte received, so the idle limit starts again. A
   * transport that can see them calls it (undici's and cross-fetch's do; a WHATWG fetch cannot).
   */
  readonly onInformational?: () => void
}

/**
 * What came back. `body` yields the bytes as they arrived; `decoded` is true when the
 * transport already undid the Content-Encoding (every WHATWG fetch does).
 * @example
 * const r: TransportResponse = { status: 200, statusText: 'OK', headers: [['content-type', 'text/plain']], body: stream, decoded: false }
 * @category transports
 * @since 0.1.0
 */
export interface TransportResponse {
  readonly status: number
  readonly statusText: string
  readonly headers: ReadonlyArray<readonly [string, string]>
  readonly body: AsyncIterable<Uint8Array> | null
  readonly decoded: boolean
  /** the HTTP version the answer came over, where the transport knows it */
  readonly httpVersion?: HttpVersion
}

/**
 * What a {@link PushBody} hands its chunks to: `data` for each chunk as it arrives, then exactly
 * one of `end` (the whole body came) or `error` (it did not).
 * @example
 * const reader: BodyReader = { data: (c) => chunks.push(c), end: () => done(), error: (e) => fail(e) }
 * @category transports
 * @since 0.3.0
 * @internal
 */
export interface BodyReader {
  readonly data: (chunk: Uint8Array) => void
  readonly end: () => void
  readonly error: (error: unknown) => void
}

/**
 * A response body that can also push its chunks straight to one reader, with no stream or
 * iterator in between (the bodies of `undiciTransport` are). A reader calls `listen` once,
 * instead of iterating; `cancel` stops the transfer (the connection is dropped).
 * @example
 * if (isPushBody(res.body)) res.body.listen({ data, end, error })
 * @category transports
 * @since 0.3.0
 * @internal
 */
export interface PushBody extends AsyncIterable<Uint8Array> {
  readonly listen: (reader: BodyReader) => void
  readonly cancel: () => void
}

/**
 * Whether a response body is a {@link PushBody}.
 * @example
 * isPushBody(null) // false
 * @category transports
 * @since 0.3.0
 * @internal
 */
export const isPushBody = (body: unknown): body is PushBody =>
  typeof body === 'object' &&
  body !== null &&
  typeof (body as PushBody).listen === 'function' &&
  typeof (body as PushBody).cancel === 'function'

/**
 * A transport: sends one attempt. It may reject (connection errors, with the error's `code`
 * kept, e.g. `ECONNREFUSED` or undici's `UND_ERR_CONNECT_TIMEOUT`); the executor turns that into
 * a ClientError. It must not follow redirects nor decompress unless it says so with `decoded`.
 * `close()`, where present, ends its pooled connections so that a script can exit at once.
 * @example
 * const t: Transport = async (req) => ({ status: 204, statusText: 'No Content', headers: [], body: null, decoded: false })
 * @category transports
 * @since 0.1.0
 */
export interface Transport {
  (req: TransportRequest): Promise<TransportResponse>
  readonly close?: () => Promise<void>
  /** true for a transport that honours `TransportRequest.http2` (`undiciTransport` does) */
  readonly offersHttp2?: boolean
  /** true for a transport that sends through `TransportRequest.proxy` (`undiciTransport` and `crossFetchTransport` do; a WHATWG fetch cannot) */
  readonly offersProxy?: boolean
}

/**
 * The log line that says which HTTP version a request that asked for HTTP/2 (`useHttp2`) got,
 * and why not HTTP/2 where it did not.
 * @example
 * http2Note('https://a.example/', '2', true) // 'HTTP/2 used'
 * http2Note('http://a.example/', '1.1', true) // 'HTTP/1.1 used: HTTP/2 is offered on https: only (no h2c)'
 * @category transports
 * @since 0.3.0
 * @internal
 */
export const http2Note = (url: string, version: HttpVersion | undefined, offers: boolean): string => {
  if (version === '2') return 'HTTP/2 used'
  if (!offers)
    return `useHttp2 has no effect on this transport: it chooses the HTTP version itself (${version === undefined ? 'version not known' : `HTTP/${version} used`})`
  if (!/^https:/i.test(url)) return 'HTTP/1.1 used: HTTP/2 is offered on https: only (no h2c)'
  return 'HTTP/1.1 used: the server did not take HTTP/2'
}

/**
 * The error of a status line whose code is no HTTP status (below 100: `HTTP/1.1 000 …`), as
 * the transports and the executor raise it (`code` `INVALID_STATUS`).
 * @example
 * invalidStatus(0).message // 'invalid status 000'
 * @category transports
 * @since 0.3.0
 * @internal
 */
export const invalidStatus = (status: number): Error =>
  Object.assign(new Error(`invalid status ${String(status).padStart(3, '0')}`), { code: 'INVALID_STATUS' })

/**
 * The part of the WHATWG fetch signature httpipe uses.
 * @example
 * const f: FetchLike = globalThis.fetch
 * @category transports
 * @since 0.1.0
 */
export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>

/**
 * Where the environment's proxy variables send a URL: straight, or through their `http` or
 * `https` proxy.
 * @example
 * const r: ProxyRoute = 'direct'
 */
export type ProxyRoute = 'direct' | 'http' | 'https'

/**
 * What a proxy router is made from: whether each proxy variable is set, and `NO_PROXY` as given.
 * @example
 * const v: ProxyVars = { http: true, https: false, noProxy: 'localhost,.internal' }
 */
export interface ProxyVars {
  readonly http: boolean
  readonly https: boolean
  readonly noProxy: string
}
