/**
 * The cross-fetch transport (node-fetch on Node.js) with keep-alive agents, TLS options and
 * HTTP(S) proxies, asked not to decompress (httpipe decodes bodies itself).
 * @module
 */
import { tlsConnectOptions } from './tls.js'
import crossFetch from 'cross-fetch'
import http from 'node:http'
import https from 'node:https'
import { HttpProxyAgent } from 'http-proxy-agent'
import { HttpsProxyAgent } from 'https-proxy-agent'
import type { Proxy } from '../request/model.js'
import { fromFetch } from './fetch.js'
import type { FetchLike, Transport, TransportRequest, TransportTls } from './types.js'

const defaultHttp = new http.Agent({ keepAlive: true })
const defaultHttps = new https.Agent({ keepAlive: true })
const agents = new Map<string, http.Agent>()

const tlsOptions = tlsConnectOptions

const proxyUrl = (p: Proxy): string => {
  const auth = p.user === null ? '' : `${encodeURIComponent(p.user)}:${encodeURIComponent(p.password ?? '')}@`
  return `${p.protocol}://${auth}${p.host.includes(':') ? `[${p.host}]` : p.host}:${p.port}`
}

/**
 * CONNECT through a proxy, then TLS to the target with the request's TLS options
 * (https-proxy-agent applies its constructor options to the proxy connection only).
 */
class TunnelAgent extends HttpsProxyAgent<string> {
  constructor(
    proxy: string,
    private readonly targetTls: https.AgentOptions,
  ) {
    super(proxy, { keepAlive: true })
  }
  override connect(req: http.ClientRequest, opts: Parameters<HttpsProxyAgent<string>['connect']>[1]): ReturnType<HttpsProxyAgent<string>['connect']> {
    return super.connect(req, { ...opts, ...this.targetTls } as typeof opts)
  }
}

const makeAgent = (secure: boolean, proxy: Proxy | null, tls: TransportTls | null): http.Agent => {
  const options = { keepAlive: true, ...(secure ? tlsOptions(tls) : {}) }
  // Plain forwarding through a proxy opens a connection per request: proxies such as
  // tinyproxy close idle client connections without saying so, and a reused one then fails.
  if (proxy !== null) return secure ? new TunnelAgent(proxyUrl(proxy), tlsOptions(tls)) : new HttpProxyAgent(proxyUrl(proxy), { keepAlive: false })
  return secure ? new https.Agent(options) : new http.Agent(options)
}

/**
 * The keep-alive agent for an attempt: shared defaults, or one per proxy/TLS configuration.
 * @example
 * agentFor({ protocol: 'http:' } as URL, req)
 * @category transports
 * @since 0.1.0
 * @internal
 */
export const agentFor = (url: URL, req: Pick<TransportRequest, 'proxy' | 'tls'>): http.Agent => {
  const secure = url.protocol === 'https:'
  if (req.proxy === null && (req.tls === null || !secure)) return secure ? defaultHttps : defaultHttp
  const key = JSON.stringify([secure, req.proxy, secure ? req.tls : null])
  const found = agents.get(key)
  if (found !== undefined) return found
  const agent = makeAgent(secure, req.proxy, req.tls)
  agents.set(key, agent)
  return agent
}

/**
 * A transport on cross-fetch (node-fetch v2 on Node.js) with keep-alive `node:http` agents, TLS
 * options and proxies (http-proxy-agent, https-proxy-agent); no automatic decompression, no
 * redirects followed. For runtimes or setups where undici is not wanted; on Node.js
 * {@link undiciTransport} is the default (node-fetch v2 does not notice a truncated body).
 * @example
 * pipe(req, H.processRequest('GET', { transport: H.crossFetchTransport }))
 * @category transports
 * @since 0.2.0
 */
export const crossFetchTransport: Transport = fromFetch(crossFetch as unknown as FetchLike, {
  decodes: false,
  extra: (req) => ({ compress: false, follow: 0, agent: (url: URL) => agentFor(url, req) }),
})
