/**
 * Turning caller values into JSON data, with a clear reason when that is impossible.
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import type { Json } from '../model/request.js'

/**
 * Any value as short text for a message: never throws (null-prototype objects, symbols, …).
 * @example
 * showValue(Object.create(null)) // '[object Object]'
 * showValue(Symbol('x')) // 'Symbol(x)'
 */
export const showValue = (v: unknown): string => {
  try {
    return String(v)
  } catch {
    return Object.prototype.toString.call(v)
  }
}

/**
 * A value quoted for a message, as JSON where it can be (a string in quotes), never throwing (a
 * bigint, a symbol, a cycle or a huge text are shown shortly).
 * @example
 * quote('utf-9') // '"utf-9"'
 * quote(10n) // '10n'
 */
export const quote = (v: unknown): string => {
  let s: string
  try {
    s = typeof v === 'bigint' ? `${v}n` : typeof v === 'symbol' ? v.toString() : (JSON.stringify(v) ?? showValue(v))
  } catch {
    s = showValue(v)
  }
  return s.length > 200 ? `${s.slice(0, 197)}...` : s
}

const describe = (v: unknown): string =>
  typeof v === 'function'
    ? 'a function'
    : typeof v === 'bigint'
      ? 'a bigint'
      : typeof v === 'symbol'
        ? 'a symbol'
        : showValue(v)

/**
 * Converts a value to JSON data: `Date` becomes its ISO text, `Uint8Array` its base64 text,
 * `undefined` inside objects is dropped (as `JSON.stringify` does) and becomes `null` in
 * arrays. Non-finite numbers, functions, symbols, bigints and cycles are a Left naming the
 * path.
 * @example
 * toJson({ a: new Date(0) }) // right({ a: '1970-01-01T00:00:00.000Z' })
 * toJson({ a: NaN })         // left('a: NaN is not JSON')
 */
export const toJson = (value: unknown): E.Either<string, Json> => {
  const seen = new Set<object>()
  const go = (v: unknown, path: string): E.Either<string, Json> => {
    const at = path === '' ? 'value' : path
    if (v === null || typeof v === 'string' || typeof v === 'boolean') return E.right(v)
    if (typeof v === 'number') return Number.isFinite(v) ? E.right(v) : E.left(`${at}: ${v} is not JSON`)
    if (v instanceof Date) return Number.isNaN(v.getTime()) ? E.left(`${at}: invalid Date`) : E.right(v.toISOString())
    if (v instanceof Uint8Array) return E.right(Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64'))
    if (typeof v !== 'object') return E.left(`${at}: ${describe(v)} is not JSON`)
    if (seen.has(v)) return E.left(`${at}: circular reference`)
    seen.add(v)
    try {
      if (Array.isArray(v)) {
        const out: Json[] = []
        for (let i = 0; i < v.length; i++) {
          const item: unknown = v[i]
          const r = item === undefined ? E.right(null) : go(item, `${path}[${i}]`)
          if (E.isLeft(r)) return r
          out.push(r.right)
        }
        return E.right(out)
      }
      const out: Record<string, Json> = {}
      for (const [k, item] of Object.entries(v)) {
        if (item === undefined) continue
        const r = go(item, path === '' ? k : `${path}.${k}`)
        if (E.isLeft(r)) return r
        // defineProperty, so that an own "__proto__" key stays a key
        Object.defineProperty(out, k, { value: r.right, enumerable: true, writable: true, configurable: true })
      }
      return E.right(out)
    } finally {
      seen.delete(v)
    }
  }
  return go(value, '')
}

/**
 * Parses JSON text, with the parser's reason on failure.
 * @example
 * parseJson('{"a":1}') // right({ a: 1 })
 * parseJson('{a:1}')   // left("invalid JSON text: Expected property name …")
 */
export const parseJson = (text: string): E.Either<string, Json> =>
  E.tryCatch(
    () => JSON.parse(text) as Json,
    (e) => `invalid JSON text: ${e instanceof Error ? e.message : String(e)}`,
  )

/**
 * Whether a value is a plain JSON object (not an array, not null).
 * @example
 * isJsonObject({}) // true
 * isJsonObject([]) // false
 */
export const isJsonObject = (v: Json | undefined): v is { readonly [key: string]: Json } =>
  typeof v === 'object' && v !== null && !Array.isArray(v)
