/**
 * The watch over one attempt: its time limits and `env.signal`, with one timer and one lazy
 * abort (a class on the hot path: one object per attempt, no closure per chunk).
 * @module
 */
import type { TimeoutLimit } from '../../model/errors.js'
import type { RunCtx } from '../context.js'
import { LazyAbort } from './abort.js'
import type { Fired } from './failures.js'

/** Limits at least this long share one coarse timer (a tick every {@link TICK_MS}) instead of a timer each. */
const SHARED_FROM_MS = 2_000
/** How often the shared timer looks at the long limits (a limit less than 2 s away gets a timer of its own). */
const TICK_MS = 250

/** The attempts watched by the shared timer; the timer runs only while there is one. */
const shared = new Set<Watch>()
let ticker: ReturnType<typeof setInterval> | null = null

/**
 * How many attempts the shared timer watches now, and whether it is running (for tests: both
 * go back to zero and false when no attempt is in flight).
 * @example
 * sharedWatchState() // { watched: 0, ticking: false }
 * @internal
 */
export const sharedWatchState = (): { readonly watched: number; readonly ticking: boolean } => ({
  watched: shared.size,
  ticking: ticker !== null,
})

const tick = (): void => {
  for (const w of shared)
    try {
      w.poll()
    } catch {
      /* one attempt's failure must not stop the others' limits (LazyAbort already keeps listeners apart) */
    }
  if (shared.size === 0 && ticker !== null) {
    clearInterval(ticker)
    ticker = null
  }
}

/**
 * The limits of one attempt: the attempt (or what is left of the deadline), idle, env.signal.
 * One timer serves both limits: it fires at the earlier one, and re-arms itself while bytes
 * keep coming (`touch` only notes the time, far cheaper than moving a timer per chunk). When
 * the nearer limit is 2 s away or more (the defaults are minutes), the attempt is looked at by
 * one timer shared by every attempt in flight, every 250 ms, instead of a timer of its own, until
 * the limit is less than 2 s away (then it gets a timer of its own, so it fires on time): a
 * request that ends well before its limits costs no timer to make and clear.
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
  private timer: ReturnType<typeof setTimeout> | null = null

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
    this.arm(Math.min(this.whole, this.idle))
  }

  /** Waits `ms` for the next look: on a timer of its own when short, else on the shared one. */
  private arm(ms: number): void {
    if (ms < SHARED_FROM_MS) {
      shared.delete(this)
      this.timer = setTimeout(this.check, ms)
      return
    }
    this.timer = null
    shared.add(this)
    ticker ??= setInterval(tick, TICK_MS)
  }

  fire(why: Exclude<Fired, null>): void {
    if (this.fired !== null) return
    this.fired = why
    shared.delete(this)
    this.abort.abort()
  }

  /** The shared timer's look: fires a limit that is over, moves to a timer of its own when one is near. */
  poll(): void {
    const t = Date.now()
    const next = Math.min(this.start + this.whole - t, this.lastByte + this.idle - t)
    if (next < SHARED_FROM_MS) this.check()
  }

  private readonly check = (): void => {
    const t = Date.now()
    const wholeIn = this.start + this.whole - t
    const idleIn = this.lastByte + this.idle - t
    if (wholeIn <= 0) return this.fire(this.wholeLimit)
    if (idleIn <= 0) return this.fire('idle')
    this.arm(Math.min(wholeIn, idleIn))
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
    this.stop()
    this.arm(Math.min(this.whole - (Date.now() - this.start), this.idle))
  }

  /** A byte moved (either way): the idle limit starts again. */
  readonly touch = (): void => void (this.lastByte = Date.now())

  private stop(): void {
    if (this.timer !== null) clearTimeout(this.timer)
    this.timer = null
    shared.delete(this)
  }

  finish(): void {
    this.stop()
    if (this.onSignal !== null) this.signal?.removeEventListener('abort', this.onSignal)
  }
}
