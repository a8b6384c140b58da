/**
 * One attempt: the innermost `Send`. It sends a hop through the transport under the attempt,
 * idle and deadline limits and `env.signal`, reads and decodes the whole body (where the
 * request's sink says: see sink.ts), and classifies every failure.
 * @module
 */
import { rm, truncate } from 'node:fs/promises'
import * as E from 'fp-ts/lib/Either.js'
import type { TimeoutLimit } from '../../model/errors.js'
import { findHeader } from '../../model/headers.js'
import type { Hop } from '../../model/prepared.js'
import { DEFAULT_MAX_MEMORY_BYTES } from '../../model/settings.js'
import { redactSecrets, redactUrl } from '../../encoding/redact.js'
import { openBody } from '../body.js'
import type { Progress } from '../env.js'
import { LazyAbort, withLazySignal } from './abort.js'
import { classify, errText, readFailure, timeoutFailure, type Fired } from './failures.js'
import { decodersFor, readBody } from './collect.js'
import { targetOf } from './sink.js'
import type { Failure, RunCtx, Send } from '../context.js'

/**
 * The limits of one attempt: the attempt (or what is left of the deadline), idle, env.signal.
 * One timer serves both limits: it fires at the earlier one, and re-arms itself while bytes
 * keep coming (`touch` only notes the time, far cheaper than moving a timer per chunk).
 */
class Watch {
  readonly abort = new LazyAbort()
  fired: Fired = null
  private readonly start = Date.now()
  private lastByte = this.start
  private readonly whole: number
  private readonly wholeLimit: TimeoutLimit
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
    this.timer = setTimeout(this.check, Math.min(this.whole, this.idle))
    const signal = (this.signal = ctx.env.signal)
    if (signal !== undefined) {
      const onSignal = (this.onSignal = (): void => this.fire('signal'))
      if (signal.aborted) onSignal()
      else signal.addEventListener('abort', onSignal, { once: true })
    }
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

  /** A byte moved (either way): the idle limit starts again. */
  readonly touch = (): void => void (this.lastByte = Date.now())

  finish(): void {
    clearTimeout(this.timer)
    if (this.onSignal !== null) this.signal?.removeEventListener('abort', this.onSignal)
  }
}

/** A download to a file that failed or was cut off leaves no partial file behind. */
const removePartial = async (ctx: RunCtx, file: string): Promise<void> => {
  try {
    await rm(file, { force: true })
    ctx.log.add(`partial response file ${file} removed`)
  } catch (e) {
    ctx.log.add(`cannot remove the partial response file ${file}: ${errText(e).code}`)
  }
}

/**
 * A part appended to a file (getDataInParts) that failed is cut off again: the file goes back to
 * the `start` bytes it held before (a file that held none is removed, as it was not there).
 */
const cutPartial = async (ctx: RunCtx, file: string, start: number): Promise<void> => {
  if (start === 0) return removePartial(ctx, file)
  try {
    await truncate(file, start)
    ctx.log.add(`partial part cut from ${file}: back to ${start} bytes`)
  } catch (e) {
    ctx.log.add(`cannot cut the partial part from ${file}: ${errText(e).code}`)
  }
}

/** How much of an answer that its sink did not ask for (not the part asked for) is kept (for its error). */
const UNWANTED_BYTES = 64 * 1024

/** Byte bodies larger than this go out in chunks of it, so that the idle limit sees the upload move. */
const CHUNK = 64 * 1024

/** Notes how many body bytes the transport has taken so far. */
type Sent = (loaded: number) => void

/**
 * The outgoing body as a stream the attempt watches: each chunk handed to the transport counts
 * as progress for the idle limit (an upload that moves is not idle) and, after the transport
 * took it, as upload progress (the one place upload bytes are counted); a failure of the body (a
 * file that vanished or changed size) is kept and ends the attempt at once, since transports
 * react to a failing body slowly or vaguely (node-fetch waits for the socket to hang up).
 */
async function* outgoing(src: Uint8Array | AsyncIterable<Uint8Array>, touch: () => void, onError: (e: unknown) => void, sent: Sent | undefined): AsyncGenerator<Uint8Array> {
  let loaded = 0
  try {
    if (src instanceof Uint8Array) {
      for (let at = 0; at < src.byteLength; at += CHUNK) {
        touch()
        const chunk = src.subarray(at, at + CHUNK)
        yield chunk
        // the transport asked for more: this chunk is written (or buffered to be)
        if (sent !== undefined) sent((loaded += chunk.byteLength))
      }
      return
    }
    for await (const chunk of src) {
      touch()
      yield chunk
      if (sent !== undefined) sent((loaded += chunk.byteLength))
    }
  } catch (e) {
    onError(e)
    throw e
  }
}

/**
 * `env.onProgress`, made safe: a callback that throws is logged once and not called again for
 * the run; the transfer goes on.
 */
const safeProgress = (ctx: RunCtx): ((p: Progress) => void) | undefined => {
  const f = ctx.env.onProgress
  if (f === undefined) return undefined
  let broken = false
  return (p) => {
    if (broken) return
    try {
      f(p)
    } catch (e) {
      broken = true
      ctx.log.add(`env.onProgress threw (${redactSecrets(errText(e).text, ctx.secrets)}) - not called again`)
    }
  }
}

