/**
 * The `type` conversions of body fields (`insertBodyField`, `addValue`).
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import { parseJson, showValue, toJson } from '../encoding/json.js'
import type { Json } from '../model/request.js'
import { scalarText } from '../encoding/url.js'

/**
 * How a field value is converted: `'string'`, `'number'`, `'boolean'`, `'json'` (parse text),
 * `'date'` (Unix seconds), `'dateIso'` (`YYYY-MM-DDTHH:MM:SS`, UTC), `'dateIsoZ'` (the same
 * with `Z`), `'dateOnly'` (`YYYY-MM-DD`), `'base64'` (bytes or UTF-8 text as base64).
 * @example
 * const t: FieldType = 'dateIso'
 * @inline
 * @category bodies
 * @since 0.1.0
 */
export type FieldType =
  'string' | 'number' | 'boolean' | 'json' | 'date' | 'dateIso' | 'dateIsoZ' | 'dateOnly' | 'base64'

const FIELD_TYPES: ReadonlyArray<string> = [
  'string',
  'number',
  'boolean',
  'json',
  'date',
  'dateIso',
  'dateIsoZ',
  'dateOnly',
  'base64',
]

/**
 * A Date from a Date, a date text or epoch milliseconds.
 * @example
 * toDate('2024-01-02T03:04:05Z') // right(Date)
 */
export const toDate = (v: unknown): E.Either<string, Date> => {
  const d = v instanceof Date ? v : typeof v === 'string' || typeof v === 'number' ? new Date(v) : null
  if (d !== null && !Number.isNaN(d.getTime()) && (d.getUTCFullYear() < 0 || d.getUTCFullYear() > 9999))
    return E.left(`${d.toISOString()} is outside the years 0000-9999`)
  return d === null || Number.isNaN(d.getTime()) ? E.left(`${JSON.stringify(showValue(v))} is not a date`) : E.right(d)
}

const toText = (v: unknown): E.Either<string, string> =>
  typeof v === 'string' ? E.right(v) : pipe(toJson(v), E.map(scalarText))

const toNumber = (v: unknown): E.Either<string, number> => {
  const n =
    typeof v === 'number'
      ? v
      : typeof v === 'boolean'
        ? Number(v)
        : typeof v === 'string' && v.trim() !== ''
          ? Number(v)
          : NaN
  return Number.isFinite(n) ? E.right(n) : E.left(`${JSON.stringify(showValue(v))} is not a number`)
}

const TRUE = new Set(['true', '1', 'yes', 'on'])
const FALSE = new Set(['false', '0', 'no', 'off'])
const toBoolean = (v: unknown): E.Either<string, boolean> => {
  if (typeof v === 'boolean') return E.right(v)
  const s = showValue(v).trim().toLowerCase()
  return TRUE.has(s)
    ? E.right(true)
    : FALSE.has(s)
      ? E.right(false)
      : E.left(`${JSON.stringify(showValue(v))} is not a boolean`)
}

const iso = (d: Date): string => d.toISOString().slice(0, 19)

/**
 * Converts a field value by `type` (or, without one, to JSON data as is).
 * @example
 * convertValue('42', 'number') // right(42)
 * convertValue(new Date(0), 'dateIso') // right('1970-01-01T00:00:00')
 * convertValue('x', 'number') // left('"x" is not a number')
 */
export const convertValue = (value: unknown, type?: FieldType): E.Either<string, Json> => {
  if (type === undefined) return toJson(value === undefined ? null : value)
  if (!FIELD_TYPES.includes(type))
    return E.left(`unknown type ${JSON.stringify(type)} (one of ${FIELD_TYPES.join(', ')})`)
  switch (type) {
    case 'string':
      return toText(value)
    case 'number':
      return toNumber(value)
    case 'boolean':
      return toBoolean(value)
    case 'json':
      return typeof value === 'string' ? pipe(parseJson(value), E.flatMap(toJson)) : toJson(value)
    case 'date':
      return pipe(
        toDate(value),
        E.map((d) => Math.floor(d.getTime() / 1000)),
      )
    case 'dateIso':
      return pipe(toDate(value), E.map(iso))
    case 'dateIsoZ':
      return pipe(
        toDate(value),
        E.map((d) => `${iso(d)}Z`),
      )
    case 'dateOnly':
      return pipe(
        toDate(value),
        E.map((d) => d.toISOString().slice(0, 10)),
      )
    case 'base64':
      return value instanceof Uint8Array
        ? E.right(Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64'))
        : typeof value === 'string'
          ? E.right(Buffer.from(value, 'utf8').toString('base64'))
          : E.left('base64 takes a Uint8Array or a string')
  }
}
