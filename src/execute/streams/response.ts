/**
 * The end of a stream's run: its head as an HttpStream, the body still to be read (or, for an
 * answer that was read whole — not a `2xx`, or one without a body — those bytes).
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import type { ClientError } from '../../model/errors.js'
import { headerRecord } from '../../model/response.js'
import type { HttpStream } from '../../model/stream.js'
import type { Received, RunCtx } from '../context.js'

/** A body read whole, given as the one chunk it is (none when empty), as often as it is iterated. */
const readWhole = (bytes: Uint8Array): AsyncIterable<E.Either<ClientError, Uint8Array>> => ({
  async *[Symbol.asyncIterator]() {
    if (bytes.byteLength > 0) yield E.right(bytes)
  },
})

/**
 * The HttpStream of what was received: made when the final head is in, so `timings.end` is
 * `timings.headers`.
 * @example
 * toStream(ctx, received) // { _tag: 'HttpStream', status: 200, body, … }
 * @internal
 */
export const toStream = (ctx: RunCtx, r: Received): HttpStream => {
  if (r.open === undefined) ctx.log.add(`body read, ${r.body.byteLength} bytes`)
  else ctx.log.add('head received - the body is streamed to its reader')
  return {
    _tag: 'HttpStream',
    status: r.status,
    statusText: r.statusText,
    headers: headerRecord(r.headers),
    rawHeaders: r.headers,
    url: r.hop.url,
    body: r.open ?? readWhole(r.body),
    file: null,
    redirects: ctx.stats.redirects,
    attempts: ctx.stats.attempts,
    ...(r.httpVersion === undefined ? {} : { httpVersion: r.httpVersion }),
    timings: { start: ctx.start, headers: r.headersAt, end: r.headersAt, total: r.headersAt - ctx.start },
    log: ctx.log.log,
  }
}
