/**
 * Byte ranges on the wire (RFC 9110 §14): the `Range` a client asks for, the `Content-Range` of
 * a part sent or received, and the `Range: bytes=0-N` a resumable-upload server answers with.
 * @module
 */

/**
 * A byte range `start..end` (inclusive, as HTTP writes it) of a representation of `total` bytes
 * (null: `*`, unknown).
 * @example
 * const r: ContentRange = { start: 0, end: 99, total: 1000 }
 * @category encoding
 * @since 0.3.0
 */
export interface ContentRange {
  readonly start: number
  readonly end: number
  readonly total: number | null
}

/**
 * The `Content-Range` of the bytes `[start, end)` of `total`.
 * @example
 * contentRange(0, 100, 1000) // 'bytes 0-99/1000'
 * @category encoding
 * @since 0.3.0
 */
export const contentRange = (start: number, end: number, total: number): string => `bytes ${start}-${end - 1}/${total}`

/**
 * The `Range` header asking for the bytes `[start, end)`.
 * @example
 * rangeHeader(100, 200) // 'bytes=100-199'
 * @category encoding
 * @since 0.3.0
 */
export const rangeHeader = (start: number, end: number): string => `bytes=${start}-${end - 1}`

const DIGITS = /^\d{1,15}$/

/**
 * Reads a `Content-Range: bytes s-e/total` value (total may be `*`); null when it is not one,
 * or its end is before its start or past the total.
 * @example
 * parseContentRange('bytes 0-99/1000') // { start: 0, end: 99, total: 1000 }
 * parseContentRange('bytes *\/1000') // null
 * @category encoding
 * @since 0.3.0
 */
export const parseContentRange = (value: string | undefined): ContentRange | null => {
  const m = /^\s*bytes\s+(\d+)-(\d+)\/(\d+|\*)\s*$/i.exec(value ?? '')
  if (m === null) return null
  const [, s = '', e = '', t = ''] = m
  if (!DIGITS.test(s) || !DIGITS.test(e) || (t !== '*' && !DIGITS.test(t))) return null
  const r = { start: Number(s), end: Number(e), total: t === '*' ? null : Number(t) }
  return r.end < r.start || (r.total !== null && r.end >= r.total) ? null : r
}

/**
 * The size a `416` answer gives in `Content-Range: bytes *\/total`, or null.
 * @example
 * unsatisfiedTotal('bytes *\/1000') // 1000
 * @category encoding
 * @since 0.3.0
 */
export const unsatisfiedTotal = (value: string | undefined): number | null => {
  const m = /^\s*bytes\s+\*\/(\d{1,15})\s*$/i.exec(value ?? '')
  return m === null ? null : Number(m[1])
}

/**
 * How many bytes a resumable-upload server says it holds, from its `Range: bytes=0-N` answer
 * (`N + 1`); `0` when it sent no Range (it holds nothing); null when the header is not of that
 * form (a range that does not start at 0 is not an acknowledgement).
 * @example
 * acknowledgedBytes('bytes=0-524287') // 524288
 * acknowledgedBytes(undefined) // 0
 * @category encoding
 * @since 0.3.0
 */
export const acknowledgedBytes = (value: string | undefined): number | null => {
  if (value === undefined) return 0
  const m = /^\s*bytes=0-(\d{1,15})\s*$/i.exec(value)
  return m === null ? null : Number(m[1]) + 1
}
