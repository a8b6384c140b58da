/**
 * What httpipe (AWS4's canonical query) and the aws4 package use of `node:querystring`, for the
 * browser build (in place of `node:querystring`): `parse` and `stringify` as Node's, with `+` as
 * a space, repeated names as arrays, a parsed object without a prototype.
 * @module
 */

/**
 * Node's `querystring.unescape`: percent-decoding; when that fails (a malformed or partial
 * escape), each valid `%XX` is a byte and the bytes are read as UTF-8 (U+FFFD for a bad
 * sequence), the rest left as it is, as Node's `unescapeBuffer` does.
 * @example
 * unescape('a%20b') // 'a b'
 * unescape('%C3%zz') // '\ufffd%zz'
 */
export const unescape = (s: string): string => {
  try {
    return decodeURIComponent(s)
  } catch {
    const bytes: number[] = []
    const encoder = new TextEncoder()
    for (let i = 0; i < s.length; i++) {
      const hex = s.slice(i + 1, i + 3)
      if (s[i] === '%' && /^[0-9a-fA-F]{2}$/.test(hex)) {
        bytes.push(parseInt(hex, 16))
        i += 2
      } else {
        const cp = s.codePointAt(i) ?? 0
        if (cp > 0xffff) i++
        bytes.push(...encoder.encode(String.fromCodePoint(cp)))
      }
    }
    return new TextDecoder().decode(Uint8Array.from(bytes))
  }
}

/**
 * Node's `querystring.escape` (the characters `encodeURIComponent` escapes).
 * @example
 * escape('a b') // 'a%20b'
 */
export const escape = (s: string): string => encodeURIComponent(s)

/**
 * Node's `querystring.parse`, `maxKeys` ignored (httpipe passes 0: no limit).
 * @example
 * parse('a=1&a=2&b') // { a: ['1', '2'], b: '' }
 */
export const parse = (
  text: string,
  sep = '&',
  eq = '=',
  _options?: { readonly maxKeys?: number },
): Record<string, string | string[]> => {
  const out: Record<string, string | string[]> = Object.create(null) as Record<string, string | string[]>
  if (text === '') return out
  for (const pair of text.split(sep)) {
    if (pair === '') continue
    const at = pair.indexOf(eq)
    const k = unescape((at === -1 ? pair : pair.slice(0, at)).replace(/\+/g, ' '))
    const v = at === -1 ? '' : unescape(pair.slice(at + eq.length).replace(/\+/g, ' '))
    const prev = out[k]
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v]
  }
  return out
}

type Value = string | number | boolean | bigint
const text = (v: unknown): string =>
  typeof v === 'string'
    ? v
    : typeof v === 'number'
      ? Number.isFinite(v)
        ? String(v)
        : ''
      : typeof v === 'boolean' || typeof v === 'bigint'
        ? String(v)
        : ''

/**
 * Node's `querystring.stringify`.
 * @example
 * stringify({ a: ['1', '2'], b: 'x y' }) // 'a=1&a=2&b=x%20y'
 */
export const stringify = (
  obj: Record<string, Value | ReadonlyArray<Value> | null | undefined>,
  sep = '&',
  eq = '=',
): string =>
  Object.keys(obj)
    .flatMap((k) => {
      const v = obj[k]
      const ks = escape(k) + eq
      return Array.isArray(v) ? v.map((x: Value) => ks + escape(text(x))) : [ks + escape(text(v))]
    })
    .join(sep)

export default { parse, stringify, escape, unescape }
