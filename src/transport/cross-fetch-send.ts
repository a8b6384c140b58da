/**
 * The cross-fetch transport's sending (node-fetch on Node.js) with keep-alive agents, TLS
 * options and HTTP(S) proxies, asked not to decompress (httpipe decodes bodies itself). Loaded
 * on the transport's first request (see `cross-fetch.ts`), with node-fetch and the proxy agents.
 * @module
 */
import { tlsConnectOptions } from './tls.js'
import crossFetch from 'cross-fetch'
import http from 'node:http'
import net from 'node:net'
import tls from 'node:tls'
import { openTunnel, type TunnelProxy } from './connect.js'
import { fingerprint, lruCache } from './cache.js'
import https from 'node:https'
import { TimedHttpProxyAgent } from './forward-agent.js'
import { HttpsProxyAgent } from 'https-proxy-agent'
import type { Proxy } from '../model/request.js'
import { fromFetch } from './fetch.js'
import { invalidStatus, type FetchLike, type Transport, type TransportRequest } from '../model/transport.js'

const ignore = (): void => undefined

const cache = lruCache<http.Agent>(32, (a) => a.destroy())

const proxyUrl = (p: Proxy<string>): string => {
  const auth = p.user === null ? '' : `${encodeURIComponent(p.user)}:${encodeURIComponent(p.password ?? '')}@`
  return `${p.protocol}://${auth}${p.host.includes(':') ? `[${p.host}]` : p.host}:${p.port}`
}

/** The caller's `Proxy-Authorization` header: it belongs to the proxy, never to the target. */
const proxyAuthorization = (headers: TransportRequest['headers']): string | null =>
  headers.find(([n]) => n.toLowerCase() === 'proxy-authorization')?.[1] ?? null

const connectTimeout = (ms: number): Error =>
  Object.assign(new Error(`no connection within ${ms} ms`), { code: 'UND_ERR_CONNECT_TIMEOUT' })

/** Bounds the connection phase of every socket an agent opens (TCP, and TLS for https). */
const timedConnections = <A extends http.Agent>(agent: A, ms: number, secure: boolean): A => {
  const open = (agent as unknown as { createConnection: (...args: unknown[]) => net.Socket }).createConnection.bind(
    agent,
  )
  ;(agent as unknown as { createConnection: (...args: unknown[]) => net.Socket }).createConnection = (
    ...args: unknown[]
  ) => {
    const socket = open(...args)
    const timer = setTimeout(() => socket.destroy(connectTimeout(ms)), ms)
    socket.once(secure ? 'secureConnect' : 'connect', () => clearTimeout(timer))
    socket.once('close', () => clearTimeout(timer))
    return socket
  }
  return agent
}

/** What the agents of one attempt see of it: its 1xx answers, and the status the server really sent. */
interface Seen {
  readonly onInformational: (() => void) | undefined
  status: number
}

/**
 * The attempt whose request node-fetch is making: set when node-fetch asks for its agent, and
 * read (once) when that agent is given the request, in the same synchronous step of `fetch`.
 */
let making: Seen | null = null

/**
 * Watches each request an agent is given for the attempt making it: its interim (1xx) answers
 * (node-fetch ignores them) and the status code of its answer (node-fetch reads 0 as 200).
 */
const watched = <A extends http.Agent>(agent: A): A => {
  const add = (agent as unknown as { addRequest: (req: http.ClientRequest, o: unknown) => void }).addRequest.bind(agent)
  ;(agent as unknown as { addRequest: (req: http.ClientRequest, o: unknown) => void }).addRequest = (req, o) => {
    const seen = making
    making = null
    if (seen !== null) {
      if (seen.onInformational !== undefined) req.on('information', seen.onInformational)
      req.once('response', (res: http.IncomingMessage) => (seen.status = res.statusCode ?? 0))
    }
    add(req, o)
  }
  return agent
}

const resume = (s: net.Socket): void => void s.resume()

/**
 * CONNECT through a proxy, then TLS to the target with the request's TLS options, the whole
 * of it (connection to the proxy, its answer, the TLS handshake) bounded by the connect limit
 * and stopped when the request is aborted. A proxy that refuses the tunnel is an error (as on
 * undici), not a response: its answer is not the target's.
 */
class TunnelAgent extends HttpsProxyAgent<string> {
  private readonly tunnel: TunnelProxy

  constructor(
    proxy: Proxy<string>,
    private readonly targetTls: tls.ConnectionOptions,
    token: string | null,
    private readonly ms: number,
  ) {
    super(proxyUrl(proxy), { keepAlive: true })
    this.tunnel = { protocol: proxy.protocol, host: proxy.host, port: proxy.port, token }
  }

