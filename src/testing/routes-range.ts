/**
 * `/range/:n`: an httpbin-style resource of `n` bytes of `a-z` repeated that honours a single
 * `Range: bytes=` (206, 416) and `If-Range`, with switches for servers that get ranges wrong.
 *
 * @packageDocumentation
 */
import { MAX_BYTES, param, patternChunk, queryInteger, sendJson, streamRepeated } from './context.js'
import type { Context, Handler, HeaderList } from './context.js'
import { badRequest, parseInteger } from './parse.js'

type ByteRange = { readonly start: number; readonly end: number }

/**
 * Parses a single `bytes=` range against `size`: a range, `'unsatisfiable'`, or undefined when the
 * header is invalid or unsupported (multiple ranges), which RFC 9110 says to ignore.
 */
const parseRange = (header: string, size: number): ByteRange | 'unsatisfiable' | undefined => {
  const match = /^bytes=(\d*)-(\d*)$/i.exec(header.trim())
  const [, first = '', last = ''] = match ?? []
  if (match === null || (first === '' && last === '')) return undefined
  if (first === '') {
    const suffix = Number(last)
    return suffix === 0 || size === 0 ? 'unsatisfiable' : { start: Math.max(0, size - suffix), end: size - 1 }
  }
  const start = Number(first)
  const end = last === '' ? size - 1 : Number(last)
  if (end < start && last !== '') return undefined
  return start >= size ? 'unsatisfiable' : { start, end: Math.min(end, size - 1) }
}

const letterAt = (i: number): number => 97 + (i % 26)

/** How `?badRange=` breaks a 206: the Content-Range it sends and how many bytes of the range it omits. */
const BAD_RANGES: Readonly<Record<string, (r: ByteRange, size: number) => { header?: string; short: number }>> = {
  shift: ({ start, end }, size) => ({ header: `bytes ${start + 1}-${end + 1}/${size}`, short: 0 }),
  total: ({ start, end }, size) => ({ header: `bytes ${start}-${end}/${size + 1}`, short: 0 }),
  length: ({ start, end }, size) => ({ header: `bytes ${start}-${end}/${size}`, short: 1 }),
  missing: () => ({ short: 0 }),
  garbage: () => ({ header: 'bytes garbage', short: 0 }),
}

/** A boolean query flag: absent, `0` or `false` → false; `1` or `true` → true. */
const queryFlag = (ctx: Context, name: string): boolean => {
  const raw = ctx.query.get(name)
  if (raw === null || raw === '0' || raw === 'false') return false
  if (raw === '1' || raw === 'true') return true
  throw badRequest(`${name} must be 1, true, 0 or false`)
}

/** The strong ETag of the resource: `"range-<n>"`, or `"<etag>"` from the query. */
const entityTag = (ctx: Context, size: number): string => {
  const given = ctx.query.get('etag')
  if (given === null) return `"range-${size}"`
  if (!/^[\x21\x23-\x7E]{1,200}$/.test(given))
    throw badRequest('etag must be 1-200 visible ASCII characters without quotes')
  return `"${given}"`
}

/**
 * `/range/:n`: `n` bytes (0-100 MiB) of `a-z` repeated, with `Accept-Ranges: bytes` and a strong
 * `ETag`. A single `Range: bytes=s-e`, `s-` or `-k` answers 206 with `Content-Range: bytes s-e/n`;
 * an unsatisfiable one 416 with `Content-Range: bytes *` + `/n`; none, an invalid or multiple
 * ranges, or an `If-Range` that is not the ETag, 200 with the whole resource.
 *
 * Query: `ignoreRange=1` always answers 200 with the whole body (no Accept-Ranges);
 * `badRange=shift|total|length|missing|garbage` answers a satisfiable range with a wrong 206
 * (Content-Range one byte later, a total one more than n, a body one byte short of its range, no
 * Content-Range, an unparsable Content-Range); `etag=x` sets the ETag to `"x"`; `dropAfter=B`
 * destroys the connection after B bytes of the body.
 * @internal
 */
export const range: Handler = (ctx) => {
  const size = parseInteger(param(ctx, 'n'), 'n', 0, MAX_BYTES)
  const ignore = queryFlag(ctx, 'ignoreRange')
  const bad = ctx.query.get('badRange')
  if (bad !== null && !Object.hasOwn(BAD_RANGES, bad))
    throw badRequest(`badRange must be one of ${Object.keys(BAD_RANGES).join(', ')}`)
  const breakBody = bad === null ? undefined : BAD_RANGES[bad]
  const dropAfter = queryInteger(ctx, 'dropAfter', Number.MAX_SAFE_INTEGER, 1, Number.MAX_SAFE_INTEGER)
  const etag = entityTag(ctx, size)
  const header = ctx.request.headers['range']
  const ifRange = ctx.request.headers['if-range']
  const honoured = header !== undefined && !ignore && (ifRange === undefined || ifRange.trim() === etag)
  const wanted = honoured ? parseRange(header, size) : undefined
  const validators: HeaderList = [...(ignore ? [] : [['Accept-Ranges', 'bytes'] as const]), ['ETag', etag]]
  if (wanted === 'unsatisfiable')
    return sendJson(ctx, 416, { error: 'range not satisfiable' }, [...validators, ['Content-Range', `bytes */${size}`]])
  const common: HeaderList = [...validators, ['Content-Type', 'application/octet-stream']]
  if (wanted === undefined) return streamRepeated(ctx, 200, common, size, patternChunk(26, letterAt), dropAfter)
  const broken = breakBody?.(wanted, size) ?? { header: `bytes ${wanted.start}-${wanted.end}/${size}`, short: 0 }
  const length = wanted.end - wanted.start + 1 - broken.short
  const headers: HeaderList = [
    ...common,
    ...(broken.header === undefined ? [] : [['Content-Range', broken.header] as const]),
  ]
  streamRepeated(ctx, 206, headers, length, patternChunk(26, letterAt, wanted.start), dropAfter)
}
