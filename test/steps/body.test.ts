import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { pipe } from 'fp-ts/function'
import * as t from 'io-ts'

import * as H from '../../src/index.js'
import { assertInvalid, assertOk, base, lastLine } from '../helpers.js'

describe('setBinaryBody', () => {
  test('bytes are kept as base64', () => {
    const before = base()
    const r = pipe(before, H.setBinaryBody(new Uint8Array([1, 2, 3, 255])))
    assertOk(before, r, 'setBinaryBody')
    assert.deepStrictEqual(r.body, { _tag: 'Binary', source: { _tag: 'Bytes', base64: 'AQID/w==' } })
    assert.match(lastLine(r), /4 bytes/)
  })

  test('a view into a larger buffer takes only its own bytes', () => {
    const big = new Uint8Array([9, 9, 1, 2, 3, 9])
    const r = pipe(base(), H.setBinaryBody(big.subarray(2, 5)))
    assert.deepStrictEqual(r.body, { _tag: 'Binary', source: { _tag: 'Bytes', base64: 'AQID' } })
  })

  test('a Buffer is bytes too', () => {
    const r = pipe(base(), H.setBinaryBody(Buffer.from('hello')))
    assert.deepStrictEqual(r.body, { _tag: 'Binary', source: { _tag: 'Bytes', base64: 'aGVsbG8=' } })
  })

  test('a string is its text, never a path or URL', () => {
    for (const s of ['hello', './package.json', 'http://127.0.0.1/x', '/etc/passwd']) {
      const r = pipe(base(), H.setBinaryBody(s))
      assert.deepStrictEqual(r.body, { _tag: 'Binary', source: { _tag: 'Text', text: s } })
    }
  })

  test('explicit sources: fromFile, fromUrl, fromBase64 (white space removed)', () => {
    assert.deepStrictEqual(pipe(base(), H.setBinaryBody(H.fromFile('./photo.jpg'))).body, {
      _tag: 'Binary',
      source: { _tag: 'File', path: './photo.jpg' },
    })
    assert.match(lastLine(pipe(base(), H.setBinaryBody(H.fromFile('./photo.jpg')))), /file \.\/photo\.jpg/)
    assert.deepStrictEqual(pipe(base(), H.setBinaryBody(H.fromUrl('http://127.0.0.1:8080/bytes/10'))).body, {
      _tag: 'Binary',
      source: { _tag: 'Url', url: 'http://127.0.0.1:8080/bytes/10' },
    })
    assert.deepStrictEqual(pipe(base(), H.setBinaryBody(H.fromBase64('aGVs\nbG8='))).body, {
      _tag: 'Binary',
      source: { _tag: 'Bytes', base64: 'aGVsbG8=' },
    })
    assert.deepStrictEqual(pipe(base(), H.setBinaryBody(H.fromBase64('aGVsbG8'))).body, {
      _tag: 'Binary',
      source: { _tag: 'Bytes', base64: 'aGVsbG8' },
    })
  })

  test('empty data is logged and skipped, unless setIfEmpty', () => {
    for (const d of [new Uint8Array(0), '', H.fromBase64('')]) {
      const before = pipe(base(), H.setStringBody('old'))
      const r = pipe(before, H.setBinaryBody(d))
      assert.equal(r.error, null)
      assert.deepStrictEqual(r.body, before.body)
      assert.equal(r.log.length, before.log.length + 1)
      assert.match(lastLine(r), /^setBinaryBody: .*skipped/)
      const forced = pipe(before, H.setBinaryBody(d, true))
      assert.equal(forced.body._tag, 'Binary')
    }
  })

  test('replaces any earlier body', () => {
    const r = pipe(base(), H.setJsonBody({ a: 1 }), H.setBinaryBody('x'))
    assert.equal(r.body._tag, 'Binary')
  })

  test('bad base64 via fromBase64 is InvalidInput', () => {
    for (const b64 of ['not base64!', 'a', 'ab=c', '====', 'aGVsbG8===']) {
      const before = base()
      assertInvalid(before, pipe(before, H.setBinaryBody(H.fromBase64(b64))), 'setBinaryBody', /base64/)
    }
  })

  test('fromUrl with a non-http URL is InvalidInput', () => {
    for (const u of ['ftp://127.0.0.1/x', 'not a url', 'file:///etc/passwd', '']) {
      const before = base()
      assertInvalid(before, pipe(before, H.setBinaryBody(H.fromUrl(u))), 'setBinaryBody', /fromUrl/)
    }
  })

  test('fromFile with an empty path and other shapes are InvalidInput', () => {
    for (const d of [
      H.fromFile(''),
      42,
      null,
      undefined,
      { _tag: 'Weird' },
      { _tag: 'File' },
      [1, 2, 3],
      { _tag: 'Bytes', base64: 1 },
    ]) {
      const before = base()
      assertInvalid(before, pipe(before, H.setBinaryBody(d as never)), 'setBinaryBody')
    }
  })
})

