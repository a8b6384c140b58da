/**
 * `/multipart`: parses a `multipart/*` body and answers what it holds, part by part, with sizes
 * and SHA-256 hashes instead of contents.
 *
 * @packageDocumentation
 */
import { sendJson } from './context.js'
import type { Handler } from './context.js'
import { formDataEntries, multipartBoundary, parseMultipart } from './multipart.js'
import { badRequest, groupPairs, parseHeaderParams } from './parse.js'
import type { MultipartEcho, MultipartEchoFile } from './types-transfer.js'

/**
 * Answers 200 with the {@link MultipartEcho} of a `multipart/*` body (any method), 400 `{ error }`
 * when the Content-Type is not multipart or the body is malformed.
 * @internal
 */
export const multipartEcho: Handler = (ctx) => {
  const header = ctx.request.headers['content-type']
  const contentType = parseHeaderParams(header ?? '')
  if (!/^multipart\/[!#$%&'*+\-.^_`|~0-9a-z]+$/.test(contentType.value))
    throw badRequest(
      `expected a multipart/* Content-Type, got ${header === undefined ? 'none' : JSON.stringify(header)}`,
    )
  const { parts, preambleSize, epilogueSize } = parseMultipart(ctx.body, multipartBoundary(contentType))
  const formData = contentType.value === 'multipart/form-data' ? formDataEntries(parts) : { fields: [], files: [] }
  const files = new Map<string, MultipartEchoFile[]>()
  for (const [name, { filename, contentType: type, size, sha256 }] of formData.files)
    files.set(name, [...(files.get(name) ?? []), { filename, contentType: type, size, sha256 }])
  const echo: MultipartEcho = {
    mediaType: contentType.value,
    params: contentType.params,
    bodySize: ctx.body.length,
    preambleSize,
    epilogueSize,
    parts: parts.map(({ text: _text, base64: _base64, ...info }) => info),
    fields: groupPairs(formData.fields),
    files: Object.fromEntries(files),
  }
  sendJson(ctx, 200, echo)
}
