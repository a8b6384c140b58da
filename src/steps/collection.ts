/**
 * JSON and form bodies built field by field.
 * @module
 */
import { SECRET } from '../model/log.js'
import { isSecretParam } from '../encoding/redact.js'
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import { isJsonObject, parseJson, quote, toJson } from '../encoding/json.js'
import type { Json, Pairs, Request, Step } from '../model/request.js'
import { change, invalid, makeStep } from './step.js'
import { convertValue, type FieldType } from './convert.js'

/**
 * Starts an empty JSON body collection, an object (default) or an array.
 * @example
 * pipe(req, initializeJsonBody(), insertBodyField('a', 1))
 * @category bodies
 * @since 0.1.0
 */
export const initializeJsonBody = (root: 'object' | 'array' = 'object'): Step =>
  makeStep('initializeJsonBody', () =>
    root !== 'object' && root !== 'array'
      ? invalid(`root must be 'object' or 'array', got ${quote(root)}`)
      : change(
          { body: { _tag: 'Json', value: root === 'object' ? {} : [], collection: true } },
          `empty JSON ${root} started`,
        ),
  )

/**
 * Starts an empty form body collection. Like `setFormBody`, turns `useBodyFieldsAtOAuth` on.
 * @example
 * pipe(req, initializeFormBody(), insertBodyField('name', 'Ann'))
 * @category bodies
 * @since 0.1.0
 */
export const initializeFormBody = (): Step =>
  makeStep('initializeFormBody', (req) =>
    change(
      { body: { _tag: 'Form', fields: [], collection: true }, settings: { ...req.settings, bodyFieldsAtOAuth: true } },
      'empty form started',
    ),
  )

type Update = (current: Json | undefined) => E.Either<string, Json>

/** Applies `update` at a dotted path inside an object, creating missing objects on the way. */
const updateAt = (
  obj: { readonly [k: string]: Json },
  path: ReadonlyArray<string>,
  update: Update,
  seen: string,
): E.Either<string, Json> => {
  const [head, ...rest] = path
  if (head === undefined) return E.left('empty key')
  const here = seen === '' ? head : `${seen}.${head}`
  const current = Object.prototype.hasOwnProperty.call(obj, head) ? obj[head] : undefined
  if (rest.length === 0) return E.map((v: Json) => ({ ...obj, [head]: v }))(update(current))
  if (current !== undefined && !isJsonObject(current)) return E.left(`${here} is not an object`)
  return E.map((v: Json) => ({ ...obj, [head]: v }))(updateAt(current ?? {}, rest, update, here))
}

const splitKey = (obj: { readonly [k: string]: Json }, key: string): ReadonlyArray<string> =>
  Object.prototype.hasOwnProperty.call(obj, key) ? [key] : key.split('.')

/** JSON text read into a value, for a step that adds a field to a body given as text. */
const jsonValueOf = (text: string): E.Either<string, Json> =>
  pipe(
    parseJson(text),
    E.flatMap(toJson),
    E.mapLeft((why) => `the JSON body text cannot take a field: ${why}`),
  )

/** Applies `update` at `key` of the JSON or form body (JSON text is read into a value first). */
const updateBody = (req: Request, step: string, key: string, update: Update): E.Either<string, Request['body']> => {
  const text = req.body._tag === 'JsonText' ? jsonValueOf(req.body.text) : null
  if (text !== null && E.isLeft(text)) return text
  const body: Request['body'] = text === null ? req.body : { _tag: 'Json', value: text.right, collection: false }
  if (body._tag === 'Json') {
    if (key === '') return E.map((value: Json) => ({ ...body, value }))(update(body.value))
    if (!isJsonObject(body.value)) return E.left("the JSON body is an array: use addValue with key ''")
    return E.map((value: Json) => ({ ...body, value }))(updateAt(body.value, splitKey(body.value, key), update, ''))
  }
  if (body._tag === 'Form') {
    if (key === '') return E.left('a form field needs a name')
    const asObject = Object.fromEntries(body.fields)
    const path = splitKey(asObject, key)
    const name = path[0] ?? key
    const i = body.fields.findIndex(([k]) => k === name)
    const updated = updateAt(asObject, path, update, '')
    return E.map((o: Json) => {
      const v = (o as { readonly [k: string]: Json })[name] ?? null
      const fields: Pairs =
        i === -1 ? [...body.fields, [name, v]] : body.fields.map((f, j) => (j === i ? [name, v] : f))
      return { ...body, fields }
    })(updated)
  }
  return E.left(`no JSON or form body to add to: call initializeJsonBody() or initializeFormBody() before ${step}`)
}

/** A field's value as the log shows it: `***` when its name (its last dotted part) looks like a secret. */
const shown = (key: string, v: Json): string => (isSecretParam(key.split('.').pop() ?? key) ? SECRET : show(v))

const show = (v: Json): string => {
  const s = JSON.stringify(v)
  return s.length > 80 ? `${s.slice(0, 77)}...` : s
}

/**
 * Sets `key` in the JSON or form body collection; dots are paths into objects (`a.b.c`,
 * missing objects are created; a key that exists as written is used literally). `type`
 * converts the value (its type lists the conversions: `'date'`, `'json'`, `'base64'`, …);
 * without one the value is read as `setJsonBody` reads it (`toJSON` honoured; a `Map`, `Set` or
 * class instance is `InvalidInput`). A body set from JSON text is read into a value first.
 * @example
 * pipe(req, initializeJsonBody(), insertBodyField('user.name', 'Ann'), insertBodyField('since', new Date(), 'dateOnly'))
 * @category bodies
 * @since 0.1.0
 */
export const insertBodyField = (key: string, value: unknown, type?: FieldType): Step =>
  makeStep('insertBodyField', (req) => {
    if (typeof key !== 'string' || key === '') return invalid('key must be a non-empty string')
    const v = convertValue(value, type)
    if (E.isLeft(v)) return invalid(`${key}: ${v.left}`)
    return pipe(
      updateBody(req, 'insertBodyField', key, () => E.right(v.right)),
      E.flatMap((body: Request['body']) => change({ body }, `${key} = ${shown(key, v.right)}`)),
    )
  })

/**
 * Appends a value to the array at `key` (`''` is the root array of a JSON body); a missing
 * key becomes a new array. `type` converts the value.
 * @example
 * pipe(req, initializeJsonBody('array'), addValue('', 1), addValue('', '2', 'number'))
 * @category bodies
 * @since 0.1.0
 */
export const addValue = (key: string, value: unknown, type?: FieldType): Step =>
  makeStep('addValue', (req) => {
    if (typeof key !== 'string') return invalid('key must be a string')
    const v = convertValue(value, type)
    if (E.isLeft(v)) return invalid(`${key}: ${v.left}`)
    const append: Update = (current) =>
      current === undefined
        ? E.right([v.right])
        : Array.isArray(current)
          ? E.right([...(current as ReadonlyArray<Json>), v.right])
          : E.left(`${key === '' ? 'the root' : key} is not an array`)
    return pipe(
      updateBody(req, 'addValue', key, append),
      E.flatMap((body: Request['body']) =>
        change({ body }, `${key === '' ? '[]' : `${key}[]`} += ${shown(key, v.right)}`),
      ),
    )
  })
