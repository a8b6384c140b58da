/**
 * Header steps. Names match case-insensitively and keep the caller's spelling.
 * @module
 */
import { hasCrLfNul, isFieldValue, isPlainRecord, isToken } from '../model/valid.js'
import { putHeader, type HeaderList } from '../model/headers.js'
import { isSecretRef, showSecret, type Secret, type SecretRef } from '../model/secret.js'
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import { redactHeaderValue } from '../encoding/redact.js'
import { showValue } from '../encoding/json.js'
import { change, invalid, makeStep, note } from './step.js'
import type { Step } from '../model/request.js'

/**
 * Checks a header name and value: a token name, no CR, LF or NUL in the value.
 * @example
 * checkHeader('X-A', 'b') // right(['X-A', 'b'])
 * checkHeader('X-A', 'b\r\nEvil: 1') // left('header X-A: value contains CR, LF or NUL')
 */
export const checkHeader = (name: unknown, value: unknown): E.Either<string, readonly [string, string | SecretRef]> => {
  if (!isToken(name)) return E.left(`invalid header name ${JSON.stringify(showValue(name))}`)
  // as a key of a JavaScript object it names the prototype: a transport that builds an object of the headers would drop it
  if (name === '__proto__') return E.left('the header name __proto__ cannot be sent (it names an object prototype)')
  if (isSecretRef(value)) return E.right([name, value])
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean')
    return E.left(`header ${name}: value must be a string, got ${value === null ? 'null' : typeof value}`)
  const v = String(value)
  if (hasCrLfNul(v)) return E.left(`header ${name}: value contains CR, LF or NUL`)
  if (!isFieldValue(v))
    return E.left(
      `header ${name}: value has a character that cannot be sent in a header (controls, or beyond U+00FF: encode it, e.g. RFC 8187)`,
    )
  return E.right([name, v.trim()])
}

const isEmptyValue = (v: unknown): boolean => v === '' || v === null || v === undefined

/**
 * Adds or replaces one header. With `ignoreEmpty`, an empty value is skipped.
 * @example
 * pipe(req, addHeader('X-My-Header1', 'Hello'))
 * @category headers
 * @since 0.1.0
 */
export const addHeader = (name: string, value: string | SecretRef, ignoreEmpty = false): Step =>
  makeStep('addHeader', (req) => {
    if (ignoreEmpty && isEmptyValue(value))
      return pipe(
        checkHeader(name, ''),
        E.flatMap(() => note(`${name}: empty value - skipped`)),
      )
    return pipe(
      checkHeader(name, value),
      E.flatMap(([n, v]) =>
        change(
          { headers: putHeader<Secret>(req.headers, n, v) },
          `${n}: ${typeof v === 'string' ? redactHeaderValue(n, v) : showSecret(v)}`,
        ),
      ),
    )
  })

/** The entries of headers input, in order, or null when it is none of the shapes taken. */
const headerEntries = (headers: unknown): ReadonlyArray<readonly [unknown, unknown]> | null => {
  if (Array.isArray(headers)) return headers as ReadonlyArray<readonly [unknown, unknown]>
  if (headers instanceof Map || (typeof Headers === 'function' && headers instanceof Headers))
    return [...(headers as Iterable<readonly [unknown, unknown]>)]
  return isPlainRecord(headers) ? Object.entries(headers) : null
}

/**
 * Merges headers into the user headers (later wins), or with `fullReplace` replaces them all.
 * Takes a record, an array of pairs, a `Map` or a fetch `Headers`. A header named `__proto__`
 * (which `JSON.parse` can give as a key) is `InvalidInput`, never dropped silently.
 * @example
 * pipe(req, setHeaders({ Accept: 'application/json', 'X-Trace': '1' }))
 * @category headers
 * @since 0.1.0
 */
export const setHeaders = (
  headers:
    | Readonly<Record<string, string | SecretRef>>
    | HeaderList<string | SecretRef>
    | ReadonlyMap<string, string | SecretRef>,
  fullReplace = false,
): Step =>
  makeStep('setHeaders', (req) => {
    const entries = headerEntries(headers)
    if (entries === null) return invalid('headers must be a record, an array of pairs, a Map or a Headers')
    let list: HeaderList<Secret> = fullReplace ? [] : req.headers
    const lines: string[] = []
    for (const entry of entries) {
      if (!Array.isArray(entry) || entry.length !== 2) return invalid('each header must be a [name, value] pair')
      const checked = checkHeader(entry[0], entry[1])
      if (E.isLeft(checked)) return invalid(checked.left)
      const [n, v] = checked.right
      list = putHeader(list, n, v)
      lines.push(`${n}: ${typeof v === 'string' ? redactHeaderValue(n, v) : showSecret(v)}`)
    }
    return change(
      { headers: list },
      `${fullReplace ? 'headers replaced' : 'headers merged'} (${lines.length})`,
      ...lines,
    )
  })
