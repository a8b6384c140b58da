/**
 * URL and query rendering, run when a request is prepared (never inside a builder step), and
 * URL validity: what an absolute URL, a path and an authority must be (the steps check with it,
 * and prepare again).
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import { memoized } from '../model/memo.js'
import type { Json, Pairs } from '../model/request.js'
import { redactUrl } from './redact.js'

const HEX = '0123456789ABCDEF'
const isUnreserved = (b: number): boolean =>
  (b >= 0x41 && b <= 0x5a) ||
  (b >= 0x61 && b <= 0x7a) ||
  (b >= 0x30 && b <= 0x39) ||
  b === 0x2d ||
  b === 0x2e ||
  b === 0x5f ||
  b === 0x7e

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
 * Text to bytes in some encoding (what the URL renderer uses to percent-encode in a non-UTF-8 encoding).
 * @example
 * const utf8: Encoder = (s) => Buffer.from(s, 'utf8')
 * utf8('é').length // 2
 * @category request
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
 * @category request
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

/**
 * With URL encoding off, the first param whose name or value holds CR, LF or tab (which the URL
 * parser would silently remove, so the server would get other text than given), or null.
 * @example
 * rawParamProblem([['q', 'a\r\nb']]) // 'the query param q holds CR, LF or tab: …'
 * rawParamProblem([['q', 'a b']]) // null
 * @category request
 * @since 0.3.0
 * @internal
 */
export const rawParamProblem = (pairs: Pairs): string | null => {
  for (const [key, value] of pairs) {
    const texts = Array.isArray(value) ? (value as ReadonlyArray<Json>).map(scalarText) : [scalarText(value)]
    if (/[\r\n\t]/.test(key) || texts.some((t) => /[\r\n\t]/.test(t)))
      return `the query param ${JSON.stringify(key)} holds CR, LF or tab, which a URL cannot carry unencoded (the URL parser drops them): keep URL encoding on (useUrlEncoding(true)) or remove them`
  }
  return null
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
 * @category request
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

const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i
/** A scheme without `//host` (`mailto:x`, `http:/h`); a digit after the colon is a port (`localhost:8080`). */
const SCHEME_ONLY = /^([a-z][a-z0-9+.-]*):(?!\d)/i
const NO_HOST = /^[a-z][a-z0-9+.-]*:\/\/[/\\?#]/i

/**
 * Why an absolute URL cannot be taken, or null: it must parse, name a host, and name the same
 * host and user info to the WHATWG URL parser as it does once its illegal characters are
 * encoded (a backslash or a space in the authority would otherwise send the request to a host
 * other than the one `new URL()` reports).
 * A pure function of the text, asked by the step and again at prepare: remembered (bounded).
 * @example
 * urlProblem('http://evil.example\\@good.example/') // 'the authority is ambiguous: …'
 * @category request
 * @since 0.2.0
 * @internal
 */
export const urlProblem: (full: string) => string | null = memoized(512, (full) => findUrlProblem(full))

const findUrlProblem = (full: string): string | null => {
  if (NO_HOST.test(full)) return `the URL names no host: ${redactUrl(full)}`
  const encoded = encodeIllegal(full)
  if (!URL.canParse(encoded)) return `not a valid URL: ${redactUrl(full)}`
  const enc = new URL(encoded)
  if (enc.hostname === '') return `the URL names no host: ${redactUrl(full)}`
  if (URL.canParse(full)) {
    const raw = new URL(full)
    if (raw.host !== enc.host || raw.username !== enc.username || raw.password !== enc.password)
      return `the authority is ambiguous: the URL parser reads the host ${raw.hostname}, its encoded form ${enc.hostname} (a backslash or a space in the host or user info?)`
  } else if (/[\s\\]/.test(full.slice(0, full.indexOf('/', full.indexOf('//') + 2) >>> 0))) {
    return `the authority holds a space or a backslash: ${redactUrl(full)}`
  }
  return null
}

/**
 * An absolute http(s) URL as a step takes it, or why not: a string, not protocol-relative, no
 * other scheme, `https://` added when there is none, then {@link urlProblem}. `step` names the
 * step in the reason.
 * @example
 * checkUrl('setUrl', '127.0.0.1:8443/api') // right('https://127.0.0.1:8443/api')
 * checkUrl('setUrl', 'ftp://h/') // left('unsupported scheme ftp: (setUrl takes http or https URLs; user info needs the scheme, as in https://user:pass@host)')
 * @category request
 * @since 0.3.0
 * @internal
 */
export const checkUrl = (step: string, url: unknown): E.Either<string, string> => {
  if (typeof url !== 'string') return E.left(`URL must be a string, got ${typeof url}`)
  if (url.startsWith('//')) return E.left(`a protocol-relative URL is not taken: give the scheme (${redactUrl(url)})`)
  if (!SCHEME.test(url)) {
    const scheme = SCHEME_ONLY.exec(url)?.[1]?.toLowerCase()
    if (scheme === 'http' || scheme === 'https') return E.left(`the URL has a scheme but no //host: ${redactUrl(url)}`)
    if (scheme !== undefined)
      return E.left(
        `unsupported scheme ${scheme}: (${step} takes http or https URLs; user info needs the scheme, as in https://user:pass@host)`,
      )
  }
  const full = SCHEME.test(url) ? url : `https://${url}`
  const problem = urlProblem(full)
  if (problem !== null) return E.left(problem)
  const protocol = protocolOf(full)
  return protocol === 'http:' || protocol === 'https:'
    ? E.right(full)
    : E.left(`unsupported scheme ${protocol} (${step} takes http or https URLs)`)
}

/** The scheme the URL parser reads in a URL that has no problem: a pure function of the text, remembered (bounded). */
const protocolOf = memoized(512, (full) => new URL(encodeIllegal(full)).protocol)

/**
 * Whether a URL names a scheme (`https://…`, `mailto:…`; `host:8080` is a port, no scheme): one
 * without a scheme joins onto a base URL, or means `https://`.
 * @example
 * hasScheme('https://h/x') // true
 * hasScheme('localhost:8080/x') // false
 * @category request
 * @since 0.3.0
 * @internal
 */
export const hasScheme = (url: string): boolean => SCHEME.test(url) || SCHEME_ONLY.test(url)

/**
 * A path to join onto the base URL: it starts with one `/` (`//host` would name a host).
 * @example
 * isRelative('/users') // true
 * isRelative('//evil.example/') // false
 * @category request
 * @since 0.3.0
 * @internal
 */
export const isRelative = (url: string): boolean => url.startsWith('/') && !url.startsWith('//')

/**
 * A path (see {@link isRelative}) as a step takes it, or why not: it parses against a base,
 * and holds no backslash, CR, LF or tab.
 * @example
 * checkPath('/users?page=2') // right('/users?page=2')
 * checkPath('/a\\b') // left('not a valid path: /a\\b')
 * @category request
 * @since 0.3.0
 * @internal
 */
export const checkPath = (url: string): E.Either<string, string> =>
  URL.canParse(encodeIllegal(url), 'http://base.invalid') && !/[\\\r\n\t]/.test(url)
    ? E.right(url)
    : E.left(`not a valid path: ${redactUrl(url)}`)