describe('setStringBody', () => {
  test('sets text without BOM', () => {
    const before = base()
    const r = pipe(before, H.setStringBody('Hello, мир'))
    assertOk(before, r, 'setStringBody')
    assert.deepStrictEqual(r.body, { _tag: 'String', text: 'Hello, мир', bom: false })
  })

  test('writeBom is recorded and logged', () => {
    const r = pipe(base(), H.setStringBody('x', true))
    assert.deepStrictEqual(r.body, { _tag: 'String', text: 'x', bom: true })
    assert.match(lastLine(r), /BOM/)
  })

  test('empty text is logged and skipped', () => {
    const before = pipe(base(), H.setJsonBody({ a: 1 }))
    const r = pipe(before, H.setStringBody(''))
    assert.equal(r.error, null)
    assert.deepStrictEqual(r.body, before.body)
    assert.match(lastLine(r), /^setStringBody: .*skipped/)
  })

  test('non-string text is InvalidInput', () => {
    for (const t of [42, null, undefined, new Uint8Array([1]), { text: 'x' }]) {
      const before = base()
      assertInvalid(before, pipe(before, H.setStringBody(t as never)), 'setStringBody', /string/)
    }
  })
})

describe('setJsonBody', () => {
  test('a value', () => {
    const before = base()
    const r = pipe(before, H.setJsonBody({ field1: 10, field2: 'Text', list: [1, null, true], nested: { a: {} } }))
    assertOk(before, r, 'setJsonBody')
    assert.deepStrictEqual(r.body, {
      _tag: 'Json',
      value: { field1: 10, field2: 'Text', list: [1, null, true], nested: { a: {} } },
      collection: false,
    })
  })

  test('JSON text is checked and kept as written', () => {
    for (const text of ['{"field1":10,"a":[1,2]}', '"just text"', ' 42 '])
      assert.deepStrictEqual(pipe(base(), H.setJsonBody(text)).body, { _tag: 'JsonText', text })
  })

  test('scalars and arrays are values too', () => {
    for (const v of [0, false, null, [1, 'a'], true])
      assert.deepStrictEqual(pipe(base(), H.setJsonBody(v)).body, { _tag: 'Json', value: v, collection: false })
  })

  test('Date, bytes and undefined are converted as JSON.stringify would', () => {
    const r = pipe(
      base(),
      H.setJsonBody({ d: new Date(0), b: new Uint8Array([1, 2, 3]), u: undefined, arr: [undefined, 1] }),
    )
    assert.deepStrictEqual(r.body, {
      _tag: 'Json',
      value: { d: '1970-01-01T00:00:00.000Z', b: 'AQID', arr: [null, 1] },
      collection: false,
    })
  })

  test('empty string is logged and skipped', () => {
    const before = pipe(base(), H.setStringBody('keep'))
    const r = pipe(before, H.setJsonBody(''))
    assert.equal(r.error, null)
    assert.deepStrictEqual(r.body, before.body)
    assert.match(lastLine(r), /^setJsonBody: .*skipped/)
  })

  describe('with a codec', () => {
    /** A Date sent as ISO text, as io-ts-types' DateFromISOString does. */
    const DateFromISO = new t.Type<Date, string, unknown>(
      'DateFromISO',
      (u): u is Date => u instanceof Date,
      (u, c) => (typeof u === 'string' && !Number.isNaN(Date.parse(u)) ? t.success(new Date(u)) : t.failure(u, c)),
      (d) => d.toISOString(),
    )
    const NewUser = t.type({ name: t.string, born: DateFromISO })

    test('codec.encode(data) is what is serialized', () => {
      const r = pipe(base(), H.setJsonBody({ name: 'Ann', born: new Date(Date.UTC(1990, 0, 2)) }, NewUser))
      assert.equal(r.error, null)
      assert.deepStrictEqual(r.body, {
        _tag: 'Json',
        value: { name: 'Ann', born: '1990-01-02T00:00:00.000Z' },
        collection: false,
      })
    })

    test('a string the codec gives is a JSON string, never JSON text', () => {
      for (const text of ['{"a":1}', '', '12']) {
        const r = pipe(base(), H.setJsonBody(text, t.string))
        assert.deepStrictEqual(r.body, { _tag: 'Json', value: text, collection: false })
      }
    })

    test('an encoder that throws, or a codec without encode, is InvalidInput', () => {
      const throws: t.Encoder<number, number> = {
        encode: () => {
          throw new Error('cannot encode 3')
        },
      }
      const before = base()
      assertInvalid(before, pipe(before, H.setJsonBody(3, throws)), 'setJsonBody', /encode threw: cannot encode 3/)
      for (const codec of [{}, null, { encode: 'x' }])
        assertInvalid(
          before,
          pipe(before, H.setJsonBody(3, codec as unknown as t.Encoder<number, number>)),
          'setJsonBody',
          /no encode function/,
        )
      const cyclic: Record<string, unknown> = {}
      cyclic.self = cyclic
      const toCycle: t.Encoder<number, unknown> = { encode: () => cyclic }
      assertInvalid(before, pipe(before, H.setJsonBody(1, toCycle)), 'setJsonBody')
    })
  })

  test('does not keep a reference to the caller object', () => {
    const data = { a: [1] }
    const r = pipe(base(), H.setJsonBody(data))
    data.a.push(2)
    assert.deepStrictEqual(r.body, { _tag: 'Json', value: { a: [1] }, collection: false })
  })

  test('invalid JSON text is InvalidInput', () => {
    for (const t of ['{oops', '{"a":1', "{'a':1}", 'undefined', 'NaN', '[1,]']) {
      const before = base()
      assertInvalid(before, pipe(before, H.setJsonBody(t)), 'setJsonBody', /invalid JSON/)
    }
  })

  test('values that are not JSON are InvalidInput naming the path', () => {
    const circular: Record<string, unknown> = { a: 1 }
    circular['me'] = circular
    for (const [v, reason] of [
      [NaN, /NaN/],
      [{ a: { b: [1, Infinity] } }, /a\.b\[1\].*Infinity/],
      [circular, /me: circular/],
      [() => 1, /function/],
      [{ n: 1n }, /n: .*bigint/],
      [{ s: Symbol('x') }, /s: .*symbol/],
      [new Date(NaN), /invalid Date/],
    ] as const) {
      const before = base()
      assertInvalid(before, pipe(before, H.setJsonBody(v)), 'setJsonBody', reason)
    }
  })

  // Was a bug (fixed): toJson assigns keys with `out[k] = …`, so an own "__proto__" key (as
  // JSON.parse produces) sets the prototype of the copy instead of being kept: the field is
  // silently dropped from the body (and the copy inherits its properties).
  test('an own "__proto__" key of a value is kept as data', () => {
    const value = JSON.parse('{"__proto__":{"x":1},"a":1}') as unknown
    const r = pipe(base(), H.setJsonBody(value))
    assert.equal(r.body._tag, 'Json')
    const v = r.body._tag === 'Json' ? r.body.value : null
    assert.equal(JSON.stringify(v), '{"__proto__":{"x":1},"a":1}')
    assert.equal(Object.getPrototypeOf(v), Object.prototype)
  })

  test('an own "__proto__" key in JSON text is kept as data, also once a field is added', () => {
    const r = pipe(base(), H.setJsonBody('{"__proto__":{"x":1},"a":1}'))
    assert.deepStrictEqual(r.body, { _tag: 'JsonText', text: '{"__proto__":{"x":1},"a":1}' })
    const added = pipe(r, H.insertBodyField('b', 2))
    const v = added.body._tag === 'Json' ? added.body.value : null
    assert.equal(JSON.stringify(v), '{"__proto__":{"x":1},"a":1,"b":2}')
  })
})

