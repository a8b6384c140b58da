/**
 * What a failed attempt stands for: a `ClientError` and whether a retry may help (`Failure`),
 * from a transport's error, a limit that fired, or a body that could not be read.
 * @module
 */
import { fileError, responseTooLarge, timeout, transportError, type TimeoutLimit } from '../../model/errors.js'
import { redactSecrets, redactUrl } from '../../encoding/redact.js'
import { BodyFileError } from '../body.js'
import type { ReadFailure } from './collect.js'
import { constants } from 'node:buffer'
import { EXECUTE_STEP as STEP, type Failure, type RunCtx } from '../context.js'

/**
 * The code and text of a thrown error (its own, or its cause's for fetch's `TypeError`).
 * @example
 * errText(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' })) // { code: 'ECONNREFUSED', text: 'refused' }
 * @internal
 */
export const errText = (e: unknown): { readonly code: string; readonly text: string } => {
  const err = e as {
    code?: unknown
    errno?: unknown
    message?: unknown
    cause?: { code?: unknown; message?: unknown }
  } | null
  const code = String(err?.code ?? err?.cause?.code ?? err?.errno ?? 'ERROR')
  const text = String(err?.cause?.message ?? err?.message ?? e)
  return { code, text }
}

/** Codes of failures that happen before anything reached the server. */
const UNSENT = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_CONNECT',
])
/** Codes of failures that another try cannot mend: the request itself is refused before it goes out. */
const FINAL = new Set([
  'UND_ERR_INVALID_ARG',
  'UND_ERR_NOT_SUPPORTED',
  'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH',
  'ERR_INVALID_ARG_VALUE',
  'ERR_INVALID_CHAR',
  'ERR_INVALID_HTTP_TOKEN',
  // a transport whose code could not be loaded (crossFetchTransport without cross-fetch): a retry loads nothing more
  'TRANSPORT_UNAVAILABLE',
])

/**
 * A proxy that refused a CONNECT tunnel (undici: `Proxy response (407) !== 200 when HTTP
 * Tunneling`): nothing reached the target. A 4xx (wrong or missing proxy credentials) will not
 * change on a retry; a 5xx may.
 */
const refusedTunnel = (text: string): 'final' | 'unsent' | null => {
  const m = /Proxy response \((\d{3})\)/.exec(text)
  if (m === null) return null
  return Number(m[1]) >= 500 ? 'unsent' : 'final'
}

/** Transport codes that mean an idle limit fired inside the transport (undici's head and body timeouts). */
const IDLE = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT'])

/**
 * What ended an attempt early: a limit, `env.signal`, or nothing.
 * @example
 * const f: Fired = 'idle'
 * @internal
 */
export type Fired = TimeoutLimit | 'signal' | null

const limitMs = (ctx: RunCtx, limit: TimeoutLimit): number => {
  const s = ctx.p.settings
  return limit === 'attempt'
    ? s.timeout
    : limit === 'connect'
      ? s.connectTimeout
      : limit === 'idle'
        ? s.idleTimeout
        : (s.deadline ?? 0)
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
  return {
    error: timeout(`${STEP}: ${what} timed out (${limit}: ${TIMEOUT_TEXT[limit]} ${ms} ms)`, ms, ctx.log.log, limit),
    phase: limit === 'deadline' ? 'final' : limit === 'connect' ? 'unsent' : 'sent',
  }
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
    return {
      error: fileError(`${STEP}: cannot read body file ${e.path}: ${why}`, e.path, e.code, ctx.log.log),
      phase: 'final',
    }
  }
  const { code, text } = errText(e)
  if (code === 'UND_ERR_CONNECT_TIMEOUT') return timeoutFailure(ctx, 'connect', what)
  if (IDLE.has(code)) return timeoutFailure(ctx, 'idle', what)
  // a fetch that refused the answer itself: its own cap on codings, or a check on the head
  const codings = /too many content-encodings in response: (\d+)/.exec(text)
  if (codings !== null) return tooManyCodings(ctx, Number(codings[1]), 5, what)
  if (code === 'ERR_ASSERTION') return classify(ctx, invalidResponse(text), null, what)
  const reason = redactSecrets(redactUrl(text), ctx.secrets)
  ctx.log.add(`transport error ${code}: ${reason}`)
  const tunnel = refusedTunnel(text)
  const phase =
    UNSENT.has(code) || tunnel === 'unsent' ? 'unsent' : FINAL.has(code) || tunnel === 'final' ? 'final' : 'sent'
  return { error: transportError(`${STEP}: ${what} failed: ${code}: ${reason}`, code, ctx.log.log), phase }
}

