import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { pipe } from 'fp-ts/function'

import * as H from '../../src/index.js'
import { assertInvalid, assertOk, base, lastLine } from '../helpers.js'

describe('setUrlParams', () => {
  test('a record becomes ordered pairs', () => {
    const before = base()
    const r = pipe(
      before,
      H.setUrlParams({ q: 'fp ts', page: 2, flag: true, none: null, tags: ['a', 'b'], o: { x: 1 } }),
    )
    assertOk(before, r, 'setUrlParams')
    assert.deepStrictEqual(r.params, [
      ['q', 'fp ts'],
      ['page', 2],
      ['flag', true],
      ['none', null],
      ['tags', ['a', 'b']],
      ['o', { x: 1 }],
    ])
  })

  test('pairs keep order and duplicates', () => {
    const r = pipe(
      base(),
      H.setUrlParams([
        ['b', 1],
        ['a', 2],
        ['b', 3],
      ]),
    )
    assert.deepStrictEqual(r.params, [
      ['b', 1],
      ['a', 2],
      ['b', 3],
    ])
  })

  test('replaces all earlier params', () => {
    const r = pipe(base(), H.addUrlParameter('old', 1), H.setUrlParams({ x: 'a' }), H.setUrlParams([['y', 'b']]))
    assert.deepStrictEqual(r.params, [['y', 'b']])
  })

  test('an empty record clears the params', () => {
    assert.deepStrictEqual(pipe(base(), H.addUrlParameter('a', 1), H.setUrlParams({})).params, [])
  })

  test('values are converted to JSON data: Date, bytes, undefined', () => {
    const r = pipe(base(), H.setUrlParams({ d: new Date(0), b: new Uint8Array([1, 2, 3]), u: undefined }))
    assert.deepStrictEqual(r.params, [
      ['d', '1970-01-01T00:00:00.000Z'],
      ['b', 'AQID'],
      ['u', null],
    ])
  })

  test('empty names are dropped', () => {
    assert.deepStrictEqual(
      pipe(
        base(),
        H.setUrlParams([
          ['', 1],
          ['a', 2],
        ]),
      ).params,
      [['a', 2]],
    )
  })

  test('logs the count and the values, hiding secret-looking ones', () => {
    const r = pipe(base(), H.setUrlParams({ a: 'x', api_key: 'K3yValue', password: 'pw' }))
    const last = lastLine(r)
    assert.match(last, /^setUrlParams: .*3/)
    assert.match(last, /a=x/)
    assert.ok(!last.includes('K3yValue'), last)
    assert.match(last, /api_key=\*\*\*/)
  })

  test('non-object params are InvalidInput', () => {
    for (const p of [null, undefined, 'a=1', 42, true]) {
      const before = base()
      assertInvalid(before, pipe(before, H.setUrlParams(p as never)), 'setUrlParams')
    }
  })

  test('malformed pairs are InvalidInput', () => {
    for (const p of [[['a']], [['a', 1, 2]], [[1, 'x']], ['ab'], [null]]) {
      const before = base()
      assertInvalid(before, pipe(before, H.setUrlParams(p as never)), 'setUrlParams', /pair/)
    }
  })

  test('non-JSON values are InvalidInput naming the param', () => {
    const circular: Record<string, unknown> = {}
    circular['self'] = circular
    const cases: ReadonlyArray<readonly [Record<string, unknown>, RegExp]> = [
      [{ n: NaN }, /n: .*NaN/],
      [{ n: Infinity }, /n: .*Infinity/],
      [{ c: circular }, /c: .*circular/],
      [{ f: () => 1 }, /f: .*function/],
      [{ b: 10n }, /b: .*bigint/],
      [{ s: Symbol('x') }, /s: .*symbol/],
      [{ d: new Date('nope') }, /d: .*Date/],
      [{ deep: { list: [1, NaN] } }, /deep.*list\[1\]/],
    ]
    for (const [p, reason] of cases) {
      const before = base()
      assertInvalid(before, pipe(before, H.setUrlParams(p)), 'setUrlParams', reason)
    }
  })
})

