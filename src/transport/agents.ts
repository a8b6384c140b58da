/**
 * The undici dispatchers of a transport: one keep-alive `Agent` or `ProxyAgent` per
 * configuration (connect timeout, proxy, TLS material), kept in a small least-recently-used
 * cache whose keys hold no secret.
 * @module
 */
import { tlsConnectOptions } from './tls.js'
import { fingerprint, lruCache, type LruCache } from './cache.js'
import { Agent, type Dispatcher } from './undici-lib.js'
import { boundedConnector, Connects, type ConnectSpec } from './connect.js'
import { Http2Origin } from './h2-origin.js'
import type { Proxy } from '../model/request.js'
import type { TransportRequest, TransportTls } from '../model/transport.js'

/**
 * Settings shared by every dispatcher of one transport.
 * @example
 * const s: AgentSettings = { connections: null, allowH2: false, keepAliveTimeoutMs: 4000 }
 * @category transports
 * @since 0.2.0
 * @internal
 */
export interface AgentSettings {
  readonly connections: number | null
  readonly allowH2: boolean
  readonly keepAliveTimeoutMs: number | null
}

/**
 * A milliseconds limit as undici takes it: a non-negative integer, 0 meaning none.
 * @example
 * undiciMs(Infinity) // 0
 * @category transports
 * @since 0.2.0
 * @internal
 */
export const undiciMs = (ms: number): number => (Number.isFinite(ms) && ms > 0 ? Math.ceil(ms) : 0)

/**
 * The Proxy-Authorization value for a proxy: Basic from its user and password, else the one
 * the caller put in the request headers (undici sends it to the proxy only), else null.
 * @example
 * proxyToken({ protocol: 'http', host: 'p', port: 3128, user: 'ann', password: 'pw' }, []) // 'Basic YW5uOnB3'
 * @category transports
 * @since 0.2.0
 * @internal
 */
export const proxyToken = (proxy: Proxy<string>, headers: TransportRequest['headers']): string | null => {
  if (proxy.user !== null) return `Basic ${Buffer.from(`${proxy.user}:${proxy.password ?? ''}`).toString('base64')}`
  return headers.find(([n]) => n.toLowerCase() === 'proxy-authorization')?.[1] ?? null
}

/** Whether a target URL (a URL or its text, any case) is `https:`. */
const isSecure = (url: URL | string): boolean =>
  typeof url === 'string' ? /^https:/i.test(url) : url.protocol === 'https:'

/** Fingerprints of CA-only TLS material (public: no key, no passphrase), by the CA text, per `rejectUnauthorized`. */
const caPrints: readonly [Map<string, string>, Map<string, string>] = [new Map(), new Map()]

/** The fingerprint of TLS material; a CA alone (the usual case) is hashed once, not per request. */
const tlsPrint = (tls: TransportTls): string => {
  if (tls.ca === null || tls.cert !== null || tls.key !== null || tls.passphrase !== null) return fingerprint(tls)
  const known = caPrints[tls.rejectUnauthorized ? 1 : 0]
  const hit = known.get(tls.ca)
  if (hit !== undefined) return hit
  const print = fingerprint(tls)
  if (known.size >= 32) known.clear()
  known.set(tls.ca, print)
  return print
}

const proxyOrigin = (p: Proxy<string>): string =>
  `${p.protocol}://${p.host.includes(':') ? `[${p.host}]` : p.host}:${p.port}`

/**
 * Whether an attempt goes on HTTP/2-offering connections: an `https:` target, and HTTP/2 asked
 * for by the request (`useHttp2`) or by the transport (`allowH2`).
 * @example
 * usesH2('https://a.example/', { http2: true }, false) // true
 * usesH2('http://a.example/', { http2: true }, true) // false
 * @category transports
 * @since 0.3.0
 * @internal
 */
export const usesH2 = (url: URL | string, req: Pick<TransportRequest, 'http2'>, allowH2: boolean): boolean =>
  (allowH2 || req.http2 === true) && isSecure(url)

/**
 * The cache key of the dispatcher for an attempt: the connect timeout, the proxy's origin and
 * the target's security in clear; proxy credentials and TLS material only as fingerprints.
 * TLS options count for `https:` targets only (plain ones share the agent without them).
 * HTTP/2 (`h2`, see {@link usesH2}) has agents of its own (`,"h2"` at the end).
 * @example
 * dispatcherKey(new URL('http://127.0.0.1/'), { proxy: null, tls: null, headers: [], timeouts: { connectMs: 10_000, idleMs: 0 } }) // '[10000,false,null,null]'
 * @category transports
 * @since 0.2.0
 * @internal
 */
export const dispatcherKey = (
  url: URL | string,
  req: Pick<TransportRequest, 'proxy' | 'tls' | 'headers' | 'timeouts'>,
  h2 = false,
): string => {
  const secure = isSecure(url)
  if (req.proxy === null && (req.tls === null || !secure))
    return `[${undiciMs(req.timeouts.connectMs)},${secure},null,null${h2 ? ',"h2"' : ''}]`
  const proxy = req.proxy === null ? null : [proxyOrigin(req.proxy), fingerprint(proxyToken(req.proxy, req.headers))]
  const tls = secure && req.tls !== null ? tlsPrint(req.tls) : null
  return JSON.stringify(
    h2
      ? [undiciMs(req.timeouts.connectMs), secure, proxy, tls, 'h2']
      : [undiciMs(req.timeouts.connectMs), secure, proxy, tls],
  )
}

