/**
 * What a path parameter is (`setPathParams`): the one definition of a valid placeholder name and
 * value, used by the steps, by `RequestCodec` (a template is as valid as a request built step by
 * step) and by the filler when the request is prepared.
 * @module
 */
import * as t from 'io-ts'
import type { PathParamValue } from './request.js'

/** The characters of a placeholder name: ASCII letters, digits, `_`, `-` and `.`. */
const NAME = /^[A-Za-z0-9_.-]+$/

/**
 * A placeholder name: a non-empty string of ASCII letters, digits, `_`, `-` and `.`, written
 * `{name}` in the URL path.
 * @example
 * isPathParamName('user_id') // true
 * isPathParamName('a b') // false
 * @category request
 * @since 0.3.0
 */
export const isPathParamName = (s: unknown): s is string => typeof s === 'string' && NAME.test(s)

/**
 * Why a value cannot fill a path placeholder, or null when it can: a string, a finite number or
 * a boolean, whose text is neither empty (an empty segment) nor `.` or `..` (a dot segment, which
 * a URL parser would resolve, changing the path).
 * @example
 * pathParamValueProblem(42) // null
 * pathParamValueProblem('..') // "is '..': a dot segment would change the path"
 * @category request
 * @since 0.3.0
 */
export const pathParamValueProblem = (v: unknown): string | null => {
  if (typeof v === 'number') return Number.isFinite(v) ? null : `must be a finite number, got ${String(v)}`
  if (typeof v === 'boolean') return null
  if (typeof v !== 'string')
    return `must be a string, a finite number or a boolean, got ${v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v}`
  if (v === '') return 'is empty: a path segment cannot be empty'
  if (v === '.' || v === '..') return `is '${v}': a dot segment would change the path`
  return null
}

/**
 * A value's text as it goes into the path (before percent-encoding): numbers as `String(n)`,
 * booleans `true`/`false`.
 * @example
 * pathParamText(42) // '42'
 * @category request
 * @since 0.3.0
 */
export const pathParamText = (v: PathParamValue): string => (typeof v === 'string' ? v : String(v))

const isValue = (v: unknown): v is PathParamValue => pathParamValueProblem(v) === null

const uniqueNames = (pairs: ReadonlyArray<readonly [string, PathParamValue]>): boolean =>
  new Set(pairs.map(([k]) => k)).size === pairs.length

/**
 * Path params as a template holds them: `[name, value]` pairs with valid names and values, each
 * name once.
 * @example
 * PathParamsCodec.is([['id', 42]]) // true
 * PathParamsCodec.is([['id', '..']]) // false
 * @category request
 * @since 0.3.0
 */
export const PathParamsCodec = t.refinement(
  t.readonlyArray(
    t.readonly(
      t.tuple([
        t.refinement(t.string, isPathParamName, 'PathParamName'),
        t.refinement(t.union([t.string, t.number, t.boolean]), isValue, 'PathParamValue'),
      ]),
    ),
  ),
  uniqueNames,
  'PathParams',
)
