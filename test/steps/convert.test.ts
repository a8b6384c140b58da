/**
 * The `type` conversions of body fields, through the public steps (insertBodyField, addValue).
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { pipe } from 'fp-ts/function'

import * as H from '../../src/index.js'
import type { FieldType } from '../../src/steps/convert.js'
import { assertInvalid, base } from '../helpers.js'

const collection = (): H.Request => pipe(base(), H.initializeJsonBody())

/** The converted value stored by insertBodyField('x', value, type). */
const conv = (value: unknown, type?: FieldType): unknown => {
  const r = pipe(collection(), H.insertBodyField('x', value, type))
  assert.equal(r.error, null, r.error?.message)
  return r.body._tag === 'Json' ? (r.body.value as { readonly x?: unknown }).x : undefined
}

/** Asserts the conversion fails (through insertBodyField and addValue) with this reason. */
const fails = (value: unknown, type: string, reason: RegExp): void => {
  const before = collection()
  assertInvalid(before, pipe(before, H.insertBodyField('x', value, type as FieldType)), 'insertBodyField', reason)
  const arr = pipe(base(), H.initializeJsonBody('array'))
  assertInvalid(arr, pipe(arr, H.addValue('', value, type as FieldType)), 'addValue', reason)
}

const T = new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 678))

describe('no type', () => {
  test('JSON data as is; Date as ISO text; bytes as base64', () => {
    assert.deepStrictEqual(conv({ a: [1, 'b'] }), { a: [1, 'b'] })
    assert.equal(conv(T), '2024-01-02T03:04:05.678Z')
    assert.equal(conv(new Uint8Array([1, 2, 3])), 'AQID')
    assert.equal(conv(undefined), null)
  })
})

describe("'string'", () => {
  test('scalars and objects become text', () => {
    assert.equal(conv('x', 'string'), 'x')
    assert.equal(conv(42, 'string'), '42')
    assert.equal(conv(true, 'string'), 'true')
    assert.equal(conv(null, 'string'), '')
    assert.equal(conv({ a: 1 }, 'string'), '{"a":1}')
    assert.equal(conv([1, 'a'], 'string'), '[1,"a"]')
    assert.equal(conv(T, 'string'), '2024-01-02T03:04:05.678Z')
  })

  test('non-JSON values fail', () => {
    fails(NaN, 'string', /NaN/)
    fails(() => 1, 'string', /function/)
  })
})

describe("'number'", () => {
  test('numbers, numeric text, booleans', () => {
    assert.equal(conv('42', 'number'), 42)
    assert.equal(conv(' 3.5 ', 'number'), 3.5)
    assert.equal(conv('-1e3', 'number'), -1000)
    assert.equal(conv(7, 'number'), 7)
    assert.equal(conv(true, 'number'), 1)
    assert.equal(conv(false, 'number'), 0)
  })

  test('anything else fails', () => {
    for (const v of ['abc', '', '   ', NaN, Infinity, null, undefined, {}, '1,5']) fails(v, 'number', /not a number/)
  })
})

describe("'boolean'", () => {
  test('booleans and their usual spellings', () => {
    for (const v of [true, 'true', 'TRUE', ' yes ', 'on', '1', 1]) assert.equal(conv(v, 'boolean'), true, String(v))
    for (const v of [false, 'false', 'No', 'off', '0', 0]) assert.equal(conv(v, 'boolean'), false, String(v))
  })

  test('anything else fails', () => {
    for (const v of ['maybe', '', 2, null, undefined, 'truthy']) fails(v, 'boolean', /not a boolean/)
  })
})

describe("'json'", () => {
  test('text is parsed, values are kept', () => {
    assert.deepStrictEqual(conv('{"a":[1,null]}', 'json'), { a: [1, null] })
    assert.equal(conv('"s"', 'json'), 's')
    assert.deepStrictEqual(conv({ a: 1 }, 'json'), { a: 1 })
    assert.equal(conv(5, 'json'), 5)
  })

  test('invalid text fails', () => {
    for (const v of ['{a:1}', '', '[1', 'nope']) fails(v, 'json', /invalid JSON/)
  })
})

describe('dates', () => {
  test("'date' is Unix seconds (floored)", () => {
    assert.equal(conv(T, 'date'), Math.floor(T.getTime() / 1000))
    assert.equal(conv('2024-01-02T03:04:05Z', 'date'), 1704164645)
    assert.equal(conv(1_700_000_000_999, 'date'), 1_700_000_000)
    assert.equal(conv(new Date(0), 'date'), 0)
  })

  test("'dateIso' is YYYY-MM-DDTHH:MM:SS in UTC", () => {
    assert.equal(conv(T, 'dateIso'), '2024-01-02T03:04:05')
    assert.equal(conv('2024-01-02T05:04:05+02:00', 'dateIso'), '2024-01-02T03:04:05')
  })

  test("'dateIsoZ' adds Z", () => {
    assert.equal(conv(T, 'dateIsoZ'), '2024-01-02T03:04:05Z')
  })

  test("'dateOnly' is YYYY-MM-DD", () => {
    assert.equal(conv(T, 'dateOnly'), '2024-01-02')
    assert.equal(conv(0, 'dateOnly'), '1970-01-01')
  })

  test('values that are not dates fail, for every date type', () => {
    for (const type of ['date', 'dateIso', 'dateIsoZ', 'dateOnly'])
      for (const v of ['not a date', new Date(NaN), true, null, {}, undefined]) fails(v, type, /not a date/)
  })
})

describe("'base64'", () => {
  test('bytes and UTF-8 text', () => {
    assert.equal(conv(new Uint8Array([1, 2, 3]), 'base64'), 'AQID')
    assert.equal(conv(new Uint8Array([0, 1, 2, 3, 0]).subarray(1, 4), 'base64'), 'AQID')
    assert.equal(conv('hello', 'base64'), 'aGVsbG8=')
    assert.equal(conv('é', 'base64'), 'w6k=')
    assert.equal(conv('', 'base64'), '')
  })

  test('anything else fails', () => {
    for (const v of [42, null, { a: 1 }, [1]]) fails(v, 'base64', /base64/)
  })
})

describe('unknown type', () => {
  test('fails naming the type and listing the known ones', () => {
    for (const t of ['float', 'String', '', 'bytes'])
      fails('1', t, /unknown type.*string, number, boolean, json, date, dateIso, dateIsoZ, dateOnly, base64/)
  })
})

// Was a bug (fixed): the error messages of the number/boolean/date conversions call String(value),
// which throws for an object without a prototype (e.g. what querystring.parse returns), so the
// TypeError escapes from insertBodyField/addValue instead of being recorded.
describe('null-prototype objects', () => {
  for (const [type, reason] of [
    ['number', /not a number/],
    ['boolean', /not a boolean/],
    ['date', /not a date/],
    ['dateIso', /not a date/],
  ] as const) {
    test(`'${type}' fails cleanly (no exception)`, () => {
      const v: unknown = Object.assign(Object.create(null) as object, { a: '1' })
      assert.doesNotThrow(() => H.insertBodyField('x', v, type)(collection()))
      fails(v, type, reason)
    })
  }

  test("'string' and no type accept them as JSON objects", () => {
    const v: unknown = Object.assign(Object.create(null) as object, { a: '1' })
    assert.equal(conv(v, 'string'), '{"a":"1"}')
    assert.deepStrictEqual(conv(v), { a: '1' })
  })
})
