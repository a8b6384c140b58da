import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { pipe } from 'fp-ts/function'

import * as H from '../../src/index.js'
import { assertInvalid, assertOk, base, lastLine } from '../helpers.js'

describe('addHeader', () => {
  test('adds a header and logs it', () => {
    const before = base()
    const r = pipe(before, H.addHeader('X-My-Header1', 'Hello'))
    assertOk(before, r, 'addHeader')
    assert.deepStrictEqual(r.headers, [['X-My-Header1', 'Hello']])
    assert.equal(lastLine(r), 'addHeader: X-My-Header1: Hello')
  })

  test('keeps insertion order', () => {
    const r = pipe(base(), H.addHeader('B', '1'), H.addHeader('A', '2'), H.addHeader('C', '3'))
    assert.deepStrictEqual(r.headers, [
      ['B', '1'],
      ['A', '2'],
      ['C', '3'],
    ])
  })

  test('replaces case-insensitively, in place, keeping the new spelling', () => {
    const r = pipe(
      base(),
      H.addHeader('Accept', 'a'),
      H.addHeader('X-Trace', '1'),
      H.addHeader('ACCEPT', 'b'),
      H.addHeader('accept', 'c'),
    )
    assert.deepStrictEqual(r.headers, [
      ['accept', 'c'],
      ['X-Trace', '1'],
    ])
  })

  test('trims the value', () => {
    assert.deepStrictEqual(pipe(base(), H.addHeader('X-A', '  v  ')).headers, [['X-A', 'v']])
  })

  test('an empty value is set unless ignoreEmpty', () => {
    assert.deepStrictEqual(pipe(base(), H.addHeader('X-A', '')).headers, [['X-A', '']])
  })

  test('ignoreEmpty skips an empty value, logs it and keeps an existing header', () => {
    for (const v of ['', null, undefined]) {
      const before = pipe(base(), H.addHeader('X-A', 'keep'))
      const r = pipe(before, H.addHeader('X-A', v as never, true))
      assert.equal(r.error, null)
      assert.deepStrictEqual(r.headers, [['X-A', 'keep']])
      assert.equal(r.log.length, before.log.length + 1)
      assert.match(lastLine(r), /^addHeader: X-A: empty value - skipped/)
    }
  })

  test('ignoreEmpty keeps a non-empty value', () => {
    assert.deepStrictEqual(pipe(base(), H.addHeader('X-A', '0', true)).headers, [['X-A', '0']])
  })

  test('CR, LF or NUL in the value is InvalidInput', () => {
    for (const v of ['a\r\nX-Evil: 1', 'a\nb', 'a\rb', 'a\0b', '\r\n']) {
      const before = base()
      assertInvalid(before, pipe(before, H.addHeader('X-A', v)), 'addHeader', /CR, LF or NUL/)
    }
  })

  test('an invalid name is InvalidInput', () => {
    for (const n of ['', 'Bad Name', 'X:Y', 'X-A\r\n', 'Ä', 'a(b)', 'x"y', 'a\0', 42, null]) {
      const before = base()
      assertInvalid(before, pipe(before, H.addHeader(n as never, 'v')), 'addHeader', /header name/)
    }
  })

  test('a non-string value is InvalidInput', () => {
    for (const v of [null, {}, ['a'], () => 'x']) {
      const before = base()
      assertInvalid(before, pipe(before, H.addHeader('X-A', v as never)), 'addHeader', /value/)
    }
  })

  test('secret header values are written as *** in the log', () => {
    for (const name of [
      'Authorization',
      'authorization',
      'Proxy-Authorization',
      'Cookie',
      'X-Api-Key',
      'X-Amz-Security-Token',
      'X-Auth-Token',
    ]) {
      const r = pipe(base(), H.addHeader(name, 'Bearer s3cr3tVaLuE'))
      assert.equal(r.error, null)
      assert.equal(lastLine(r), `addHeader: ${name}: ***`)
      assert.ok(!H.getLog(r, true).includes('s3cr3tVaLuE'))
      assert.deepStrictEqual(r.headers, [[name, 'Bearer s3cr3tVaLuE']])
    }
  })

  test('an invalid Authorization value does not leak into the error', () => {
    const r = pipe(base(), H.addHeader('Authorization', 'Bearer s3cr3tVaLuE\r\nX: y'))
    assert.equal(r.error?.step, 'addHeader')
    assert.ok(!JSON.stringify(r.error).includes('s3cr3tVaLuE'))
    assert.ok(!H.getLog(r, true).includes('s3cr3tVaLuE'))
  })
})

describe('setHeaders', () => {
  test('merges into the existing headers (later wins, case-insensitive)', () => {
    const before = pipe(base(), H.addHeader('Accept', 'text/html'), H.addHeader('X-Keep', '1'))
    const r = pipe(before, H.setHeaders({ accept: 'application/json', 'X-New': '2' }))
    assertOk(before, r, 'setHeaders')
    assert.deepStrictEqual(r.headers, [
      ['accept', 'application/json'],
      ['X-Keep', '1'],
      ['X-New', '2'],
    ])
  })

  test('fullReplace drops the old headers', () => {
    const r = pipe(base(), H.addHeader('X-Old', '1'), H.setHeaders({ 'X-New': '2' }, true))
    assert.deepStrictEqual(r.headers, [['X-New', '2']])
  })

  test('fullReplace with nothing clears the headers', () => {
    assert.deepStrictEqual(pipe(base(), H.addHeader('X-Old', '1'), H.setHeaders({}, true)).headers, [])
  })

  test('takes pairs; duplicates in the input collapse to the last', () => {
    const r = pipe(
      base(),
      H.setHeaders([
        ['X-A', '1'],
        ['X-B', '2'],
        ['x-a', '3'],
      ]),
    )
    assert.deepStrictEqual(r.headers, [
      ['x-a', '3'],
      ['X-B', '2'],
    ])
  })

  test('logs one summary line and one line per header, secrets hidden', () => {
    const before = base()
    const r = pipe(before, H.setHeaders({ Authorization: 'Basic QWxhZGRpbjpvcGVu', Accept: '*/*' }))
    const added = r.log.slice(before.log.length).map((e) => `${e.step}: ${e.message}`)
    assert.deepStrictEqual(added, [
      'setHeaders: headers merged (2)',
      'setHeaders: Authorization: ***',
      'setHeaders: Accept: */*',
    ])
    const r2 = pipe(base(), H.setHeaders({ A: '1' }, true))
    assert.match(H.getLog(r2, true), /setHeaders: headers replaced \(1\)/)
  })

  test('CR/LF/NUL values or bad names reject the whole step', () => {
    const cases: ReadonlyArray<unknown> = [
      { 'X-A': 'ok', 'X-B': 'bad\r\nvalue' },
      [
        ['X-A', 'ok'],
        ['X-B', 'a\0b'],
      ],
      { 'Bad Name': 'v' },
      [['', 'v']],
      { 'X-A': null },
    ]
    for (const h of cases) {
      const before = pipe(base(), H.addHeader('X-Existing', '1'))
      assertInvalid(before, pipe(before, H.setHeaders(h as never)), 'setHeaders')
      assertInvalid(before, pipe(before, H.setHeaders(h as never, true)), 'setHeaders')
    }
  })

  test('input that is not a record or pairs is InvalidInput', () => {
    for (const h of [null, undefined, 'Accept: */*', 42, [['a']], [['a', 'b', 'c']], ['ab']]) {
      const before = base()
      assertInvalid(before, pipe(before, H.setHeaders(h as never)), 'setHeaders')
    }
  })
})
