import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { pipe } from 'fp-ts/function'

import * as H from '../../src/index.js'
import { assertInvalid, assertOk, base, lastLine } from '../helpers.js'

const jsonValue = (r: H.Request): unknown => {
  assert.equal(r.error, null, r.error?.message)
  assert.equal(r.body._tag, 'Json')
  return r.body._tag === 'Json' ? r.body.value : undefined
}

const formFields = (r: H.Request): unknown => {
  assert.equal(r.error, null, r.error?.message)
  assert.equal(r.body._tag, 'Form')
  return r.body._tag === 'Form' ? r.body.fields : undefined
}

describe('initializeJsonBody / initializeFormBody', () => {
  test('initializeJsonBody() starts an empty object collection', () => {
    const before = base()
    const r = pipe(before, H.initializeJsonBody())
    assertOk(before, r, 'initializeJsonBody')
    assert.deepStrictEqual(r.body, { _tag: 'Json', value: {}, collection: true })
  })

  test("initializeJsonBody('array') starts an empty array", () => {
    assert.deepStrictEqual(pipe(base(), H.initializeJsonBody('array')).body, {
      _tag: 'Json',
      value: [],
      collection: true,
    })
  })

  test('initializeJsonBody discards an earlier body', () => {
    assert.deepStrictEqual(pipe(base(), H.setStringBody('x'), H.initializeJsonBody()).body, {
      _tag: 'Json',
      value: {},
      collection: true,
    })
    assert.deepStrictEqual(
      pipe(base(), H.initializeJsonBody(), H.insertBodyField('a', 1), H.initializeJsonBody()).body,
      { _tag: 'Json', value: {}, collection: true },
    )
  })

  test('an unknown root is InvalidInput', () => {
    for (const root of ['map', '', 'Object', null, 1]) {
      const before = base()
      assertInvalid(before, pipe(before, H.initializeJsonBody(root as never)), 'initializeJsonBody', /root/)
    }
  })

  test('initializeFormBody() starts an empty form collection', () => {
    const before = base()
    const r = pipe(before, H.initializeFormBody())
    assertOk(before, r, 'initializeFormBody')
    assert.deepStrictEqual(r.body, { _tag: 'Form', fields: [], collection: true })
  })
})

