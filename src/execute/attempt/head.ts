/**
 * What an answer's head alone settles, before a byte of its body is read: a status that is no
 * HTTP status, a chain of content codings longer than any client decodes, a declared length
 * past the limit. Each ends the attempt at once, its body dropped unread.
 * @module
 */
import { constants } from 'node:buffer'
import { invalidStatus, isPushBody, type TransportResponse } from '../../model/transport.js'
import type { Failure, RunCtx } from '../context.js'
import { classify, declaredTooLarge, tooManyCodings } from './failures.js'

/**
 * The most content codings an answer may list (gzip, br, …, `identity` included): undici and
 * curl stop at 5 (curl CVE-2022-32206); past it the answer is a `TransportError` before any
 * decoding, so a server cannot make a client undo thousands of layers.
 * @example
 * MAX_CODINGS // 5
 * @internal
 */
export const MAX_CODINGS = 5

/**
 * The most bytes one body can be held in memory: what one Buffer can hold (4 GiB on Node.js
 * 20). A larger limit is cut to it; past it the answer is a `ResponseTooLarge`.
 * @example
 * MAX_IN_MEMORY // 4294967296 on Node.js 20
 * @internal
 */
export const MAX_IN_MEMORY: number = constants.MAX_LENGTH

/**
 * How many codings a Content-Encoding value lists (empty items not counted).
 * @example
 * codingCount('gzip, br') // 2
 * @internal
 */
export const codingCount = (contentEncoding: string): number => {
  let n = 0
  for (const c of contentEncoding.split(',')) if (c.trim() !== '') n++
  return n
}

/**
 * The Content-Length of a head, as a number, or null where there is none or it is not digits.
 * @example
 * declaredLength('12') // 12
 * @internal
 */
export const declaredLength = (text: string | undefined): number | null =>
  text !== undefined && /^\d+$/.test(text) ? Number(text) : null

const ignore = (): void => undefined

/**
 * Drops a body without reading it: a push body is cancelled, a Node stream destroyed, a WHATWG
 * stream cancelled, any other iterable returned (the caller then aborts the attempt, so that
 * the connection it came on is closed too).
 * @example
 * dropBody(res.body)
 * @internal
 */
export const dropBody = (body: TransportResponse['body']): void => {
  if (body === null) return
  if (isPushBody(body)) return body.cancel()
  const b = body as { destroy?: () => void; cancel?: () => Promise<void>; on?: (e: string, f: () => void) => void }
  if (typeof b.destroy === 'function') {
    // a fetch that is aborted next may still emit an error on it
    b.on?.('error', ignore)
    return b.destroy()
  }
  if (typeof b.cancel === 'function') return void b.cancel().catch(ignore)
  const it = body[Symbol.asyncIterator]()
  void it.return?.()?.catch(ignore)
}

/**
 * What the head alone settles (see head.ts): a status below 100, more codings than
 * {@link MAX_CODINGS} where they are (or were) undone, a declared length past `maxBytes` where
 * the body is kept as it comes; null when the body is to be read.
 * @example
 * refusedHead(ctx, res, 'gzip', 12, 1024, false, 'GET http://h/') // null
 * @internal
 */
export const refusedHead = (
  ctx: RunCtx,
  res: TransportResponse,
  encoding: string | undefined,
  declared: number | null,
  maxBytes: number,
  asItComes: boolean,
  what: string,
): Failure | null => {
  if (res.status < 100) return classify(ctx, invalidStatus(res.status), null, what)
  if (encoding !== undefined && (res.decoded || ctx.p.settings.gzip)) {
    const n = codingCount(encoding)
    if (n > MAX_CODINGS) return tooManyCodings(ctx, n, MAX_CODINGS, what)
  }
  if (asItComes && declared !== null && declared > maxBytes) return declaredTooLarge(ctx, declared, maxBytes)
  return null
}
