/**
 * The bytes of a multipart body around its parts' contents (RFC 2046, RFC 7578, RFC 2387):
 * boundaries, part headers, the Content-Type. Pure: the boundary is drawn by the executor and
 * passed in, part contents are segments the executor reads.
 * @module
 */
import type { MultipartBody, MultipartKind, Part } from '../model/multipart.js'

/** Characters a boundary is drawn from (a subset of RFC 2046 `bchars` that needs no quoting). */
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'

/**
 * A boundary: `httpipe-` and 32 characters drawn with `random` (about 190 bits), within RFC
 * 2046's 70 characters and free of characters that would need quoting.
 * @example
 * drawBoundary(() => 0) // 'httpipe-00000000000000000000000000000000'
 * @category encoding
 * @since 0.3.0
 */
export const drawBoundary = (random: () => number): string => {
  let s = 'httpipe-'
  for (let i = 0; i < 32; i++)
    s += ALPHABET[Math.min(ALPHABET.length - 1, Math.floor(random() * ALPHABET.length))] ?? '0'
  return s
}

/**
 * A name or file name as browsers put it in a quoted `Content-Disposition` parameter (the HTML
 * form-data rules): line breaks become CRLF and then `%0D%0A`, `"` becomes `%22`; other control
 * characters become `%XX` and a backslash is written as the quoted pair `\\`, so that every
 * RFC 7230 parser reads back the same text.
 * @example
 * escapeParam('a"b\nc') // 'a%22b%0D%0Ac'
 * @category encoding
 * @since 0.3.0
 */
export const escapeParam = (s: string): string =>
  s
    .replace(/\r\n|\r|\n/g, '\r\n')
    .replace(/[\x00-\x08\x0a-\x1f\x7f"]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`)
    .replace(/\\/g, '\\\\')

/** RFC 8187 `attr-char`: what an extended value keeps unescaped. */
const ATTR_CHAR = /[A-Za-z0-9!#$&+\-.^_`|~]/

/**
 * A file name as an RFC 8187 extended value (`UTF-8''…`), percent-encoding every byte that is
 * not an `attr-char`.
 * @example
 * extendedValue('отчёт.pdf') // "UTF-8''%D0%BE%D1%82%D1%87%D1%91%D1%82.pdf"
 * @category encoding
 * @since 0.3.0
 */
export const extendedValue = (s: string): string => {
  let out = "UTF-8''"
  for (const byte of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(byte)
    out += byte < 0x80 && ATTR_CHAR.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`
  }
  return out
}

/** A file name that every parser reads the same way from a plain quoted parameter. */
const PLAIN_FILENAME = /^[\x20-\x7e]*$/

/**
 * The `filename` parameters of a file part: the quoted (escaped) name, and when it is not
 * plain printable ASCII also `filename*` with the exact name (servers that read RFC 8187 use it;
 * others see the ASCII `filename`, non-ASCII characters replaced by `_`).
 * @example
 * filenameParams('a.txt') // '; filename="a.txt"'
 * @category encoding
 * @since 0.3.0
 */
export const filenameParams = (filename: string): string => {
  if (PLAIN_FILENAME.test(filename) && !filename.includes('"') && !filename.includes('\\'))
    return `; filename="${filename}"`
  const ascii = filename.replace(/[^\x00-\x7f]/gu, '_')
  return `; filename="${escapeParam(ascii)}"; filename*=${extendedValue(filename)}`
}

/**
 * A Content-ID as a header value: angle brackets added when the id has none.
 * @example
 * contentIdValue('meta') // '<meta>'
 * @category encoding
 * @since 0.3.0
 */
export const contentIdValue = (id: string): string => (id.startsWith('<') && id.endsWith('>') ? id : `<${id}>`)

/**
 * The header lines of a part (each ending in CRLF), before the blank line.
 * @example
 * partHeaders({ _tag: 'Field', name: 'a', value: 'b' }) // 'Content-Disposition: form-data; name="a"\r\n'
 * @category encoding
 * @since 0.3.0
 */
export const partHeaders = (part: Part): string => {
  switch (part._tag) {
    case 'Field':
      return `Content-Disposition: form-data; name="${escapeParam(part.name)}"\r\n`
    case 'File':
      return `Content-Disposition: form-data; name="${escapeParam(part.name)}"${filenameParams(part.filename)}\r\nContent-Type: ${part.mime}\r\n`
    case 'Related':
      return `Content-Type: ${part.mime}\r\n${part.contentId === null ? '' : `Content-ID: ${contentIdValue(part.contentId)}\r\n`}`
  }
}

/**
 * What comes before a part's content: the delimiter (after a CRLF for every part but the
 * first), the part's headers and the blank line.
 * @example
 * partHead('B', { _tag: 'Field', name: 'a', value: 'b' }, true) // '--B\r\nContent-Disposition: form-data; name="a"\r\n\r\n'
 * @category encoding
 * @since 0.3.0
 */
export const partHead = (boundary: string, part: Part, first: boolean): string =>
  `${first ? '' : '\r\n'}--${boundary}\r\n${partHeaders(part)}\r\n`

/**
 * What ends the body: the close delimiter (after a CRLF when there were parts) and a CRLF.
 * @example
 * closeDelimiter('B', true) // '\r\n--B--\r\n'
 * @category encoding
 * @since 0.3.0
 */
export const closeDelimiter = (boundary: string, hadParts: boolean): string =>
  `${hadParts ? '\r\n' : ''}--${boundary}--\r\n`

/**
 * The Content-Type of a multipart body: `multipart/<kind>; boundary=…`, with the root `type`
 * parameter of `multipart/related` when one was given.
 * @example
 * multipartContentType({ _tag: 'Multipart', kind: 'related', rootType: 'application/json', parts: [] }, 'B') // 'multipart/related; boundary=B; type="application/json"'
 * @category encoding
 * @since 0.3.0
 */
export const multipartContentType = (body: Pick<MultipartBody, 'kind' | 'rootType'>, boundary: string): string =>
  `multipart/${body.kind}; boundary=${boundary}${body.rootType === null ? '' : `; type="${body.rootType}"`}`

/**
 * Whether a kind names a multipart subtype httpipe writes.
 * @example
 * isMultipartKind('form-data') // true
 * @category encoding
 * @since 0.3.0
 */
export const isMultipartKind = (k: unknown): k is MultipartKind => k === 'form-data' || k === 'related' || k === 'mixed'
