/**
 * setJsonBody on large values: checked without a copy, serialized once (the text written when the
 * step ran is what is sent, whatever the caller does to its value afterwards), and every value that
 * is not JSON data still an InvalidInput naming the step and the path, however deep in a 64 KiB
 * value it hides.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'

import * as H from '../../src/index.js'
import type { EchoPayload } from '../../src/testing/index.js'
import { assertInvalid, base } from '../helpers.js'
import { useEchoServer } from '../support/fixtures.js'

const echo = useEchoServer()

/** About 64 KiB of plain JSON data, `last` as the last item's `extra` (where a check must reach). */
const big = (last: unknown = 1): { items: Array<Record<string, unknown>> } => {
  const items: Array<Record<string, unknown>> = Array.from({ length: 900 }, (_, i) => ({
    id: i,
    name: `item ${i}`,
    tags: ['a', 'b'],
    score: i / 3,
  }))
  items.push({ id: 900, extra: last })
  return { items }
}

const sent = async (req: H.Request): Promise<EchoPayload> => {
  const r = await pipe(req, H.processRequest('POST'))()
  if (E.isLeft(r)) assert.fail(`${r.left._tag}: ${r.left.message}`)
  return JSON.parse(Buffer.from(r.right.body).toString('utf8')) as EchoPayload
}

class Point {
  constructor(readonly x: number) {}
}

