/**
 * URL parameter steps. Values are JSON data; they are rendered (and encoded) only when the
 * request runs, see `renderUrl`.
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import { isSecretParam } from '../encoding/redact.js'
import { SECRET } from '../model/log.js'
import { showValue, toJson } from '../encoding/json.js'
import { isPlainRecord } from '../model/valid.js'
import type { Json, Pairs, Step } from '../model/request.js'
import { change, invalid, makeStep, note } from './step.js'
import { scalarText } from '../encoding/url.js'

/**
 * Params as a record, ordered pairs, a `URLSearchParams`, a `FormData` of text fields or a
 * `Map` (values: strings, numbers, booleans, null, arrays, plain objects, anything with
 * `toJSON` such as a Date).
 * @example
 * const p: ParamsInput = [['q', 'fp-ts'], ['tags', ['a', 'b']]]
 * @inline
 * @category request
 * @since 0.1.0
 */
export type ParamsInput =
  | Readonly<Record<string, unknown>>
  | ReadonlyArray<readonly [string, unknown]>
  | URLSearchParams
  | FormData
  | ReadonlyMap<string, unknown>

const shown = (name: string, v: Json): string => (isSecretParam(name) ? SECRET : scalarText(v))

const PAIRS_SHAPE = 'params must be a record, an array of [name, value] pairs, a URLSearchParams, a FormData or a Map'

/** The entries of params input, in order, or why they cannot be read. */
const entriesOf = (params: unknown): E.Either<string, ReadonlyArray<unknown>> => {
  if (params instanceof URLSearchParams || params instanceof Map) return E.right([...params.entries()])
  if (typeof FormData === 'function' && params instanceof FormData) {
    const out: Array<readonly [string, string]> = []
    for (const [name, value] of params as unknown as Iterable<readonly [string, unknown]>) {
      if (typeof value !== 'string')
        return E.left(`field ${name} is a file: a form body holds text fields (use startMultipartBody for files)`)
      out.push([name, value])
    }
    return E.right(out)
  }
  if (Array.isArray(params)) return E.right(params)
  if (!isPlainRecord(params)) return E.left(PAIRS_SHAPE)
  return E.right(Object.entries(params))
}

/**
 * Turns params input into checked pairs, in order (repeated names kept). Values are read as
 * `toJson` reads them; a value that cannot be (a `Set`, a class instance, a throwing getter) is a
 * Left naming the param. Never throws.
 * @example
 * toPairs({ a: 1 }) // right([['a', 1]])
 * toPairs(new URLSearchParams('a=1&a=2')) // right([['a', '1'], ['a', '2']])
 */
export const toPairs = (params: unknown): E.Either<string, Pairs> => {
  try {
    const entries = entriesOf(params)
    if (E.isLeft(entries)) return entries
    const out: Array<readonly [string, Json]> = []
    for (const entry of entries.right) {
      if (!Array.isArray(entry) || entry.length !== 2 || typeof entry[0] !== 'string')
        return E.left('each param must be a [name, value] pair with a string name')
      const [name, raw] = entry as [string, unknown]
      if (name === '') continue
      const v = toJson(raw === undefined ? null : raw)
      if (E.isLeft(v)) return E.left(`param ${name}: ${v.left}`)
      out.push([name, v.right])
    }
    return E.right(out)
  } catch (e) {
    return E.left(`the params cannot be read: ${e instanceof Error ? e.message : showValue(e)}`)
  }
}

/**
 * Replaces all URL params (rendered in this order when the request runs). Empty names are
 * dropped.
 * @example
 * pipe(req, setUrlParams({ q: 'fp ts', page: 2, tags: ['a', 'b'] }))
 * @category request
 * @since 0.1.0
 */
export const setUrlParams = (params: ParamsInput): Step =>
  makeStep('setUrlParams', () =>
    pipe(
      toPairs(params),
      E.flatMap((pairs: Pairs) =>
        change(
          { params: pairs },
          `params set (${pairs.length}): ${pairs.map(([k, v]) => `${k}=${shown(k, v)}`).join(', ')}`,
        ),
      ),
    ),
  )

const isEmpty = (v: unknown): boolean => v === '' || v === null || v === undefined

/**
 * Adds one URL param, or replaces the value of an existing one in place (dropping any later
 * duplicates of it). An empty name is
 * ignored; with `ignoreEmpty`, `''`, `null` and `undefined` values are skipped.
 * @example
 * pipe(req, addUrlParameter('page', 2), addUrlParameter('filter', '', true))
 * @category request
 * @since 0.1.0
 */
export const addUrlParameter = (name: string, value: unknown, ignoreEmpty = false): Step =>
  makeStep('addUrlParameter', (req) => {
    if (typeof name !== 'string') return invalid(`param name must be a string, got ${typeof name}`)
    if (name === '') return note('empty name - skipped')
    if (ignoreEmpty && isEmpty(value)) return note(`${name}: empty value - skipped`)
    const v = toJson(value === undefined ? null : value)
    if (E.isLeft(v)) return invalid(`param ${name}: ${v.left}`)
    const i = req.params.findIndex(([k]) => k === name)
    const params: Pairs =
      i === -1
        ? [...req.params, [name, v.right]]
        : req.params.flatMap((p, j) => (j === i ? [[name, v.right] as const] : p[0] === name ? [] : [p]))
    return change({ params }, `${i === -1 ? 'added' : 'replaced'} ${name}=${shown(name, v.right)}`)
  })
