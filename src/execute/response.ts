/**
 * The end of a run: the final response as an HttpResponse (a body kept in memory is written to
 * the response file when one is set), with the counters, timings and the log.
 * @module
 */
import { writeFile } from 'node:fs/promises'
import * as E from 'fp-ts/lib/Either.js'
import { fileError, type ClientError } from '../model/errors.js'
import { headerRecord, type HttpResponse } from '../model/response.js'
import { errText } from './attempt/failures.js'
import { EXECUTE_STEP as STEP, type Received, type RunCtx } from './context.js'

/**
 * The HttpResponse of what was received.
 * @example
 * await toResponse(ctx, received) // right({ _tag: 'HttpResponse', status: 200, … })
 * @internal
 */
export const toResponse = async (ctx: RunCtx, r: Received): Promise<E.Either<ClientError, HttpResponse>> => {
  let file = r.file
  let body = r.body
  const sink = ctx.p.sink
  // a response file holds the final answer whatever its status; a ranged request's file only
  // ever holds the part asked for (the attempt saved it, or not)
  if (sink._tag === 'File' && file === null) {
    const target = sink.path
    try {
      await writeFile(target, body)
    } catch (e) {
      const { code } = errText(e)
      ctx.log.add(`cannot write response file ${target}: ${code}`)
      return E.left(fileError(`${STEP}: cannot write response file ${target}: ${code}`, target, code, ctx.log.log))
    }
    file = target
    body = new Uint8Array(0)
  }
  ctx.log.add(file === null ? `body read, ${body.byteLength} bytes` : `body saved to ${file}`)
  const end = ctx.env.now()
  return E.right({
    _tag: 'HttpResponse',
    status: r.status,
    statusText: r.statusText,
    headers: headerRecord(r.headers),
    rawHeaders: r.headers,
    url: r.hop.url,
    body,
    file,
    redirects: ctx.stats.redirects,
    attempts: ctx.stats.attempts,
    ...(r.httpVersion === undefined ? {} : { httpVersion: r.httpVersion }),
    timings: { start: ctx.start, headers: r.headersAt, end, total: end - ctx.start },
    log: ctx.log.log,
  })
}