/** A transport's failed internal check on an answer (Node's fetch on `HTTP/1.1 000`), told as such. */
const invalidResponse = (text: string): Error =>
  Object.assign(new Error(`invalid response (the transport's check failed: ${text.split('\n')[0] ?? ''})`), {
    code: 'INVALID_RESPONSE',
  })

/**
 * The failure of an answer listing more content codings than are undone (`n` of at most
 * `max`): a `TransportError` (`TOO_MANY_CODINGS`) before any decoding, not retried.
 * @example
 * tooManyCodings(ctx, 2000, 5, 'GET http://h/')
 * @internal
 */
export const tooManyCodings = (ctx: RunCtx, n: number, max: number, what: string): Failure => {
  ctx.log.add(`transport error TOO_MANY_CODINGS: ${n} content codings, at most ${max} are undone`)
  return {
    error: transportError(
      `${STEP}: ${what} failed: TOO_MANY_CODINGS: ${n} content codings, at most ${max} are undone`,
      'TOO_MANY_CODINGS',
      ctx.log.log,
    ),
    phase: 'final',
  }
}

/** The limit's text: the one-Buffer cap of a body in memory says so. */
const limitText = (limit: number): string =>
  limit === constants.MAX_LENGTH ? `${limit} bytes (the most one body can be held in memory)` : `${limit} bytes`

/**
 * The failure of an answer whose declared Content-Length is past the limit: a
 * `ResponseTooLarge` before a byte of its body is read.
 * @example
 * declaredTooLarge(ctx, 5 * 2 ** 30, 2 ** 32)
 * @internal
 */
export const declaredTooLarge = (ctx: RunCtx, declared: number, limit: number): Failure => {
  ctx.log.add(`response body over ${limitText(limit)} (Content-Length ${declared}) - not read`)
  return {
    error: responseTooLarge(`${STEP}: the response body is over the limit of ${limitText(limit)}`, limit, ctx.log.log),
    phase: 'final',
  }
}

/**
 * The failure of a body that could not be read: the size limit, the file, the compressed data,
 * or the connection (as a transport error or the limit that fired).
 * @example
 * readFailure(ctx, { _tag: 'Limit', limit: 10 }, null, null)
 * @internal
 */
export const readFailure = (ctx: RunCtx, f: ReadFailure, fired: Fired, file: string | null): Failure => {
  if (f._tag === 'Limit') {
    ctx.log.add(`response body over ${limitText(f.limit)} - stopped`)
    return {
      error: responseTooLarge(
        `${STEP}: the response body is over the limit of ${limitText(f.limit)}`,
        f.limit,
        ctx.log.log,
      ),
      phase: 'final',
    }
  }
  if (f._tag === 'File') {
    const { code } = errText(f.error)
    ctx.log.add(`cannot write response file ${file ?? ''}: ${code}`)
    return {
      error: fileError(`${STEP}: cannot write response file ${file ?? ''}: ${code}`, file ?? '', code, ctx.log.log),
      phase: 'final',
    }
  }
  if (f._tag === 'Decode' && fired === null) {
    const { text } = errText(f.error)
    ctx.log.add(`cannot decode the compressed body: ${text}`)
    return {
      error: transportError(`${STEP}: cannot decode the compressed response body: ${text}`, 'DECODE', ctx.log.log),
      phase: 'final',
    }
  }
  return classify(ctx, f.error, fired, 'reading the response body')
}
