/**
 * Ranged downloads: one part fetched with `Range` and checked (`getPart`), and a whole file
 * downloaded part by part that continues a partial file (`getDataInParts`).
 * @module
 */
import { rm, stat, truncate } from 'node:fs/promises'
import * as E from 'fp-ts/lib/Either.js'
import {
  fileError,
  invalidInput,
  responseTooLarge,
  statusError,
  transportError,
  type ClientError,
} from '../../model/errors.js'
import { putHeader } from '../../model/headers.js'
import type { Log } from '../../model/log.js'
import { rangeHeader, unsatisfiedTotal, parseContentRange } from '../../encoding/range.js'
import { showValue } from '../../encoding/json.js'
import { sinkFile, type PreparedRequest } from '../../model/prepared.js'
import type { Request } from '../../model/request.js'
import type { HttpResponse } from '../../model/response.js'
import type { ResolvedEnv } from '../env.js'
import { errText } from '../attempt/failures.js'
import { isWhole, note, spanProblem, partsProgress, prepared, progressWatch, STALLS, type Result } from './common.js'
import { partProblem } from './ranges.js'
import { run } from '../run.js'

// A 416 that names no length (none, or bytes star-slash-star): after parts of an unknown total, the end.
const unknownEnd = (res: HttpResponse): boolean => {
  const cr = res.headers['content-range']
  return cr === undefined || /^\s*bytes\s+\*\/\*\s*$/i.test(cr)
}

/**
 * The ranged request for `[start, end)`: identity encoding, so the range counts the bytes of the
 * file, and a `Part` sink, so only the part asked for is saved (to the response file when one is
 * set; with `append`, onto its end: the file holds `start` bytes).
 */
const rangeRequest = (p: PreparedRequest, start: number, end: number, log: Log, append = false): PreparedRequest => ({
  ...p,
  headers: putHeader(putHeader(p.headers, 'Range', rangeHeader(start, end)), 'Accept-Encoding', 'identity'),
  sink: { _tag: 'Part', path: sinkFile(p.sink), start, end, append },
  log,
})

/** The response when it is the part `[start, end)`, else a `StatusError` that says why it is not. */
const checkPart = (step: string, res: HttpResponse, start: number, end: number, env: ResolvedEnv): Result => {
  const why = partProblem({ start, end }, res.status, res.headers['content-range'])
  return why === null
    ? E.right(res)
    : E.left(statusError(`${step}: ${why}`, { ...res, log: note(res.log, step, why, env) }))
}

/**
 * Fetches the bytes `[start, start + count)` with `Range: bytes=s-e`: the `206` whose
 * Content-Range starts at `start`, else a `StatusError` (a `200` means the server ignored the
 * range); a response file is written only with the part asked for.
 * @example
 * await getPartNow(0, 1024, 'GET', env, req)
 * @internal
 */
export const getPartNow = async (
  start: number,
  count: number,
  method: string,
  env: ResolvedEnv,
  req: Request,
): Promise<Result> => {
  const step = 'getPart'
  const r = await prepared(step, method, env, req, false)
  if (E.isLeft(r)) return r
  const { p } = r.right
  const bad = spanProblem(step, start, count, p.log)
  if (bad !== null) return E.left(bad)
  const res = await run(
    rangeRequest(p, start, start + count, note(p.log, step, `asking for bytes ${start}-${start + count - 1}`, env)),
    env,
  )
  if (E.isLeft(res)) return res
  return checkPart(step, res.right, start, start + count, env)
}

/** The size of a partial download already on disk (0 when there is none). */
const sizeOnDisk = async (path: string): Promise<E.Either<string, number>> => {
  try {
    const st = await stat(path)
    return st.isFile() ? E.right(st.size) : E.left('EISDIR')
  } catch (e) {
    const { code } = errText(e)
    return code === 'ENOENT' ? E.right(0) : E.left(code)
  }
}

