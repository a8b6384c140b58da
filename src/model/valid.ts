/**
 * One definition of "valid" for every constrained value, as predicates the builder steps use
 * and as io-ts refinements `RequestCodec` is built from, so that a decoded template is exactly
 * as valid as a request built step by step.
 * @module
 */
import { iconv } from './iconv.js'
import * as t from 'io-ts'

/** tchar (RFC 9110 §5.6.2), the characters of a token: the one place it is written. */
const TCHAR = "[!#$%&'*+.^_`|~0-9A-Za-z-]"
const TOKEN = new RegExp(`^${TCHAR}+$`)
const LEADING_TOKEN = new RegExp(`^${TCHAR}+`)
const MEDIA_TYPE = new RegExp(`^${TCHAR}+/${TCHAR}+(\\s*;.*)?$`)
const BARE_MEDIA_TYPE = new RegExp(`^${TCHAR}+/${TCHAR}+$`)
/** CR, LF or NUL: what would end a header line (or a C string) early. */
const CR_LF_NUL = /[\r\n\0]/

/**
 * An RFC 9110 token (§5.6.2): a header name, a method.
 * @example
 * isToken('X-Trace') // true
 * isToken('Bad Name') // false
 * @category request
 * @since 0.2.0
 */
export const isToken = (s: unknown): s is string => typeof s === 'string' && TOKEN.test(s)

/**
 * The token (RFC 9110 §5.6.2) at the start of a text, or null when the text does not start
 * with one: what a parser of a header (an auth scheme, a parameter name) reads next.
 * @example
 * leadingToken('Digest realm="r"') // 'Digest'
 * leadingToken(' x') // null
 * @category request
 * @since 0.3.0
 */
export const leadingToken = (s: string): string | null => LEADING_TOKEN.exec(s)?.[0] ?? null

/**
 * Whether a text holds CR, LF or NUL, any of which would end a header line early (a header
 * injection) or be cut by the transport: the one check of it.
 * @example
 * hasCrLfNul('a\r\nEvil: 1') // true
 * hasCrLfNul('plain') // false
 * @category request
 * @since 0.3.0
 */
export const hasCrLfNul = (s: string): boolean => CR_LF_NUL.test(s)

/**
 * A string without CR, LF or NUL (a token, a key, a user name that goes into a header).
 * @example
 * isLineText('AKIDEXAMPLE') // true
 * isLineText('a\nb') // false
 * @category request
 * @since 0.3.0
 */
export const isLineText = (s: unknown): s is string => typeof s === 'string' && !hasCrLfNul(s)

/**
 * A header value that can go on the wire as it is (RFC 9110 §5.5): tab, 0x20–0x7E and
 * 0x80–0xFF (as Latin-1), nothing else (no CR, LF, NUL, other controls, or characters beyond
 * U+00FF, which no transport can send).
 * @example
 * isFieldValue('text/plain; q=0.5') // true
 * isFieldValue('a\r\nb') // false
 * isFieldValue('€') // false
 * @category request
 * @since 0.2.0
 */
export const isFieldValue = (s: unknown): s is string => typeof s === 'string' && /^[\t\x20-\x7e\x80-\xff]*$/.test(s)

/** The longest timer Node.js keeps (about 24.8 days). */
export const MAX_TIMER_MS = 2_147_483_647

/**
 * A limit in milliseconds: a whole number from 1 to the longest timer.
 * @example
 * isLimitMs(5000) // true
 * isLimitMs(0) // false
 * @category request
 * @since 0.2.0
 */
export const isLimitMs = (n: unknown): n is number =>
  Number.isInteger(n) && (n as number) >= 1 && (n as number) <= MAX_TIMER_MS

/**
 * A count of retries or redirects: a whole number from 0 to 1000.
 * @example
 * isCount(3) // true
 * @category request
 * @since 0.2.0
 */
export const isCount = (n: unknown): n is number => Number.isInteger(n) && (n as number) >= 0 && (n as number) <= 1000

/**
 * A size in bytes: a whole number from 0 up.
 * @example
 * isByteCount(1024) // true
 * @category request
 * @since 0.2.0
 */
export const isByteCount = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) >= 0

/**
 * An encoding name both Node's TextDecoder (to read) and iconv-lite (to write) know.
 * @example
 * isEncodingName('windows-1251') // true
 * isEncodingName('klingon') // false
 * @category request
 * @since 0.2.0
 */
export const isEncodingName = (s: unknown): s is string => {
  if (typeof s !== 'string') return false
  try {
    new TextDecoder(s)
  } catch {
    return false
  }
  // UTF-8 by its two names is known to both without loading iconv-lite
  return /^utf-?8$/i.test(s) || iconv().encodingExists(s)
}

/**
 * A URL a request may name: `http:` or `https:` with a host, or a URL without a scheme (`/users`,
 * `users?x=1`, `example.com/x`), which joins onto the base URL when one is set and is
 * `https://` otherwise. The steps check more (that the host is unambiguous); this is the shape a
 * template must have.
 * @example
 * isRequestUrl('https://api.example.com/v1') // true
 * isRequestUrl('users') // true
 * isRequestUrl('ftp://h/') // false
 * @category request
 * @since 0.2.0
 */
