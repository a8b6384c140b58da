/**
 * Path parameter steps: values for the `{name}` placeholders of the URL path. They are kept in
 * the Request and filled in only when it is prepared (`fillPath`), so a template keeps its
 * placeholders.
 * @module
 */
import { isPathParamName, pathParamValueProblem } from '../model/path-params.js'
import { isPlainRecord } from '../model/valid.js'
import { quote } from '../encoding/json.js'
import type { PathParamValue, Request, Step } from '../model/request.js'
import { change, invalid, makeStep } from './step.js'

export type { PathParamValue } from '../model/request.js'

type Pair = readonly [string, PathParamValue]

/** Why a name and value cannot be a path param, or null. */
const problemOf = (name: unknown, value: unknown): string | null => {
  if (!isPathParamName(name))
    return `a path param name must be a non-empty string of ASCII letters, digits, '_', '-' and '.', got ${typeof name === 'string' ? quote(name) : typeof name}`
  const problem = pathParamValueProblem(value)
  return problem === null ? null : `the path param ${name} ${problem}`
}

/**
 * Replaces all path params: the values of the `{name}` placeholders in the URL path (the base
 * URL's path too), filled when the request is prepared, so a template keeps its placeholders.
 * A name is ASCII letters, digits, `_`, `-` and `.` (`{user_id}`, `{v1.2}`); a value is a string,
 * a finite number or a boolean, and becomes exactly one path segment: percent-encoded as a query
 * value is (UTF-8, only `A-Z a-z 0-9 - . _ ~` kept: `/` is `%2F`, `?` `%3F`, `#` `%23`, `%`
 * `%25`, a space `%20`), also with `useUrlEncoding(false)`. A value that is empty, `.` or `..`
 * (it would change the path) is `InvalidInput`. When the request is prepared, a placeholder
 * without a value or a value without a placeholder is `InvalidInput` naming it, and nothing is
 * sent. Placeholders in the host, the query and the fragment are not filled; a `{` that does not
 * start a placeholder is sent as it is (encoded as `%7B`), and so is `%7Bname%7D`, the way to send
 * a literal `{name}`. AWS4 and OAuth1 sign the filled path.
 * @example
 * const r = pipe(newRequest(), setUrl('http://127.0.0.1:8080/anything/users/{id}/files/{name}'), setPathParams({ id: 42, name: 'a/b c' }))
 * const path = await pipe(r, processRequest('GET'), TE.flatMapEither(asJson()), TE.map((b) => (b as { path: string }).path))()
 * path // { _tag: 'Right', right: '/anything/users/42/files/a%2Fb%20c' }
 * @category request
 * @since 0.3.0
 */
export const setPathParams = (params: { readonly [name: string]: PathParamValue }): Step =>
  makeStep('setPathParams', () => {
    if (!isPlainRecord(params)) return invalid('path params must be a plain object of name: value')
    const pairs: Pair[] = []
    for (const [name, value] of Object.entries(params)) {
      const problem = problemOf(name, value)
      if (problem !== null) return invalid(problem)
      pairs.push([name, value as PathParamValue])
    }
    return change(
      { pathParams: pairs },
      pairs.length === 0
        ? 'path params cleared'
        : `path params set (${pairs.length}): ${pairs.map(([k]) => k).join(', ')}`,
    )
  })

/**
 * Sets the value of one path param (the `{name}` placeholder in the URL path), replacing the
 * value it had: the same rules as {@link setPathParams}.
 * @example
 * const r = pipe(newRequest(), setBaseUrl('http://127.0.0.1:8080/anything/{tenant}'), setUrl('/items/{id}'), setPathParam('tenant', 'acme'), setPathParam('id', 'é?#'))
 * const path = await pipe(r, processRequest('GET'), TE.flatMapEither(asJson()), TE.map((b) => (b as { path: string }).path))()
 * path // { _tag: 'Right', right: '/anything/acme/items/%C3%A9%3F%23' }
 * @category request
 * @since 0.3.0
 */
export const setPathParam = (name: string, value: PathParamValue): Step =>
  makeStep('setPathParam', (req: Request) => {
    const problem = problemOf(name, value)
    if (problem !== null) return invalid(problem)
    const i = req.pathParams.findIndex(([k]) => k === name)
    const pair: Pair = [name, value]
    const pathParams = i === -1 ? [...req.pathParams, pair] : req.pathParams.map((p, j) => (j === i ? pair : p))
    return change({ pathParams }, `path param ${name} ${i === -1 ? 'set' : 'replaced'}`)
  })
