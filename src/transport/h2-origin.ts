/**
 * HTTP/2 for one origin on undici: one connection that offers `h2` by ALPN and, once the server
 * took it, carries every concurrent request as a stream; HTTP/1.1 keep-alive connections where
 * it did not. undici alone does not multiplex: its `pipelining` (1 by default) caps the streams
 * of an h2 connection, so each concurrent request opens a connection of its own, and a higher
 * `pipelining` would pipeline HTTP/1.1 requests on a server without h2.
 * @module
 */
import { EventEmitter } from 'node:events'
import type net from 'node:net'
import type { TLSSocket } from 'node:tls'
import type { Client, Pool, buildConnector, Dispatcher } from 'undici'
import { errors, newClient, newPool } from './undici-lib.js'
import type { Connects, Waiter } from './connect.js'
import { sessionOf, settle } from './h2-session.js'
import type { HttpVersion } from '../model/response.js'

/**
 * The HTTP version of a connection, read by a request when it is written on it.
 * @example
 * const cell: VersionCell = { version: '1.1' }
 * @category transports
 * @since 0.3.0
 * @internal
 */
export interface VersionCell {
  version: HttpVersion
}

/**
 * A handler that learns which connection it goes out on: its `via` is set when it is
 * dispatched, and read when it is written (undici's `onConnect`).
 * @example
 * const h: Versioned = { via: null }
 * @category transports
 * @since 0.3.0
 * @internal
 */
export interface Versioned {
  via: VersionCell | null
}

/** What the HTTP/1.1 connections of an origin speak. */
const H1: VersionCell = { version: '1.1' }

type Handler = Dispatcher.DispatchHandler & Partial<Versioned>
type Waiting = readonly [Dispatcher.DispatchOptions, Handler]
type Connector = buildConnector.connector
type Callback = (error: Error | null, socket: net.Socket | null) => void

/**
 * The dispatcher of one origin with HTTP/2 offered: an undici `Client` (one connection,
 * `h2` offered) and, where the server answers its ALPN with HTTP/1.1, a `Pool` of HTTP/1.1
 * keep-alive connections (`h2` not offered).
 *
 * - Unknown yet: the first request goes to the Client (its connection says the protocol); the
 *   others wait here, not in the Client, so that they are not queued behind it on HTTP/1.1.
 * - `h2`: the waiting requests go to the Client once the server's SETTINGS are in (before its
 *   `SETTINGS_MAX_CONCURRENT_STREAMS` a burst could exceed it and be refused), or once the first
 *   request has its answer; no `pipelining` limit (past the server's, streams wait in nghttp2).
 * - HTTP/1.1: the waiting requests, and every later one, go to the Pool.
 * - The first connection fails: the waiting requests fail with its error (they were waiting
 *   for it, as undici's own queue of a Client does).
 * - A waiting request aborted ({@link Connects} tells) leaves the queue at once, ended with its reason.
 * - `close()` serves what was dispatched, as undici's Client's (the waiting requests go where the
 *   first connection says, or fail with it), then closes the connections; `destroy()` fails them.
 *
 * Events (`connect`, `disconnect`, `connectionError`, `drain`) are those of the Client and
 * the Pool, so that the Agent counts connections and closes an origin without any.
 * @example
 * new Agent({ factory: (origin, opts) => new Http2Origin(origin, opts, h1Connector) as unknown as Dispatcher })
 * @category transports
 * @since 0.3.0
 * @internal
 */
export class Http2Origin extends EventEmitter {
  private readonly client: Client
  private pool: Pool | null = null
  private state: 'unknown' | 'probing' | 'settling' | 'h2' | 'h1' = 'unknown'
  private waiting: Waiting[] = []
  private readonly cell: VersionCell = { version: '1.1' }
  private socket: net.Socket | null = null
  private closing = false
  private gone = false
  private emptied: Array<() => void> = [] // a close() waiting for the queue to empty
  private readonly unwatch: () => void

  constructor(
    private readonly origin: string | URL,
    private readonly options: Pool.Options,
    private readonly h1Connect: Connector,
    connects: Connects | null = null,
  ) {
    super()
    this.unwatch = connects?.watchAbandoned((w, reason) => this.abandoned(w, reason)) ?? (() => undefined)
    const connect = options.connect as Connector
    this.client = newClient(origin, {
      ...(options as Client.Options),
      allowH2: true,
      connect: (o, cb) =>
        connect(o, ((error: Error | null, socket: net.Socket | null) => {
          if (error === null && socket !== null) this.learn(socket)
          ;(cb as Callback)(error, socket)
        }) as buildConnector.Callback),
    })
    // before the Agent hears of it (it closes an origin left without connections)
    this.client.on('connect', () => this.connected())
    this.client.on('connectionError', (_o: unknown, _t: unknown, error: Error) => this.failed(error))
    this.client.on('disconnect', () => this.open())
    this.forward(this.client)
  }

  get destroyed(): boolean {
    return this.gone
  }

  get closed(): boolean {
    return this.closing
  }

  dispatch(opts: Dispatcher.DispatchOptions, handler: Handler): boolean {
    if (this.closing || this.gone) {
      handler.onError?.(this.gone ? new errors.ClientDestroyedError() : new errors.ClientClosedError())
      return false
    }
    switch (this.state) {
      case 'h2':
        return this.toClient(opts, handler)
      case 'h1':
        return this.toPool(opts, handler)
      case 'unknown':
        this.state = 'probing'
        return this.toClient(opts, this.probe(handler))
      default:
        this.waiting.push([opts, handler])
        return true
    }
  }

