/**
 * The body fields OAuth1 signs with `useBodyFieldsAtOAuth`: the fields of a form body, or (as
 * OPI does, outside RFC 5849) the top-level fields of a JSON object body.
 * @module
 */
import { iconv } from '../model/iconv.js'
import { findHeader, type HeaderList } from '../model/headers.js'
import type { PreparedBody } from '../model/prepared.js'

/**
 * Parses `application/x-www-form-urlencoded` text whose escapes are bytes in `encoding`.
 * @example
 * decodeForm('a=%E6&b+c=1', 'windows-1251') // [['a', 'ж'], ['b c', '1']]
 * @category auth
 * @since 0.1.0
 */
export const decodeForm = (text: string, encoding: string): ReadonlyArray<readonly [string, string]> => {
  const decode = (s: string): string =>
    iconv().decode(
      Buffer.from(
        s.replace(/\+/g, ' ').replace(/%([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))),
        'latin1',
      ),
      encoding,
    )
  return text
    .split('&')
    .filter((p) => p !== '')
    .map((p) => {
      const i = p.indexOf('=')
      return i === -1 ? ([decode(p), ''] as const) : ([decode(p.slice(0, i)), decode(p.slice(i + 1))] as const)
    })
}

const bytesOf = (body: PreparedBody): Buffer | null => {
  if (body._tag === 'None') return null
  const parts: Uint8Array[] = []
  for (const s of body.segments) {
    if (s._tag !== 'Bytes') return null
    parts.push(s.bytes)
  }
  return Buffer.concat(parts)
}

/**
 * The body fields OAuth1 includes: the fields of a form body, or the top-level fields of a
 * JSON object body (values as text, objects as JSON); none for other bodies.
 * @example
 * oauthBodyFields([['Content-Type', 'application/x-www-form-urlencoded']], segmentsBody([{ _tag: 'Bytes', bytes: Buffer.from('a=1') }])) // [['a', '1']]
 * @category auth
 * @since 0.1.0
 */
export const oauthBodyFields = (
  headers: HeaderList,
  body: PreparedBody,
  encoding = 'utf-8',
): ReadonlyArray<readonly [string, string]> => {
  const bytes = bytesOf(body)
  if (bytes === null) return []
  const type = (findHeader(headers, 'content-type') ?? '').toLowerCase()
  if (type.startsWith('application/x-www-form-urlencoded')) return decodeForm(bytes.toString('latin1'), encoding)
  if (type.startsWith('application/json')) {
    try {
      const v: unknown = JSON.parse(bytes.toString('utf8'))
      if (typeof v !== 'object' || v === null || Array.isArray(v)) return []
      return Object.entries(v).map(([k, x]) => [k, typeof x === 'string' ? x : JSON.stringify(x)] as const)
    } catch {
      return []
    }
  }
  return []
}
