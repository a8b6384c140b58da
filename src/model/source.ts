/**
 * Explicit body sources. A plain string given to a body step is always its text, never a
 * path or a URL: files and URLs are named with these constructors.
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import type { Source } from './request.js'

/**
 * A file, streamed from disk when the request runs (re-opened on every attempt).
 * @example
 * pipe(req, setBinaryBody(fromFile('./photo.jpg')))
 * @category bodies
 * @since 0.1.0
 */
export const fromFile = (path: string): Extract<Source, { _tag: 'File' }> => ({ _tag: 'File', path })

/**
 * A URL whose body is downloaded when the request runs.
 * @example
 * pipe(req, setBinaryBody(fromUrl('http://127.0.0.1:8080/bytes/10')))
 * @category bodies
 * @since 0.1.0
 */
export const fromUrl = (url: string): Extract<Source, { _tag: 'Url' }> => ({ _tag: 'Url', url })

/**
 * Bytes given as base64 text (checked by the step that takes them).
 * @example
 * pipe(req, setBinaryBody(fromBase64('aGVsbG8=')))
 * @category bodies
 * @since 0.1.0
 */
export const fromBase64 = (text: string): Extract<Source, { _tag: 'Bytes' }> => ({ _tag: 'Bytes', base64: text })

/**
 * What body steps accept: bytes, text, or an explicit source.
 * @example
 * const d: BodyData = new Uint8Array([1, 2, 3])
 * @inline
 * @category bodies
 * @since 0.1.0
 */
export type BodyData = Uint8Array | string | Source

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{2}|[A-Za-z0-9+/]{3})?$/

/**
 * Whether text is valid base64 (standard alphabet, padding optional, white space ignored).
 * @example
 * isBase64('aGVsbG8=') // true
 * isBase64('!!') // false
 */
export const isBase64 = (text: string): boolean => BASE64.test(text.replace(/\s+/g, ''))

const isSource = (d: unknown): d is Source =>
  typeof d === 'object' &&
  d !== null &&
  !(d instanceof Uint8Array) &&
  ((d as Source)._tag === 'File'
    ? typeof (d as { path?: unknown }).path === 'string' && (d as { path: string }).path !== ''
    : (d as Source)._tag === 'Url'
      ? typeof (d as { url?: unknown }).url === 'string'
      : (d as Source)._tag === 'Bytes'
        ? typeof (d as { base64?: unknown }).base64 === 'string'
        : (d as Source)._tag === 'Text' && typeof (d as { text?: unknown }).text === 'string')

/**
 * Checks body data and turns it into a Source: a Left names what is wrong.
 * @example
 * toSource('hi') // right({ _tag: 'Text', text: 'hi' })
 */
export const toSource = (data: unknown): E.Either<string, Source> => {
  if (typeof data === 'string') return E.right({ _tag: 'Text', text: data })
  if (data instanceof Uint8Array)
    return E.right({
      _tag: 'Bytes',
      base64: Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64'),
    })
  if (!isSource(data))
    return E.left('data must be a Uint8Array, a string, fromFile(path), fromUrl(url) or fromBase64(text)')
  if (data._tag === 'Bytes' && !isBase64(data.base64)) return E.left('fromBase64: the text is not valid base64')
  if (data._tag === 'Bytes') return E.right({ _tag: 'Bytes', base64: data.base64.replace(/\s+/g, '') })
  if (data._tag === 'Url') {
    const u = URL.canParse(data.url) ? new URL(data.url) : null
    if (u === null || (u.protocol !== 'http:' && u.protocol !== 'https:'))
      return E.left(`fromUrl: not an http(s) URL: ${JSON.stringify(data.url)}`)
  }
  return E.right(data)
}

/**
 * Whether a source certainly holds no bytes (files and URLs are only known when run).
 * @example
 * isEmptySource({ _tag: 'Text', text: '' }) // true
 */
export const isEmptySource = (s: Source): boolean =>
  (s._tag === 'Text' && s.text === '') || (s._tag === 'Bytes' && s.base64 === '')
