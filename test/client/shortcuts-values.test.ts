/**
 * The one-call shortcuts with values that cannot be read faithfully (issue 14): a value 5000
 * levels deep, throwing getters, Proxies, Maps and Sets as a body, params or headers end in an
 * InvalidInput naming the step, and the loopback server counts zero requests; a URLSearchParams
 * form and JSON text arrive as given.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import * as H from '../../src/index.js'
import { useRecordingServer } from '../support/fixtures.js'

const recorder = useRecordingServer()
const bodies = recorder.seen

const deep = (n: number): unknown => {
  let v: unknown = 1
  for (let i = 0; i < n; i++) v = { a: v }
  return v
}
const getter = (): unknown =>
  Object.defineProperty({}, 'k', {
    enumerable: true,
    get() {
      throw new Error('boom')
    },
  })
const proxy = (): unknown =>
  new Proxy(
    { k: 1 },
    {
      ownKeys() {
        throw new Error('trap')
      },
    },
  )

describe('shortcuts: hostile values are InvalidInput naming the step, nothing sent', () => {
  const cases: ReadonlyArray<readonly [string, () => ReturnType<typeof H.get>, string]> = [
    ['a 5000-deep JSON body', () => H.postWithBody(`${recorder.url}/p`, deep(5000)), 'setJsonBody'],
    ['a JSON body with a throwing getter', () => H.putWithBody(`${recorder.url}/p`, getter()), 'setJsonBody'],
    ['a JSON body Proxy', () => H.patchWithBody(`${recorder.url}/p`, proxy()), 'setJsonBody'],
    ['a Map as a JSON body', () => H.postWithBody(`${recorder.url}/p`, new Map([['a', 1]])), 'setJsonBody'],
    [
      'a Set in a form',
      () => H.postWithBody(`${recorder.url}/p`, { s: new Set([1]) }, { bodyType: 'form' }),
      'setFormBody',
    ],
    ['a form Proxy', () => H.postWithBody(`${recorder.url}/p`, proxy() as never, { bodyType: 'form' }), 'setFormBody'],
    ['5000-deep params', () => H.get(`${recorder.url}/g`, { params: { q: deep(5000) } }), 'setUrlParams'],
    ['params with a throwing getter', () => H.get(`${recorder.url}/g`, { params: getter() as never }), 'setUrlParams'],
    ['headers Proxy', () => H.head(`${recorder.url}/g`, { headers: proxy() as never }), 'setHeaders'],
    [
      'headers with a throwing getter',
      () => H.delete(`${recorder.url}/g`, { headers: getter() as never }),
      'setHeaders',
    ],
    [
      'a __proto__ header',
      () => H.get(`${recorder.url}/g`, { headers: JSON.parse('{"__proto__":"x"}') as never }),
      'setHeaders',
    ],
  ]
  for (const [what, run, step] of cases)
    test(what, async () => {
      const before = bodies.length
      let r: Awaited<ReturnType<ReturnType<typeof H.get>>>
      try {
        r = await run()()
      } catch (e) {
        assert.fail(`threw: ${String(e)}`)
      }
      assert.ok(E.isLeft(r) && r.left._tag === 'InvalidInput', JSON.stringify(r).slice(0, 300))
      assert.equal(r.left._tag === 'InvalidInput' && r.left.step, step)
      assert.ok(r.left.message.startsWith(`${step}: `))
      assert.equal(bodies.length, before, 'nothing was sent')
    })
})

describe('shortcuts: bytes as given', () => {
  test('JSON text and a URLSearchParams form arrive as given', async () => {
    const text = '{"id":12345678901234567890,"id":1}'
    assert.ok(E.isRight(await H.postWithBody(`${recorder.url}/p`, text)()))
    assert.equal(bodies.at(-1)?.body.toString(), text)
    const r = await H.postWithBody(`${recorder.url}/p`, new URLSearchParams('a=1&a=2'), { bodyType: 'form' })()
    assert.ok(E.isRight(r))
    assert.equal(bodies.at(-1)?.body.toString(), 'a=1&a=2')
    assert.ok(E.isRight(r) && r.right.status === 200)
  })

  test('a template holding a value nested past the depth limit is refused, not a stack overflow', () => {
    const t = H.toTemplate(pipe(H.newRequest(), H.initialize(`${recorder.url}/p`), H.setJsonBody({ a: 1 })))
    const text = JSON.stringify(t).replace('{"a":1}', `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`)
    const r = H.fromTemplate(JSON.parse(text) as unknown)
    assert.ok(E.isLeft(r) && r.left._tag === 'InvalidInput')
  })
})