/**
 * A dispatcher of the transport, with the registry of the connections it is opening (see
 * {@link Connects}).
 * @example
 * const d: BoundedDispatcher = makeDispatcher(settings, url, req)
 * d.connects // the registry
 * @category transports
 * @since 0.3.0
 * @internal
 */
export type BoundedDispatcher = Dispatcher & { readonly connects: Connects }

/** The undici Agent of a configuration, its connections opened by a {@link boundedConnector}. */
class BoundedAgent extends Agent {
  constructor(
    options: Agent.Options,
    spec: ConnectSpec,
    readonly connects: Connects,
  ) {
    super({ ...options, connect: boundedConnector(spec, connects) })
  }
}

/** Whether a header record (as undici takes it) has `name` (lower case), in any spelling. */
const hasHeader = (headers: Record<string, unknown>, name: string): boolean =>
  Object.keys(headers).some((k) => k.toLowerCase() === name)

/**
 * Plain forwarding of `http:` targets through an `http:` proxy: each request goes to the proxy
 * with its absolute URL as the path, its target's Host and the proxy's credentials, on the
 * keep-alive connections of one agent to the proxy. The proxy's answer is the response,
 * whatever its status (a 407 included).
 */
class Forwarder extends BoundedAgent {
  constructor(
    options: Agent.Options,
    spec: ConnectSpec,
    private readonly proxy: string,
    private readonly token: string | null,
  ) {
    super(options, spec, new Connects(true))
  }

  override dispatch(opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    const origin = String(opts.origin)
    const headers: Record<string, string | string[]> = { ...(opts.headers as Record<string, string | string[]>) }
    if (!hasHeader(headers, 'host')) headers['host'] = origin.slice(origin.indexOf('//') + 2)
    if (this.token !== null) headers['proxy-authorization'] = this.token
    return super.dispatch({ ...opts, origin: this.proxy, path: `${origin}${opts.path}`, headers }, handler)
  }
}

/**
 * The agent of `https:` targets with HTTP/2 offered: an {@link Http2Origin} per origin (one
 * connection offering h2, HTTP/1.1 connections where the server does not take it), each
 * connection opened by a {@link boundedConnector} (h2 offered or not) under the connect limit.
 */
const h2Agent = (options: Agent.Options, spec: ConnectSpec): BoundedDispatcher => {
  const connects = new Connects(false)
  const h1 = boundedConnector({ ...spec, allowH2: false }, connects)
  const factory = (origin: string | URL, opts: object): Dispatcher =>
    new Http2Origin(origin, opts, h1, connects) as unknown as Dispatcher
  return new BoundedAgent({ ...options, factory }, { ...spec, allowH2: true }, connects)
}

/**
 * A new dispatcher for an attempt's configuration, each connection opened by a
 * {@link boundedConnector} under the connect timeout (TCP, TLS and a proxy's tunnel as one): an
 * agent straight to the targets; through an `http:` proxy, a {@link Forwarder} for `http:`
 * targets; otherwise (an `https:` target, or an `https:` proxy) an agent that tunnels through
 * CONNECT, the TLS options applied to the target connection inside the tunnel. With `h2` (an
 * `https:` target, see {@link usesH2}), straight or through the tunnel, HTTP/2 is offered and
 * the requests to one origin share one connection (see {@link Http2Origin}).
 * @example
 * makeDispatcher({ connections: null, allowH2: false, keepAliveTimeoutMs: null }, new URL('http://127.0.0.1/'), req)
 * @category transports
 * @since 0.2.0
 * @internal
 */
export const makeDispatcher = (
  s: AgentSettings,
  url: URL | string,
  req: Pick<TransportRequest, 'proxy' | 'tls' | 'headers' | 'timeouts'>,
  h2 = false,
): BoundedDispatcher => {
  const timeoutMs = undiciMs(req.timeouts.connectMs)
  const secure = isSecure(url)
  const options: Agent.Options = {
    ...(s.connections === null ? {} : { connections: s.connections }),
    ...(s.keepAliveTimeoutMs === null ? {} : { keepAliveTimeout: s.keepAliveTimeoutMs }),
  }
  const tls = secure ? tlsConnectOptions(req.tls) : {}
  const proxy = req.proxy
  const token = proxy === null ? null : proxyToken(proxy, req.headers)
  const tunnel = proxy === null ? null : { protocol: proxy.protocol, host: proxy.host, port: proxy.port, token }
  if (h2 && secure) return h2Agent(options, { tls, allowH2: true, timeoutMs, tunnel })
  if (proxy === null)
    return new BoundedAgent(options, { tls, allowH2: false, timeoutMs, tunnel: null }, new Connects(false))
  if (!secure && proxy.protocol === 'http')
    return new Forwarder(options, { tls: {}, allowH2: false, timeoutMs, tunnel: null }, proxyOrigin(proxy), token)
  return new BoundedAgent(options, { tls, allowH2: false, timeoutMs, tunnel }, new Connects(false))
}

/**
 * A bounded least-recently-used cache of dispatchers. An evicted dispatcher is closed
 * gracefully (its running requests finish); `closeAll` closes every one and empties the cache.
 * @example
 * const cache = dispatcherCache(32)
 * const agent = cache.get('key', () => new Agent())
 * @category transports
 * @since 0.2.0
 * @internal
 */
export type DispatcherCache = LruCache<BoundedDispatcher>

/**
 * Makes a {@link DispatcherCache} holding at most `max` dispatchers.
 * @example
 * dispatcherCache(2).keys() // []
 * @category transports
 * @since 0.2.0
 * @internal
 */
export const dispatcherCache = (max: number): DispatcherCache => lruCache<BoundedDispatcher>(max, (d) => d.close())