  close(callback?: () => void): Promise<void> | undefined {
    this.closing = true
    // the waiting requests go where the first connection says (or fail with it), then all close
    const done = new Promise<void>((resolve) => (this.waiting.length === 0 ? resolve() : this.emptied.push(resolve)))
      .then(() => (this.gone ? undefined : Promise.all([this.client.close(), this.pool?.close()])))
      .then(this.unwatch)
    return settle(done, callback)
  }

  destroy(error?: Error | null | (() => void), callback?: () => void): Promise<void> | undefined {
    const cb = typeof error === 'function' ? error : callback
    const reason = error instanceof Error ? error : null
    this.gone = true
    this.closing = true
    this.unwatch()
    this.fail(reason ?? new errors.ClientDestroyedError())
    return settle(Promise.all([this.client.destroy(reason), this.pool?.destroy(reason)]), cb)
  }

  private toClient(opts: Dispatcher.DispatchOptions, handler: Handler): boolean {
    if ('via' in handler) handler.via = this.cell
    return this.client.dispatch(opts, handler)
  }

  private toPool(opts: Dispatcher.DispatchOptions, handler: Handler): boolean {
    if ('via' in handler) handler.via = H1
    if (this.pool === null) {
      this.pool = newPool(this.origin, { ...this.options, allowH2: false, connect: this.h1Connect })
      this.forward(this.pool)
    }
    return this.pool.dispatch(opts, handler)
  }

  /** The first request, watched: its answer (or its end) means the server's SETTINGS are in. */
  private probe(handler: Handler): Handler {
    const opened = (): void => this.open()
    const probe: Dispatcher.DispatchHandler = {
      onConnect: (abort) => handler.onConnect?.(abort),
      onHeaders: (status, headers, resume, text) => {
        if (status >= 200) opened()
        return handler.onHeaders?.(status, headers, resume, text) ?? true
      },
      onData: (chunk) => handler.onData?.(chunk) ?? true,
      onComplete: (trailers) => {
        opened()
        handler.onComplete?.(trailers)
      },
      onError: (error) => {
        opened()
        handler.onError?.(error)
      },
    }
    // the version is the inner handler's to learn (toClient sets it on the probe, which has none)
    if ('via' in handler) handler.via = this.cell
    return probe
  }

  /** The Client's connection is open: its ALPN answer says where the requests go. */
  private learn(socket: net.Socket): void {
    const h2 = (socket as TLSSocket).alpnProtocol === 'h2'
    this.cell.version = h2 ? '2' : '1.1'
    this.socket = socket
    if (!h2 && (this.state === 'probing' || this.state === 'settling' || this.state === 'h2')) {
      this.state = 'h1'
      queueMicrotask(() => this.release('h1'))
    } else if (h2 && this.state === 'probing') this.state = 'settling'
  }

  /** undici has set the connection up: on h2, the waiting requests go once the SETTINGS are in. */
  private connected(): void {
    // as many streams as the connection takes on h2 (past the server's limit they wait in
    // nghttp2); one request at a time on HTTP/1.1 (what undici keeps alive)
    this.client.pipelining = this.cell.version === '2' ? Number.POSITIVE_INFINITY : 1
    if (this.state !== 'settling') return
    const session = this.socket === null ? null : sessionOf(this.socket)
    // not found (undici changed): the first request's answer says the SETTINGS are in
    if (session === null) return
    const opened = (): void => {
      session.off('remoteSettings', opened)
      session.off('close', opened)
      this.open()
    }
    session.on('remoteSettings', opened)
    session.on('close', opened)
  }

  /**
   * h2 is open (or its connection is gone): the waiting requests go to the Client, on the next
   * microtask (never inside undici's own loops over its queue; a failed connect that follows
   * in the same turn fails them instead).
   */
  private open(): void {
    if (this.state !== 'settling' && this.state !== 'probing') return
    queueMicrotask(() => {
      if (this.state === 'settling' || this.state === 'probing') this.release('h2')
    })
  }

  private release(to: 'h1' | 'h2'): void {
    if (this.state !== 'h1') this.state = to
    const waiting = this.waiting
    this.waiting = []
    for (const [opts, handler] of waiting)
      if (this.state === 'h1') this.toPool(opts, handler)
      else this.toClient(opts, handler)
    this.drained()
  }

  /** The first connection could not be opened: what waited for it fails with its error. */
  private failed(error: Error): void {
    if (this.state !== 'probing' && this.state !== 'settling') return
    this.state = 'unknown'
    this.fail(error)
  }

  private fail(error: Error): void {
    const waiting = this.waiting
    this.waiting = []
    for (const [, h] of waiting) h.onError?.(error)
    this.drained()
  }

  /** A waiting request aborted: out of the queue now, ended (as undici would) on the next microtask. */
  private abandoned(w: Waiter, reason: Error): void {
    const waiting = this.waiting.filter(([, h]) => h !== w)
    if (waiting.length === this.waiting.length) return
    this.waiting = waiting
    queueMicrotask(() => (w as Handler).onError?.(reason))
    this.drained()
  }

  private drained(): void {
    if (this.waiting.length > 0) return
    const emptied = this.emptied
    this.emptied = []
    for (const f of emptied) f()
  }

  /**
   * Passes the events of the Client or the Pool on, until this origin is closed: the Agent has
   * dropped it then, and a late event (a GOAWAY's session closing after its disconnect) would
   * count against the origin's next dispatcher under the same key and close it.
   */
  private forward(d: Dispatcher): void {
    const pass =
      (event: string) =>
      (origin: URL, targets: ReadonlyArray<Dispatcher>, error?: Error): void => {
        if (!this.closing) this.emit(event, origin, [this, ...targets], error)
      }
    d.on('connect', pass('connect'))
    d.on('disconnect', pass('disconnect'))
    d.on('connectionError', pass('connectionError'))
    d.on('drain', (origin: URL) => {
      if (!this.closing) this.emit('drain', origin, [this])
    })
  }
}
