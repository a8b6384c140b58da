/**
 * No public function throws or rejects, whatever it is given: every exported step, runner and
 * reader is called with hostile arguments (BigInt, Symbol, cycles, null-prototype objects, huge
 * strings, an Either where a Request goes, Proxies and getters that throw, a value 5000 levels
 * deep, Map and Set, a throwing toJSON, an own `__proto__` key, …) and applied to hostile inputs.
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import * as E from 'fp-ts/Either'
import * as H from '../src/index.js'

const cyclic: Record<string, unknown> = {}
cyclic['self'] = cyclic
const deep = (n: number): unknown => {
  let v: unknown = 'bottom'
  for (let i = 0; i < n; i++) v = { a: [v] }
  return v
}
const boom = (): never => {
  throw new Error('hostile')
}
const throwingProxy = new Proxy(
  {},
  { get: boom, has: boom, ownKeys: boom, getPrototypeOf: boom, getOwnPropertyDescriptor: boom },
)
const HOSTILE: ReadonlyArray<readonly [string, unknown]> = [
  ['a Proxy whose every trap throws', throwingProxy],
  ['an object with a throwing getter', Object.defineProperty({}, 'x', { get: boom, enumerable: true })],
  ['a value 5000 levels deep', deep(5000)],
  ['a Map', new Map([['k', 'v']])],
  ['a Set', new Set(['v'])],
  ['an object whose toJSON throws', { toJSON: boom }],
  ["an object with an own '__proto__' key", JSON.parse('{"__proto__":"x","a":"b"}')],
  ['undefined', undefined],
  ['null', null],
  ['a bigint', 10n],
  ['a symbol', Symbol('s')],
  ['a null-prototype object', Object.create(null)],
  ['a cycle', cyclic],
  ['a 1 MiB string', 'x'.repeat(1 << 20)],
  ['an Either', E.right(H.newRequest())],
  ['an array', []],
  ['a function', () => 1],
  ['NaN', Number.NaN],
  ['-1', -1],
  ['an empty object', {}],
]

// Made with hostile arguments but not applied, with the reason: a transport is a
// Promise-returning effect the executor calls with a TransportRequest (it may reject: the
// executor turns that into a ClientError, see the fault tests), and the folds' handlers (and
// matchClientErrorW's otherwise) are functions the type demands: a fold cannot make up a value
// of the caller's type, so one given no function throws a TypeError naming the tag, see
// test/model/match.test.ts. Values that are not functions are skipped.
const NOT_APPLIED = new Set([
  'fromFetch',
  'undiciTransport',
  'matchClientError',
  'matchClientErrorW',
  'matchClientErrorOr',
])
// a transport called with hostile input rejects (the executor's contract), never throws
const TRANSPORTS = new Set(['crossFetchTransport', 'defaultTransport'])

const settle = async (x: unknown): Promise<unknown> => {
  if (typeof x === 'function') return settle((x as () => unknown)())
  return x instanceof Promise ? await x : x
}

const request = H.initialize('http://127.0.0.1:9/x')(H.newRequest())

describe('every public function with hostile arguments', () => {
  for (const [name, f] of Object.entries(H)) {
    if (typeof f !== 'function') continue
    test(`${name} never throws or rejects`, async () => {
      for (const [what, h] of HOSTILE)
        for (const arity of [1, 2, 3]) {
          const args = Array.from({ length: arity }, () => h)
          await assert.doesNotReject(async () => {
            if (TRANSPORTS.has(name)) {
              const p = (f as (...a: unknown[]) => unknown)(...args)
              assert.ok(p instanceof Promise, `${name} returns a promise`)
              await p.then(
                () => undefined,
                () => undefined,
              )
              return
            }
            const made = (f as (...a: unknown[]) => unknown)(...args)
            // a step or runner made from hostile arguments, applied to a valid request
            if (NOT_APPLIED.has(name)) return
            if (typeof made === 'function') await settle((made as (r: unknown) => unknown)(request))
            else await settle(made)
          }, `${name}(${what} × ${arity})`)
        }
    })
  }
})

describe('steps, runners and readers applied to hostile inputs', () => {
  const made: ReadonlyArray<readonly [string, (x: unknown) => unknown, 'request' | 'left' | 'value']> = [
    ['setUrl', H.setUrl('http://h/') as (x: unknown) => unknown, 'request'],
    ['addHeader', H.addHeader('a', 'b') as (x: unknown) => unknown, 'request'],
    ['setJsonBody', H.setJsonBody({ a: 1 }) as (x: unknown) => unknown, 'request'],
    ['setPathParams', H.setPathParams({ id: 1 }) as (x: unknown) => unknown, 'request'],
    ['setPathParam', H.setPathParam('id', 1) as (x: unknown) => unknown, 'request'],
    ['addBearerAuthorization', H.addBearerAuthorization('t') as (x: unknown) => unknown, 'request'],
    ['processRequest', H.processRequest('GET') as (x: unknown) => unknown, 'left'],
    ['prepareRequest', H.prepareRequest('GET') as (x: unknown) => unknown, 'left'],
    ['executeRequest', H.executeRequest() as (x: unknown) => unknown, 'left'],
    ['asJson', H.asJson() as (x: unknown) => unknown, 'left'],
    ['asString', H.asString() as (x: unknown) => unknown, 'left'],
    ['ensureStatus', H.ensureStatus() as (x: unknown) => unknown, 'left'],
    ['asBinary', H.asBinary as (x: unknown) => unknown, 'value'],
    ['responseFilename', H.responseFilename as (x: unknown) => unknown, 'value'],
    ['returnSettings', H.returnSettings() as (x: unknown) => unknown, 'value'],
  ]
  for (const [name, f, kind] of made)
    test(`${name} answers a non-${kind === 'request' ? 'Request' : 'input'} without throwing`, async () => {
      for (const [what, h] of HOSTILE) {
        const out = await settle(f(h))
        if (kind === 'request') {
          const r = out as H.Request
          assert.equal(r._tag, 'Request', what)
          assert.equal(r.error?.step, name, what)
          assert.match(r.error?.message ?? '', /not a Request/, what)
        }
        if (kind === 'left') {
          assert.ok(E.isLeft(out as E.Either<H.ClientError, unknown>), `${name}(${what}) should be a Left`)
          assert.equal((out as E.Left<H.ClientError>).left._tag, 'InvalidInput', what)
        }
      }
    })
})
