/**
 * Hostile values for every step that reads a caller's value (issue 14): throwing getters,
 * Proxies whose traps throw, revoked Proxies, a throwing toJSON, values 5000 levels deep, Maps,
 * Sets and class instances. Each is an InvalidInput naming the step, never a throw.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { pipe } from 'fp-ts/function'
import fc from 'fast-check'
import * as H from '../../src/index.js'
import { MAX_DEPTH } from '../../src/model/valid.js'
import { assertInvalid, base } from '../helpers.js'

const deepObject = (n: number): unknown => {
  let v: unknown = 1
  for (let i = 0; i < n; i++) v = { a: v }
  return v
}
const deepArray = (n: number): unknown => {
  let v: unknown = 1
  for (let i = 0; i < n; i++) v = [v]
  return v
}
const throwingGetter = (): unknown =>
  Object.defineProperty({}, 'k', {
    enumerable: true,
    get() {
      throw new Error('getter boom')
    },
  })
const trapProxy = (trap: keyof ProxyHandler<object>): unknown =>
  new Proxy(
    { k: 1 },
    {
      [trap]: () => {
        throw new Error(`${String(trap)} trap`)
      },
    },
  )
const revoked = (): unknown => {
  const p = Proxy.revocable({}, {})
  p.revoke()
  return p.proxy
}

/** Values that cannot be read faithfully, each with a name for the assertion message. */
const HOSTILE: ReadonlyArray<readonly [string, () => unknown]> = [
  ['a throwing getter', throwingGetter],
  ['a Proxy whose ownKeys throws', () => trapProxy('ownKeys')],
  ['a Proxy whose get throws', () => trapProxy('get')],
  ['a Proxy whose getPrototypeOf throws', () => trapProxy('getPrototypeOf')],
  ['a revoked Proxy', revoked],
  [
    'a throwing toJSON',
    () => ({
      toJSON() {
        throw new Error('toJSON boom')
      },
    }),
  ],
  ['an object 5000 deep', () => deepObject(5000)],
  ['an array 5000 deep', () => deepArray(5000)],
  ['a Map', () => new Map([['a', 1]])],
  ['a Set', () => new Set([1])],
  [
    'a class instance',
    () =>
      new (class Point {
        x = 1
      })(),
  ],
  ['a symbol', () => Symbol('s')],
  ['a bigint', () => 10n],
  ['a function', () => () => 1],
]

/** Each step that takes a caller's value, with the request it needs before it. */
const STEPS: ReadonlyArray<readonly [string, (v: unknown) => H.Step, () => H.Request]> = [
  ['setJsonBody', (v) => H.setJsonBody(v), base],
  ['setFormBody', (v) => H.setFormBody(v as never), base],
  ['setFormBody', (v) => H.setFormBody({ f: v }), base],
  ['setUrlParams', (v) => H.setUrlParams(v as never), base],
  ['setUrlParams', (v) => H.setUrlParams([['p', v]]), base],
  ['addUrlParameter', (v) => H.addUrlParameter('p', v), base],
  ['insertBodyField', (v) => H.insertBodyField('k', v), () => pipe(base(), H.initializeJsonBody())],
  ['insertBodyField', (v) => H.insertBodyField('k', v), () => pipe(base(), H.initializeFormBody())],
  ['addValue', (v) => H.addValue('', v), () => pipe(base(), H.initializeJsonBody('array'))],
  ['setHeaders', (v) => H.setHeaders(v as never), base],
  ['setHeaders', (v) => H.setHeaders({ 'X-A': v } as never), base],
  ['addHeader', (v) => H.addHeader('X-A', v as never), base],
  ['setUrl', (v) => H.setUrl(v as never), base],
  ['setBaseUrl', (v) => H.setBaseUrl(v as never), base],
  ['setStringBody', (v) => H.setStringBody(v as never), base],
]

/** Values that are records or pairs themselves: a step taking a record may take some of these as such. */
const CONTAINER_OK = new Set(['a Map'])

describe('hostile values: InvalidInput naming the step, never a throw', () => {
  for (const [step, make, start] of STEPS)
    test(`${step}`, () => {
      for (const [what, value] of HOSTILE) {
        const before = start()
        let after: H.Request
        try {
          after = make(value())(before)
        } catch (e) {
          assert.fail(`${step} threw on ${what}: ${String(e)}`)
        }
        // a Map is a fine container for params, form fields and headers (its entries are read)
        if (CONTAINER_OK.has(what) && after.error === null) continue
        assert.notEqual(after.error, null, `${step} took ${what}`)
        assertInvalid(before, after, step)
        assert.ok(after.error !== null && after.error.message.length < 2000, `${step} on ${what}: a short message`)
      }
    })

  test(`values up to ${MAX_DEPTH} levels deep are taken, deeper ones are not`, () => {
    const ok = pipe(base(), H.setJsonBody(deepObject(MAX_DEPTH - 1)))
    assert.equal(ok.error, null)
    const b = base()
    assertInvalid(b, H.setJsonBody(deepObject(MAX_DEPTH + 1))(b), 'setJsonBody', /deeper than 256 levels/)
    assert.equal(
      pipe(base(), H.setJsonBody(`${'['.repeat(5000)}1${']'.repeat(5000)}`)).error,
      null,
      'JSON text: as written',
    )
  })

  test('a deep JSON text is refused only when a field is added to it', () => {
    const b = pipe(base(), H.setJsonBody(`{"d":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}`))
    assertInvalid(b, H.insertBodyField('k', 1)(b), 'insertBodyField', /deeper than/)
    const c = base()
    assertInvalid(c, H.addValue('', `${'['.repeat(5000)}1${']'.repeat(5000)}`, 'json')(c), 'addValue')
  })

  test('property: whatever a getter throws, setJsonBody and setUrlParams record InvalidInput', () => {
    fc.assert(
      fc.property(fc.anything(), (thrown) => {
        const v = Object.defineProperty({}, 'k', {
          enumerable: true,
          get() {
            throw thrown
          },
        })
        for (const [step, s] of [
          ['setJsonBody', H.setJsonBody(v)],
          ['setUrlParams', H.setUrlParams(v)],
          ['setHeaders', H.setHeaders(v as never)],
        ] as const) {
          const b = base()
          assertInvalid(b, s(b), step)
        }
      }),
      { numRuns: 100 },
    )
  })
})
