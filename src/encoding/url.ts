/**
 * URL and query rendering, run when a request is prepared (never inside a builder step).
 * @module
 */
import type { Json, Pairs } from '../model/request.js'

const HEX = '0123456789ABCDEF'
const isUnreserved = (b: number): boolean =>
  (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || (b >= 0x30 && b <= 0x39) || b === 0x2d || b === 0x2e || b === 0x5f || b === 0x7e

/**
 * Percent-encodes bytes, keeping only `A-Z a-z 0-9 - . _ ~`, with uppercase hex.
 * @example
 * percentEncodeBytes(new TextEncoder().encode('a b')) // 'a%20b'
 */
export const percentEncodeBytes = (bytes: Uint8Array): string => {
  let out = ''
  for (const b of bytes) out += isUnreserved(b) ? String.fromCharCode(b) : `%${HEX[b >> 4]}${HEX[b & 15]}`
  return out
}

/**
 * Text to bytes in some encoding (the `encoder` of {@link RenderOptions}).
 * @example
 * const utf8: Encoder = (s) => Buffer.from(s, 'utf8')
 * utf8('é').length // 2
 * @category url
 * @since 0.1.0
 */
export type Encoder = (text: string) => Uint8Array

/**
 * UTF-8 encoder (lone surrogates become U+FFFD, never an exception).
 * @example
 * utf8('é') // Uint8Array [0xc3, 0xa9]
 */
export const utf8: Encoder = (text) => Buffer.from(text, 'utf8')

/**
 * Percent-encodes a component as UTF-8 (or the given encoding).
 * @example
 * encodeComponent("it's a test!") // 'it%27s%20a%20test%21'
 */
export const encodeComponent = (text: string, encoder: Encoder = utf8): string => percentEncodeBytes(encoder(text))

/**
 * How params (and form fields) are rendered.
 * @example
 * const o: RenderOptions = { encode: true, splitArrays: false, squareBrackets: false }
 * @category url
 * @since 0.1.0
 */
export interface RenderOptions {
  readonly encode: boolean
  readonly splitArrays: boolean
  readonly squareBrackets: boolean
  readonly encoder?: Encoder
}

/**
 * A scalar as text: booleans `true`/`false`, null `''`, objects and arrays compact JSON.
 * @example
 * scalarText(true) // 'true'
 * scalarText({ a: 1 }) // '{"a":1}'
 */
export const scalarText = (v: Json): string =>
  v === null ? '' : typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v)

/**
 * Renders name/value pairs as `k=v&k2=v2`: arrays as `k=[a,b]` (elements encoded, brackets and
 * commas literal), or split into `k=a&k=b` / `k[]=a&k[]=b`. An empty array renders `k=[]`, or
 * nothing when split.
 * @example
 * renderPairs([['a', [1, 2]], ['b', 'x y']], { encode: true, splitArrays: false, squareBrackets: false })
 * // 'a=[1,2]&b=x%20y'
 */
export const renderPairs = (pairs: Pairs, o: RenderOptions): string => {
  const enc = (s: string): string => (o.encode ? encodeComponent(s, o.encoder) : s)
  const parts: string[] = []
  for (const [key, value] of pairs) {
    const k = enc(key)
    if (Array.isArray(value)) {
      const items = (value as ReadonlyArray<Json>).map((item) => enc(scalarText(item)))
      if (!o.splitArrays) parts.push(`${k}=[${items.join(',')}]`)
      else for (const item of items) parts.push(`${o.squareBrackets ? `${k}[]` : k}=${item}`)
    } else {
      parts.push(`${k}=${enc(scalarText(value))}`)
    }
  }
  return parts.join('&')
}

const ILLEGAL_IN_URL = /[\s"'<>{}|\\^`\u0000-\u001f\u{7f}-\u{10ffff}]/gu

/**
 * Encodes only the characters that are illegal in a URL (spaces, controls, non-ASCII, quotes,
 * `<>{}|\^` and backtick), so existing `%XX` escapes and reserved characters survive.
 * @example
 * encodeIllegal('http://h/a b?q=é') // 'http://h/a%20b?q=%C3%A9'
 */
export const encodeIllegal = (url: string): string => url.replace(ILLEGAL_IN_URL, (c) => percentEncodeBytes(utf8(c)))

/**
 * The URL that is sent: the fragment removed, illegal characters encoded (when encoding is
 * on), params appended with `?`, or `&` when the URL already has a query.
 * @example
 * renderUrl('http://h/p?x=1#top', [['q', 'a b']], { encode: true, splitArrays: false, squareBrackets: false }) // 'http://h/p?x=1&q=a%20b'
 * @category url
 * @since 0.1.0
 */
export const renderUrl = (url: string, params: Pairs, o: RenderOptions): string => {
  if (typeof url !== 'string') return ''
  if (!Array.isArray(params)) params = []
  if (typeof o !== 'object' || o === null) o = { encode: true, splitArrays: false, squareBrackets: false }
  const hash = url.indexOf('#')
  const base0 = hash === -1 ? url : url.slice(0, hash)
  const base = o.encode ? encodeIllegal(base0) : base0
  const query = renderPairs(params, o)
  if (query === '') return base
  const sep = !base.includes('?') ? '?' : base.endsWith('?') || base.endsWith('&') ? '' : '&'
  return `${base}${sep}${query}`
}
