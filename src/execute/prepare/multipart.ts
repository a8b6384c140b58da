/**
 * Preparing a multipart body: every part's content as a segment (text and bytes encoded, files
 * measured and checked readable, URLs left to download before the first attempt), a boundary
 * drawn from `env.random` that occurs in none of the in-memory bytes, and the whole body laid out
 * as segments with an exact length. Files are not read here: an attempt streams them.
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import { fileError, invalidInput, type ClientError } from '../../model/errors.js'
import type { Log } from '../../model/log.js'
import { encodeText, sourceBytes } from '../../encoding/body.js'
import { closeDelimiter, drawBoundary, multipartContentType, partHead, partHeaders } from '../../encoding/multipart.js'
import type { MultipartBody, Part } from '../../model/multipart.js'
import { segmentsBody, type PreparedBody, type Segment } from '../../model/prepared.js'
import type { Source } from '../../model/request.js'
import type { Settings } from '../../model/settings.js'
import { quote } from '../../encoding/json.js'
import { fileSegmentOf } from '../body.js'

/** How many boundaries are drawn before giving up (only a broken `env.random` gets that far). */
const DRAWS = 8

const sourceSegment = async (s: Source, settings: Settings): Promise<E.Either<string, Segment>> => {
  if (s._tag === 'File') return fileSegmentOf(s.path)
  if (s._tag === 'Url') return E.right({ _tag: 'Url', url: s.url })
  return E.right({ _tag: 'Bytes', bytes: sourceBytes(s, settings.encoding) ?? new Uint8Array(0) })
}

const partName = (p: Part, i: number): string =>
  p._tag === 'Related'
    ? `related part ${i + 1} (${p.mime})`
    : `part ${i + 1} (${quote(p.name)}${p._tag === 'File' ? `, file ${quote(p.filename)}` : ''})`

/** Whether `boundary` is free to use: no in-memory content or head holds its delimiter. */
const isFree = (boundary: string, chunks: ReadonlyArray<Uint8Array>): boolean => {
  const delimiter = `--${boundary}`
  return chunks.every((c) => !Buffer.from(c.buffer, c.byteOffset, c.byteLength).includes(delimiter))
}

/**
 * The prepared body of a multipart body, its Content-Type (with the boundary) and how the log
 * describes it. A part whose
 * file cannot be read is a `FileError` naming `step`, the part and the path; an empty file part
 * added with `ignoreEmpty` is left out.
 * @example
 * await prepareMultipart(body, defaultSettings, cryptoRandom, 'prepareRequest', []) // right({ body, contentType: 'multipart/form-data; boundary=httpipe-…', summary: 'multipart/form-data body, 2 parts, 370 bytes' })
 * @internal
 */
export const prepareMultipart = async (
  body: MultipartBody,
  settings: Settings,
  random: () => number,
  step: string,
  log: Log,
): Promise<
  E.Either<ClientError, { readonly body: PreparedBody; readonly contentType: string; readonly summary: string }>
> => {
  const contents: Array<{ readonly part: Part; readonly segment: Segment }> = []
  for (const [i, part] of body.parts.entries()) {
    const segment =
      part._tag === 'Field'
        ? // a withheld value (a template's) is refused before the body is prepared
          E.right<string, Segment>({
            _tag: 'Bytes',
            bytes: encodeText(typeof part.value === 'string' ? part.value : '', settings.encoding),
          })
        : await sourceSegment(part.source, settings)
    if (E.isLeft(segment)) {
      const path = part._tag === 'Field' || part.source._tag !== 'File' ? '' : part.source.path
      return E.left(
        fileError(
          `${step}: cannot read the file of ${partName(part, i)} ${path}: ${segment.left}`,
          path,
          segment.left,
          log,
        ),
      )
    }
    const s = segment.right
    if (part._tag === 'File' && part.ignoreEmpty && s._tag === 'File' && s.size === 0) continue
    contents.push({ part, segment: s })
  }
  const heads = (boundary: string): ReadonlyArray<Uint8Array> =>
    contents.map(({ part }, i) => Buffer.from(partHead(boundary, part, i === 0), 'utf8'))
  // the bytes a boundary must not occur in: in-memory contents and the part headers (a file
  // written before the boundary was drawn holds it with probability 2^-190)
  const memory = contents.flatMap(({ part, segment }) => [
    Buffer.from(partHeaders(part), 'utf8'),
    ...(segment._tag === 'Bytes' ? [segment.bytes] : []),
  ])
  for (let draw = 0; draw < DRAWS; draw++) {
    const boundary = drawBoundary(random)
    if (!isFree(boundary, memory)) continue
    const h = heads(boundary)
    const segments: Segment[] = []
    contents.forEach(({ segment }, i) => segments.push({ _tag: 'Bytes', bytes: h[i] ?? new Uint8Array(0) }, segment))
    segments.push({ _tag: 'Bytes', bytes: Buffer.from(closeDelimiter(boundary, contents.length > 0), 'utf8') })
    const prepared = segmentsBody(segments)
    const summary = `multipart/${body.kind} body, ${contents.length} parts, ${prepared._tag === 'Segments' ? (prepared.length ?? 'unknown') : 0} bytes`
    return E.right({ body: prepared, contentType: multipartContentType(body, boundary), summary })
  }
  return E.left(
    invalidInput(
      step,
      `${step}: every multipart boundary drawn from env.random occurs in the body (${DRAWS} draws): is env.random random?`,
      log,
    ),
  )
}
