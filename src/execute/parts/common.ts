/**
 * What the transfers in parts share: preparing a request whose body length is known, checked
 * numbers, log notes, progress over all parts.
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import { invalidInput, type ClientError } from '../../model/errors.js'
import { appendLog, type Log } from '../../model/log.js'
import type { PreparedRequest } from '../../model/prepared.js'
import type { Request } from '../../model/request.js'
import type { HttpResponse } from '../../model/response.js'
import { showValue } from '../../encoding/json.js'
import type { Progress, ResolvedEnv } from '../env.js'
import { prepareNow } from '../prepare/prepare.js'

/**
 * What a transfer in parts ends with.
 * @example
 * const r: Result = E.left(error)
 * @internal
 */
export type Result = E.Either<ClientError, HttpResponse>

/**
 * The log with one more line of `step`, at the time of the run's clock.
 * @example
 * note(log, 'sendPart', 'sending bytes 0-9 of 10', env)
 * @internal
 */
export const note = (log: Log, step: string, message: string, env: ResolvedEnv): Log =>
  appendLog(log, { at: env.now(), step, message })

/**
 * Whether `n` is a safe whole number of at least `min`.
 * @example
 * isWhole(3, 1) // true
 * @internal
 */
export const isWhole = (n: unknown, min: number): n is number => Number.isSafeInteger(n) && (n as number) >= min

/**
 * Why a part's `start` and `count` cannot be taken (a whole `start >= 0`, a whole `count >= 1`), or null.
 * @example
 * spanProblem('getPart', -1, 10, log) // InvalidInput: "getPart: start must be a whole number >= 0 …"
 * @internal
 */
export const spanProblem = (step: string, start: number, count: number, log: Log): ClientError | null =>
  isWhole(start, 0) && isWhole(count, 1)
    ? null
    : invalidInput(
        step,
        `${step}: start must be a whole number >= 0 and count one >= 1, got ${showValue(start)} and ${showValue(count)}`,
        log,
      )

/**
 * Prepares `req` for a transfer in parts: checked input, and (with `needsBody`) a body of known length.
 * @example
 * await prepared('sendPart', 'PUT', env, req, true) // right({ p, total })
 * @internal
 */
export const prepared = async (
  step: string,
  method: string,
  env: ResolvedEnv,
  req: Request,
  needsBody: boolean,
): Promise<E.Either<ClientError, { p: PreparedRequest; total: number }>> => {
  const r = await prepareNow(step, method, env, req)
  if (E.isLeft(r)) return r
  const p = r.right
  if (!needsBody) return E.right({ p, total: 0 })
  const total = p.body._tag === 'None' ? 0 : p.body.length
  if (total === null)
    return E.left(
      invalidInput(
        step,
        `${step}: the body's length is not known before it is sent (a fromUrl body): set it from bytes, text or a file`,
        p.log,
      ),
    )
  return E.right({ p, total })
}

/**
 * `env.onProgress` for a part at `offset`: totals over all parts in one direction, never falling
 * back (a resent or shorter-acknowledged chunk does not move the bar backwards).
 * @example
 * const envAt = partsProgress(env, 'upload', () => total)
 * @internal
 */
export const partsProgress = (
  env: ResolvedEnv,
  direction: Progress['direction'],
  total: () => number | null,
): ((offset: number) => ResolvedEnv) => {
  const f = env.onProgress
  if (f === undefined) return () => env
  let shown = 0
  return (offset) => ({
    ...env,
    onProgress: (e: Progress) => {
      if (e.direction !== direction) return f(e)
      const all = total()
      const loaded = all === null ? offset + e.loaded : Math.min(all, offset + e.loaded)
      if (loaded > shown) f({ direction, loaded: (shown = loaded), total: all })
    },
  })
}

/**
 * Answers in a row that make no progress (see {@link progressWatch}) after which a transfer in
 * parts is given up.
 * @example
 * STALLS // 3
 * @internal
 */
export const STALLS = 3

/**
 * The least an answer must add to count as progress: a quarter of a chunk, at most 64 KiB (so a
 * server that caps its parts, say at 1 MiB of a 5 MiB chunk, is not taken for a stalled one).
 * @example
 * progressStep(100) // 25
 * progressStep(5 * 1024 * 1024) // 65536
 * @internal
 */
export const progressStep = (chunkSize: number): number => Math.max(1, Math.min(Math.ceil(chunkSize / 4), 64 * 1024))

/**
 * Watches how far a transfer in parts got. An answer makes progress when the offset it reaches
 * passes the highest offset reached so far by at least {@link progressStep} bytes (a quarter of
 * a chunk, at most 64 KiB); any other answer (less, the same, or going back) is a stall, and
 * `note` gives the stalls in a row. With {@link STALLS} = 3 a transfer so ends after at most
 * `3 × ceil(total / step)` requests, and after 3 when the server moves no further: a server that
 * alternates its answers, goes back, or moves a byte at a time cannot keep it going (nor cost a
 * request per byte).
 * @example
 * const w = progressWatch(100, 0)
 * w.note(100) // 0 (progress)
 * w.note(50) // 1 (a stall)
 * @internal
 */
export const progressWatch = (
  chunkSize: number,
  start: number,
): { readonly step: number; readonly note: (offset: number) => number; readonly highest: () => number } => {
  const step = progressStep(chunkSize)
  let highest = start
  let stalls = 0
  return {
    step,
    note: (offset) => {
      stalls = offset >= highest + step ? 0 : stalls + 1
      highest = Math.max(highest, offset)
      return stalls
    },
    highest: () => highest,
  }
}
