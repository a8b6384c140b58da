/**
 * HTTPie 3's nested JSON keys (httpie/cli/nested_json): `a[b][c]=x` builds
 * `{"a": {"b": {"c": "x"}}}`, `a[]=1` appends, `a[2]=x` sets an index (holes are `null`), `[]=1`
 * makes the body a top-level array, and `\[`, `\]`, `\\` and `\1` escape. Ported from HTTPie's
 * parser and interpreter, with its rules and its kinds of errors.
 * @module
 */
import { getKey, isObj, obj, setKey, type JsonObj, type JsonValue } from './json-value.js'

type Token =
  | { readonly kind: 'text'; readonly value: string }
  | { readonly kind: 'number'; readonly value: number }
  | { readonly kind: '[' | ']' }

/** One step of a path: a key, an index, an append (`[]`). */
type Path =
  | { readonly kind: 'key'; readonly key: string }
  | { readonly kind: 'index'; readonly index: number }
  | { readonly kind: 'append' }

const SPECIAL = ['[', ']', '\\']

const tokenize = (source: string): Token[] => {
  const tokens: Token[] = []
  let buffer = ''
  let escaped = false
  const flush = (): void => {
    if (buffer === '') return
    if (!escaped && /^[+-]?\d+$/.test(buffer)) tokens.push({ kind: 'number', value: Number(buffer) })
    else if (!escaped && /^\\[+-]?\d+$/.test(buffer)) tokens.push({ kind: 'text', value: buffer.slice(1) })
    else tokens.push({ kind: 'text', value: buffer })
    buffer = ''
    escaped = false
  }
  for (let i = 0; i < source.length; i += 1) {
    const c = source[i] ?? ''
    if (c === '[' || c === ']') {
      flush()
      tokens.push({ kind: c })
    } else if (c === '\\' && i + 1 < source.length) {
      const next = source[i + 1] ?? ''
      if (SPECIAL.includes(next)) escaped = true
      else buffer += c
      buffer += next
      i += 1
    } else buffer += c
  }
  flush()
  return tokens
}

/** A syntax or type error in a nested key, with HTTPie's wording. */
export class NestedKeyError extends Error {}

const describe = (t: Token | undefined): string =>
  t === undefined
    ? 'the end'
    : t.kind === 'text' || t.kind === 'number'
      ? `${JSON.stringify(String(t.value))}`
      : `'${t.kind}'`

/**
 * The path of a key: the root (a key, `[n]` or `[]`), then `[key]`, `[n]` or `[]` steps.
 * @example
 * parseKey('a[b][]') // [{ kind: 'key', key: 'a' }, { kind: 'key', key: 'b' }, { kind: 'append' }]
 * @category cli
 * @since 0.3.0
 */
export const parseKey = (source: string): Path[] => {
  const tokens = tokenize(source)
  let at = 0
  const expect = (...kinds: ReadonlyArray<Token['kind']>): Token => {
    const t = tokens[at]
    at += 1
    if (t !== undefined && kinds.includes(t.kind)) return t
    const want = kinds.map((k) => (k === 'text' ? 'a text' : k === 'number' ? 'a number' : `'${k}'`))
    throw new NestedKeyError(`Expecting ${want.join(' or ')}, found ${describe(t)} in ${JSON.stringify(source)}`)
  }
  if (tokens.length === 0) return [{ kind: 'key', key: '' }]
  const paths: Path[] = []
  const first = expect('text', 'number', '[')
  if (first.kind === 'text' || first.kind === 'number') paths.push({ kind: 'key', key: String(first.value) })
  else {
    const t = expect('number', ']')
    if (t.kind === 'number') {
      paths.push({ kind: 'index', index: t.value })
      expect(']')
    } else paths.push({ kind: 'append' })
  }
  while (at < tokens.length) {
    expect('[')
    const t = expect('text', 'number', ']')
    if (t.kind === ']') paths.push({ kind: 'append' })
    else {
      if (t.kind === 'text') paths.push({ kind: 'key', key: t.value })
      else if (t.kind === 'number') paths.push({ kind: 'index', index: t.value })
      expect(']')
    }
  }
  return paths
}

const typeName = (v: JsonValue | undefined): string =>
  v === null || v === undefined
    ? 'null'
    : typeof v === 'string'
      ? 'string'
      : Array.isArray(v)
        ? 'array'
        : v._tag === 'Obj'
          ? 'object'
          : /^[-\d]/.test(v.text)
            ? 'number'
            : 'boolean'

const reconstruct = (paths: ReadonlyArray<Path>): string =>
  paths
    .map((p, i) => (p.kind === 'key' ? (i === 0 ? p.key : `[${p.key}]`) : p.kind === 'index' ? `[${p.index}]` : '[]'))
    .join('')

const fresh = (p: Path): JsonValue => (p.kind === 'key' ? obj() : [])

/** Sets `value` at `key` in `context` (created when undefined), as HTTPie's interpreter does. */
const interpret = (context: JsonValue | undefined, key: string, value: JsonValue): JsonValue => {
  const paths = parseKey(key)
  const root = context ?? fresh(paths[0] ?? { kind: 'key', key: '' })
  let cursor: JsonValue = root
  for (const [i, path] of paths.entries()) {
    const next = paths[i + 1]
    const wants = path.kind === 'key' ? 'object' : 'array'
    if (typeName(cursor) !== wants)
      throw new NestedKeyError(
        `Cannot perform ${JSON.stringify(path.kind)} based access on ${JSON.stringify(reconstruct(paths.slice(0, i)))} which has a type of ${JSON.stringify(typeName(cursor))} but this operation requires a type of ${JSON.stringify(wants)} (in ${JSON.stringify(key)})`,
      )
    if (path.kind === 'key') {
      const o = cursor as JsonObj
      if (next === undefined) {
        setKey(o, path.key, value)
        break
      }
      const there = getKey(o, path.key)
      if (there === undefined) setKey(o, path.key, fresh(next))
      cursor = getKey(o, path.key) ?? null
    } else if (path.kind === 'index') {
      const a = cursor as JsonValue[]
      if (path.index < 0) throw new NestedKeyError(`Negative indexes are not supported (in ${JSON.stringify(key)})`)
      while (a.length <= path.index) a.push(null)
      if (next === undefined) {
        a[path.index] = value
        break
      }
      if (a[path.index] === null) a[path.index] = fresh(next)
      cursor = a[path.index] ?? null
    } else {
      const a = cursor as JsonValue[]
      if (next === undefined) {
        a.push(value)
        break
      }
      a.push(fresh(next))
      cursor = a[a.length - 1] ?? null
    }
  }
  return root
}

/**
 * The JSON body of HTTPie's data items, in order: an object, or a top-level array (`[]=1`).
 * @example
 * nestedJson([['a[b]', '1'], ['a[c][]', 'x']]) // { _tag: 'Obj', entries: [['a', { _tag: 'Obj', entries: [['b', '1'], ['c', ['x']]] }]] }
 * @category cli
 * @since 0.3.0
 */
export const nestedJson = (pairs: ReadonlyArray<readonly [string, JsonValue]>): JsonValue => {
  let context: JsonValue | undefined
  for (const [k, v] of pairs) context = interpret(context, k, v)
  return context === undefined || (!isObj(context) && !Array.isArray(context)) ? obj() : context
}