describe('addUrlParameter', () => {
  test('adds at the end', () => {
    const before = pipe(base(), H.addUrlParameter('a', 1))
    const r = pipe(before, H.addUrlParameter('b', 'two'))
    assertOk(before, r, 'addUrlParameter')
    assert.deepStrictEqual(r.params, [
      ['a', 1],
      ['b', 'two'],
    ])
    assert.match(lastLine(r), /added b=two/)
  })

  test('replaces an existing param in place', () => {
    const r = pipe(
      base(),
      H.addUrlParameter('a', 1),
      H.addUrlParameter('b', 2),
      H.addUrlParameter('c', 3),
      H.addUrlParameter('b', 'new'),
    )
    assert.deepStrictEqual(r.params, [
      ['a', 1],
      ['b', 'new'],
      ['c', 3],
    ])
    assert.match(lastLine(r), /replaced b=new/)
  })

  test('names are case-sensitive', () => {
    assert.deepStrictEqual(pipe(base(), H.addUrlParameter('a', 1), H.addUrlParameter('A', 2)).params, [
      ['a', 1],
      ['A', 2],
    ])
  })

  test('takes arrays, objects, booleans, dates', () => {
    const r = pipe(
      base(),
      H.addUrlParameter('t', ['x', 1]),
      H.addUrlParameter('o', { k: [true] }),
      H.addUrlParameter('d', new Date(86_400_000)),
    )
    assert.deepStrictEqual(r.params, [
      ['t', ['x', 1]],
      ['o', { k: [true] }],
      ['d', '1970-01-02T00:00:00.000Z'],
    ])
  })

  test('an empty name is logged and ignored', () => {
    const before = base()
    const r = pipe(before, H.addUrlParameter('', 'x'))
    assert.equal(r.error, null)
    assert.deepStrictEqual(r.params, before.params)
    assert.equal(r.log.length, before.log.length + 1)
    assert.match(lastLine(r), /^addUrlParameter: .*empty name/)
  })

  test('ignoreEmpty skips "", null and undefined, and logs it', () => {
    for (const v of ['', null, undefined]) {
      const before = base()
      const r = pipe(before, H.addUrlParameter('a', v, true))
      assert.equal(r.error, null)
      assert.deepStrictEqual(r.params, [])
      assert.equal(r.log.length, before.log.length + 1)
      assert.match(lastLine(r), /^addUrlParameter: a: empty value - skipped/)
    }
  })

  test('ignoreEmpty keeps 0, false, [] and "0"', () => {
    const r = pipe(
      base(),
      H.addUrlParameter('a', 0, true),
      H.addUrlParameter('b', false, true),
      H.addUrlParameter('c', [], true),
      H.addUrlParameter('d', '0', true),
    )
    assert.deepStrictEqual(r.params, [
      ['a', 0],
      ['b', false],
      ['c', []],
      ['d', '0'],
    ])
  })

  test('without ignoreEmpty, empty values are added (undefined as null)', () => {
    const r = pipe(base(), H.addUrlParameter('a', ''), H.addUrlParameter('b', null), H.addUrlParameter('c', undefined))
    assert.deepStrictEqual(r.params, [
      ['a', ''],
      ['b', null],
      ['c', null],
    ])
  })

  test('ignoreEmpty with an empty value does not remove an existing param', () => {
    const r = pipe(base(), H.addUrlParameter('a', 1), H.addUrlParameter('a', '', true))
    assert.deepStrictEqual(r.params, [['a', 1]])
  })

  test('secret-looking values are hidden in the log', () => {
    const r = pipe(
      base(),
      H.addUrlParameter('access_token', 'abcSECRET123'),
      H.addUrlParameter('client_secret', 'zzTop99'),
    )
    const log = H.getLog(r, true)
    assert.ok(!log.includes('abcSECRET123'), log)
    assert.ok(!log.includes('zzTop99'), log)
    assert.match(log, /access_token=\*\*\*/)
  })

  test('a non-string name is InvalidInput', () => {
    for (const n of [1, null, undefined, {}]) {
      const before = base()
      assertInvalid(before, pipe(before, H.addUrlParameter(n as never, 'x')), 'addUrlParameter', /name/)
    }
  })

  test('a non-JSON value is InvalidInput naming the param', () => {
    const circular: unknown[] = []
    circular.push(circular)
    for (const [v, reason] of [
      [NaN, /p: .*NaN/],
      [-Infinity, /p: .*Infinity/],
      [circular, /p.*circular/],
      [() => 1, /p: .*function/],
      [{ a: { b: NaN } }, /p.*a\.b/],
    ] as const) {
      const before = base()
      assertInvalid(before, pipe(before, H.addUrlParameter('p', v)), 'addUrlParameter', reason)
    }
  })

  // Was a bug (fixed): when setUrlParams left duplicate names,
  // addUrlParameter replaces only the first one, so the old value is still sent. addHeader
  // removes later duplicates; "adds or replaces one param" suggests the same here.
  test('replacing a param that setUrlParams gave twice leaves one value', () => {
    const r = pipe(
      base(),
      H.setUrlParams([
        ['a', 1],
        ['b', 2],
        ['a', 3],
      ]),
      H.addUrlParameter('a', 'new'),
    )
    assert.deepStrictEqual(r.params, [
      ['a', 'new'],
      ['b', 2],
    ])
  })
})
