/**
 * Whole-body steps: binary, string, JSON and form bodies. Bytes are encoded only when the
 * request runs; the Content-Type follows the body unless `setDataType` fixed it.
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import type * as t from 'io-ts'
import { pipe } from 'fp-ts/lib/function.js'
import { deepFreeze, jsonData, jsonTextBody, keepJsonText, parseJson } from '../encoding/json.js'
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
            `body set, ${text.length} chars${writeBom ? ', with a BOM where the encoding has one' : ''}`,
          ),
  )

/** `T`, not inferred from where it is used (so a codec, not the data, decides `A`). */
type NoInfer<T> = [T][T extends unknown ? 0 : never]

/**
 * An `application/json; charset=<encoding>` body. Takes a value, sent as compact JSON (read as
 * `JSON.stringify` reads it: `toJSON` honoured; a `Map`, a `Set` or a class instance without
 * `toJSON`, a value nested deeper than 256 levels, or one whose getter or Proxy throws is
 * `InvalidInput`), or JSON text: checked (invalid text is `InvalidInput`) and then sent exactly as
 * written, in the request's encoding (no digit of a big number, duplicate key or space lost). An
 * empty string is skipped.
 *
 * With an io-ts codec (any `Encoder<A, O>`: `t.type`, `DateFromISOString`, a branded type…) the
 * data is typed `A` and `codec.encode(data)` is what is serialized (a string it gives is a JSON
 * string, not JSON text); an encoder that throws is `InvalidInput`.
 * @example
 * pipe(req, setJsonBody({ field1: 10, field2: 'Text' }))
 * pipe(req, setJsonBody('{"id":12345678901234567890}')) // sent as written
 * const DateFromISO = new t.Type<Date, string>('DateFromISO', (u): u is Date => u instanceof Date, (u, c) => t.failure(u, c), (d) => d.toISOString())
 * const NewUser = t.type({ name: t.string, born: DateFromISO })
 * pipe(req, setJsonBody({ name: 'Ann', born: new Date(0) }, NewUser)).body // { _tag: 'Json', value: { name: 'Ann', born: '1970-01-01T00:00:00.000Z' }, collection: false }
 * @category bodies
 * @since 0.1.0
 */
export function setJsonBody(data: unknown): Step
export function setJsonBody<A, O>(data: NoInfer<A>, codec: t.Encoder<A, O>): Step
export function setJsonBody(data: unknown, codec?: t.Encoder<unknown, unknown>): Step {
  if (codec !== undefined) return setEncodedJson(data, codec)
  return makeStep('setJsonBody', () => {
    if (data === '') return note('no data - skipped')
    if (typeof data === 'string')
      return pipe(
        parseJson(data),
        E.flatMap(() =>
          change({ body: { _tag: 'JsonText', text: data } }, `body set, JSON text of ${data.length} chars`),
        ),
      )
    return jsonValue(data)
  })
}

/**
 * The body of a value, serialized once (the text kept for when it is sent). A value that is JSON
 * as it stands is checked without a copy, and held as its text (copied from it when read).
 */
const jsonValue = (data: unknown) =>
  pipe(
    jsonData(data === undefined ? null : data),
    E.flatMap(({ value, text, shared }) =>
      change(
        {
          body: shared
            ? jsonTextBody(text)
            : keepJsonText<Body>({ _tag: 'Json', value: deepFreeze(value), collection: false }, text),
        },
        `body set, ${describeJson(value)}`,
      ),
    ),
  )

const setEncodedJson = (data: unknown, codec: t.Encoder<unknown, unknown>): Step =>
  makeStep('setJsonBody', () => {
    if (typeof (codec as { encode?: unknown } | null)?.encode !== 'function')
      return invalid('the codec has no encode function')
    let encoded: unknown
    try {
      encoded = codec.encode(data)
    } catch (e) {
      return invalid(`the codec's encode threw: ${e instanceof Error ? e.message : String(e)}`)
    }
    return jsonValue(encoded)
  })

/**
 * An `application/x-www-form-urlencoded; charset=<encoding>` body: a record, `[name, value]`
 * pairs, a `URLSearchParams`, a `FormData` of text fields or a `Map` (in their order, repeated
 * names kept), rendered like URL params (arrays too: `k=[a,b]`, or `k=a&k=b` / `k[]=a&k[]=b`
 * with `splitArraysInUrl`), or a string sent as is. A file in a `FormData` is `InvalidInput`
 * naming the field (files go in a multipart body). Turns `useBodyFieldsAtOAuth` on.
 * @example
 * pipe(req, setFormBody({ name: 'Ann', tags: ['a', 'b'] }))
 * pipe(req, setFormBody(new URLSearchParams('a=1&a=2')))
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