describe('setJsonBody on a 64 KiB value', () => {
  test('what is not JSON data, at the far end of the value, is InvalidInput naming the step and the path', () => {
    const cycle: Record<string, unknown> = { a: 1 }
    cycle['self'] = cycle
    let deep: unknown = 1
    for (let i = 0; i < 300; i++) deep = { d: deep }
    const throwingGetter = Object.defineProperty({}, 'boom', {
      enumerable: true,
      get: () => {
        throw new Error('getter boom')
      },
    })
    const throwingProxy = new Proxy(
      {},
      {
        ownKeys: () => {
          throw new Error('trap boom')
        },
      },
    )
    const cases: ReadonlyArray<readonly [string, unknown, RegExp]> = [
      ['a cycle', cycle, /items\[900\]\.extra\.self: circular reference/],
      ['a bigint', 10n, /items\[900\]\.extra: a bigint is not JSON/],
      ['a function', () => 1, /items\[900\]\.extra: a function is not JSON/],
      ['a symbol', Symbol('s'), /items\[900\]\.extra: a symbol is not JSON/],
      ['NaN', Number.NaN, /items\[900\]\.extra: NaN is not JSON/],
      ['-Infinity', Number.NEGATIVE_INFINITY, /-Infinity is not JSON/],
      ['a Map', new Map([[1, 2]]), /items\[900\]\.extra: a Map is not JSON data/],
      ['a class instance', new Point(1), /a Point instance is not JSON data/],
      ['an invalid Date', new Date(Number.NaN), /items\[900\]\.extra: invalid Date/],
      ['a value 300 levels deep', deep, /nested deeper than 256 levels/],
      ['a getter that throws', throwingGetter, /getter boom/],
      ['a Proxy whose trap throws', throwingProxy, /trap boom/],
      [
        'a toJSON that throws',
        {
          toJSON: () => {
            throw new Error('toJSON boom')
          },
        },
        /toJSON boom/,
      ],
    ]
    for (const [what, last, reason] of cases) {
      const before = base()
      const r = pipe(before, H.setJsonBody(big(last)))
      assertInvalid(before, r, 'setJsonBody', reason)
      assert.ok(r.error?.message.startsWith('setJsonBody: '), what)
    }
  })

  test('-0 is JSON data: kept as given, sent as 0 (as JSON.stringify writes it)', async () => {
    const r = pipe(base(), H.initialize(`${echo.url}/anything`), H.setJsonBody(big(-0)))
    assert.equal(r.error, null)
    const v = r.body._tag === 'Json' ? (r.body.value as { items: Array<{ extra?: unknown }> }) : null
    assert.ok(Object.is(v?.items[900]?.extra, -0))
    const got = await sent(r)
    assert.equal(got.data, JSON.stringify(big(-0)))
    assert.match(got.data, /"extra":0\}\]\}$/)
  })

  test('serialized once and never copied: each field read twice by the step (check, text), never when it runs', async () => {
    let reads = 0
    const value = big()
    Object.defineProperty(value.items[0], 'counted', {
      enumerable: true,
      get: () => (reads++, 'c'),
    })
    const expected = JSON.stringify(value)
    reads = 0
    const r = pipe(base(), H.initialize(`${echo.url}/anything`), H.setJsonBody(value))
    assert.equal(r.error, null)
    assert.equal(reads, 2, 'one check, one serialization')
    await pipe(r, H.prepareRequest('POST'))()
    const got = await sent(r)
    const again = await sent(r)
    assert.equal(reads, 2, 'prepared and run twice without reading the value again')
    assert.equal(got.data, again.data)
    assert.equal(got.data, expected)
    // the value the request holds is data read from its text: no getter in it
    const held = r.body._tag === 'Json' ? (r.body.value as { items: Array<Record<string, unknown>> }) : null
    assert.equal(held?.items[0]?.['counted'], 'c')
    assert.equal(reads, 2)
    assert.equal(Object.getOwnPropertyDescriptor(held?.items[0], 'counted')?.get, undefined)
  })

  test('the caller changing its value afterwards changes neither the request nor what is sent', async () => {
    const value = big()
    const text = JSON.stringify(value)
    const r = pipe(base(), H.initialize(`${echo.url}/anything`), H.setJsonBody(value))
    value.items.length = 1
    ;(value as Record<string, unknown>)['added'] = true
    assert.equal(JSON.stringify(r.body._tag === 'Json' ? r.body.value : null), text)
    assert.equal((await sent(r)).data, text)
    assert.deepStrictEqual(r.body, { _tag: 'Json', value: JSON.parse(text) as H.Json, collection: false })
    assert.equal(
      JSON.stringify(r),
      JSON.stringify({ ...r, body: { _tag: 'Json', value: JSON.parse(text), collection: false } }),
    )
  })

  test('the value a body shows is frozen: it cannot be changed away from the bytes sent', async () => {
    for (const given of [
      { a: 1, list: [1, { b: 2 }] },
      { d: new Date(0), list: [1, { b: 2 }] },
    ]) {
      const r = pipe(base(), H.initialize(`${echo.url}/anything`), H.setJsonBody(given))
      const text = (await sent(r)).data
      const value = r.body._tag === 'Json' ? (r.body.value as Record<string, unknown>) : {}
      assert.throws(() => {
        value['a'] = 2
      }, TypeError)
      assert.throws(() => {
        ;((value['list'] as unknown[])[1] as Record<string, unknown>)['b'] = 3
      }, TypeError)
      assert.equal((await sent(r)).data, text)
      assert.equal(JSON.stringify(value), text)
    }
  })

  test('a getter that answers a withheld template value the second time it is read is refused when it runs', async () => {
    let reads = 0
    const value = {
      get pw(): unknown {
        reads++
        return reads === 1 ? 'x' : { _tag: 'Withheld', field: 'body.pw' }
      },
    }
    const r = pipe(base(), H.initialize(`${echo.url}/anything`), H.setJsonBody(value))
    const e = await pipe(r, H.processRequest('POST'))()
    assert.ok(E.isLeft(e) && e.left._tag === 'InvalidInput', JSON.stringify(e))
    assert.match(e.left.message, /body\.pw was not saved in the template/)
  })

  test('fields added to the body afterwards are sent with it', async () => {
    const r = pipe(
      base(),
      H.initialize(`${echo.url}/anything`),
      H.setJsonBody({ a: [1, 2], b: { c: 'x' } }),
      H.insertBodyField('b.d', 7),
    )
    assert.equal((await sent(r)).data, '{"a":[1,2],"b":{"c":"x","d":7}}')
  })

  test('a value holding what looks like a withheld template value is still refused when it runs', async () => {
    const r = pipe(
      base(),
      H.initialize(`${echo.url}/anything`),
      H.setJsonBody({ ...big(), password: { _tag: 'Withheld', field: 'body.password' } }),
    )
    assert.equal(r.error, null)
    const e = await pipe(r, H.processRequest('POST'))()
    assert.ok(E.isLeft(e) && e.left._tag === 'InvalidInput', JSON.stringify(e))
    assert.match(e.left.message, /body\.password was not saved in the template/)
  })
})
