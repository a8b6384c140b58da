/**
 * Decoding by status: one io-ts decoder per status (`200`), status class (`'4XX'`) or `'default'`,
 * and a result typed as the union of the cases, discriminated by a literal `status`.
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import type * as t from 'io-ts'
import { invalidInput, statusError, type ClientError } from '../model/errors.js'
import { redactUrl } from '../encoding/redact.js'
import type { HttpResponse } from '../model/response.js'
import { decodeBody, isResponse, notAResponse, parseBody, thrownText } from './readers.js'

type Digit = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9
type ToNumber<S> = S extends `${infer N extends number}` ? N : never
type Class = 1 | 2 | 3 | 4 | 5

/**
 * Every status a response can have: `100` to `999` as literal types (a status below 100 is a
 * `TransportError`, never a response).
 * @example
 * const s: HttpStatus = 404
 * @category responses
 * @since 0.3.0
 */
export type HttpStatus = ToNumber<`${1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9}${Digit}${Digit}`>

/** The statuses of a class: `StatusOfClass<4>` is `400 | 401 | … | 499`. */
type StatusOfClass<C extends number> = ToNumber<`${C}${Digit}${Digit}`>

/**
 * The cases of {@link asJsonByStatus}: io-ts decoders keyed by status (`200`, `404`), status class
 * (`'1XX'` to `'5XX'`) or `'default'`.
 * @example
 * const cases = { 200: t.type({ id: t.number }), 404: t.type({ title: t.string }), '5XX': t.unknown } satisfies StatusCases
 * @category responses
 * @since 0.3.0
 */
export type StatusCases = { readonly [status: number]: t.Decoder<unknown, unknown> } & {
  readonly [K in `${Class}XX` | 'default']?: t.Decoder<unknown, unknown>
}

/** The statuses given as their own keys (`200` or `'200'`). */
type ExactKeys<C> = { [K in keyof C]: K extends number ? K : ToNumber<K> }[keyof C]
type ClassKeys<C> = { [K in keyof C]: K extends `${infer N extends Class}XX` ? N : never }[keyof C]

/** The statuses that reach case `K`: the most specific key wins. */
type StatusOfCase<K, C> = K extends 'default'
  ? Exclude<HttpStatus, ExactKeys<C> | StatusOfClass<ClassKeys<C>>>
  : K extends `${infer N extends Class}XX`
    ? Exclude<StatusOfClass<N>, ExactKeys<C>>
    : K extends number
      ? K
      : ToNumber<K>

/**
 * What {@link asJsonByStatus} gives for `cases`: one `{ status, body }` per case, `status` the
 * literal statuses that reach it (so `if (r.status === 404)` narrows `body` to the 404 decoder's
 * type), `body` what its decoder gives.
 * @example
 * const User = t.type({ id: t.number })
 * const Problem = t.type({ title: t.string })
 * type R = ByStatus<{ 200: typeof User; 404: typeof Problem }>
 * // { status: 200; body: { id: number } } | { status: 404; body: { title: string } }
 * @category responses
 * @since 0.3.0
 */
export type ByStatus<C> = {
  [K in keyof C]-?: C[K] extends t.Decoder<unknown, infer A>
    ? { readonly status: StatusOfCase<K, C>; readonly body: A }
    : never
}[keyof C]

/** A key that is not a case (`'2xx'`, `'ok'`, `42`) is a compile error. */
type OnlyCases<C> = {
  // `number` itself is the index signature of a value typed StatusCases: taken as it is
  readonly [K in keyof C]: K extends HttpStatus | `${HttpStatus}` | `${Class}XX` | 'default'
    ? C[K]
    : number extends K
      ? C[K]
      : never
}

const KEY = /^(?:[1-9]\d\d|[1-5]XX|default)$/

/**
 * The cases, each key and decoder read once (a getter is not asked twice), or why they cannot
 * be used. Everything is checked before any decoder is used.
 */
const readCases = (cases: unknown): E.Either<string, ReadonlyMap<string, t.Decoder<unknown, unknown>>> => {
  if (typeof cases !== 'object' || cases === null || Array.isArray(cases))
    return E.left('the cases must be an object of decoders keyed by status, status class or default')
  const table = new Map<string, t.Decoder<unknown, unknown>>()
  try {
    for (const key of Object.keys(cases)) {
      if (!KEY.test(key))
        return E.left(
          `${JSON.stringify(key.slice(0, 40))} is not a case: use a status (200), a class ('4XX') or 'default'`,
        )
      const decoder: unknown = (cases as Record<string, unknown>)[key]
      if (typeof (decoder as { decode?: unknown } | null)?.decode !== 'function')
        return E.left(`the case ${key} is not a decoder (no decode function)`)
      table.set(key, decoder as t.Decoder<unknown, unknown>)
    }
  } catch (e) {
    return E.left(`the cases cannot be read: ${thrownText(e)}`)
  }
  return table.size === 0 ? E.left('no cases: give at least one decoder') : E.right(table)
}

/**
 * Decodes the body with the decoder of the response's status: the status's own key wins, then
 * its class (`'4XX'`), then `'default'`. The body is parsed as JSON (an empty body is
 * `undefined`, so `204: t.undefined` reads a 204) and decoded; the result is `{ status, body }`,
 * typed as the union of the cases with literal statuses. A status with no case is a
 * `StatusError` carrying the response; invalid JSON a `ParseError`; a mismatch a `DecodeError`
 * naming the status; cases that are not decoders an `InvalidInput`.
 * @example
 * const User = t.type({ id: t.number, name: t.string })
 * const Problem = t.type({ title: t.string })
 * const result = await pipe(
 *   H.newRequest(),
 *   H.initialize(`${url}/users/7`),
 *   H.processRequest('GET'),
 *   TE.flatMapEither(H.asJsonByStatus({ 200: User, 404: Problem })),
 * )()
 * pipe(result, E.map((r) => (r.status === 200 ? r.body.name : r.body.title))) // { _tag: 'Right', right: 'User 7' }
 * @category responses
 * @since 0.3.0
 */
export const asJsonByStatus =
  <C extends StatusCases>(cases: C & OnlyCases<C>) =>
  (res: HttpResponse): E.Either<ClientError, ByStatus<C>> => {
    if (!isResponse(res)) return notAResponse('asJsonByStatus')
    const table = readCases(cases)
    if (E.isLeft(table)) return E.left(invalidInput('asJsonByStatus', `asJsonByStatus: ${table.left}`, res.log))
    const status = res.status
    const key = [String(status), `${Math.floor(status / 100)}XX`, 'default'].find((k) => table.right.has(k))
    const decoder = key === undefined ? undefined : table.right.get(key)
    if (key === undefined || decoder === undefined)
      return E.left(
        statusError(`asJsonByStatus: no case for status ${status} ${res.statusText} from ${redactUrl(res.url)}`, res),
      )
    const json = parseBody('asJsonByStatus', res, undefined)
    if (E.isLeft(json)) return json
    const what = key === String(status) ? `the ${status} body` : `the ${status} body (case ${key})`
    const body = decodeBody('asJsonByStatus', what, decoder, json.right, res)
    return E.isLeft(body) ? body : E.right({ status, body: body.right } as ByStatus<C>)
  }
