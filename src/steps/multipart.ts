/**
 * Multipart body steps: start a `multipart/form-data`, `related` or `mixed` body, then add its
 * parts one by one. Steps only record the parts; the boundary is drawn, files are measured and
 * the bytes are laid out when the request is prepared, and file parts are streamed from disk
 * when it is sent.
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import { quote } from '../encoding/json.js'
import { isMultipartKind } from '../encoding/multipart.js'
import type { MultipartBody, MultipartKind, Part } from '../model/multipart.js'
import { isBareMediaType, isContentId, isMediaType } from '../model/valid.js'
import type { Request, Source, Step } from '../model/request.js'
import { isEmptySource, toSource, type BodyData } from '../model/source.js'
import { mediaTypeOf } from '../model/media-type.js'
import { change, invalid, makeStep, note, type Change } from './step.js'

/**
 * Starts an empty multipart body of `kind` (`form-data` by default, `related` or `mixed`),
 * replacing any body set before. `rootType` is the `type` parameter of `multipart/related` (the
 * media type of its root part). The Content-Type, with a random boundary, is set when the
 * request is prepared.
 * @example
 * pipe(req, startMultipartBody(), addMultipartFormDataField('title', 'Report'))
 * pipe(req, startMultipartBody('related', 'application/json'), addDataAsRelated('{"name":"a.txt"}', 'application/json'))
 * @category bodies
 * @since 0.3.0
 */
export const startMultipartBody = (kind: MultipartKind = 'form-data', rootType?: string): Step =>
  makeStep('startMultipartBody', () => {
    if (!isMultipartKind(kind)) return invalid(`kind must be 'form-data', 'related' or 'mixed', got ${quote(kind)}`)
    if (rootType !== undefined && kind !== 'related')
      return invalid(`a root type is a parameter of multipart/related only, not of multipart/${kind}`)
    if (rootType !== undefined && !isBareMediaType(rootType))
      return invalid(`the root type must be a media type such as application/json, got ${quote(rootType)}`)
    const body: MultipartBody = { _tag: 'Multipart', kind, rootType: rootType ?? null, parts: [] }
    return change({ body }, `multipart/${kind} body started${rootType === undefined ? '' : `, root type ${rootType}`}`)
  })

/** Adds a part to the multipart body in progress, or says which step must come first. */
const addPart = (req: Request, part: Part, message: string): E.Either<string, Change> => {
  const b = req.body
  if (b._tag !== 'Multipart') return invalid('no multipart body in progress: call startMultipartBody() first')
  if (part._tag === 'Related' && b.kind === 'form-data')
    return invalid(
      "a multipart/form-data part needs a name: use addMultipartFormDataField or addMultipartFormDataFile, or startMultipartBody('related')",
    )
  return change({ body: { ...b, parts: [...b.parts, part] } }, message)
}

const describe = (s: Source): string =>
  s._tag === 'File'
    ? `from file ${s.path}`
    : s._tag === 'Url'
      ? `downloaded from ${s.url}`
      : s._tag === 'Text'
        ? `${s.text.length} chars`
        : `${Buffer.byteLength(s.base64, 'base64')} bytes`

const isText = (v: unknown): v is string | number | boolean =>
  typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v))

/**
 * Adds a text field to a multipart body: `Content-Disposition: form-data; name="…"`, the
 * value's text in the request's encoding. Numbers and booleans are written as text. Quotes and
 * line breaks in the name are escaped as browsers do (`%22`, `%0D%0A`).
 * @example
 * pipe(req, startMultipartBody(), addMultipartFormDataField('count', 3))
 * @category bodies
 * @since 0.3.0
 */
export const addMultipartFormDataField = (name: string, value: string | number | boolean): Step =>
  makeStep('addMultipartFormDataField', (req) => {
    if (typeof name !== 'string') return invalid(`the field name must be a string, got ${typeof name}`)
    if (!isText(value))
      return invalid(`the value of field ${quote(name)} must be a string, a finite number or a boolean`)
    return addPart(req, { _tag: 'Field', name, value: String(value) }, `field ${quote(name)} added`)
  })

/**
 * Adds a file to a multipart body: a part with `name`, `filename` and its media type (when
 * none is given, the one its file name says, `report.pdf` is `application/pdf`, from the
 * mime-types database; `application/octet-stream` for a name it does not know). The data is bytes, text, or
 * `fromFile`/`fromUrl`/`fromBase64`; a file is streamed from disk when the request is sent and
 * re-opened on every attempt. With `ignoreEmpty`, empty data (an empty file too, found when the
 * request is prepared) adds no part. Non-ASCII file names are sent as `filename*` (RFC 8187)
 * alongside an ASCII `filename`.
 * @example
 * pipe(req, startMultipartBody(), addMultipartFormDataFile('photo', 'cat.jpg', fromFile('./cat.jpg'), 'image/jpeg'))
 * @category bodies
 * @since 0.3.0
 */
export const addMultipartFormDataFile = (
  name: string,
  filename: string,
  data: BodyData,
  mime?: string,
  ignoreEmpty = false,
): Step =>
  makeStep('addMultipartFormDataFile', (req) => {
    if (typeof name !== 'string') return invalid(`the field name must be a string, got ${typeof name}`)
    if (typeof filename !== 'string') return invalid(`the file name must be a string, got ${typeof filename}`)
    if (mime !== undefined && !isMediaType(mime))
      return invalid(`the media type of file ${quote(filename)} is not valid: ${quote(mime)}`)
    return pipe(
      toSource(data),
      E.flatMap((source: Source) => {
        if (ignoreEmpty === true && isEmptySource(source)) return note(`file ${quote(filename)} is empty - skipped`)
        const part: Part = {
          _tag: 'File',
          name,
          filename,
          source,
          mime: mime ?? mediaTypeOf(filename) ?? 'application/octet-stream',
          ignoreEmpty: ignoreEmpty === true,
        }
        return addPart(req, part, `file ${quote(filename)} added as ${quote(name)}, ${describe(source)}`)
      }),
    )
  })

/**
 * Adds a part to a `multipart/related` (or `mixed`) body, with its own Content-Type and an
 * optional Content-ID (angle brackets added when missing): the metadata and media of a
 * Google Drive–style upload, for instance.
 * @example
 * pipe(req, startMultipartBody('related'), addDataAsRelated('{"name":"a.txt"}', 'application/json; charset=UTF-8'), addDataAsRelated(fromFile('./a.txt'), 'text/plain'))
 * @category bodies
 * @since 0.3.0
 */
export const addDataAsRelated = (data: BodyData, mime: string, contentId?: string): Step =>
  makeStep('addDataAsRelated', (req) => {
    if (!isMediaType(mime))
      return invalid(
        `the media type of a related part must be a media type such as application/json, got ${quote(mime)}`,
      )
    if (contentId !== undefined && !isContentId(contentId))
      return invalid(`the Content-ID must be printable ASCII without spaces, got ${quote(contentId)}`)
    return pipe(
      toSource(data),
      E.flatMap((source: Source) =>
        addPart(
          req,
          { _tag: 'Related', source, mime, contentId: contentId ?? null },
          `related part ${mime}${contentId === undefined ? '' : ` <${contentId.replace(/^<|>$/g, '')}>`} added, ${describe(source)}`,
        ),
      ),
    )
  })
