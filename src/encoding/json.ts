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
 * Whether a value is JSON data as it stands, so that `JSON.stringify` writes it and `JSON.parse`
 * reads that text back into an equal value: null, strings, booleans, finite numbers but -0,
 * arrays and plain records of them (no `toJSON`, no `undefined`, no hole, no `Date`, `Map`,
 * class instance or boxed value), nested at most {@link MAX_DEPTH} deep. A walk that copies
 * nothing: a cycle ends it at the depth limit. May throw (a getter, a Proxy trap): the caller
 * reads the value again with {@link toJson} for the reason. A record tagged `Withheld` (a value a
 * template withheld) is not taken either: a body taken here is known to hold none.
 */
const isPlainJson = (v: unknown, depth: number): boolean => {
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return true
    case 'number':
      return Number.isFinite(v) && (v !== 0 || 1 / v > 0)
    case 'object': {
      if (v === null) return true
      if (depth > MAX_DEPTH) return false
      if (typeof (v as { toJSON?: unknown }).toJSON === 'function') return false
      if (Array.isArray(v)) {
        for (let i = 0; i < v.length; i++) if (!isPlainJson(v[i], depth + 1)) return false
        return true
      }
      const proto: unknown = Object.getPrototypeOf(v)
      if (proto !== Object.prototype && proto !== null) return false
      // a value a template withheld is looked for when the request is prepared: not on this path
      if ((v as { _tag?: unknown })._tag === 'Withheld') return false
      // for-in allocates no list of keys; it also lists enumerable keys inherited from a polluted
      // Object.prototype, which can only make this say no (and toJson reads the own ones)
      for (const k in v) if (!isPlainJson((v as Record<string, unknown>)[k], depth + 1)) return false
      return true
    }
    default:
      return false
  }
}

/**
 * A value checked as JSON data, and its compact JSON text, serialized once. `shared` says that
 * `value` is the caller's own value, which was JSON as it stands: checked by a walk that copies
 * nothing, holding no value a template withheld, and exactly what `JSON.parse(text)` gives back
 * (see {@link jsonTextBody}, which keeps the text and copies on demand). Anything else is read as {@link toJson} reads it
 * (`toJSON` honoured, `undefined` dropped, …) into a copy, or is a Left naming the path of what
 * is not JSON. Never throws.
 * @example
 * jsonData({ a: [1, 'x'] }) // right({ value: { a: [1, 'x'] }, text: '{"a":[1,"x"]}', shared: true })
 * jsonData(null) // right({ value: null, text: 'null', shared: true })
 * jsonData({ d: new Date(0) }) // right({ value: { d: '1970-01-01T00:00:00.000Z' }, text: '{"d":"1970-01-01T00:00:00.000Z"}', shared: false })
 * jsonData({ n: 1n }) // left('n: a bigint is not JSON')
 */
export const jsonData = (
  value: unknown,
): E.Either<string, { readonly value: Json; readonly text: string; readonly shared: boolean }> => {
  try {
    if (isPlainJson(value, 1)) {
      const text = JSON.stringify(value) as string | undefined
      // a getter that answered otherwise the second time it was read: read again below
      if (typeof text === 'string') return E.right({ value: value as Json, text, shared: true })
    }
  } catch {
    /* a getter or a Proxy trap threw: toJson says which */
  }
  const r = toJson(value)
  return E.isLeft(r) ? r : E.right({ value: r.right, text: JSON.stringify(r.right), shared: false })
}

/** What is kept of a body set from a value: its text, and whether it is known to hold no withheld value. */
interface Kept {
  readonly text: string
  readonly clean: boolean
}

/** The JSON text of body values, written once when the body was set (see {@link keepJsonText}). */
const kept = new WeakMap<object, Kept>()

/**
 * Keeps the JSON text a body was serialized to when it was set, for that body object: when the
 * request is prepared its bytes are that text, not a second serialization. `clean`: the value
 * was seen to hold no value a template withheld (see {@link holdsNoWithheld}).
 * @example
 * const body = keepJsonText({ _tag: 'Json', value: { a: 1 }, collection: false }, '{"a":1}')
 * jsonTextOf(body) // '{"a":1}'
 */
export const keepJsonText = <B extends object>(body: B, text: string, clean = false): B => {
  kept.set(body, { text, clean })
  return body
}

/**
 * The JSON text kept for a body object by {@link keepJsonText}, or undefined.
 * @example
 * jsonTextOf({ _tag: 'Json', value: {}, collection: false }) // undefined (serialize it)
 */
export const jsonTextOf = (body: object): string | undefined => kept.get(body)?.text

/**
 * `v` and everything in it frozen, so that a body's value cannot drift from the text it sends.
 * @example
 * Object.isFrozen(deepFreeze({ a: [1] }).a) // true
 */
export const deepFreeze = <A>(v: A): A => {
  if (typeof v === 'object' && v !== null && !Object.isFrozen(v)) {
    Object.freeze(v)
    for (const k of Object.keys(v)) deepFreeze((v as Record<string, unknown>)[k])
  }
  return v
}

/**
 * A JSON body held as its text, from a value {@link jsonData} took as it stands (`shared`): its
 * `value` is read from the text when it is first asked for, so a body is not copied until
 * someone reads it, and reads as the value was when the text was written, whatever its owner
 * does to it afterwards.
 * @example
 * jsonTextBody('{"a":[1]}').value // { a: [1] }
 */
export const jsonTextBody = (
  text: string,
): { readonly _tag: 'Json'; readonly value: Json; readonly collection: false } => {
  let value: Json | undefined
  return keepJsonText(
    {
      _tag: 'Json',
      get value(): Json {
        if (value === undefined) value = deepFreeze(JSON.parse(text) as Json)
        return value
      },
      collection: false,
    },
    text,
    !text.includes('"Withheld"'), // a getter may answer otherwise the second time: the text decides
  )
}

/**
 * Whether a body is known to hold no value a template withheld, without a walk: a JSON body set
 * from a value that was JSON as it stands (see {@link jsonTextBody}).
 * @example
 * holdsNoWithheld(jsonTextBody('{"a":1}')) // true
 * holdsNoWithheld({ _tag: 'Json', value: { a: 1 }, collection: false }) // false (walk it)
 */
export const holdsNoWithheld = (body: { readonly _tag: string }): boolean =>
  body._tag === 'Json' && kept.get(body)?.clean === true

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
