/**
 * One attempt: the innermost `Send`. It sends a hop through the transport under the attempt,
 * idle and deadline limits and `env.signal`, reads and decodes the whole body (to the response
 * file for a 2xx when one is set, else to memory), and classifies every failure.
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import { fileError, responseTooLarge, timeout, transportError, type ClientError, type TimeoutLimit } from '../errors.js'
import { findHeader } from '../headers.js'
import type { Hop } from '../model/prepared.js'
import { redactSecrets, redactUrl } from '../redact.js'
import { BodyFileError, openBody } from './body.js'
import type { Progress } from './env.js'
import { LazyAbort } from '../transport/abort.js'
import { decodersFor, readBody, type ReadFailure } from './read-body.js'
import { EXECUTE_STEP as STEP, type Failure, type RunCtx, type Send } from './send.js'

/**
 * The code and text of a thrown error (its own, or its cause's for fetch's `TypeError`).
 * @example
 * errText(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' })) // { code: 'ECONNREFUSED', text: 'refused' }
 * @internal
 */
export const errText = (e: unknown): { readonly code: string; readonly text: string } => {
  const err = e as { code?: unknown; errno?: unknown; message?: unknown; cause?: { code?: unknown; message?: unknown } } | null
  const code = String(err?.code ?? err?.cause?.code ?? err?.errno ?? 'ERROR')
  const text = String(err?.cause?.message ?? err?.message ?? e)
  return { code, text }
}

/** Codes of failures that happen before anything reached the server. */
const UNSENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_CONNECT'])
/** Transport codes that mean an idle limit fired inside the transport (undici's head and body timeouts). */
const IDLE = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT'])

type Fired = TimeoutLimit | 'signal' | null

const limitMs = (ctx: RunCtx, limit: TimeoutLimit): number => {
  const s = ctx.p.settings
  return limit === 'attempt' ? s.timeout : limit === 'connect' ? s.connectTimeout : limit === 'idle' ? s.idleTimeout : (s.deadline ?? 0)
}

const TIMEOUT_TEXT: Readonly<Record<TimeoutLimit, string>> = {
  attempt: 'no complete response within',
  connect: 'no connection within',
  idle: 'no byte received for',
  deadline: 'the run did not end within',
}

/**
 * The failure of a limit: a `Timeout` naming it (the deadline is never retried).
 * @example
 * timeoutFailure(ctx, 'idle', 'GET http://h/')
 * @internal
 */
export const timeoutFailure = (ctx: RunCtx, limit: TimeoutLimit, what: string): Failure => {
  const ms = limitMs(ctx, limit)
  ctx.log.add(`timeout (${limit}): ${TIMEOUT_TEXT[limit]} ${ms} ms`)
  return { error: timeout(`${STEP}: ${what} timed out (${limit}: ${TIMEOUT_TEXT[limit]} ${ms} ms)`, ms, ctx.log.log, limit), phase: limit === 'deadline' ? 'final' : limit === 'connect' ? 'unsent' : 'sent' }
}

/**
 * The failure an error of the transport (or of reading the body) stands for.
 * @example
 * classify(ctx, e, null, 'GET http://h/')
 * @internal
 */
export const classify = (ctx: RunCtx, e: unknown, fired: Fired, what: string): Failure => {
  if (fired === 'signal' || (fired === null && ctx.env.signal?.aborted === true)) {
    ctx.log.add('aborted by env.signal')
    return { error: transportError(`${STEP}: ${what} aborted by env.signal`, 'ABORTED', ctx.log.log), phase: 'final' }
  }
  if (fired !== null) return timeoutFailure(ctx, fired, what)
  if (e instanceof BodyFileError) {
    const why = e.code === 'EFILECHANGED' ? 'changed size since the request was prepared' : e.code
    ctx.log.add(`cannot read body file ${e.path}: ${why}`)
    return { error: fileError(`${STEP}: cannot read body file ${e.path}: ${why}`, e.path, e.code, ctx.log.log), phase: 'final' }
  }
  const { code, text } = errText(e)
  if (code === 'UND_ERR_CONNECT_TIMEOUT') return timeoutFailure(ctx, 'connect', what)
  if (IDLE.has(code)) return timeoutFailure(ctx, 'idle', what)
  const reason = redactSecrets(redactUrl(text), ctx.secrets)
  ctx.log.add(`transport error ${code}: ${reason}`)
  const invalid = code === 'UND_ERR_INVALID_ARG' || code === 'ERR_INVALID_ARG_VALUE' || code === 'ERR_INVALID_CHAR' || code === 'ERR_INVALID_HTTP_TOKEN'
  return { error: transportError(`${STEP}: ${what} failed: ${code}: ${reason}`, code, ctx.log.log), phase: UNSENT.has(code) ? 'unsent' : invalid ? 'final' : 'sent' }
}

const readFailure = (ctx: RunCtx, f: ReadFailure, fired: Fired, file: string | null): Failure => {
  if (f.kind === 'limit') {
    ctx.log.add(`response body over ${f.limit} bytes - stopped`)
    return { error: responseTooLarge(`${STEP}: the response body is over the limit of ${f.limit} bytes`, f.limit, ctx.log.log), phase: 'final' }
  }
  if (f.kind === 'file') {
    const { code } = errText(f.error)
    ctx.log.add(`cannot write response file ${file ?? ''}: ${code}`)
    return { error: fileError(`${STEP}: cannot write response file ${file ?? ''}: ${code}`, file ?? '', code, ctx.log.log), phase: 'final' }
  }
  if (f.kind === 'decode' && fired === null) {
    const { text } = errText(f.error)
    ctx.log.add(`cannot decode the compressed body: ${text}`)
    return { error: transportError(`${STEP}: cannot decode the compressed response body: ${text}`, 'DECODE', ctx.log.log), phase: 'final' }
  }
  return classify(ctx, f.error, fired, 'reading the response body')
}

