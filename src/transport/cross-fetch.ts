/**
 * The cross-fetch transport (node-fetch on Node.js) with keep-alive agents, TLS options and
 * HTTP(S) proxies, asked not to decompress (httpipe decodes bodies itself).
 * @module
 */
import { tlsConnectOptions } from './tls.js'
import crossFetch from 'cross-fetch'
import http from 'node:http'
import type net from 'node:net'
import { fingerprint, lruCache } from './cache.js'
import https from 'node:https'
import { HttpProxyAgent } from 'http-proxy-agent'
import { HttpsProxyAgent } from 'https-proxy-agent'
import type { Proxy } from '../model/request.js'
import { fromFetch } from './fetch.js'
import type { FetchLike, Transport, TransportRequest } from '../model/transport.js'

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

/**
 * CONNECT through a proxy, then TLS to the target with the request's TLS options
 * (https-proxy-agent applies its constructor options to the proxy connection only).
 */
class TunnelAgent extends HttpsProxyAgent<string> {
  constructor(
    proxy: string,
    private readonly targetTls: https.AgentOptions,
    headers: Record<string, string>,
  ) {
    super(proxy, { keepAlive: true, headers })
  }
  override connect(
    req: http.ClientRequest,
    opts: Parameters<HttpsProxyAgent<string>['connect']>[1],
  ): ReturnType<HttpsProxyAgent<string>['connect']> {
    return super.connect(req, { ...opts, ...this.targetTls } as typeof opts)
  }
}

const makeAgent = (
  secure: boolean,
  req: Pick<TransportRequest, 'proxy' | 'tls' | 'headers' | 'timeouts'>,
): http.Agent => {
  const tls = secure ? tlsConnectOptions(req.tls) : {}
  const proxy = req.proxy
  if (proxy !== null) {
    const auth = proxy.user === null ? proxyAuthorization(req.headers) : null
    const headers: Record<string, string> = auth === null ? {} : { 'Proxy-Authorization': auth }
    // Plain forwarding through a proxy opens a connection per request: proxies such as
    // tinyproxy close idle client connections without saying so, and a reused one then fails.
    return secure
      ? new TunnelAgent(proxyUrl(proxy), tls, headers)
      : new HttpProxyAgent(proxyUrl(proxy), { keepAlive: false, headers })
  }
  const ms = req.timeouts.connectMs
  const agent = secure ? new https.Agent({ keepAlive: true, ...tls }) : new http.Agent({ keepAlive: true })
  return Number.isFinite(ms) && ms > 0 ? timedConnections(agent, Math.ceil(ms), secure) : agent
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

/** One attempt: the agent is chosen from the request as given (its Proxy-Authorization included). */
const send = async (req: TransportRequest): ReturnType<Transport> =>
  fromFetch(crossFetch as unknown as FetchLike, {
    decodes: false,
    extra: () => ({ compress: false, follow: 0, agent: (url: URL) => agentFor(url, req) }),
  })(targetHeaders(req))

/**
 * A transport on cross-fetch (node-fetch v2 on Node.js) with keep-alive `node:http` agents (at
 * most 32 configurations, keyed without secrets), the connect timeout, TLS options and proxies
 * (http-proxy-agent, https-proxy-agent; a caller's `Proxy-Authorization` goes to the proxy
 * only); no automatic decompression, no redirects followed; `close()` ends its connections. For
 * setups where undici is not wanted; on Node.js {@link undiciTransport} is the default
 * (node-fetch v2 does not notice a truncated body).
 * @example
 * pipe(req, H.processRequest('GET', { transport: H.crossFetchTransport }))
 * @category transports
 * @since 0.2.0
 */
export const crossFetchTransport: Transport & { readonly close: () => Promise<void> } = Object.assign(send, {
  close: cache.closeAll,
})
