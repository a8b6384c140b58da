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
