/**
 * An embedded, dependency-free, httpbin-like HTTP server for tests, demos and examples: listening,
 * connections, recording requests and dispatching them to the routes.
 *
 * @packageDocumentation
 */
import { createServer } from 'node:http'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { sendJson } from './context.js'
import type { Context } from './context.js'
import { BadRequest, headerRecord, rawHeaderPairs } from './parse.js'
import { findRoute } from './router.js'
import type { MultipartEcho, UploadStatus } from './types-transfer.js'
import type { EchoPayload, EchoServer, EchoServerOptions, RecordedRequest } from './types.js'
import { uploadBytes } from './uploads.js'
import type { UploadStore } from './uploads.js'

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
  readonly uploads: UploadStore
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
  found.handler({
    req,
    res,
    request,
    body,
    origin,
    path,
    rawQuery,
    query,
    params: found.params,
    hits: state.hits,
    uploads: state.uploads,
  })
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
 * - `/bytes/:n?seed=` (deterministic bytes)
 * - `/range/:n?ignoreRange=&badRange=&etag=&dropAfter=`: `a-z` repeated, honours one `Range` (206 with
 *   Content-Range, 416) and `If-Range`, with an ETag; `ignoreRange=1` answers 200, `badRange=shift|total|length|missing|garbage`
 *   a wrong 206, `dropAfter=B` breaks the connection after B body bytes
 * - `/multipart`: parses a `multipart/*` body and answers a {@link MultipartEcho} (parts with sizes
 *   and SHA-256, form-data fields and files); 400 when it is not multipart or malformed
 * - `/upload/:id?fail=&failStatus=&short=&drop=`: a resumable upload (Google Drive / Cloud Storage):
 *   PUT/POST/PATCH with `Content-Range: bytes s-e/total` append a chunk when `s` is the stored size
 *   (else 416 with the stored `Range`), answering `308` with `Range: bytes=0-N` (none while empty) until
 *   complete, then `200` {@link UploadStatus}; a `*` range (`bytes *` + `/total`) with an empty body asks
 *   for the status. GET → {@link UploadStatus} (404 unknown), DELETE forgets it. `fail=K` answers the
 *   K-th chunk request with `failStatus` (503) unstored, `short=N` keeps N bytes fewer of each
 *   non-final chunk, `drop=K` stores the K-th chunk then drops the connection
 * - `/basic-auth/:user/:pass`, `/bearer`
 * - `/flaky/:key?failures=&status=&retryAfter=` (fails the first N hits per key)
 * - `/response-headers?Name=Value`, `/cookies/set?name=value`
 * - `/stream/:n` (n JSON lines, chunked), `/close` (drops the socket), `/hang` (never answers)
 * - streams (chunked): `/drip?chunks=&size=&delay=` (chunks of `a-z` bytes, `delay` ms apart),
 *   `/ndjson/:n?delay=` (n lines `{"id":i,"name":"item i","note":"é€😀"}` written 7 bytes at a time),
 *   `/events?count=&dropAfter=&retry=&delay=&reset=` (server-sent events `id: i` / `data: {"n":i}`,
 *   i from 1 to count; each connection sends `retry` first when given and at most `dropAfter` events
 *   before its body ends, or breaks with `reset=1`; `Last-Event-ID: k` continues at k+1, and is
 *   answered 204 once all were sent), `/pages?page=&pages=&per=&relative=` (a JSON array of
 *   `{ id }` per page with a `Link` header: `rel="next"` until the last page, `prev`, `first`, `last`)
 * - `/users/:id` (GET: 200 `{ id, name }` for ids 1 to 1000, else 404 `{ title, detail }`; DELETE: 204)
 *   and `/users` (POST a JSON object: 201 `{ id: 1001, ...fields }`, or 422 `{ errors }` without a
 *   non-empty `name`; GET: three users): a small JSON API for typed endpoints
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
 * @category testing
 * @since 0.1.0
 */
export const startEchoServer = async (options: EchoServerOptions = {}): Promise<EchoServer> => {
  const state: ServerState = { host: options.host ?? '127.0.0.1', requests: [], hits: new Map(), uploads: new Map() }
  const server = createServer(onRequest(state))
  const sockets = trackSockets(server)
  const { port } = await listen(server, state.host, options.port ?? 0)
  let closing: Promise<void> | undefined
  return {
    url: `http://${authority(state.host, port)}`,
    port,
    requests: state.requests,
    hits: (key) => state.hits.get(key) ?? 0,
    uploaded: (id) => {
      const upload = state.uploads.get(id)
      return upload === undefined ? undefined : uploadBytes(upload)
    },
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve())
        for (const socket of sockets) socket.destroy()
      })),
  }
}
