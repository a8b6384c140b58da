/**
 * The decisions of transfers in parts, as pure functions: whether a response is the part that
 * was asked for, and where a chunked upload goes on after a server's answer.
 * @module
 */
import { acknowledgedBytes, parseContentRange, type ContentRange } from '../../encoding/range.js'
import { findHeader, type HeaderList } from '../../model/headers.js'
import type { Sink } from '../../model/prepared.js'
import type { Target } from '../attempt/sink.js'

/**
 * Whether a response is the `206` of the range `[start, end)` asked for: its Content-Range
 * starts at `start` and ends by `end` (a server may send less at the end of the data).
 * @example
 * isExpectedPart({ start: 0, end: 100 }, 206, 'bytes 0-99/1000') // true
 * isExpectedPart({ start: 0, end: 100 }, 200, undefined) // false
 * @internal
 */
export const isExpectedPart = (
  want: { readonly start: number; readonly end: number },
  status: number,
  contentRange: string | undefined,
): boolean => {
  if (status !== 206) return false
  const r = parseContentRange(contentRange)
  return r !== null && r.start === want.start && r.end < want.end
}

/**
 * The target of an answer for a `Part` sink: the part asked for is saved (appended with
 * `append`, to the file when the sink has one, else kept in memory); any other answer is
 * unwanted, and only its start is kept for the error. A part appended to a file that fails is
 * cut back to the `start` bytes the file held before.
 * @example
 * partTarget({ _tag: 'Part', path: null, start: 0, end: 100, append: false }, 200, [], false).unwanted // true
 * @internal
 */
export const partTarget = (
  sink: Extract<Sink, { readonly _tag: 'Part' }>,
  status: number,
  headers: HeaderList,
  noBody: boolean,
): Target => {
  const wanted = isExpectedPart(sink, status, findHeader(headers, 'content-range'))
  return {
    file: wanted && !noBody ? sink.path : null,
    append: sink.append,
    unwanted: !wanted,
    cutTo: sink.append ? sink.start : 0,
  }
}

/**
 * Why a ranged answer is not the part asked for, in words, or null when it is.
 * @example
 * partProblem({ start: 0, end: 100 }, 200, undefined) // 'the server answered 200 instead of 206 Partial Content: it ignored the Range header'
 * @internal
 */
export const partProblem = (
  want: { readonly start: number; readonly end: number },
  status: number,
  contentRange: string | undefined,
): string | null => {
  if (isExpectedPart(want, status, contentRange)) return null
  if (status === 200) return 'the server answered 200 instead of 206 Partial Content: it ignored the Range header'
  if (status !== 206) return `the server answered ${status} instead of 206 Partial Content`
  const r: ContentRange | null = parseContentRange(contentRange)
  return r === null
    ? `the 206 answer has no valid Content-Range (got ${JSON.stringify(contentRange ?? null)})`
    : `the 206 answer holds bytes ${r.start}-${r.end}, not a part starting at ${want.start} and ending by ${want.end - 1}`
}

/**
 * Where a chunked upload goes on after the answer to the chunk that ended at `end` (of `total`):
 * - `next`: send from `offset` (a `308` names what the server holds with `Range: bytes=0-N`, and
 *   may hold fewer bytes than were sent; a `416` with such a Range says a resent chunk was already
 *   there; a `2xx` before the end without a Range took the chunk);
 * - `done`: the upload is complete (a `2xx` or the server holds every byte);
 * - `stop`: any other answer is the final response;
 * - `fail`: the server's answer makes no sense (it claims bytes that were never sent).
 * @example
 * nextChunk(308, 'bytes=0-99', 200, 1000) // { _tag: 'next', offset: 100 }
 * nextChunk(201, undefined, 1000, 1000) // { _tag: 'done' }
 * @internal
 */
export const nextChunk = (
  status: number,
  range: string | undefined,
  end: number,
  total: number,
):
  | { readonly _tag: 'next'; readonly offset: number }
  | { readonly _tag: 'done' }
  | { readonly _tag: 'stop' }
  | { readonly _tag: 'fail'; readonly reason: string } => {
  const ok = status >= 200 && status < 300
  // a 416 that says what the server holds: a chunk it already had (its answer was lost) was resent
  const resync = status === 416 && range !== undefined && acknowledgedBytes(range) !== null
  if (status !== 308 && !ok && !resync) return { _tag: 'stop' }
  if (ok && end >= total) return { _tag: 'done' }
  const held = range === undefined && ok ? end : acknowledgedBytes(range)
  if (held === null)
    return {
      _tag: 'fail',
      reason: `the server answered ${status} with a Range header that is not bytes=0-N: ${JSON.stringify(range)}`,
    }
  if (held > end) return { _tag: 'fail', reason: `the server says it holds ${held} bytes, but only ${end} were sent` }
  if (held >= total) return { _tag: 'done' }
  return { _tag: 'next', offset: held }
}
