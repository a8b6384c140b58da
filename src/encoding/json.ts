/**
 * Turning caller values into JSON data, with a clear reason when that is impossible.
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import type { Json } from '../model/request.js'
import { isPlainRecord, MAX_DEPTH } from '../model/valid.js'

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

/** What kind of object a value is, for a message: `a Map`, `a Set`, `a Point instance`. Never throws. */
const kindOf = (v: object): string => {
  try {
    const name: unknown = (Object.getPrototypeOf(v) as { constructor?: { name?: unknown } } | null)?.constructor?.name
    if (typeof name !== 'string' || name === '') return 'an object with a prototype'
    return ['Map', 'Set', 'WeakMap', 'WeakSet', 'Promise', 'RegExp', 'Error'].includes(name)
      ? `a ${name}`
      : `a ${name} instance`
  } catch {
    return 'an object that cannot be read'
  }
}

/** A message for what a value threw while it was read (a getter, a Proxy trap, `toJSON`). */
const thrown = (e: unknown): string => (e instanceof Error ? `${e.name}: ${e.message}` : showValue(e))

/**
 * Converts a value to JSON data, as `JSON.stringify` would read it: `toJSON` is honoured (a `Date`
 * becomes its ISO text, an object with `toJSON` its result), `Uint8Array` becomes its base64 text,
 * boxed primitives are unboxed, `undefined` inside objects is dropped and becomes `null` in
 * arrays. Where `JSON.stringify` would not be faithful it is a Left naming the path: a `Map`, a
 * `Set` or a class instance without `toJSON` (its data is not in its own fields: `JSON.stringify`
 * writes `{}`), non-finite numbers, functions, symbols, bigints, cycles, an invalid `Date`, a
 * value nested deeper than {@link MAX_DEPTH}, or a getter, Proxy trap or `toJSON` that throws.
 * Never throws.
 * @example
 * toJson({ a: new Date(0) }) // right({ a: '1970-01-01T00:00:00.000Z' })
 * toJson({ a: NaN })         // left('a: NaN is not JSON')
 * toJson({ m: new Map() })   // left('m: a Map is not JSON data: …')
 */
export const toJson = (value: unknown): E.Either<string, Json> => {
  const seen = new Set<object>()
  const go = (v0: unknown, path: string, key: string, depth: number): E.Either<string, Json> => {
    const at = path === '' ? 'value' : path.length > 80 ? `…${path.slice(-79)}` : path
    let v = v0
    if (v instanceof Date && Number.isNaN(v.getTime())) return E.left(`${at}: invalid Date`)
    if (v instanceof Uint8Array) return E.right(Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64'))
    if ((typeof v === 'object' && v !== null) || typeof v === 'bigint') {
      const toJSON: unknown = (v as { toJSON?: unknown }).toJSON
      if (typeof toJSON === 'function') v = (toJSON as (k: string) => unknown).call(v, key)
    }
    if (v === undefined && v0 !== undefined) return E.right(undefined as unknown as Json) // toJSON gave undefined
    if (v instanceof Number || v instanceof String || v instanceof Boolean) v = v.valueOf()
    if (v === null || typeof v === 'string' || typeof v === 'boolean') return E.right(v)
    if (typeof v === 'number') return Number.isFinite(v) ? E.right(v) : E.left(`${at}: ${v} is not JSON`)
    if (typeof v !== 'object') return E.left(`${at}: ${describe(v)} is not JSON`)
    if (depth > MAX_DEPTH) return E.left(`${at}: nested deeper than ${MAX_DEPTH} levels`)
    if (!Array.isArray(v) && !isPlainRecord(v))
      return E.left(
        `${at}: ${kindOf(v)} is not JSON data (JSON.stringify would not keep its contents): give a plain object or array, or define toJSON`,
      )
    if (seen.has(v)) return E.left(`${at}: circular reference`)
    seen.add(v)
    try {
      if (Array.isArray(v)) {
        const out: Json[] = []
        for (let i = 0; i < v.length; i++) {
          const item: unknown = v[i]
          const r = item === undefined ? E.right(null) : go(item, `${path}[${i}]`, String(i), depth + 1)
          if (E.isLeft(r)) return r
          out.push(r.right === undefined ? null : r.right)
        }
        return E.right(out)
      }
      const out: Record<string, Json> = {}
      for (const [k, item] of Object.entries(v)) {
        if (item === undefined) continue
        const r = go(item, path === '' ? k : `${path}.${k}`, k, depth + 1)
        if (E.isLeft(r)) return r
        if (r.right === undefined) continue // a toJSON that gave undefined: dropped, as JSON.stringify does
        // defineProperty, so that an own "__proto__" key stays a key
        Object.defineProperty(out, k, { value: r.right, enumerable: true, writable: true, configurable: true })
      }
      return E.right(out)
    } finally {
      seen.delete(v)
    }
  }
  try {
    const r = go(value, '', '', 1)
    return E.isRight(r) && r.right === undefined ? E.right(null) : r
  } catch (e) {
    return E.left(`the value cannot be read: ${thrown(e)}`)
  }
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