  override connect(
    req: http.ClientRequest,
    opts: Parameters<HttpsProxyAgent<string>['connect']>[1],
  ): Promise<net.Socket> {
    const host = String(opts.host ?? '')
    const authority = `${net.isIPv6(host) ? `[${host}]` : host}:${opts.port}`
    return new Promise((resolve, reject) => {
      let done = false
      let secured: tls.TLSSocket | null = null
      const finish = (e: Error | null, s: net.Socket | null): void => {
        if (done) return
        done = true
        if (timer !== null) clearTimeout(timer)
        req.removeListener('abort', onAbort)
        req.removeListener('close', onAbort)
        if (e === null && s !== null) {
          req.once('socket', resume)
          return resolve(s)
        }
        stop(e ?? new Error('no connection'))
        secured?.destroy()
        reject(e)
      }
      const onAbort = (): void => finish(Object.assign(new Error('aborted'), { code: 'ABORT_ERR' }), null)
      const timer = this.ms > 0 ? setTimeout(() => finish(connectTimeout(this.ms), null), this.ms) : null
      req.once('abort', onAbort)
      req.once('close', onAbort)
      const stop = openTunnel(this.tunnel, authority, (e, s) => {
        if (e !== null || s === null) return finish(e, null)
        if (opts.secureEndpoint !== true) return finish(null, s)
        const t = (secured = tls.connect({
          ...this.targetTls,
          socket: s,
          // the certificate is checked against the target (an IP target by its address, without SNI)
          host,
          ...(net.isIP(host) ? {} : { servername: String(opts.servername ?? host) }),
        }))
        t.once('secureConnect', () => (t.removeListener('error', onError), t.on('error', ignore), finish(null, t)))
        const onError = (err: Error): void => (s.destroy(), finish(err, null))
        t.once('error', onError)
      })
    })
  }
}

const makeAgent = (
  secure: boolean,
  req: Pick<TransportRequest, 'proxy' | 'tls' | 'headers' | 'timeouts'>,
): http.Agent => {
  const tlsOptions = secure ? tlsConnectOptions(req.tls) : {}
  const ms = req.timeouts.connectMs
  const connectMs = Number.isFinite(ms) && ms > 0 ? Math.ceil(ms) : 0
  const proxy = req.proxy
  if (proxy !== null) {
    const auth = proxy.user === null ? proxyAuthorization(req.headers) : null
    const headers: Record<string, string> = auth === null ? {} : { 'Proxy-Authorization': auth }
    // Plain forwarding through a proxy opens a connection per request: proxies such as
    // tinyproxy close idle client connections without saying so, and a reused one then fails.
    const token =
      proxy.user === null ? auth : `Basic ${Buffer.from(`${proxy.user}:${proxy.password ?? ''}`).toString('base64')}`
    return watched(
      secure
        ? new TunnelAgent(proxy, tlsOptions, token, connectMs)
        : new TimedHttpProxyAgent(proxyUrl(proxy), { keepAlive: false, headers }, connectMs),
    )
  }
  const agent = secure ? new https.Agent({ keepAlive: true, ...tlsOptions }) : new http.Agent({ keepAlive: true })
  return watched(connectMs > 0 ? timedConnections(agent, connectMs, secure) : agent)
}

/**
 * The keep-alive agent for an attempt, one per connect timeout, proxy and TLS configuration,
 * from a bounded cache whose keys hold the proxy's credentials and the TLS material only as
 * fingerprints.
 * @example
 * agentFor(new URL('http://127.0.0.1/'), req)
 * @category transports
 * @since 0.1.0
 * @internal
 */
export const agentFor = (
  url: URL,
  req: Pick<TransportRequest, 'proxy' | 'tls' | 'headers' | 'timeouts'>,
): http.Agent => {
  const secure = url.protocol === 'https:'
  const p = req.proxy
  const proxy =
    p === null
      ? null
      : [
          p.protocol,
          p.host,
          p.port,
          fingerprint([p.user, p.password, p.user === null ? proxyAuthorization(req.headers) : null]),
        ]
  const key = JSON.stringify([
    req.timeouts.connectMs,
    secure,
    proxy,
    secure && req.tls !== null ? fingerprint(req.tls) : null,
  ])
  return cache.get(key, () => makeAgent(secure, req))
}

/** The headers of an attempt without the caller's `Proxy-Authorization` when it went to the proxy agent. */
const targetHeaders = (req: TransportRequest): TransportRequest =>
  req.proxy === null || proxyAuthorization(req.headers) === null
    ? req
    : { ...req, headers: req.headers.filter(([n]) => n.toLowerCase() !== 'proxy-authorization'), signal: req.signal }

/**
 * One attempt of `crossFetchTransport`: the agent is chosen from the request as given
 * (its Proxy-Authorization included), and told of the attempt; a status below 100 (which
 * node-fetch reads as 200) fails.
 * @example
 * const res = await send(attempt)
 * @category transports
 * @since 0.3.0
 * @internal
 */
export const send = async (req: TransportRequest): ReturnType<Transport> => {
  const seen: Seen = { onInformational: req.onInformational, status: -1 }
  const res = await fromFetch(crossFetch as unknown as FetchLike, {
    decodes: false,
    extra: () => ({
      compress: false,
      follow: 0,
      agent: (url: URL) => ((making = seen), agentFor(url, req)),
    }),
  })(targetHeaders(req))
  if (seen.status >= 0 && seen.status < 100) {
    ;(res.body as unknown as { destroy?: () => void } | null)?.destroy?.()
    throw invalidStatus(seen.status)
  }
  return res
}

/**
 * Ends the connections of every agent made so far and empties the cache.
 * @example
 * await closeAll()
 * @category transports
 * @since 0.3.0
 * @internal
 */
export const closeAll = (): Promise<void> => cache.closeAll()
