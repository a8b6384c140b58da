/**
 * The abort of one attempt, cheap when nothing aborts: the `AbortSignal` is made only when a
 * transport reads it (a fetch needs one), and a transport that can stop a request itself
 * (undici) registers a plain callback instead, so the common attempt allocates no signal and
 * adds no EventTarget listener.
 * @module
 */
import type { Proxy } from '../../model/request.js'
import type { TransportRequest, TransportTimeouts, TransportTls } from '../../model/transport.js'

/**
 * A one-shot abort with a lazily made `AbortSignal` and plain listeners.
 * @example
 * const a = new LazyAbort()
 * a.onAbort(() => console.log('stopped'))
 * a.abort() // logs 'stopped'; a.signal.aborted === true
 * @category transports
 * @since 0.2.0
 * @internal
 */
export class LazyAbort {
  private controller: AbortController | null = null
  private listeners: Array<() => void> | null = null
  aborted = false

  /** The signal, made on first use (already aborted if the abort came first). */
  get signal(): AbortSignal {
    if (this.controller === null) {
      this.controller = new AbortController()
      if (this.aborted) this.controller.abort()
    }
    return this.controller.signal
  }

  /** Calls `listener` once on abort (at once if it already happened). */
  onAbort(listener: () => void): void {
    if (this.aborted) return listener()
    ;(this.listeners ??= []).push(listener)
  }

  abort(): void {
    if (this.aborted) return
    this.aborted = true
    this.controller?.abort()
    const ls = this.listeners
    this.listeners = null
    // a transport's listener that throws must not stop the others, nor escape a timer
    if (ls !== null)
      for (const l of ls)
        try {
          l()
        } catch {
          /* the attempt is aborted either way */
        }
  }
}

const ABORT = Symbol('httpipe.abort')

/** The one getter of every lazy `signal`: it reads the abort kept on the object itself. */
function lazySignal(this: { readonly [ABORT]: LazyAbort }): AbortSignal {
  return this[ABORT].signal
}

/**
 * Gives `target` an enumerable `signal` property that makes the abort's signal when first read
 * (spreading the object reads it, so a copy keeps a working signal). Every such object has the
 * same getter, so all share one shape: a getter written in an object literal (a new function per
 * object) turns each object into a dictionary that V8 allocates apart, and everything the getter
 * reaches then outlives the young-generation collections until a full one (measured: about 1.3 MB
 * promoted per scavenge, a quarter of the client's CPU at concurrency 16).
 * @example
 * const req = withLazySignal({ url: 'http://h/' }, new LazyAbort())
 * req.signal.aborted // false
 * @category transports
 * @since 0.3.0
 * @internal
 */
export const withLazySignal = <T extends object>(target: T, abort: LazyAbort): T & { readonly signal: AbortSignal } => {
  Object.defineProperty(target, ABORT, { value: abort })
  Object.defineProperty(target, 'signal', { get: lazySignal, enumerable: true, configurable: true })
  return target as T & { readonly signal: AbortSignal }
}

/** The one getter of every {@link AttemptRequest}'s `signal`. */
const SIGNAL: PropertyDescriptor = { get: attemptSignal, enumerable: true, configurable: true }

function attemptSignal(this: object): AbortSignal {
  return AttemptRequest.signalOf(this)
}

/**
 * The request a transport gets for one attempt: the fields of a {@link TransportRequest} in
 * one shape for all (a class), the abort in a private field (neither enumerated nor copied by a
 * spread), and an own enumerable `signal` that makes the abort's signal when first read (so a
 * spread copy keeps a working signal), with the same getter on every request. Cheaper than
 * {@link withLazySignal} on an object literal: one property defined per request, not two.
 * @example
 * const req = new AttemptRequest({ method: 'GET', url: 'http://h/', headers: [], body: null, proxy: null, tls: null, timeouts }, new LazyAbort(), onInformational)
 * req.signal.aborted // false
 * @category transports
 * @since 0.3.0
 * @internal
 */
export class AttemptRequest implements TransportRequest {
  readonly method: string
  readonly url: string
  readonly headers: TransportRequest['headers']
  readonly body: TransportRequest['body']
  readonly onAbort: (listener: () => void) => void
  readonly onInformational: () => void
  readonly proxy: Proxy<string> | null
  readonly tls: TransportTls | null
  readonly timeouts: TransportTimeouts
  readonly http2: boolean
  declare readonly signal: AbortSignal
  readonly #abort: LazyAbort

  constructor(
    fields: Omit<TransportRequest, 'signal' | 'onAbort' | 'onInformational'>,
    abort: LazyAbort,
    onInformational: () => void,
  ) {
    this.method = fields.method
    this.url = fields.url
    this.headers = fields.headers
    this.body = fields.body
    this.onAbort = (listener) => abort.onAbort(listener)
    this.onInformational = onInformational
    this.proxy = fields.proxy
    this.tls = fields.tls
    this.timeouts = fields.timeouts
    this.http2 = fields.http2 === true
    this.#abort = abort
    Object.defineProperty(this, 'signal', SIGNAL)
  }

  /** The signal of a request's abort (made when first asked for); an object made from one (`Object.create`) reads its prototype's. */
  static signalOf(req: object): AbortSignal {
    let o: object | null = req
    while (o !== null && !(#abort in o)) o = Object.getPrototypeOf(o) as object | null
    if (o === null) throw new TypeError('signal: not read from an attempt request')
    return (o as AttemptRequest).#abort.signal
  }
}
