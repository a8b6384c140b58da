/**
 * Multipart bodies (RFC 2046), and the fields and files of `multipart/form-data` (RFC 7578).
 *
 * @packageDocumentation
 */
import { createHash } from 'node:crypto'
import { badRequest, decodeExtendedValue, headerRecord, parseHeaderParams } from './parse.js'
import type { BadRequest, HeaderParts } from './parse.js'
import type { MultipartPart, UploadedFile } from './types.js'

const CRLF = Buffer.from('\r\n')
const BOUNDARY = /^[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]$/
const HEADER_LINE = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+):[ \t]*(.*?)[ \t]*$/

const malformed = (reason: string): BadRequest => badRequest(`malformed multipart body: ${reason}`)

/** Parses a part's header block (`name: value` lines separated by CRLF). */
const parsePartHeaders = (block: string): Record<string, string> =>
  headerRecord(
    block.split('\r\n').map((line) => {
      const match = HEADER_LINE.exec(line)
      if (match === null) throw malformed(`invalid part header line ${JSON.stringify(line)}`)
      return [match[1] ?? '', match[2] ?? ''] as const
    }),
  )

/** Parses one part: headers, a blank line, then the content (a part may start with the blank line). */
const parsePart = (raw: Buffer): MultipartPart => {
  const separator = raw.subarray(0, 2).equals(CRLF) ? -2 : raw.indexOf('\r\n\r\n')
  if (separator === -1) throw malformed('part headers are not terminated by a blank line')
  const headers = separator < 0 ? {} : parsePartHeaders(raw.subarray(0, separator).toString('utf8'))
  const content = raw.subarray(separator < 0 ? 2 : separator + 4)
  const disposition = parseHeaderParams(headers['content-disposition'] ?? '').params
  const extended = disposition['filename*'] === undefined ? undefined : decodeExtendedValue(disposition['filename*'])
  const filename = extended ?? disposition['filename']
  const contentType = headers['content-type']
  const contentId = headers['content-id']
  return {
    headers,
    ...(disposition['name'] === undefined ? {} : { name: disposition['name'] }),
    ...(filename === undefined ? {} : { filename }),
    ...(contentType === undefined ? {} : { contentType }),
    ...(contentId === undefined ? {} : { contentId }),
    size: content.length,
    sha256: createHash('sha256').update(content).digest('hex'),
    text: content.toString('utf8'),
    base64: content.toString('base64'),
  }
}

/**
 * A multipart body split into its parts, with the sizes of what surrounds them.
 * @internal
 */
export interface MultipartBody {
  readonly parts: MultipartPart[]
  /** Bytes before the first `--boundary` line (0 when the body starts with it). */
  readonly preambleSize: number
  /** Bytes after the closing `--boundary--` (a trailing CRLF counts 2). */
  readonly epilogueSize: number
}

/**
 * Splits a multipart body on `--boundary` delimiters (RFC 2046): an optional preamble, parts each
 * introduced by `--boundary` CRLF, then `--boundary--` and an optional epilogue. Works on bytes.
 * @internal
 */
export const parseMultipart = (body: Buffer, boundary: string): MultipartBody => {
  const delimiter = Buffer.from(`\r\n--${boundary}`)
  // A leading CRLF lets the first delimiter be found like the others.
  const data = Buffer.concat([CRLF, body])
  const parts: MultipartPart[] = []
  let position = data.indexOf(delimiter)
  if (position < 0) throw malformed('missing opening boundary')
  const preambleSize = position
  for (;;) {
    position += delimiter.length
    const after = data.subarray(position, position + 2).toString('latin1')
    if (after === '--') return { parts, preambleSize, epilogueSize: data.length - position - 2 }
    if (after !== '\r\n') throw malformed('boundary must be followed by CRLF or "--"')
    const next = data.indexOf(delimiter, position + 2)
    if (next < 0) throw malformed('missing closing boundary')
    parts.push(parsePart(data.subarray(position + 2, next)))
    position = next
  }
}

/**
 * The boundary parameter of a multipart Content-Type, validated (RFC 2046 bchars, 1..70).
 * @internal
 */
export const multipartBoundary = (contentType: HeaderParts): string => {
  const boundary = contentType.params['boundary']
  if (boundary === undefined || !BOUNDARY.test(boundary)) throw malformed('missing or invalid boundary parameter')
  return boundary
}

/**
 * The text fields and the files of a `multipart/form-data` body, in order (RFC 7578: every part
 * is `Content-Disposition: form-data` with a name; a part with a filename is a file).
 * @internal
 */
export const formDataEntries = (
  parts: ReadonlyArray<MultipartPart>,
): { fields: Array<readonly [string, string]>; files: Array<readonly [string, UploadedFile]> } => {
  const fields: Array<readonly [string, string]> = []
  const files: Array<readonly [string, UploadedFile]> = []
  for (const part of parts) {
    const disposition = parseHeaderParams(part.headers['content-disposition'] ?? '').value
    if (disposition !== 'form-data') throw malformed('form-data part without Content-Disposition: form-data')
    if (part.name === undefined) throw malformed('form-data part without a name')
    if (part.filename === undefined) fields.push([part.name, part.text])
    else files.push([part.name, uploadedFile(part, part.filename)])
  }
  return { fields, files }
}

const uploadedFile = (part: MultipartPart, filename: string): UploadedFile => ({
  filename,
  contentType: part.headers['content-type'] ?? 'text/plain',
  size: part.size,
  sha256: part.sha256,
  base64: part.base64,
  headers: part.headers,
})
