/**
 * URL parameter steps. Values are JSON data; they are rendered (and encoded) only when the
 * request runs, see `renderUrl`.
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import { isSecretParam } from '../encoding/redact.js'
import { SECRET } from '../model/log.js'
import { toJson } from '../encoding/json.js'
import type { Json, Pairs, Step } from '../model/request.js'
import { change, invalid, makeStep, note } from './step.js'
import { scalarText } from '../encoding/url.js'

/**
 * Params as a record or as ordered pairs (values: strings, numbers, booleans, null, arrays,
 * objects, Dates).
 * @example
 * const p: ParamsInput = [['q', 'fp-ts'], ['tags', ['a', 'b']]]
 * @inline
 * @category request
 * @since 0.1.0
 */
export type ParamsInput = Readonly<Record<string, unknown>> | ReadonlyArray<readonly [string, unknown]>

const shown = (name: string, v: Json): string => (isSecretParam(name) ? SECRET : scalarText(v))

/**
 * Turns params input into checked pairs.
 * @example
 * toPairs({ a: 1 }) // right([['a', 1]])
 */
export const toPairs = (params: unknown): E.Either<string, Pairs> => {
  if (typeof params !== 'object' || params === null)
    return E.left('params must be a record or an array of [name, value] pairs')
  const entries: ReadonlyArray<unknown> = Array.isArray(params) ? params : Object.entries(params)
  const out: Array<readonly [string, Json]> = []
  for (const entry of entries) {
    if (!Array.isArray(entry) || entry.length !== 2 || typeof entry[0] !== 'string')
      return E.left('each param must be a [name, value] pair with a string name')
    const [name, raw] = entry as [string, unknown]
    if (name === '') continue
    const v = toJson(raw === undefined ? null : raw)
    if (E.isLeft(v)) return E.left(`param ${name}: ${v.left}`)
    out.push([name, v.right])
  }
  return E.right(out)
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