/** Cuts a file back to `size` bytes (removes it when `size` is 0); the error code, or null. */
const cutBack = async (path: string, size: number): Promise<string | null> => {
  try {
    await (size === 0 ? rm(path, { force: true }) : truncate(path, size))
    return null
  } catch (e) {
    return errText(e).code
  }
}

/**
 * Why the download cannot go on with an answer naming `total`, or null: another total than the
 * first answer named (the representation changed: a `StatusError`), or a total over the limit
 * (`ResponseTooLarge`). The answer's part is cut from the file again either way.
 */
const totalProblem = async (
  step: string,
  known: number | null,
  total: number | null,
  limit: number | null,
  res: HttpResponse,
  file: string,
  offset: number,
  env: ResolvedEnv,
): Promise<ClientError | null> => {
  const changed = known !== null && total !== known
  const over = limit !== null && total !== null && total > limit
  if (!changed && !over) return null
  const cut = await cutBack(file, offset)
  const back =
    cut === null ? `the part was cut from ${file}: back to ${offset} bytes` : `${file} cannot be cut back: ${cut}`
  if (changed) {
    const why = `the representation changed size during the download: the first answer said ${known} bytes, this one ${total ?? '*'}`
    return statusError(`${step}: ${why}`, { ...res, log: note(note(res.log, step, why, env), step, back, env) })
  }
  const why = `${step}: the representation has ${total} bytes, over the limit of ${limit} bytes (setMaxResponseSize, across all parts)`
  return responseTooLarge(why, limit ?? 0, note(res.log, step, back, env))
}

/**
 * A failure of the run of one part, the part cut from the file again; a part over what the
 * limit left for it (`byLimit`) is a `ResponseTooLarge` of the whole download.
 */
const partFailed = async (
  step: string,
  e: ClientError,
  file: string,
  offset: number,
  limit: number | null,
  byLimit: boolean,
): Promise<ClientError> => {
  await cutBack(file, offset)
  if (e._tag !== 'ResponseTooLarge' || limit === null || !byLimit) return e
  const why = `${step}: the download is over the limit of ${limit} bytes (setMaxResponseSize, across all parts)`
  return responseTooLarge(why, limit, e.log)
}

/**
 * Downloads the whole representation to the request's response file in parts of `chunkSize`,
 * continuing a partial file from its size. A part is streamed onto the end of the file once its
 * answer is checked (`206`, its Content-Range), so memory never holds a part; a part that is cut
 * off or shorter than its Content-Range is cut from the file again, which so holds the bytes
 * from 0 up to a part boundary whenever a run ends.
 *
 * Bounded whatever the server does:
 * - the total size is the one the first answer names (Content-Range `bytes s-e/total`; after a
 *   `*`, the first number); a later answer naming another total (a representation that grows
 *   or changes) ends the download in a `StatusError`, its part cut from the file again;
 * - `setMaxResponseSize` (or `env.maxResponseBytes`) caps the file across all parts, the bytes
 *   already on disk included: a total over it, or a part that would take the file past it (a
 *   total of `*`), ends the download in `ResponseTooLarge` with no byte past the limit written;
 * - a part that adds fewer than a quarter of a chunk (at most 64 KiB) and does not complete the file is a stall,
 *   and 3 stalls in a row end the download in a `StatusError` (see `progressWatch`): a server
 *   sending a byte at a time costs 3 requests, not one per byte.
 * @example
 * await getInPartsNow(5 << 20, 'GET', env, req)
 * @internal
 */
