/**
 * Whole-body steps: binary, string, JSON and form bodies. Bytes are encoded only when the
 * request runs; the Content-Type follows the body unless `setDataType` fixed it.
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import { parseJson, toJson } from '../encoding/json.js'
import type { Body, Json, Pairs, Source, Step } from '../model/request.js'
import { isEmptySource, toSource, type BodyData } from '../model/source.js'
import { change, invalid, makeStep, note } from './step.js'
import { toPairs, type ParamsInput } from './params.js'

const describeSource = (b: Body): string => {
  if (b._tag !== 'Binary') return ''
  const s = b.source
  return s._tag === 'File'
    ? `file ${s.path}`
    : s._tag === 'Url'
      ? `downloaded from ${s.url}`
      : s._tag === 'Text'
        ? `text, ${s.text.length} chars`
        : `${Buffer.byteLength(s.base64, 'base64')} bytes`
}

/** A JSON value's shape for the log, without serialising it (bodies can be large). */
const describeJson = (v: Json): string =>
  Array.isArray(v)
    ? `JSON array of ${v.length} items`
    : typeof v === 'object' && v !== null
      ? `JSON object with ${Object.keys(v).length} keys`
      : `JSON ${v === null ? 'null' : typeof v}`

/**
 * An `application/octet-stream` body from bytes, text, or `fromFile`/`fromUrl`/`fromBase64`.
 * Empty data is skipped unless `setIfEmpty`.
 * @example
 * pipe(req, setBinaryBody(new Uint8Array([1, 2, 3])))
 * pipe(req, setBinaryBody(fromFile('./video.mp4')))
 * @category bodies
 * @since 0.1.0
 */
export const setBinaryBody = (data: BodyData, setIfEmpty = false): Step =>
  makeStep('setBinaryBody', () =>
    pipe(
      toSource(data),
      E.flatMap((source: Source) => {
        if (isEmptySource(source) && !setIfEmpty) return note('no data - skipped')
        const body: Body = { _tag: 'Binary', source }
        return change({ body }, `body set, ${describeSource(body)}`)
      }),
    ),
  )

/**
 * A `text/plain; charset=<encoding>` body; with `writeBom` a byte order mark is written first.
 * Empty text is skipped.
 * @example
 * pipe(req, setStringBody('Hello'))
 * @category bodies
 * @since 0.1.0
 */
export const setStringBody = (text: string, writeBom = false): Step =>
  makeStep('setStringBody', () =>
    typeof text !== 'string'
      ? invalid(`text must be a string, got ${typeof text}`)
      : text === ''
        ? note('no data - skipped')
        : change(
            { body: { _tag: 'String', text, bom: writeBom === true } },
            `body set, ${text.length} chars${writeBom ? ', with BOM' : ''}`,
          ),
  )

/**
 * An `application/json; charset=<encoding>` body, sent as compact JSON. Takes a value, or JSON
 * text (parsed: invalid text is `InvalidInput`). An empty string is skipped.
 * @example
 * pipe(req, setJsonBody({ field1: 10, field2: 'Text' }))
 * pipe(req, setJsonBody('{"field1":10}'))
 * @category bodies
 * @since 0.1.0
 */
export const setJsonBody = (data: unknown): Step =>
  makeStep('setJsonBody', () => {
    if (data === '') return note('no data - skipped')
    const value = typeof data === 'string' ? parseJson(data) : toJson(data === undefined ? null : data)
    return pipe(
      value,
      E.flatMap((v: Json) =>
        change({ body: { _tag: 'Json', value: v, collection: false } }, `body set, ${describeJson(v)}`),
      ),
    )
  })

/**
 * An `application/x-www-form-urlencoded; charset=<encoding>` body: a record or pairs rendered
 * like URL params, or a string sent as is. Turns `useBodyFieldsAtOAuth` on.
 * @example
 * pipe(req, setFormBody({ name: 'Ann', tags: ['a', 'b'] }))
 * @category bodies
 * @since 0.1.0
 */
export const setFormBody = (data: ParamsInput | string): Step =>
  makeStep('setFormBody', (req) => {
    const settings = { ...req.settings, bodyFieldsAtOAuth: true }
    if (data === '') return note('no data - skipped')
    if (typeof data === 'string')
      return change({ body: { _tag: 'FormText', text: data }, settings }, `body set, ${data.length} chars of form text`)
    return pipe(
      toPairs(data),
      E.flatMap((fields: Pairs) =>
        change(
          { body: { _tag: 'Form', fields, collection: false }, settings },
          `body set, ${fields.length} form fields`,
        ),
      ),
    )
  })
