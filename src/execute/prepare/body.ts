/**
 * The body of a request as it will be sent: its segments and its Content-Type, and how the log
 * describes it. Files are measured (and checked readable) here; multipart bodies are laid out.
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import { fileError, type ClientError } from '../../model/errors.js'
import { redactUrl } from '../../encoding/redact.js'
import type { Request } from '../../model/request.js'
import { noBody, segmentsBody, type PreparedBody } from '../../model/prepared.js'
import { bodyBytes, bomOf, defaultContentType } from '../../encoding/body.js'
import type { ResolvedEnv } from '../env.js'
import { fileSegmentOf } from '../body.js'
import { prepareMultipart } from './multipart.js'

/** What preparing a body reads of the request. */
type BodyInput = Pick<Request, 'body' | 'dataType' | 'settings' | 'log'>

/** A prepared body and the Content-Type it is sent with (null: none). */
export interface BodyOut {
  readonly body: PreparedBody
  readonly contentType: string | null
  /** how the log describes the body, when not by its segments */
  readonly summary?: string
}

/** The prepared body of every body kind but a file or a multipart body (which need the disk). */
export const syncBody = (req: BodyInput): BodyOut => {
  const b = req.body
  const contentType = req.dataType ?? defaultContentType(b, req.settings.encoding)
  if (b._tag === 'None') return { body: noBody, contentType: null }
  if (b._tag === 'Binary' && b.source._tag === 'Url')
    return { body: segmentsBody([{ _tag: 'Url', url: b.source.url }]), contentType }
  const bytes = bodyBytes(b, req.settings)
  if (bytes === null) return { body: noBody, contentType: null }
  const body = segmentsBody([{ _tag: 'Bytes', bytes }])
  // a BOM asked of an encoding that has none: the log says what is sent
  if (b._tag === 'String' && b.bom && bomOf(req.settings.encoding) === null)
    return {
      body,
      contentType,
      summary: `body ${bytes.byteLength} bytes, without a BOM (${req.settings.encoding} has none)`,
    }
  return { body, contentType }
}

/**
 * The prepared body: files measured (and checked readable) now, multipart bodies laid out with
 * a fresh boundary, whose Content-Type is always httpipe's (it carries the boundary).
 */
export const prepareBody = async (
  req: BodyInput,
  step: string,
  env: ResolvedEnv,
): Promise<E.Either<ClientError, BodyOut>> => {
  const b = req.body
  if (b._tag === 'Multipart') {
    return prepareMultipart(b, req.settings, env.random, step, req.log)
  }
  if (b._tag !== 'Binary' || b.source._tag !== 'File') return E.right(syncBody(req))
  const path = b.source.path
  const segment = await fileSegmentOf(path)
  if (E.isLeft(segment)) {
    const message =
      segment.left === 'EISDIR'
        ? `${step}: body file ${path} is not a regular file`
        : `${step}: cannot read body file ${path}: ${segment.left}`
    return E.left(fileError(message, path, segment.left, req.log))
  }
  return E.right({
    body: segmentsBody([segment.right]),
    contentType: req.dataType ?? defaultContentType(b, req.settings.encoding),
  })
}

export const describeBody = (b: PreparedBody, summary: string | undefined): string => {
  if (summary !== undefined) return summary
  if (b._tag === 'None') return 'no body'
  const [only] = b.segments
  if (b.segments.length === 1 && only?._tag === 'File')
    return `body streamed from ${only.path} (${only.end - only.start} bytes)`
  if (b.segments.length === 1 && only?._tag === 'Url') return `body downloaded from ${redactUrl(only.url)}`
  return `body ${b.length ?? 'unknown'} bytes`
}
