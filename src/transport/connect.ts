/**
 * Opening connections under httpipe's own bound: TCP, TLS and a proxy's CONNECT tunnel timed by
 * one exact timer (undici's own connect timer ticks twice a second and never covers a tunnel),
 * and a registry of the connections being opened, so that an attempt aborted while it waits for
 * one (its attempt limit, the deadline, `env.signal`) stops it when no other attempt waits too.
 * @module
 */
import net from 'node:net'
import tls from 'node:tls'
import { buildConnector, errors } from './undici-lib.js'

/** How much of a proxy's answer to CONNECT is read before it is refused as malformed. */
const MAX_TUNNEL_HEAD = 16 * 1024

const ignore = (): void => undefined

type Callback = (error: Error | null, socket: net.Socket | null) => void

/**
 * A request waiting for a connection (an intrusive list: entering and leaving it allocates
 * nothing): the undici handler of an attempt, from its dispatch until it is connected or done.
 * @example
 * const w: Waiter = { origin: 'http://h:80', prev: null, next: null }
 * @category transports
 * @since 0.3.0
 * @internal
 */
export interface Waiter {
  readonly origin: string
  prev: Waiter | null
  next: Waiter | null
}

/** One connection being opened: its origin, and how to stop it. */
interface Opening {
  readonly origin: string
  readonly cancel: (error: Error) => void
}

/**
 * The connections one dispatcher is opening, and the requests waiting for one. An attempt that
 * is aborted before it has its connection leaves the waiting list; when no request waits for
 * that origin any more (for a forwarding proxy: none at all), its connections being opened are
 * stopped at once instead of running on until the connect limit.
 * @example
 * const connects = new Connects(false)
 * @category transports
 * @since 0.3.0
 * @internal
 */
export class Connects {
  private head: Waiter | null = null
  private readonly opening = new Set<Opening>()
  private readonly watchers = new Set<(w: Waiter, reason: Error) => void>()

  /** `shared`: every request goes through one origin (a forwarding proxy), whatever its target. */
  constructor(private readonly shared: boolean) {}

  enter(w: Waiter): void {
    w.next = this.head
    if (this.head !== null) this.head.prev = w
    this.head = w
  }

  /** Leaves the waiting list (a waiter not in it is left alone). */
  leave(w: Waiter): void {
    if (w.prev !== null) w.prev.next = w.next
    else if (this.head === w) this.head = w.next
    else return
    if (w.next !== null) w.next.prev = w.prev
    w.prev = null
    w.next = null
  }

  /** A waiter aborted before it had its connection: it leaves, and connections nobody waits for stop. */
  abandon(w: Waiter, reason: Error): void {
    this.leave(w)
    for (const f of this.watchers) f(w, reason)
    if (this.opening.size === 0) return
    for (let x = this.head; x !== null; x = x.next) if (this.shared || x.origin === w.origin) return
    for (const o of [...this.opening]) if (this.shared || o.origin === w.origin) o.cancel(reason)
  }

  /** Tells `f` of each waiter abandoned from now on (an Http2Origin drops it from its queue) until the call it returns. */
  watchAbandoned(f: (w: Waiter, reason: Error) => void): () => void {
    this.watchers.add(f)
    return () => void this.watchers.delete(f)
  }

  /** Notes a connection being opened until `done` is called. */
  track(o: Opening): () => void {
    this.opening.add(o)
    return () => void this.opening.delete(o)
  }
}

/**
 * The connect timeout error, as undici raises it (`UND_ERR_CONNECT_TIMEOUT`).
 * @example
 * connectTimeoutError('127.0.0.1:443', 400).code // 'UND_ERR_CONNECT_TIMEOUT'
 * @category transports
 * @since 0.3.0
 * @internal
 */
export const connectTimeoutError = (address: string, ms: number): Error =>
  new errors.ConnectTimeoutError(`Connect Timeout Error (attempted address: ${address}, timeout: ${ms}ms)`)

/** `host:port` of a connector's target, the default port filled in (the CONNECT request-target). */
const authorityOf = (o: buildConnector.Options): string =>
  o.port !== '' && o.port !== undefined
    ? `${o.hostname.includes(':') ? `[${o.hostname}]` : o.hostname}:${o.port}`
    : `${o.host ?? o.hostname}:${o.protocol === 'https:' ? 443 : 80}`

/**
 * A proxy to tunnel through: where it listens and the Proxy-Authorization to send (or null).
 * @example
 * const p: TunnelProxy = { protocol: 'http', host: '127.0.0.1', port: 3128, token: null }
 * @category transports
 * @since 0.3.0
 * @internal
 */
export interface TunnelProxy {
  readonly protocol: 'http' | 'https'
  readonly host: string
  readonly port: number
  readonly token: string | null
}

/**
 * Opens a CONNECT tunnel to `authority` through `proxy`: a connection (TLS for an `https:`
 * proxy), the CONNECT request, and the proxy's answer read up to its blank line (at most 16
 * KiB). A 2xx calls back with the socket (bytes after the head kept on it); any other answer is
 * undici's `Proxy response (407) !== 200 when HTTP Tunneling` (`UND_ERR_ABORTED`). No timer:
 * the caller bounds it and stops it with the returned function (which destroys the socket).
 * @example
 * const stop = openTunnel({ protocol: 'http', host: '127.0.0.1', port: 3128, token: null }, 'example.com:443', (e, s) => {})
 * @category transports
 * @since 0.3.0
 * @internal
 */