export const isRequestUrl = (s: unknown): s is string =>
  typeof s === 'string' &&
  s !== '' &&
  !s.startsWith('//') &&
  (/^https?:\/\/[^/\\?#\s]/i.test(s) || !/^[a-z][a-z0-9+.-]*:(?!\d)/i.test(s)) &&
  !hasCrLfNul(s)

/**
 * A media type as a Content-Type value: `type/subtype`, parameters after `;`, nothing that
 * cannot go in a header.
 * @example
 * isMediaType('application/vnd.api+json; charset=utf-8') // true
 * isMediaType('json') // false
 * @category request
 * @since 0.2.0
 */
export const isMediaType = (s: unknown): s is string => typeof s === 'string' && MEDIA_TYPE.test(s) && isFieldValue(s)

/**
 * An HTTP status code as a policy or a template names one: a whole number from 100 to 599.
 * @example
 * isStatus(503) // true
 * isStatus(99) // false
 * @category request
 * @since 0.3.0
 */
export const isStatus = (n: unknown): n is number => Number.isInteger(n) && (n as number) >= 100 && (n as number) <= 599

/**
 * A TCP port: a whole number from 1 to 65535.
 * @example
 * isPort(3128) // true
 * @category request
 * @since 0.2.0
 */
export const isPort = (n: unknown): n is number => Number.isInteger(n) && (n as number) >= 1 && (n as number) <= 65535

/**
 * A host name or address as a proxy is given (no spaces, slashes, `@` or controls).
 * @example
 * isHostName('127.0.0.1') // true
 * @category request
 * @since 0.2.0
 */
export const isHostName = (s: unknown): s is string => typeof s === 'string' && /^[^\s/\\@?#\x00-\x1f\x7f]+$/.test(s)

/**
 * A bare media type (`type/subtype`, no parameters), as the `type` parameter of
 * `multipart/related` names its root part's type.
 * @example
 * isBareMediaType('application/json') // true
 * isBareMediaType('text/plain; charset=utf-8') // false
 * @category request
 * @since 0.3.0
 */
export const isBareMediaType = (s: unknown): s is string => typeof s === 'string' && BARE_MEDIA_TYPE.test(s)

/**
 * A Content-ID (RFC 2045 `msg-id`, angle brackets optional): printable ASCII, no spaces.
 * @example
 * isContentId('meta@example.com') // true
 * isContentId('a b') // false
 * @category request
 * @since 0.3.0
 */
export const isContentId = (s: unknown): s is string =>
  typeof s === 'string' && /^<?[\x21-\x3b\x3d\x3f-\x7e]+>?$/.test(s)

/**
 * Whether a value is one of httpipe's tagged values (`Request`, `PreparedRequest`,
 * `HttpResponse`): a plain object with that `_tag` and a log. Steps, runners and readers check
 * their input with it before reading it; an object whose properties throw is not one.
 * @example
 * isTagged('Request')(newRequest()) // true
 * isTagged('Request')(E.right(newRequest())) // false
 * @category request
 * @since 0.2.0
 */
export const isTagged =
  <T>(tag: string) =>
  (x: unknown): x is T => {
    if (typeof x !== 'object' || x === null) return false
    try {
      return (x as { _tag?: unknown })._tag === tag && Array.isArray((x as { log?: unknown }).log)
    } catch {
      return false // a Proxy or a getter that throws: not one of ours
    }
  }

/**
 * How deep a value a step takes (objects and arrays inside each other): deeper is
 * `InvalidInput`, so that no step, template or log walks a value deep enough to exhaust the stack.
 * @example
 * MAX_DEPTH // 256
 * @category request
 * @since 0.3.0
 */
export const MAX_DEPTH = 256

/**
 * JSON text: what `JSON.parse` reads (a body given as such text is sent exactly as written).
 * @example
 * isJsonText('{"id":12345678901234567890}') // true
 * isJsonText('{a:1}') // false
 * @category request
 * @since 0.3.0
 */
export const isJsonText = (s: unknown): s is string => {
  if (typeof s !== 'string') return false
  try {
    JSON.parse(s)
    return true
  } catch {
    return false
  }
}

/**
 * A plain record: an object made by a literal, `JSON.parse` or `Object.create(null)`, the only
 * objects a value is rendered from field by field (a `Map`, a `Set` or a class instance is not
 * one: its data is not in its own enumerable fields). Never throws (a Proxy that throws is no record).
 * @example
 * isPlainRecord({ a: 1 }) // true
 * isPlainRecord(new Map()) // false
 * @category request
 * @since 0.3.0
 */
export const isPlainRecord = (v: unknown): v is Readonly<Record<string, unknown>> => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false
  try {
    const proto: unknown = Object.getPrototypeOf(v)
    return proto === Object.prototype || proto === null
  } catch {
    return false
  }
}

/**
 * The refinements `RequestCodec` is built from (same predicates as the steps).
 * @example
 * Valid.FieldValue.is('ok') // true
 * @category request
 * @since 0.2.0
 */
export const Valid = {
  Token: t.refinement(t.string, isToken, 'Token'),
  FieldValue: t.refinement(t.string, isFieldValue, 'FieldValue'),
  LimitMs: t.refinement(t.number, isLimitMs, 'LimitMs'),
  Count: t.refinement(t.number, isCount, 'Count'),
  ByteCount: t.refinement(t.number, isByteCount, 'ByteCount'),
  Encoding: t.refinement(t.string, isEncodingName, 'Encoding'),
  RequestUrl: t.refinement(t.string, isRequestUrl, 'RequestUrl'),
  Status: t.refinement(t.number, isStatus, 'Status'),
  MediaType: t.refinement(t.string, isMediaType, 'MediaType'),
  Port: t.refinement(t.number, isPort, 'Port'),
  HostName: t.refinement(t.string, isHostName, 'HostName'),
  BareMediaType: t.refinement(t.string, isBareMediaType, 'BareMediaType'),
  ContentId: t.refinement(t.string, isContentId, 'ContentId'),
  JsonText: t.refinement(t.string, isJsonText, 'JsonText'),
} as const