describe('insertBodyField', () => {
  test('before initializeJsonBody/initializeFormBody is InvalidInput', () => {
    for (const start of [
      base(),
      pipe(base(), H.setStringBody('x')),
      pipe(base(), H.setBinaryBody('x')),
      pipe(base(), H.setFormBody('a=1')),
    ]) {
      assertInvalid(start, pipe(start, H.insertBodyField('a', 1)), 'insertBodyField', /initializeJsonBody/)
    }
  })

  test('sets fields in order and replaces existing ones', () => {
    const before = pipe(base(), H.initializeJsonBody())
    const r = pipe(before, H.insertBodyField('a', 1), H.insertBodyField('b', 'two'), H.insertBodyField('a', [true]))
    assert.deepStrictEqual(jsonValue(r), { a: [true], b: 'two' })
    assert.deepStrictEqual(Object.keys(jsonValue(r) as object), ['a', 'b'])
    assert.match(lastLine(r), /^insertBodyField: a = \[true\]$/)
  })

  test('dotted paths create missing objects', () => {
    const r = pipe(base(), H.initializeJsonBody(), H.insertBodyField('a.b.c', 1))
    assert.deepStrictEqual(jsonValue(r), { a: { b: { c: 1 } } })
  })

  test('dotted paths navigate into existing objects', () => {
    const r = pipe(
      base(),
      H.initializeJsonBody(),
      H.insertBodyField('a.b.c', 1),
      H.insertBodyField('a.b.d', 2),
      H.insertBodyField('a.x', 3),
      H.insertBodyField('a.b.c', 'new'),
    )
    assert.deepStrictEqual(jsonValue(r), { a: { b: { c: 'new', d: 2 }, x: 3 } })
  })

  test('a key that exists as written is used literally', () => {
    const r = pipe(base(), H.setJsonBody({ 'a.b': 1 }), H.insertBodyField('a.b', 2))
    assert.deepStrictEqual(jsonValue(r), { 'a.b': 2 })
  })

  test('a path through a non-object is InvalidInput', () => {
    const before = pipe(base(), H.initializeJsonBody(), H.insertBodyField('a', 5), H.insertBodyField('l', [1]))
    assertInvalid(before, pipe(before, H.insertBodyField('a.b', 1)), 'insertBodyField', /a is not an object/)
    assertInvalid(before, pipe(before, H.insertBodyField('l.x', 1)), 'insertBodyField', /l is not an object/)
  })

  test('into a JSON array root is InvalidInput', () => {
    const before = pipe(base(), H.initializeJsonBody('array'))
    assertInvalid(before, pipe(before, H.insertBodyField('a', 1)), 'insertBodyField', /array/)
  })

  test('an empty or non-string key is InvalidInput', () => {
    for (const k of ['', 1, null]) {
      const before = pipe(base(), H.initializeJsonBody())
      assertInvalid(before, pipe(before, H.insertBodyField(k as never, 1)), 'insertBodyField', /key/)
    }
  })

  test('a non-JSON value is InvalidInput naming the key', () => {
    const before = pipe(base(), H.initializeJsonBody())
    assertInvalid(before, pipe(before, H.insertBodyField('x', NaN)), 'insertBodyField', /x: .*NaN/)
    assertInvalid(
      before,
      pipe(
        before,
        H.insertBodyField('x', () => 1),
      ),
      'insertBodyField',
      /x: .*function/,
    )
  })

  test('undefined value is null', () => {
    assert.deepStrictEqual(jsonValue(pipe(base(), H.initializeJsonBody(), H.insertBodyField('x', undefined))), {
      x: null,
    })
  })

  test('form collection: fields in order, replaced in place', () => {
    const r = pipe(
      base(),
      H.initializeFormBody(),
      H.insertBodyField('name', 'Ann'),
      H.insertBodyField('age', 30),
      H.insertBodyField('name', 'Bob'),
    )
    assert.deepStrictEqual(formFields(r), [
      ['name', 'Bob'],
      ['age', 30],
    ])
  })

  test('form collection: dotted keys build an object value', () => {
    const r = pipe(
      base(),
      H.initializeFormBody(),
      H.insertBodyField('user.name', 'Ann'),
      H.insertBodyField('user.id', 7),
    )
    assert.deepStrictEqual(formFields(r), [['user', { name: 'Ann', id: 7 }]])
  })

  test('the type argument converts the value', () => {
    const r = pipe(
      base(),
      H.initializeJsonBody(),
      H.insertBodyField('n', '42', 'number'),
      H.insertBodyField('since', new Date(Date.UTC(2024, 0, 2)), 'dateOnly'),
    )
    assert.deepStrictEqual(jsonValue(r), { n: 42, since: '2024-01-02' })
  })

  test('a failed conversion is InvalidInput naming the key; the body is unchanged', () => {
    const before = pipe(base(), H.initializeJsonBody(), H.insertBodyField('a', 1))
    const r = pipe(before, H.insertBodyField('n', 'abc', 'number'))
    assertInvalid(before, r, 'insertBodyField', /n: .*not a number/)
    assert.deepStrictEqual(r.body, before.body)
  })

  test('an unknown type is InvalidInput', () => {
    const before = pipe(base(), H.initializeJsonBody())
    assertInvalid(
      before,
      pipe(before, H.insertBodyField('n', '1', 'float' as never)),
      'insertBodyField',
      /unknown type/,
    )
  })
})

