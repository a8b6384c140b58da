/**
 * TLS test servers for the HTTP/2 tests (not a test file itself): a `node:http2`
 * `createSecureServer({ allowHTTP1: true })` or a `node:https` server (HTTP/1.1 only) on
 * 127.0.0.1 port 0 with openssl-made certificates, counting what they saw: TLS connections, h2
 * sessions, the HTTP version of each request, and the most requests in flight at once.
 */
import { createSecureServer, type Http2Session, type ServerHttp2Stream } from 'node:http2'
import { createServer } from 'node:https'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2'
import type { TLSSocket } from 'node:tls'
import type { Pki } from '../support/peers.js'

type Req = IncomingMessage | Http2ServerRequest
type Res = ServerResponse | Http2ServerResponse

/** What a test server saw (reset with `reset()`). */
export interface TlsServer {
  readonly url: string
  /** TLS connections accepted */
  connections: number
  /** h2 sessions (0 on an HTTP/1.1-only server) */
  sessions: number
  /** the ALPN protocol of each TLS connection (`h2`, `http/1.1`, or `false` when none was chosen) */
  readonly alpn: Array<string | false | null>
  /** `req.httpVersion` of each request, in arrival order (`2.0` or `1.1`) */
  readonly versions: string[]
  /** the most requests answered at once */
  maxInFlight: number
  /** the live h2 sessions (for GOAWAY tests) */
  readonly live: Set<Http2Session>
  /** h2 streams held by a `/hold` request, to answer or break later */
  readonly held: Array<{ readonly stream: ServerHttp2Stream | null; readonly res: Res }>
  /** answers every held request with `text`, and every later `/hold` at once (until `reset()`) */
  readonly release: (text: string) => void
  readonly reset: () => void
  readonly close: () => Promise<void>
}

/**
 * Options: `h1Only` (a node:https server: no h2 offered), `maxConcurrentStreams` (the h2
 * server's SETTINGS), `delayMs` before each answer (default 5, so that requests overlap).
 * Paths: `/n/…` answers `{ path, version }` as JSON; `/hold` is held (see `held`); `/reset`
 * resets its stream (RST_STREAM INTERNAL_ERROR) on h2, or destroys the socket on HTTP/1.1.
 */
export const startTlsServer = async (
  pki: Pki,
  o: { readonly h1Only?: boolean; readonly maxConcurrentStreams?: number; readonly delayMs?: number } = {},
): Promise<TlsServer> => {
  let inFlight = 0
  let released: string | null = null
  const state = {
    connections: 0,
    sessions: 0,
    alpn: [] as Array<string | false | null>,
    versions: [] as string[],
    maxInFlight: 0,
    live: new Set<Http2Session>(),
    held: [] as Array<{ readonly stream: ServerHttp2Stream | null; readonly res: Res }>,
  }
  const handle = (req: Req, res: Res): void => {
    state.versions.push(req.httpVersion)
    const stream = 'stream' in req ? req.stream : null
    if (req.url === '/hold') return void (released === null ? state.held.push({ stream, res }) : res.end(released))
    if (req.url === '/reset') {
      if (stream !== null) stream.close(0x2)
      else req.socket.destroy()
      return
    }
    inFlight++
    state.maxInFlight = Math.max(state.maxInFlight, inFlight)
    setTimeout(() => {
      inFlight--
      res.setHeader('content-type', 'application/json')
      res.end(JSON.stringify({ path: req.url, version: req.httpVersion }))
    }, o.delayMs ?? 5)
  }
  const tls = { key: pki.serverKey, cert: pki.serverCert }
  const server = o.h1Only
    ? createServer(tls, handle)
    : createSecureServer(
        {
          ...tls,
          allowHTTP1: true,
          ...(o.maxConcurrentStreams === undefined
            ? {}
            : { settings: { maxConcurrentStreams: o.maxConcurrentStreams } }),
        },
        handle,
      )
  server.on('secureConnection', (socket: TLSSocket) => {
    state.connections++
    state.alpn.push(socket.alpnProtocol)
  })
  server.on('session', (session: Http2Session) => {
    state.sessions++
    state.live.add(session)
    session.on('close', () => state.live.delete(session))
    session.on('error', () => undefined)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const a = server.address()
  const url = `https://127.0.0.1:${typeof a === 'object' && a !== null ? a.port : 0}`
  return Object.assign(state, {
    url,
    release: (text: string) => {
      released = text
      for (const h of state.held.splice(0)) if (!h.res.writableEnded) h.res.end(text)
    },
    reset: () => {
      released = null
      state.held.length = 0
      state.connections = 0
      state.sessions = 0
      state.alpn.length = 0
      state.versions.length = 0
      state.maxInFlight = 0
    },
    close: async () => {
      for (const s of state.live) s.destroy()
      if ('closeAllConnections' in server) server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  })
}
