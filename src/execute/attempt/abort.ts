/**
 * The abort of one attempt, cheap when nothing aborts: the `AbortSignal` is made only when a
 * transport reads it (a fetch needs one), and a transport that can stop a request itself
 * (undici) registers a plain callback instead, so the common attempt allocates no signal and
 * adds no EventTarget listener.
 * @module
 */

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
    if (ls !== null) for (const l of ls) l()
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