/** The limits of one attempt: the attempt (or what is left of the deadline), idle, env.signal. */
interface Watch {
  readonly abort: LazyAbort
  readonly fired: () => Fired
  readonly touch: () => void
  readonly finish: () => void
}

const watch = (ctx: RunCtx): Watch => {
  const s = ctx.p.settings
  const controller = new LazyAbort()
  let fired: Fired = null
  const fire = (why: Exclude<Fired, null>) => (): void => {
    if (fired !== null) return
    fired = why
    controller.abort()
  }
  // one timer for both limits: it fires at the earlier one, and re-arms itself while bytes
  // keep coming (touch only notes the time, which is far cheaper than moving a timer per chunk)
  const start = Date.now()
  const left = ctx.deadlineAt - ctx.env.now()
  const whole = Math.max(0, Math.min(s.timeout, left))
  const wholeLimit: TimeoutLimit = left < s.timeout ? 'deadline' : 'attempt'
  let lastByte = start
  const check = (): void => {
    const t = Date.now()
    const wholeIn = start + whole - t
    const idleIn = lastByte + s.idleTimeout - t
    if (wholeIn <= 0) return fire(wholeLimit)()
    if (idleIn <= 0) return fire('idle')()
    timer = setTimeout(check, Math.min(wholeIn, idleIn))
  }
  let timer = setTimeout(check, Math.min(whole, s.idleTimeout))
  const signal = ctx.env.signal
  const onAbort = fire('signal')
  if (signal !== undefined) {
    if (signal.aborted) onAbort()
    else signal.addEventListener('abort', onAbort, { once: true })
  }
  return {
    abort: controller,
    fired: () => fired,
    touch: () => void (lastByte = Date.now()),
    finish: () => {
      clearTimeout(timer)
      signal?.removeEventListener('abort', onAbort)
    },
  }
}

/**
 * A streamed body whose failure (a file that vanished or changed size) is kept and ends the
 * attempt at once: transports react to a failing body stream slowly or vaguely (node-fetch
 * waits for the socket to hang up), so the attempt aborts itself and reports the real cause.
 */
const guarded = (body: AsyncIterable<Uint8Array>, onError: (e: unknown) => void): AsyncIterable<Uint8Array> =>
  (async function* () {
    try {
      yield* body
    } catch (e) {
      onError(e)
      throw e
    }
  })()

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
  // the redacted URL of the last hop: retries of a hop reuse it
  let shownUrl = ''
  let shown = ''
  return async (hop: Hop) => {
    ctx.stats.attempts++
    if (hop.url !== shownUrl) {
      shownUrl = hop.url
      shown = redactUrl(hop.url)
    }
    const what = `${hop.method} ${shown}`
    ctx.log.add(`sending ${what}${tries > 1 ? ` (attempt ${hop.attempt}/${tries})` : ''}`)
    if (ctx.env.now() >= ctx.deadlineAt) return E.left(timeoutFailure(ctx, 'deadline', what))
    const w = watch(ctx)
    const t0 = ctx.env.now()
    const opened = openBody(hop.body)
    let bodyError: unknown = null
    const abort = w.abort
    const body =
      opened === null || opened instanceof Uint8Array
        ? opened
        : guarded(opened, (e) => {
            bodyError = e
            abort.abort()
          })
    const { proxy } = ctx.p
    const tls = ctx.tls
    let res
    try {
      res = await ctx.env.transport({
        method: hop.method,
        url: hop.url,
        headers: hop.headers,
        body,
        get signal() {
          return abort.signal
        },
        onAbort: (listener) => abort.onAbort(listener),
        proxy,
        tls,
        timeouts,
      })
    } catch (e) {
      w.finish()
      return E.left(bodyError === null ? classify(ctx, e, w.fired(), what) : classify(ctx, bodyError, null, what))
    }
    const headersAt = ctx.env.now()
    ctx.log.add(`response received, code ${res.status} (${headersAt - t0} ms)`)
    w.touch()
    const noBody = hop.method === 'HEAD' || res.status === 204 || res.status === 304
    const encoding = findHeader(res.headers, 'content-encoding')
    const decoders = s.gzip && !res.decoded && !noBody ? decodersFor(encoding) : []
    if (decoders === null) ctx.log.add(`unknown Content-Encoding ${encoding ?? ''} - body returned as received`)
    const lengthText = findHeader(res.headers, 'content-length')
    const file = ctx.p.responseFile !== null && res.status >= 200 && res.status < 300 && !noBody ? ctx.p.responseFile : null
    const r = await readBody(res.body, {
      decoders: decoders ?? [],
      file,
      total: lengthText !== undefined && /^\d+$/.test(lengthText) ? Number(lengthText) : null,
      maxBytes: file === null ? ctx.env.maxResponseBytes : Number.POSITIVE_INFINITY,
      onProgress: onProgress === undefined ? w.touch : (p) => (w.touch(), onProgress(p)),
    })
    w.finish()
    const fired = w.fired()
    if (!r.ok) return E.left(readFailure(ctx, r.failure, fired, file))
    if (fired !== null) return E.left(classify(ctx, null, fired, what))
    if (decoders !== null && decoders.length > 0) ctx.log.add(`body decoded from ${encoding ?? ''}`)
    return E.right({ hop, status: res.status, statusText: res.statusText, headers: res.headers, body: noBody ? new Uint8Array(0) : r.bytes, file, headersAt })
  }
}

/**
 * The ClientError of a failure.
 * @example
 * failureError({ error, phase: 'final' }) // error
 * @internal
 */
export const failureError = (f: Failure): ClientError => f.error
