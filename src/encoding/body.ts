/**
 * Turning a body description into bytes and a Content-Type, when a request is prepared.
 * @module
 */
import { iconv } from '../model/iconv.js'
import type { Body, Source } from '../model/request.js'
import type { Settings } from '../model/settings.js'
import { jsonTextOf } from './json.js'
import { renderPairs, type Encoder } from './url.js'

/**
 * An encoder for a text encoding (UTF-8 natively, others through iconv-lite).
 * @example
 * encoderFor('windows-1251')('Я') // Uint8Array [0xdf]
 */
export const encoderFor = (encoding: string): Encoder => {
  const enc = encoding.toLowerCase()
  if (enc === 'utf-8' || enc === 'utf8') return (s) => Buffer.from(s, 'utf8')
  return (s) => iconv().encode(s, enc)
}

const UTF8_BOM = Uint8Array.of(0xef, 0xbb, 0xbf)
const BOMS: Readonly<Record<string, Uint8Array>> = {
  'utf-8': UTF8_BOM,
  utf8: UTF8_BOM,
  'utf-16le': Uint8Array.of(0xff, 0xfe),
  'utf-16': Uint8Array.of(0xff, 0xfe),
  'utf-16be': Uint8Array.of(0xfe, 0xff),
}

/**
 * The byte order mark of an encoding: U+FEFF in it, when the encoding can write it (UTF-8,
 * UTF-16, GB18030, …), or null for one that has none (windows-1251, ISO-8859-1, …).
 * @example
 * bomOf('utf-8') // Uint8Array [0xef, 0xbb, 0xbf]
 * bomOf('windows-1251') // null
 */
export const bomOf = (encoding: string): Uint8Array | null => {
  const enc = encoding.toLowerCase()
  const known = BOMS[enc]
  if (known !== undefined) return known
  try {
    const bytes = iconv().encode('\ufeff', enc, { addBOM: false })
    return new TextDecoder(enc, { ignoreBOM: true }).decode(bytes) === '\ufeff' ? new Uint8Array(bytes) : null
  } catch {
    return null
  }
}

/**
 * Text as bytes in an encoding, with its byte order mark first when asked and the encoding has
 * one (see {@link bomOf}: an encoding without one is written without).
 * @example
 * encodeText('hi', 'utf-8', true) // Uint8Array [0xef, 0xbb, 0xbf, 0x68, 0x69]
 */
export const encodeText = (text: string, encoding: string, bom = false): Uint8Array => {
  const bytes = encoderFor(encoding)(text)
  const mark = bom ? bomOf(encoding) : null
  // iconv-lite's utf-16 writes its BOM itself: never twice
  if (mark === null || Buffer.from(bytes.subarray(0, mark.length)).equals(mark)) return bytes
  return Buffer.concat([mark, bytes])
}

/**
 * The default Content-Type of a body (before `setDataType`), or null when there is no body.
 * @example
 * defaultContentType({ _tag: 'Json', value: {}, collection: false }, 'utf-8') // 'application/json; charset=utf-8'
 */
export const defaultContentType = (body: Body, encoding: string): string | null => {
  switch (body._tag) {
    case 'None':
      return null
    case 'Binary':
      return 'application/octet-stream'
    case 'String':
      return `text/plain; charset=${encoding}`
    case 'Json':
    case 'JsonText':
      return `application/json; charset=${encoding}`
    case 'Form':
    case 'FormText':
      return `application/x-www-form-urlencoded; charset=${encoding}`
    case 'Multipart':
      // its boundary is drawn when the request is prepared (drawBoundary, called by execute/prepare/multipart.ts)
      return `multipart/${body.kind}`
  }
}

/**
 * The bytes of a source held in memory (base64 bytes, or text in `encoding`), or null for a file
 * or a URL (read when the request runs).
 * @example
 * sourceBytes({ _tag: 'Text', text: 'hi' }, 'utf-8') // Uint8Array [0x68, 0x69]
 * @category encoding
 * @since 0.3.0
 */
export const sourceBytes = (src: Source, encoding: string): Uint8Array | null =>
  src._tag === 'Bytes' ? Buffer.from(src.base64, 'base64') : src._tag === 'Text' ? encodeText(src.text, encoding) : null

/**
 * The bytes of an in-memory body (every kind but file and URL sources), or null for those.
 * Form fields are always percent-encoded in the request's encoding; arrays follow
 * `splitArraysInUrl`.
 * @example
 * bodyBytes({ _tag: 'Form', fields: [['a', 'b c']], collection: false }, defaultSettings) // bytes of 'a=b%20c'
 */
export const bodyBytes = (body: Body, s: Settings): Uint8Array | null => {
  switch (body._tag) {
    case 'None':
      return new Uint8Array(0)
    case 'String':
      return encodeText(body.text, s.encoding, body.bom)
    case 'Json':
      // serialized once, when the body was set (a body made otherwise: now)
      return encodeText(jsonTextOf(body) ?? JSON.stringify(body.value), s.encoding)
    case 'JsonText':
      return encodeText(body.text, s.encoding)
    case 'Form':
      return Buffer.from(
        renderPairs(body.fields, {
          encode: true,
          splitArrays: s.splitArrayParams,
          squareBrackets: s.arraysSquareBrackets,
          encoder: encoderFor(s.encoding),
        }),
        'latin1',
      )
    case 'FormText':
      return encodeText(body.text, s.encoding)
    case 'Binary':
      return sourceBytes(body.source, s.encoding)
    case 'Multipart':
      return null
  }
}
