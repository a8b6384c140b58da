/**
 * matchClientErrorW and matchClientErrorOr: some tags handled, the rest defaulted; and what
 * the three folds do with values that are not ClientErrors and handler records that are not
 * what the type says (from JavaScript).
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'

import * as H from '../../src/index.js'
import type { ClientErrorHandlers, ClientErrorTag } from '../../src/model/errors.js'
import { samples } from '../support/client-errors.js'

const sample = (tag: ClientErrorTag): H.ClientError => {
  const e = samples.find((s) => s._tag === tag)
  assert.ok(e !== undefined)
  return e
}

describe('matchClientErrorW', () => {
  const fold = H.matchClientErrorW(
    { Timeout: (e) => `slow:${e.limit}`, StatusError: (e) => e.status },
    (other) => `other:${other._tag}`,
  )

  test('each given tag goes to its handler, every other tag to otherwise', () => {
    assert.deepStrictEqual(samples.map(fold), [
      'other:InvalidInput',
      'other:TransportError',
      'slow:attempt',
      'other:FileError',
      'other:AuthError',
      'other:ParseError',
      'other:DecodeError',
      404,
      'other:ResponseTooLarge',
    ])
  })

  test('handlers and otherwise get the very error object, and exactly one of them runs', () => {
    for (const e of samples) {
      const calls: unknown[] = []
      const out = H.matchClientErrorW(
        { DecodeError: (x) => (calls.push(['DecodeError', x]), 1) },
        (x) => (calls.push(['otherwise', x]), 2),
      )(e)
      assert.equal(calls.length, 1)
      assert.deepStrictEqual(calls[0], [e._tag === 'DecodeError' ? 'DecodeError' : 'otherwise', e])
      assert.equal((calls[0] as unknown[])[1], e)
      assert.equal(out, e._tag === 'DecodeError' ? 1 : 2)
    }
  })

  test('no handlers: otherwise folds everything; all nine handlers: otherwise is never called', () => {
    assert.deepStrictEqual(
      samples.map(H.matchClientErrorW({}, (e) => e._tag)),
      samples.map((e) => e._tag),
    )
    const all = Object.fromEntries(samples.map((e) => [e._tag, () => e._tag])) as unknown as ClientErrorHandlers<string>
    assert.deepStrictEqual(
      samples.map(H.matchClientErrorW(all, () => assert.fail('otherwise called'))),
      samples.map((e) => e._tag),
    )
  })

  test('the error of a real run: a refused connection folded to a retry hint', async () => {
    const r = await H.get('http://127.0.0.1:9/')()
    assert.equal(r._tag, 'Left')
    const hint = H.matchClientErrorW(
      { TransportError: (e) => `retry later (${e.cause})`, Timeout: () => 'retry later' },
      (e) => `give up: ${e._tag}`,
    )
    assert.match(r._tag === 'Left' ? hint(r.left) : '', /^retry later \(ECONNREFUSED\)$/)
  })
})

describe('matchClientErrorOr', () => {
  test('one result type, annotated; otherwise gets any ClientError', () => {
    const exitCode = H.matchClientErrorOr<number>({ InvalidInput: () => 2, Timeout: () => 124 }, () => 1)
    assert.deepStrictEqual(samples.map(exitCode), [2, 1, 124, 1, 1, 1, 1, 1, 1])
  })
})

// from JavaScript: values and records the types do not allow
const NOT_ERRORS: ReadonlyArray<readonly [string, unknown]> = [
  ['undefined', undefined],
  ['null', null],
  ['a string', 'Timeout'],
  ['an object without _tag', {}],
  ['a tag that is not a ClientError tag', { _tag: 'Nope' }],
  ['the tag constructor', { _tag: 'constructor' }],
  ['the tag __proto__', { _tag: '__proto__' }],
  ['the tag toString', { _tag: 'toString' }],
  ['a number tag', { _tag: 1 }],
  [
    'a getter _tag that throws',
    Object.defineProperty({}, '_tag', {
      get: () => {
        throw new Error('boom')
      },
    }),
  ],
  [
    'a Proxy that throws on every read',
    new Proxy(
      {},
      {
        get: () => {
          throw new Error('boom')
        },
      },
    ),
  ],
]

const throwingProxy = new Proxy(
  {},
  {
    getOwnPropertyDescriptor: () => {
      throw new Error('boom')
    },
    get: () => {
      throw new Error('boom')
    },
  },
)
const HANDLER_RECORDS: ReadonlyArray<readonly [string, unknown]> = [
  ['undefined', undefined],
  ['null', null],
  ['a string', 'x'],
  ['a handler that is not a function', { Timeout: 42 }],
  ['an inherited handler', Object.create({ Timeout: () => 'inherited' })],
  ['a getter handler', Object.defineProperty({}, 'Timeout', { get: () => () => 'getter', enumerable: true })],
  ['a null-prototype record', Object.assign(Object.create(null), { Nope: () => 'nope' })],
  ['a Proxy that throws', throwingProxy],
]

describe('hostile input to the folds', () => {
  const W = H.matchClientErrorW as (h: unknown, o: unknown) => (e: unknown) => unknown
  const Or = H.matchClientErrorOr as (h: unknown, o: unknown) => (e: unknown) => unknown

  test('a value that is not a ClientError goes to otherwise, whatever its _tag', () => {
    const handlers = { Timeout: () => 'handler', constructor: () => 'constructor', toString: () => 'toString' }
    for (const [what, e] of NOT_ERRORS) {
      assert.equal(W(handlers, () => 'otherwise')(e), 'otherwise', what)
      assert.equal(Or(handlers, () => 'otherwise')(e), 'otherwise', what)
    }
  })

  test('a handler record that is not one (inherited, accessor, not a function, throwing) defers to otherwise', () => {
    for (const [what, handlers] of HANDLER_RECORDS)
      assert.equal(W(handlers, () => 'otherwise')(sample('Timeout')), 'otherwise', what)
  })

  test('otherwise that is not a function: a TypeError naming the fold and the tag (no value can be made up)', () => {
    assert.throws(() => W({}, undefined)(sample('Timeout')), {
      name: 'TypeError',
      message: 'matchClientErrorW: otherwise is not a function (for "Timeout")',
    })
    assert.throws(() => Or({}, 42)(null), {
      name: 'TypeError',
      message: /^matchClientErrorOr: otherwise is not a function \(for a value without a string _tag \(null\)\)$/,
    })
    // but a given handler still answers
    assert.equal(W({ Timeout: () => 't' }, undefined)(sample('Timeout')), 't')
  })

  test('matchClientError: a missing handler or a value that is not a ClientError is a TypeError naming the tag, never a call to something else', () => {
    const fold = H.matchClientError as (h: unknown) => (e: unknown) => unknown
    const proto = { Timeout: () => 'inherited' }
    assert.throws(() => fold(Object.create(proto))(sample('Timeout')), {
      name: 'TypeError',
      message: 'matchClientError: no handler for "Timeout"',
    })
    assert.throws(() => fold({ toString: () => 'x' })({ _tag: 'toString' }), {
      name: 'TypeError',
      message: 'matchClientError: no handler for "toString"',
    })
    assert.throws(() => fold(null)(sample('StatusError')), {
      name: 'TypeError',
      message: 'matchClientError: no handler for "StatusError"',
    })
    assert.throws(() => fold({})(undefined), {
      name: 'TypeError',
      message: 'matchClientError: no handler for a value without a string _tag (undefined)',
    })
    assert.throws(() => fold({})(NOT_ERRORS[9]?.[1]), {
      name: 'TypeError',
      message: 'matchClientError: no handler for an unreadable value',
    })
  })

  test("a handler that throws is the caller's exception: the fold does not swallow it", () => {
    assert.throws(
      () =>
        H.matchClientErrorW(
          {
            Timeout: () => {
              throw new RangeError('mine')
            },
          },
          () => 0,
        )(sample('Timeout')),
      RangeError,
    )
  })
})
