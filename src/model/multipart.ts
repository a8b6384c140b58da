/**
 * Multipart bodies as data: the kind, and the parts in order. Part content is a {@link Source}
 * like any body's (bytes, text, a file streamed when the request runs, a URL downloaded when it
 * runs); the boundary is drawn when the request is prepared, never stored.
 * @module
 */
import type { Source } from './request.js'
import type { Withheld } from './secret.js'

/**
 * The multipart subtype: `form-data` (RFC 7578), `related` (RFC 2387) or `mixed` (RFC 2046).
 * @example
 * const k: MultipartKind = 'related'
 * @inline
 * @category bodies
 * @since 0.3.0
 */
export type MultipartKind = 'form-data' | 'related' | 'mixed'

/**
 * The multipart kinds, in the order the docs list them.
 * @example
 * MULTIPART_KINDS.includes('mixed') // true
 * @category bodies
 * @since 0.3.0
 */
export const MULTIPART_KINDS: ReadonlyArray<MultipartKind> = ['form-data', 'related', 'mixed']

/**
 * One part of a multipart body: a form field (text), a form file (with its file name and media
 * type; skipped when empty and `ignoreEmpty`), or a related part (its media type and optional
 * Content-ID).
 * @example
 * const p: Part = { _tag: 'Field', name: 'title', value: 'Report' }
 * @category bodies
 * @since 0.3.0
 */
export type Part =
  /** a text field; its value is `Withheld` when a template did not save it (a secret-named field) */
  | { readonly _tag: 'Field'; readonly name: string; readonly value: string | Withheld }
  | {
      readonly _tag: 'File'
      readonly name: string
      readonly filename: string
      readonly source: Source
      readonly mime: string
      readonly ignoreEmpty: boolean
    }
  | { readonly _tag: 'Related'; readonly source: Source; readonly mime: string; readonly contentId: string | null }

/**
 * A multipart body in progress (`startMultipartBody`, then the `addMultipart*`/`addDataAsRelated`
 * steps). `rootType` is the `type` parameter of `multipart/related`.
 * @example
 * const b: MultipartBody = { _tag: 'Multipart', kind: 'form-data', rootType: null, parts: [] }
 * @category bodies
 * @since 0.3.0
 */
export interface MultipartBody {
  readonly _tag: 'Multipart'
  readonly kind: MultipartKind
  readonly rootType: string | null
  readonly parts: ReadonlyArray<Part>
}