export const openTunnel = (proxy: TunnelProxy, authority: string, cb: Callback): ((e: Error) => void) => {
  let done = false
  let head = Buffer.alloc(0)
  const socket =
    proxy.protocol === 'https'
      ? tls.connect({ host: proxy.host, port: proxy.port, ...(net.isIP(proxy.host) ? {} : { servername: proxy.host }) })
      : net.connect({ host: proxy.host, port: proxy.port })
  const finish = (error: Error | null): void => {
    if (done) return
    done = true
    socket.removeListener('data', onData)
    socket.removeListener('close', onClose)
    socket.removeListener('error', onError)
    socket.on('error', ignore)
    if (error !== null) {
      socket.destroy()
      return cb(error, null)
    }
    cb(null, socket)
  }
  const onError = (e: NodeJS.ErrnoException): void =>
    finish(e.code === 'ERR_TLS_CERT_ALTNAME_INVALID' ? new errors.SecureProxyConnectionError(e) : e)
  const onClose = (): void => finish(new errors.SocketError('the proxy closed the connection before answering CONNECT'))
  const onData = (chunk: Buffer): void => {
    head = Buffer.concat([head, chunk])
    const end = head.indexOf('\r\n\r\n')
    if (end === -1) {
      if (head.length > MAX_TUNNEL_HEAD) finish(new errors.SocketError('the proxy sent a malformed answer to CONNECT'))
      return
    }
    const m = /^HTTP\/1\.[01] (\d{3})(?: |\r)/.exec(head.subarray(0, Math.min(end + 2, 64)).toString('latin1'))
    if (m === null) return finish(new errors.SocketError('the proxy sent a malformed answer to CONNECT'))
    const status = Number(m[1])
    if (status < 200 || status > 299)
      return finish(new errors.RequestAbortedError(`Proxy response (${status}) !== 200 when HTTP Tunneling`))
    // what came after the head is the tunnel's: kept on the socket for its next reader
    socket.pause()
    const rest = head.subarray(end + 4)
    socket.removeListener('data', onData)
    if (rest.length > 0) socket.unshift(rest)
    finish(null)
  }
  socket.on('error', onError)
  socket.once(proxy.protocol === 'https' ? 'secureConnect' : 'connect', () => {
    const auth = proxy.token === null ? '' : `proxy-authorization: ${proxy.token}\r\n`
    socket.write(`CONNECT ${authority} HTTP/1.1\r\nhost: ${authority}\r\n${auth}proxy-connection: keep-alive\r\n\r\n`)
    socket.on('data', onData)
    socket.once('close', onClose)
  })
  return (e) => finish(e)
}

/**
 * What a {@link boundedConnector} opens: the TLS options for `https:` targets, HTTP/2 offered
 * or not, the connect limit (0: none) and, for a tunnel, the proxy.
 * @example
 * const s: ConnectSpec = { tls: {}, allowH2: false, timeoutMs: 10_000, tunnel: null }
 * @category transports
 * @since 0.3.0
 * @internal
 */
export interface ConnectSpec {
  readonly tls: tls.ConnectionOptions
  readonly allowH2: boolean
  readonly timeoutMs: number
  readonly tunnel: TunnelProxy | null
}

/**
 * An undici connector (the `connect` option of an Agent) that opens each connection (TCP, the
 * tunnel through a proxy, TLS) under one exact timer of `timeoutMs` for the whole of it (a
 * `UND_ERR_CONNECT_TIMEOUT`), and notes it in `connects` while it is being opened, so that an
 * abandoned one can be stopped.
 * @example
 * new Agent({ connect: boundedConnector({ tls: {}, allowH2: false, timeoutMs: 10_000, tunnel: null }, new Connects(false)) })
 * @category transports
 * @since 0.3.0
 * @internal
 */
export const boundedConnector = (spec: ConnectSpec, connects: Connects): buildConnector.connector => {
  // undici's connector, for TCP and TLS as undici opens them (TLS sessions, ALPN), untimed
  const open = buildConnector({ ...spec.tls, allowH2: spec.allowH2, timeout: 0 }) as unknown as (
    o: buildConnector.Options,
    cb: buildConnector.Callback,
  ) => net.Socket
  return (o, callback) => {
    let socket: net.Socket | null = null
    let tunnelled: net.Socket | null = null
    let stopTunnel: ((e: Error) => void) | null = null
    let timer: ReturnType<typeof setTimeout> | null = null
    let finished = false
    const origin = `${o.protocol}//${o.host ?? o.hostname}`
    const finish = (error: Error | null, s: net.Socket | null): void => {
      if (finished) return
      finished = true
      untrack()
      if (timer !== null) clearTimeout(timer)
      if (error === null && s !== null) return callback(null, s)
      stopTunnel?.(error ?? new errors.SocketError('no connection'))
      socket?.destroy()
      tunnelled?.destroy()
      callback(error ?? new errors.SocketError('no connection'), null)
    }
    const untrack = connects.track({ origin, cancel: (e) => finish(e, null) })
    if (spec.timeoutMs > 0)
      timer = setTimeout(() => finish(connectTimeoutError(authorityOf(o), spec.timeoutMs), null), spec.timeoutMs)
    const direct = (httpSocket: net.Socket | undefined): void => {
      socket = open(httpSocket === undefined ? o : { ...o, httpSocket }, (e, s) => finish(e, s))
    }
    if (spec.tunnel === null) return direct(undefined)
    stopTunnel = openTunnel(spec.tunnel, authorityOf(o), (e, s) => {
      stopTunnel = null
      if (e !== null || s === null) return finish(e, null)
      if (o.protocol !== 'https:') return finish(null, s)
      tunnelled = s
      direct(s)
    })
  }
}