export const getInPartsNow = async (
  chunkSize: number,
  method: string,
  env: ResolvedEnv,
  req: Request,
): Promise<Result> => {
  const step = 'getDataInParts'
  const r = await prepared(step, method, env, req, false)
  if (E.isLeft(r)) return r
  const p = r.right.p
  const file = sinkFile(p.sink)
  if (file === null)
    return E.left(invalidInput(step, `${step}: no file to download to: call setResponseFile(path) first`, p.log))
  if (!isWhole(chunkSize, 1))
    return E.left(
      invalidInput(step, `${step}: the chunk size must be a whole number >= 1, got ${showValue(chunkSize)}`, p.log),
    )
  const had = await sizeOnDisk(file)
  if (E.isLeft(had))
    return E.left(fileError(`${step}: cannot continue the download in ${file}: ${had.left}`, file, had.left, p.log))
  // the limit is one of the whole file; each part is read under what is left of it
  const limit = env.maxResponseBytes ?? p.settings.maxResponseSize
  let offset = had.right
  let log = offset > 0 ? note(p.log, step, `${file} holds ${offset} bytes: continuing from there`, env) : p.log
  let attempts = 0
  let known: number | null = null
  const watch = progressWatch(chunkSize, offset)
  const progress = partsProgress(env, 'download', () => known)
  for (;;) {
    const end = offset + chunkSize
    const room = limit === null ? chunkSize : Math.max(0, Math.min(chunkSize, limit - offset))
    const got = await run(
      {
        ...rangeRequest(p, offset, end, note(log, step, `asking for bytes ${offset}-${end - 1}`, env), true),
        settings: { ...p.settings, maxResponseSize: room },
      },
      { ...progress(offset), maxResponseBytes: room },
    )
    // a part read whole but failed after (a limit that fired at its end) is not kept either
    if (E.isLeft(got)) return E.left(await partFailed(step, got.left, file, offset, limit, room < chunkSize))
    const res = { ...got.right, attempts: (attempts += got.right.attempts) }
    log = res.log
    // the end: a 416 saying the file holds `offset` bytes (after parts of an unknown total, `bytes */*` too)
    const unsatisfied = res.status === 416 ? unsatisfiedTotal(res.headers['content-range']) : null
    if (
      res.status === 416 &&
      (unsatisfied === offset || (unsatisfied === null && known === null && offset > had.right && unknownEnd(res)))
    )
      return E.right({
        ...res,
        body: new Uint8Array(0),
        file,
        log: note(log, step, `${file} is complete, ${offset} bytes`, env),
      })
    const part = checkPart(step, res, offset, end, env)
    if (E.isLeft(part)) return part
    const range = parseContentRange(res.headers['content-range'])
    const expected = range === null ? -1 : range.end - range.start + 1
    const now = await sizeOnDisk(file)
    if (E.isLeft(now))
      return E.left(fileError(`${step}: cannot read the size of ${file}: ${now.left}`, file, now.left, log))
    if (range === null || now.right - offset !== expected) {
      const cut = await cutBack(file, offset)
      const why = `${step}: the part holds ${now.right - offset} bytes, its Content-Range says ${expected}`
      if (cut !== null)
        return E.left(fileError(`${why}, and ${file} cannot be cut back to ${offset} bytes: ${cut}`, file, cut, log))
      return E.left(
        transportError(
          why,
          'ESHORTPART',
          note(log, step, `the part was cut from ${file}: back to ${offset} bytes`, env),
        ),
      )
    }
    const stop = await totalProblem(step, known, range.total, limit, res, file, offset, env)
    if (stop !== null) return E.left(stop)
    offset = range.end + 1
    known = range.total
    // with a total of `*`, a short part may be a server's cap on parts: only a 416 ends the download
    const done = range.total !== null && offset >= range.total
    if (!done && watch.note(offset) >= STALLS) {
      const why =
        `the server sent fewer than ${watch.step} new bytes (a quarter of the ${chunkSize}-byte chunk, at most 64 KiB) ` +
        `in ${STALLS} answers in a row: ${file} holds ${offset} of ${range.total ?? '*'} bytes`
      return E.left(statusError(`${step}: ${why}`, { ...res, log: note(log, step, why, env) }))
    }
    if (done)
      return E.right({
        ...res,
        body: new Uint8Array(0),
        file,
        log: note(log, step, `${file} is complete, ${offset} bytes`, env),
      })
  }
}