/**
 * The innermost Send of a run: one transport call and the whole body, under the limits.
 * @example
 * const send = attempt(ctx)
 * await send(hop) // right({ status: 200, body, … }) or left({ error, phase })
 * @internal
 */
export const attempt = (ctx: RunCtx): Send => {
  const s = ctx.p.settings
  const tries = s.maxAttempts + 1
  const timeouts = { connectMs: s.connectTimeout, idleMs: s.idleTimeout }
  const onProgress = safeProgress(ctx)
  const sink = ctx.p.sink
  // the redacted URL of the last hop: retries of a hop reuse it
  let shownUrl = ''
  let shown = ''
  return async (hop: Hop) => {
    ctx.stats.attempts++
    if (hop.url !== shownUrl) {
      shownUrl = hop.url
      shown = redactSecrets(redactUrl(hop.url), ctx.secrets)
    }
    const what = `${hop.method} ${shown}`
    ctx.log.add(`sending ${what}${tries > 1 ? ` (attempt ${hop.attempt}/${tries})` : ''}`)
    if (ctx.env.now() >= ctx.deadlineAt) return E.left(timeoutFailure(ctx, 'deadline', what))
    const w = new Watch(ctx)
    const t0 = ctx.env.now()
    const opened = openBody(hop.body)
    let bodyError: unknown = null
    const abort = w.abort
    const total = hop.body._tag === 'Segments' ? hop.body.length : null
    const sent: Sent | undefined = onProgress === undefined ? undefined : (loaded) => onProgress({ direction: 'upload', loaded, total })
    const stream =
      opened === null || (opened instanceof Uint8Array && opened.byteLength <= CHUNK && sent === undefined) || (opened instanceof Uint8Array && opened.byteLength === 0)
        ? null
        : outgoing(
            opened,
            w.touch,
            (e) => {
              bodyError = e
              abort.abort()
            },
            sent,
          )
    const body = stream ?? opened
    // whatever the transport did with the body, the attempt closes it (a file is never left open)
    const done = (): void => {
      w.finish()
      if (stream !== null) void stream.return(undefined).catch(() => undefined)
    }
    const { proxy } = ctx.p
    const tls = ctx.tls
    let res
    try {
      res = await ctx.env.transport(
        withLazySignal(
          {
            method: hop.method,
            url: hop.url,
            headers: hop.headers,
            body,
            onAbort: (listener: () => void) => abort.onAbort(listener),
            proxy,
            tls,
            timeouts,
          },
          abort,
        ),
      )
    } catch (e) {
      done()
      return E.left(bodyError === null ? classify(ctx, e, w.fired, what) : classify(ctx, bodyError, null, what))
    }
    const headersAt = ctx.env.now()
    ctx.log.add(`response received, code ${res.status} (${headersAt - t0} ms)`)
    w.touch()
    const noBody = hop.method === 'HEAD' || res.status === 204 || res.status === 304
    const encoding = findHeader(res.headers, 'content-encoding')
    const decoders = s.gzip && !res.decoded && !noBody ? decodersFor(encoding) : []
    if (decoders === null) ctx.log.add(`unknown Content-Encoding ${encoding ?? ''} - body returned as received`)
    const lengthText = findHeader(res.headers, 'content-length')
    const target = targetOf(sink, res.status, res.headers, noBody)
    const file = target.file
    const r = await readBody(res.body, {
      decoders: decoders ?? [],
      file,
      append: target.append,
      total: lengthText !== undefined && /^\d+$/.test(lengthText) ? Number(lengthText) : null,
      maxBytes: target.unwanted ? UNWANTED_BYTES : (ctx.env.maxResponseBytes ?? s.maxResponseSize ?? (file === null ? DEFAULT_MAX_MEMORY_BYTES : Number.POSITIVE_INFINITY)),
      onProgress: onProgress === undefined ? w.touch : (p) => (w.touch(), onProgress(p)),
    })
    done()
    const fired = w.fired
    // an answer the sink did not ask for: its start is kept for the error, the rest dropped
    if (!r.ok && target.unwanted && r.failure.kind === 'limit' && fired === null) {
      ctx.log.add(`not the part asked for: body dropped after ${UNWANTED_BYTES} bytes`)
      return E.right({ hop, status: res.status, statusText: res.statusText, headers: res.headers, body: new Uint8Array(0), file: null, headersAt })
    }
    if (!r.ok) {
      if (file !== null) await cutPartial(ctx, file, target.cutTo)
      return E.left(readFailure(ctx, r.failure, fired, file))
    }
    if (fired !== null) return E.left(classify(ctx, null, fired, what))
    if (decoders !== null && decoders.length > 0) ctx.log.add(`body decoded from ${encoding ?? ''}`)
    return E.right({ hop, status: res.status, statusText: res.statusText, headers: res.headers, body: noBody ? new Uint8Array(0) : r.bytes, file, headersAt })
  }
}
