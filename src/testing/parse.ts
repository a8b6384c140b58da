/**
 * Parsing and validation helpers for request input (query, headers, parameters), and the
 * {@link BadRequest} error they throw, which the server answers with 400.
 *
 * @packageDocumentation
 */
import { validateHeaderName, validateHeaderValue } from 'node:http'

/**
 * A client error, answered with 400 and `{ error: message }`.
 * @internal
 */
export class BadRequest extends Error {
  override readonly name = 'BadRequest'
}

/**
 * A {@link BadRequest} with `message`.
 * @internal
 */
export const badRequest = (message: string): BadRequest => new BadRequest(message)

/**
 * Groups pairs by key: one value → string, several → string[].
 * @internal
 */
export const groupPairs = (pairs: Iterable<readonly [string, string]>): Record<string, string | string[]> => {
  const grouped = new Map<string, string[]>()
  for (const [key, value] of pairs) {
    const values = grouped.get(key)
    if (values === undefined) grouped.set(key, [value])
    else values.push(value)
  }
  return Object.fromEntries(
    [...grouped].map(([key, values]) => [key, values.length === 1 ? (values[0] ?? '') : values]),
  )
}

/**
 * Lower-cases header names and joins repeated ones with `', '`.
 * @internal
 */
export const headerRecord = (pairs: Iterable<readonly [string, string]>): Record<string, string> => {
  const grouped = new Map<string, string[]>()
  for (const [name, value] of pairs) {
    const key = name.toLowerCase()
    grouped.set(key, [...(grouped.get(key) ?? []), value])
  }
  return Object.fromEntries([...grouped].map(([key, values]) => [key, values.join(', ')]))
}

/**
 * Node's flat `rawHeaders` array as `[name, value]` pairs.
 * @internal
 */
export const rawHeaderPairs = (raw: ReadonlyArray<string>): Array<readonly [string, string]> => {
  const pairs: Array<readonly [string, string]> = []
  for (let i = 0; i + 1 < raw.length; i += 2) pairs.push([raw[i] ?? '', raw[i + 1] ?? ''])
  return pairs
}

/**
 * Parses a decimal integer in `[min, max]`, or throws {@link BadRequest}.
 * @internal
 */
export const parseInteger = (raw: string, label: string, min: number, max: number): number => {
  const value = /^\d{1,20}$/.test(raw) ? Number(raw) : Number.NaN
  if (!(value >= min && value <= max)) throw badRequest(`${label} must be an integer between ${min} and ${max}`)
  return value
}

/**
 * Throws {@link BadRequest} unless `name: value` is a valid response header.
 * @internal
 */
export const checkHeader = (name: string, value: string | ReadonlyArray<string>): void => {
  try {
    validateHeaderName(name)
    for (const item of typeof value === 'string' ? [value] : value) validateHeaderValue(name, item)
  } catch {
    throw badRequest(`invalid response header: ${JSON.stringify(name)}`)
  }
}

/**
 * The text parsed as JSON, or `null` when it is not JSON.
 * @internal
 */
export const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text) as unknown
  } catch {
    return null
  }
}

/**
 * A header value split into its lower-case main token and its (lower-case named) parameters.
 * @internal
 */
export interface HeaderParts {
  readonly value: string
  readonly params: Readonly<Record<string, string>>
}

/**
 * Parses `type; a=b; c="d \"e\""` (Content-Type, Content-Disposition).
 * @internal
 */
export const parseHeaderParams = (header: string): HeaderParts => {
  const semicolon = header.indexOf(';')
  const value = (semicolon < 0 ? header : header.slice(0, semicolon)).trim().toLowerCase()
  const params = new Map<string, string>()
  const rest = semicolon < 0 ? '' : header.slice(semicolon)
  for (const match of rest.matchAll(/;\s*([^\s=;]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]*))/g)) {
    const [, name = '', quoted, token] = match
    params.set(name.toLowerCase(), quoted !== undefined ? quoted.replace(/\\(.)/g, '$1') : (token ?? '').trim())
  }
  return { value, params: Object.fromEntries(params) }
}

/**
 * Decodes an RFC 5987 extended value (`UTF-8''%E2%82%AC.txt`); undefined when not UTF-8 or malformed.
 * @internal
 */
export const decodeExtendedValue = (raw: string): string | undefined => {
  const match = /^utf-8'[^']*'(.*)$/i.exec(raw)
  if (match?.[1] === undefined) return undefined
  try {
    return decodeURIComponent(match[1])
  } catch {
    return undefined
  }
}
