/**
 * JSON values as HTTPie builds and writes them for its request items: objects keep their
 * order and repeated keys, numbers keep their digits (no precision lost), and the text is
 * written as Python's `json.dumps` writes it (`", "` and `": "` between items, every character
 * outside printable ASCII as a `\u` escape), so a body built from `name=value` items is byte
 * for byte HTTPie's.
 * @module
 */

/**
 * A JSON value: a string, a number or literal kept as its text (`Lit`), an array, or an object
 * (`Obj`, entries in order, a key may repeat). `null` in an array is a hole HTTPie fills with
 * `null` (`a[2]=x`).
 * @example
 * const v: JsonValue = { _tag: 'Obj', entries: [['age', { _tag: 'Lit', text: '30' }]] }
 * @category cli
 * @since 0.3.0
 */
export type JsonValue =
  | string
  | null
  | { readonly _tag: 'Lit'; readonly text: string }
  | JsonValue[]
  | { readonly _tag: 'Obj'; readonly entries: Array<[string, JsonValue]> }

/** An object of the model. */
export type JsonObj = { readonly _tag: 'Obj'; readonly entries: Array<[string, JsonValue]> }

export const obj = (): JsonObj => ({ _tag: 'Obj', entries: [] })
export const isObj = (v: JsonValue): v is JsonObj =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && v._tag === 'Obj'

/** The value of `key` in an object (the first, when repeated). */
export const getKey = (o: JsonObj, key: string): JsonValue | undefined => o.entries.find(([k]) => k === key)?.[1]

/** Sets `key` as a Python dict does: in place when it is there, else at the end. */
export const setKey = (o: JsonObj, key: string, value: JsonValue): void => {
  const at = o.entries.findIndex(([k]) => k === key)
  if (at < 0) o.entries.push([key, value])
  else o.entries[at] = [key, value]
}

/**
 * Reads JSON text into the model, or throws a `SyntaxError` with JSON.parse's message. Python's
 * reader also takes `NaN` and `Infinity`; these are refused, as JSON has them not.
 * @example
 * readJson('{"a": [1, 2.50]}') // { _tag: 'Obj', entries: [['a', [{ _tag: 'Lit', text: '1' }, { _tag: 'Lit', text: '2.50' }]]] }
 * @category cli
 * @since 0.3.0
 */
export const readJson = (text: string): JsonValue => {
  JSON.parse(text) // the check, and its message
  let i = 0
  const space = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i] ?? '')) i += 1
  }
  const value = (): JsonValue => {
    space()
    const c = text[i]
    if (c === '{') {
      i += 1
      const o = obj()
      space()
      if (text[i] === '}') {
        i += 1
        return o
      }
      for (;;) {
        space()
        const k = str()
        space()
        i += 1 // ':'
        o.entries.push([k, value()])
        space()
        if (text[i++] === '}') return o
      }
    }
    if (c === '[') {
      i += 1
      const a: JsonValue[] = []
      space()
      if (text[i] === ']') {
        i += 1
        return a
      }
      for (;;) {
        a.push(value())
        space()
        if (text[i++] === ']') return a
      }
    }
    if (c === '"') return str()
    const m = /^(?:true|false|null|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(text.slice(i))
    const lit = m?.[0] ?? ''
    i += lit.length
    return { _tag: 'Lit', text: lit }
  }
  const str = (): string => {
    const m = /^"(?:[^"\\]|\\.)*"/.exec(text.slice(i)) ?? ['""']
    i += m[0].length
    return JSON.parse(m[0]) as string
  }
  return value()
}

const SHORT: Readonly<Record<string, string>> = {
  '"': '\\"',
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\b': '\\b',
  '\f': '\\f',
}

/** A string as Python's json.dumps writes it (ensure_ascii: anything outside space..~ escaped). */
const pyString = (s: string): string =>
  `"${s.replace(/[^ -~]|["\\]/g, (ch) => SHORT[ch] ?? `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`)}"`

/** A number as Python writes it after reading it: an integer as its digits, a float as repr() does. */
const pyNumber = (text: string): string => {
  if (/^-?\d+$/.test(text)) return text === '-0' ? '0' : text
  const n = Number(text)
  if (!Number.isFinite(n)) return n > 0 ? 'Infinity' : n < 0 ? '-Infinity' : 'NaN'
  if (n === 0) return Object.is(n, -0) ? '-0.0' : '0.0'
  const [digits = '', exp = '0'] = n.toExponential().split('e')
  const e = Number(exp)
  if (e < -4 || e >= 16) return `${digits}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`
  const fixed = String(n)
  return fixed.includes('.') || fixed.includes('e') ? fixed : `${fixed}.0`
}

/**
 * The value as Python's `json.dumps` writes it: what HTTPie sends for JSON request items.
 * @example
 * writeJson({ _tag: 'Obj', entries: [['name', 'Zoë'], ['n', { _tag: 'Lit', text: '1.0' }]] }) // '{"name": "Zo\\u00eb", "n": 1.0}'
 * @category cli
 * @since 0.3.0
 */
export const writeJson = (v: JsonValue): string => {
  if (v === null) return 'null'
  if (typeof v === 'string') return pyString(v)
  if (Array.isArray(v)) return `[${v.map(writeJson).join(', ')}]`
  if (v._tag === 'Lit') return /^[-\d]/.test(v.text) ? pyNumber(v.text) : v.text
  return `{${v.entries.map(([k, x]) => `${pyString(k)}: ${writeJson(x)}`).join(', ')}}`
}

/**
 * A JSON value as a form field's text, as HTTPie turns one (Python's `str()` of a string, a
 * number or a boolean: `True`), or null for what a form cannot hold (null, arrays, objects).
 */
export const scalarText = (v: JsonValue): string | null => {
  if (typeof v === 'string') return v
  if (v === null || Array.isArray(v) || v._tag !== 'Lit') return null
  if (v.text === 'true' || v.text === 'false') return v.text === 'true' ? 'True' : 'False'
  return v.text === 'null' ? null : pyNumber(v.text)
}