describe('addValue', () => {
  test("appends to the root array with key ''", () => {
    const before = pipe(base(), H.initializeJsonBody('array'))
    const r = pipe(before, H.addValue('', 1), H.addValue('', '2', 'number'), H.addValue('', { a: true }))
    assertOk(before, r, 'addValue')
    assert.deepStrictEqual(jsonValue(r), [1, 2, { a: true }])
    assert.match(lastLine(r), /^addValue: \[\] \+= \{"a":true\}$/)
  })

  test('a missing key becomes a new array; later values append', () => {
    const r = pipe(base(), H.initializeJsonBody(), H.addValue('list', 'a'), H.addValue('list', 'b'))
    assert.deepStrictEqual(jsonValue(r), { list: ['a', 'b'] })
    assert.match(lastLine(r), /^addValue: list\[\] \+= "b"$/)
  })

  test('appends to an existing array set by insertBodyField', () => {
    const r = pipe(base(), H.initializeJsonBody(), H.insertBodyField('l', [1]), H.addValue('l', 2))
    assert.deepStrictEqual(jsonValue(r), { l: [1, 2] })
  })

  test('dotted keys create the path', () => {
    const r = pipe(base(), H.initializeJsonBody(), H.addValue('a.b.list', 1), H.addValue('a.b.list', 2))
    assert.deepStrictEqual(jsonValue(r), { a: { b: { list: [1, 2] } } })
  })

  test('onto a non-array is InvalidInput', () => {
    const before = pipe(base(), H.initializeJsonBody(), H.insertBodyField('a', 1), H.insertBodyField('o', { x: 1 }))
    assertInvalid(before, pipe(before, H.addValue('a', 2)), 'addValue', /a is not an array/)
    assertInvalid(before, pipe(before, H.addValue('o', 2)), 'addValue', /o is not an array/)
  })

  test("key '' on an object root is InvalidInput", () => {
    const before = pipe(base(), H.initializeJsonBody())
    assertInvalid(before, pipe(before, H.addValue('', 1)), 'addValue', /root is not an array/)
  })

  test('before initializeJsonBody is InvalidInput', () => {
    const before = base()
    assertInvalid(before, pipe(before, H.addValue('list', 1)), 'addValue', /initializeJsonBody/)
    assertInvalid(before, pipe(before, H.addValue('', 1)), 'addValue', /initializeJsonBody/)
  })

  test('form collection: repeated values build an array field', () => {
    const r = pipe(
      base(),
      H.initializeFormBody(),
      H.insertBodyField('a', 1),
      H.addValue('tags', 'x'),
      H.addValue('tags', 'y'),
    )
    assert.deepStrictEqual(formFields(r), [
      ['a', 1],
      ['tags', ['x', 'y']],
    ])
  })

  test("form collection: key '' is InvalidInput", () => {
    const before = pipe(base(), H.initializeFormBody())
    assertInvalid(before, pipe(before, H.addValue('', 1)), 'addValue', /name/)
  })

  test('form collection: onto a scalar field is InvalidInput', () => {
    const before = pipe(base(), H.initializeFormBody(), H.insertBodyField('a', 'x'))
    assertInvalid(before, pipe(before, H.addValue('a', 'y')), 'addValue', /not an array/)
  })

  test('a non-string key, a non-JSON value, a bad conversion or type is InvalidInput', () => {
    const before = pipe(base(), H.initializeJsonBody('array'))
    assertInvalid(before, pipe(before, H.addValue(1 as never, 1)), 'addValue', /key/)
    assertInvalid(before, pipe(before, H.addValue('', Infinity)), 'addValue', /Infinity/)
    assertInvalid(before, pipe(before, H.addValue('', 'maybe', 'boolean')), 'addValue', /not a boolean/)
    assertInvalid(before, pipe(before, H.addValue('', 'x', 'bytes' as never)), 'addValue', /unknown type/)
  })
})

describe('secret-named body fields are masked in the log', () => {
  test('insertBodyField and addValue write *** for password, token, api_key, code; the body keeps the value', () => {
    const r = pipe(
      H.newRequest(),
      H.initialize('http://127.0.0.1:9/x'),
      H.initializeJsonBody(),
      H.insertBodyField('user.password', 'pw-in-body-1'),
      H.insertBodyField('api_key', 'key-in-body-2'),
      H.addValue('tokens', 'tok-in-body-3'),
      H.insertBodyField('name', 'Ann'),
    )
    const log = H.getLog(r, true)
    for (const s of ['pw-in-body-1', 'key-in-body-2', 'tok-in-body-3']) assert.ok(!log.includes(s), log)
    assert.match(log, /user\.password = \*\*\*/)
    assert.match(log, /name = "?Ann"?/)
    assert.deepEqual(r.body, {
      _tag: 'Json',
      value: { user: { password: 'pw-in-body-1' }, api_key: 'key-in-body-2', tokens: ['tok-in-body-3'], name: 'Ann' },
      collection: true,
    })
  })
})