describe('setFormBody', () => {
  test('a record becomes form fields and turns bodyFieldsAtOAuth on', () => {
    const before = base()
    assert.equal(before.settings.bodyFieldsAtOAuth, false)
    const r = pipe(before, H.setFormBody({ name: 'Ann', tags: ['a', 'b'], n: 1 }))
    assertOk(before, r, 'setFormBody')
    assert.deepStrictEqual(r.body, {
      _tag: 'Form',
      fields: [
        ['name', 'Ann'],
        ['tags', ['a', 'b']],
        ['n', 1],
      ],
      collection: false,
    })
    assert.equal(r.settings.bodyFieldsAtOAuth, true)
    assert.deepStrictEqual({ ...r.settings, bodyFieldsAtOAuth: false }, before.settings)
  })

  test('pairs keep order and duplicates', () => {
    assert.deepStrictEqual(
      pipe(
        base(),
        H.setFormBody([
          ['b', 1],
          ['a', 2],
          ['b', 3],
        ]),
      ).body,
      {
        _tag: 'Form',
        fields: [
          ['b', 1],
          ['a', 2],
          ['b', 3],
        ],
        collection: false,
      },
    )
  })

  test('a string is sent as is and also turns bodyFieldsAtOAuth on', () => {
    const r = pipe(base(), H.setFormBody('a=1&b=x%20y'))
    assert.deepStrictEqual(r.body, { _tag: 'FormText', text: 'a=1&b=x%20y' })
    assert.equal(r.settings.bodyFieldsAtOAuth, true)
  })

  test('turns bodyFieldsAtOAuth on even after useBodyFieldsAtOAuth(false)', () => {
    assert.equal(pipe(base(), H.useBodyFieldsAtOAuth(false), H.setFormBody({ a: 1 })).settings.bodyFieldsAtOAuth, true)
  })

  test('bad input is InvalidInput and leaves bodyFieldsAtOAuth off', () => {
    const circular: Record<string, unknown> = {}
    circular['c'] = circular
    for (const d of [42, null, undefined, true, [[1, 2]], [['a']], { n: NaN }, { c: circular }]) {
      const before = base()
      const r = pipe(before, H.setFormBody(d as never))
      assertInvalid(before, r, 'setFormBody')
      assert.equal(r.settings.bodyFieldsAtOAuth, false)
    }
  })
})
