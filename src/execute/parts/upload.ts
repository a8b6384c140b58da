/**
 * Uploads in parts: one part of the body sent with its Content-Range (`sendPart`), and the whole
 * body chunk by chunk following a resumable-upload server's `308` + `Range` answers
 * (`sendDataInParts`). Each part is an ordinary run: the same signing, retry and redirect
 * layers, the log carried from part to part.
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import { invalidInput, statusError } from '../../model/errors.js'
import { putHeader } from '../../model/headers.js'
import type { Log } from '../../model/log.js'
import { contentRange } from '../../encoding/range.js'
import { showValue } from '../../encoding/json.js'
import { sliceBody, type PreparedRequest } from '../../model/prepared.js'
import type { Request } from '../../model/request.js'
import type { ResolvedEnv } from '../env.js'
import { isWhole, note, spanProblem, partsProgress, prepared, progressWatch, STALLS, type Result } from './common.js'
import { nextChunk } from './ranges.js'
import { run } from '../run.js'

/**
 * The default chunk size of `sendDataInParts` and `getDataInParts`: 5 MiB.
 * @example
 * DEFAULT_CHUNK_SIZE // 5242880
 * @category running
 * @since 0.3.0
 */
export const DEFAULT_CHUNK_SIZE = 5 * 1024 * 1024

/** The request for the bytes `[start, end)` of the body of `total`, with their Content-Range. */
const bodyPart = (p: PreparedRequest, start: number, end: number, total: number, log: Log): PreparedRequest => ({
  ...p,
  body: sliceBody(p.body, start, end),
  headers: putHeader(
    putHeader(p.headers, 'Content-Length', String(end - start)),
    'Content-Range',
    contentRange(start, end, total),
  ),
  log,
})

/**
 * Sends the bytes `[start, start + count)` of the body (cut at its end) with
 * `Content-Range: bytes s-e/total`.
 * @example
 * await sendPartNow(0, 1024, 'PUT', env, req)
 * @internal
 */
export const sendPartNow = async (
  start: number,
  count: number,
  method: string,
  env: ResolvedEnv,
  req: Request,
): Promise<Result> => {
  const step = 'sendPart'
  const r = await prepared(step, method, env, req, true)
  if (E.isLeft(r)) return r
  const { p, total } = r.right
  const bad = spanProblem(step, start, count, p.log)
  if (bad !== null) return E.left(bad)
  if (start >= total)
    return E.left(invalidInput(step, `${step}: the part starts at ${start} but the body has ${total} bytes`, p.log))
  const end = Math.min(total, start + count)
  return run(
    bodyPart(p, start, end, total, note(p.log, step, `sending bytes ${start}-${end - 1} of ${total}`, env)),
    env,
  )
}

/**
 * Sends the whole body in chunks of `chunkSize`, each with its Content-Range, going on from
 * where the server says it is (`308` with `Range: bytes=0-N`, also fewer bytes than were sent);
 * a chunk is retried by the retry layer (at least 2 retries, the method included). The answer
 * that completes the upload, or the first that is neither `308` nor `2xx`, is the response.
 *
 * Bounded (see `progressWatch`): an answer that does not take the upload at least a quarter of
 * a chunk (at most 64 KiB) past the most the server held so far is a stall, and 3 stalls in a row
 * end the upload in a `StatusError` carrying the last answer; so a server that alternates its
 * `Range` answers, goes back, or takes a byte at a time costs at most 3 requests per such step,
 * never a request per byte, and one that takes nothing new costs 3.
 * @example
 * await sendInPartsNow(5 << 20, 'PUT', env, req)
 * @internal
 */
export const sendInPartsNow = async (
  chunkSize: number,
  method: string,
  env: ResolvedEnv,
  req: Request,
): Promise<Result> => {
  const step = 'sendDataInParts'
  const r = await prepared(step, method, env, req, true)
  if (E.isLeft(r)) return r
  const { total } = r.right
  const p0 = r.right.p
  if (!isWhole(chunkSize, 1))
    return E.left(
      invalidInput(step, `${step}: the chunk size must be a whole number >= 1, got ${showValue(chunkSize)}`, p0.log),
    )
  if (total === 0) return run(p0, env)
  const policy = p0.settings.retryPolicy
  const p: PreparedRequest = {
    ...p0,
    settings: {
      ...p0.settings,
      maxAttempts: Math.max(p0.settings.maxAttempts, 2),
      retryPolicy: policy.methods.includes(p0.method) ? policy : { ...policy, methods: [...policy.methods, p0.method] },
    },
  }
  const progress = partsProgress(env, 'upload', () => total)
  let offset = 0
  let log = p.log
  let attempts = 0
  const watch = progressWatch(Math.min(chunkSize, total), 0)
  let first: number | null = null
  for (;;) {
    const end = Math.min(total, offset + chunkSize)
    const sent = await run(
      bodyPart(p, offset, end, total, note(log, step, `chunk bytes ${offset}-${end - 1} of ${total}`, env)),
      progress(offset),
    )
    if (E.isLeft(sent)) return sent
    const res = sent.right
    attempts += res.attempts
    first ??= res.timings.start
    log = res.log
    const next = nextChunk(res.status, res.headers['range'], end, total)
    const whole = { ...res, attempts, timings: { ...res.timings, start: first, total: res.timings.end - first } }
    if (next._tag === 'done' || next._tag === 'stop') return E.right(whole)
    if (next._tag === 'fail')
      return E.left(statusError(`${step}: ${next.reason}`, { ...whole, log: note(log, step, next.reason, env) }))
    if (watch.note(next.offset) >= STALLS) {
      const why =
        `the server took fewer than ${watch.step} bytes past the most it held (a quarter of the ${Math.min(chunkSize, total)}-byte chunk, at most 64 KiB) ` +
        `in ${STALLS} answers in a row: it holds ${next.offset} of ${total} bytes, the most it held was ${watch.highest()}`
      return E.left(statusError(`${step}: ${why}`, { ...whole, log: note(log, step, why, env) }))
    }
    if (next.offset < end) log = note(log, step, `the server holds ${next.offset} bytes: resuming from there`, env)
    offset = next.offset
  }
}
