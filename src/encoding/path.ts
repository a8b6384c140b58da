/**
 * Path parameters filled in: `{name}` placeholders in the path of a URL replaced by their
 * values, each percent-encoded as one segment. Run when a request is prepared (never inside a
 * builder step), so a template keeps its placeholders.
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import type { PathParamValue } from '../model/request.js'
import { pathParamText, pathParamValueProblem } from '../model/path-params.js'
import { encodeComponent, utf8, type Encoder } from './url.js'

/** A placeholder: `{` name `}`, the name's characters as `isPathParamName` has them. */
const PLACEHOLDER = /\{([A-Za-z0-9_.-]+)\}/g

/**
 * Where the path of a URL starts and ends: after the scheme and authority (`https://host:443`),
 * before the query or fragment. A text without `scheme://` is a path from its start.
 */
const pathRange = (url: string): readonly [number, number] => {
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(url)
  const from = scheme === null ? 0 : scheme[0].length
  const authorityEnd = scheme === null ? 0 : url.slice(from).search(/[/\\?#]/)
  const start = scheme === null ? 0 : authorityEnd === -1 ? url.length : from + authorityEnd
  const end = url.slice(start).search(/[?#]/)
  return [start, end === -1 ? url.length : start + end]
}

const list = (names: ReadonlyArray<string>): string => names.map((n) => `{${n}}`).join(', ')

/**
 * The URL with every `{name}` placeholder of its path replaced by the value of that name,
 * percent-encoded as one segment (`encodeComponent`: only `A-Z a-z 0-9 - . _ ~` kept, so `/` is
 * `%2F`, `?` `%3F`, `#` `%23`, `%` `%25`, a space `%20`, non-ASCII its UTF-8 bytes), whatever the
 * URL encoding setting. The scheme, the authority, the query and the fragment are left as they
 * are; a `{` that does not start a placeholder is too. The same placeholder twice gets the same
 * value. A Left names every placeholder without a value, or else every value without a
 * placeholder, or a value that cannot be one segment (`''`, `.`, `..`, not a string, finite
 * number or boolean).
 * @example
 * fillPath('https://h/users/{id}/files/{name}?q={x}', [['id', 7], ['name', 'a/b c']]) // right('https://h/users/7/files/a%2Fb%20c?q={x}')
 * fillPath('https://h/users/{id}', []) // left('the path placeholder {id} has no value: set it with setPathParam or setPathParams')
 * @category request
 * @since 0.3.0
 * @internal
 */
export const fillPath = (
  url: string,
  params: ReadonlyArray<readonly [string, PathParamValue]>,
  encoder: Encoder = utf8,
): E.Either<string, string> => {
  // a Request written out by hand (not by newRequest) may lack the field: no params
  if (!Array.isArray(params)) params = []
  if (params.length === 0 && !url.includes('{')) return E.right(url)
  const values = new Map<string, string>()
  for (const [name, value] of params) {
    const problem = pathParamValueProblem(value)
    if (problem !== null) return E.left(`the path param ${name} ${problem}`)
    if (!values.has(name)) values.set(name, encodeComponent(pathParamText(value), encoder))
  }
  const [start, end] = pathRange(url)
  const missing: string[] = []
  const used = new Set<string>()
  const path = url.slice(start, end).replace(PLACEHOLDER, (whole, name: string) => {
    const v = values.get(name)
    if (v === undefined) {
      if (!missing.includes(name)) missing.push(name)
      return whole
    }
    used.add(name)
    return v
  })
  if (missing.length > 0)
    return E.left(
      `the path placeholder${missing.length > 1 ? 's' : ''} ${list(missing)} ha${missing.length > 1 ? 've' : 's'} no value: set ${missing.length > 1 ? 'them' : 'it'} with setPathParam or setPathParams`,
    )
  const extra = [...values.keys()].filter((n) => !used.has(n))
  if (extra.length > 0)
    return E.left(
      `the path param${extra.length > 1 ? 's' : ''} ${extra.join(', ')} ha${extra.length > 1 ? 've' : 's'} no placeholder (${list(extra)}) in the URL path ${url.slice(start, end) || '/'}`,
    )
  return E.right(`${url.slice(0, start)}${path}${url.slice(end)}`)
}
