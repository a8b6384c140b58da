/**
 * The watch over one attempt: its time limits and `env.signal`, with one timer and one lazy
 * abort (a class on the hot path: one object per attempt, no closure per chunk).
 * @module
 */
import type { TimeoutLimit } from '../../model/errors.js'
import type { RunCtx } from '../context.js'
import { LazyAbort } from './abort.js'
import type { Fired } from './failures.js'

/**
 * The limits of one attempt: the attempt (or what is left of the deadline), idle, env.signal.
 * One timer serves both limits: it fires at the earlier one, and re-arms itself while bytes
 * keep coming (`touch` only notes the time, far cheaper than moving a timer per chunk).
 * @example
 * const w = new Watch(ctx) // … w.touch() as bytes move … w.finish()
 * @internal
 */
export class Watch {
  readonly abort = new LazyAbort()
  fired: Fired = null
  private readonly start = Date.now()
  private lastByte = this.start
  private whole: number
  private wholeLimit: TimeoutLimit
  private readonly idle: number
  private readonly signal: AbortSignal | undefined
  private readonly onSignal: (() => void) | null = null
  private timer: ReturnType<typeof setTimeout>

  constructor(ctx: RunCtx) {
    const s = ctx.p.settings
    const left = ctx.deadlineAt - ctx.env.now()
    this.whole = Math.max(0, Math.min(s.timeout, left))
    this.wholeLimit = left < s.timeout ? 'deadline' : 'attempt'
    this.idle = s.idleTimeout
    // the signal first: one that is not an AbortSignal throws here, before a timer is left running
    const signal = (this.signal = ctx.env.signal)
    if (signal !== undefined) {
      const onSignal = (this.onSignal = (): void => this.fire('signal'))
      if (signal.aborted) onSignal()
      else signal.addEventListener('abort', onSignal, { once: true })
    }
    this.timer = setTimeout(this.check, Math.min(this.whole, this.idle))
  }

  fire(why: Exclude<Fired, null>): void {
    if (this.fired !== null) return
    this.fired = why
    this.abort.abort()
  }

  private readonly check = (): void => {
    const t = Date.now()
    const wholeIn = this.start + this.whole - t
    const idleIn = this.lastByte + this.idle - t
    if (wholeIn <= 0) return this.fire(this.wholeLimit)
    if (idleIn <= 0) return this.fire('idle')
    this.timer = setTimeout(this.check, Math.min(wholeIn, idleIn))
  }

  /**
   * The head came and the body goes to a consumer that reads it as it likes (a stream): from
   * now on the attempt limit is over, and only the idle limit, what is left of the deadline
   * (`deadlineLeftMs`, Infinity without one) and the signal apply.
   */
  afterHead(deadlineLeftMs: number): void {
    if (this.fired !== null) return
    this.whole = Date.now() - this.start + Math.max(0, deadlineLeftMs)
    this.wholeLimit = 'deadline'
    clearTimeout(this.timer)
    this.timer = setTimeout(this.check, Math.min(this.whole - (Date.now() - this.start), this.idle))
  }

  /** A byte moved (either way): the idle limit starts again. */
  readonly touch = (): void => void (this.lastByte = Date.now())

  finish(): void {
    clearTimeout(this.timer)
    if (this.onSignal !== null) this.signal?.removeEventListener('abort', this.onSignal)
  }
}
