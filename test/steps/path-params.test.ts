/**
 * setPathParams / setPathParam (SPEC §11): values for the `{name}` placeholders of the URL path,
 * each one percent-encoded segment, filled when the request is prepared. Shown against a raw
 * node:http server on 127.0.0.1 that records the exact request-target it receives, on the three
 * transports; the step-time checks; templates; toCurl. AWS4 and OAuth1 signing of the filled
 * path are in path-params-signed.test.ts.
 */
import assert from 'node:assert/strict'
import { after, describe, test } from 'node:test'
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import fc from 'fast-check'
import * as H from '../../src/index.js'
import { assertInvalid, assertOk, base, lastLine } from '../helpers.js'
import { useRecordingServer } from '../support/fixtures.js'
import { useTransports } from '../support/transports.js'
import type { PathParamValue } from '../../src/steps/path-params.js'

const recorder = useRecordingServer()
const seen = recorder.seen
const transports = useTransports()
after(() => H.crossFetchTransport.close())

/** Sends `req` and returns the request-target the server received (exactly one request). */
const targetOf = async (req: H.Request, env: H.Env = {}): Promise<string> => {
  const before = seen.length
  const r = await H.processRequest('GET', env)(req)()
  assert.ok(E.isRight(r), E.isLeft(r) ? r.left.message : '')
  assert.equal(seen.length, before + 1)
  return seen[seen.length - 1]?.url ?? ''
}

/** Runs `req` (processRequest, then prepareRequest) and asserts InvalidInput naming `step`, nothing sent. */
const refused = async (req: H.Request, reason: RegExp, step?: string): Promise<void> => {
  const before = seen.length
  for (const run of ['processRequest', 'prepareRequest'] as const) {
    const r = await (run === 'processRequest' ? H.processRequest('GET')(req)() : H.prepareRequest('GET')(req)())
    assert.ok(E.isLeft(r) && r.left._tag === 'InvalidInput', JSON.stringify(E.isLeft(r) ? r.left : 'Right'))
    assert.equal(r.left._tag === 'InvalidInput' && r.left.step, step ?? run)
    assert.match(r.left.message, reason)
  }
  assert.equal(seen.length, before, 'nothing was sent')
}

const at = (path: string): H.Request => pipe(H.newRequest(), H.initialize(`${recorder.url}${path}`))

// the signatures other modules (endpoint) rely on, checked by npm run typecheck
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false
type Value = string | number | boolean
const signatures: [
  Equal<Parameters<typeof H.setPathParams>, [params: Readonly<Record<string, Value>>]>,
  Equal<Parameters<typeof H.setPathParam>, [name: string, value: Value]>,
  Equal<PathParamValue, Value>,
  Equal<ReturnType<typeof H.setPathParams | typeof H.setPathParam>, H.Step>,
] = [true, true, true, true]

describe('the steps', () => {
  test('setPathParams replaces the whole set, in order; setPathParam sets or replaces one name', () => {
    assert.deepEqual(signatures, [true, true, true, true])
    const a = pipe(base(), H.setPathParams({ id: 7, name: 'x', on: true }))
    assertOk(base(), a, 'setPathParams')
    assert.deepEqual(a.pathParams, [
      ['id', 7],
      ['name', 'x'],
      ['on', true],
    ])
    assert.equal(lastLine(a), 'setPathParams: path params set (3): id, name, on')
    const b = pipe(a, H.setPathParams({ other: 'y' }))
    assert.deepEqual(b.pathParams, [['other', 'y']])
    const c = pipe(b, H.setPathParam('id', 1), H.setPathParam('other', 'z'))
    assert.deepEqual(c.pathParams, [
      ['other', 'z'],
      ['id', 1],
    ])
    assert.equal(lastLine(c), 'setPathParam: path param other replaced')
    assert.equal(lastLine(pipe(c, H.setPathParam('n', 2))), 'setPathParam: path param n set')
    assert.deepEqual(pipe(c, H.setPathParams({})).pathParams, [])
    assert.equal(lastLine(pipe(c, H.setPathParams({}))), 'setPathParams: path params cleared')
    // the input is not changed, and initialize resets the params
    assert.deepEqual(a.pathParams.length, 3)
    assert.deepEqual(pipe(c, H.initialize()).pathParams, [])
    assert.deepEqual(H.newRequest().pathParams, [])
  })

  test("an own '__proto__' key is a name like any other", () => {
    const r = pipe(base(), H.setPathParams(JSON.parse('{"__proto__":"p","a":"b"}') as Record<string, string>))
    assert.deepEqual(r.pathParams, [
      ['__proto__', 'p'],
      ['a', 'b'],
    ])
  })

  const BAD_NAMES: ReadonlyArray<readonly [string, unknown]> = [
    ['an empty name', ''],
    ['a space', 'a b'],
    ['a slash', 'a/b'],
    ['braces', '{id}'],
    ['non-ASCII', 'é'],
    ['a number', 1],
    ['null', null],
    ['a symbol', Symbol('s')],
  ]
  const BAD_VALUES: ReadonlyArray<readonly [string, unknown, RegExp]> = [
    ['.', '.', /path param v is '\.': a dot segment/],
    ['..', '..', /path param v is '\.\.': a dot segment/],
    ["''", '', /path param v is empty/],
    ['NaN', Number.NaN, /finite number, got NaN/],
    ['Infinity', Infinity, /finite number, got Infinity/],
    ['-Infinity', -Infinity, /finite number, got -Infinity/],
    ['null', null, /got null/],
    ['undefined', undefined, /got undefined/],
    ['an object', { a: 1 }, /got object/],
    ['an array', ['a'], /got an array/],
    ['a bigint', 1n, /got bigint/],
    ['a Date', new Date(0), /got object/],
  ]
  test('a name must be a non-empty string of ASCII letters, digits, _ - and .', () => {
    for (const [what, name] of BAD_NAMES) {
      assertInvalid(base(), pipe(base(), H.setPathParam(name as string, 1)), 'setPathParam', /path param name/)
      if (typeof name === 'string')
        assertInvalid(base(), pipe(base(), H.setPathParams({ [name]: 1 })), 'setPathParams', /path param name/)
      void what
    }
  })
  test('a value must be a string, a finite number or a boolean, not empty, . or ..', () => {
    for (const [what, value, reason] of BAD_VALUES) {
      assertInvalid(base(), pipe(base(), H.setPathParam('v', value as string)), 'setPathParam', reason)
      assertInvalid(base(), pipe(base(), H.setPathParams({ v: value as string })), 'setPathParams', reason)
      void what
    }
  })
  test('params that are no plain object, a Proxy or a throwing getter are InvalidInput, never a throw', () => {
    const boom = (): never => {
      throw new Error('hostile')
    }
    const proxy = new Proxy({}, { get: boom, ownKeys: boom, getPrototypeOf: boom, getOwnPropertyDescriptor: boom })
    const getter = Object.defineProperty({}, 'id', { get: boom, enumerable: true })
    for (const [params, reason] of [
      [proxy, /plain object/],
      [getter, /cannot be read: Error: hostile/],
      [[['id', 1]], /plain object/],
      [new Map([['id', 1]]), /plain object/],
      [null, /plain object/],
      ['id=1', /plain object/],
    ] as const)
      assertInvalid(base(), pipe(base(), H.setPathParams(params as never)), 'setPathParams', reason)
  })
  test('once the request holds an error the steps are no-ops; a refused value is never sent', async () => {
    const bad = pipe(at('/u/{id}'), H.setPathParam('id', '..'))
    assert.equal(pipe(bad, H.setPathParam('id', 'ok')), bad)
    assert.equal(pipe(bad, H.setPathParams({ id: 'ok' })), bad)
    await refused(bad, /setPathParam: the path param id is '\.\.'/, 'setPathParam')
  })
})

describe('on the wire', () => {
  for (const [name, transport] of transports) {
    const env: H.Env = { transport }
    test(`${name}: / ? # % space and non-ASCII each arrive percent-encoded in one segment`, async () => {
      const req = pipe(
        at('/v/{slash}/{q}/{hash}/{pct}/{space}/{e}/{ja}/{n}/{b}?x={slash}'),
        H.setPathParams({
          slash: 'a/b',
          q: 'a?b',
          hash: 'a#b',
          pct: '100%',
          space: 'a b',
          e: 'é',
          ja: '日本',
          n: 42,
          b: false,
        }),
      )
      assert.equal(
        await targetOf(req, env),
        '/v/a%2Fb/a%3Fb/a%23b/100%25/a%20b/%C3%A9/%E6%97%A5%E6%9C%AC/42/false?x=%7Bslash%7D',
      )
    })
    test(`${name}: the base URL's placeholders are filled too; the same placeholder twice gets the same value`, async () => {
      const req = pipe(
        H.newRequest(),
        H.setBaseUrl(`${recorder.url}/t/{tenant}/`),
        H.setUrl('/items/{id}/again/{tenant}?q={id}'),
        H.setPathParam('tenant', 'acme corp'),
        H.setPathParam('id', '../etc'),
      )
      assert.equal(await targetOf(req, env), '/t/acme%20corp/items/..%2Fetc/again/acme%20corp?q=%7Bid%7D')
    })
    test(`${name}: values are encoded also with useUrlEncoding(false)`, async () => {
      const req = pipe(at('/raw/{v}?a=b,c'), H.useUrlEncoding(false), H.setPathParam('v', 'x/y z'))
      assert.equal(await targetOf(req, env), '/raw/x%2Fy%20z?a=b,c')
    })
  }

  test('a placeholder without a value is InvalidInput naming it, and nothing is sent', async () => {
    await refused(at('/u/{id}/{name}'), /the path placeholders \{id\}, \{name\} have no value/)
    await refused(pipe(at('/u/{id}'), H.setPathParam('other', 1)), /the path placeholder \{id\} has no value/)
  })
  test('a value without a placeholder is InvalidInput naming it, and nothing is sent', async () => {
    await refused(pipe(at('/u/{id}'), H.setPathParams({ id: 1, extra: 2 })), /the path param extra has no placeholder/)
    // a placeholder in the query or the host is no path placeholder
    await refused(pipe(at('/u?q={q}'), H.setPathParam('q', 1)), /the path param q has no placeholder/)
  })
  test('a { that forms no placeholder is sent as it is, encoded', async () => {
    assert.equal(await targetOf(at('/a/{}/{a b}/{')), '/a/%7B%7D/%7Ba%20b%7D/%7B')
    assert.equal(await targetOf(at('/a/%7Bid%7D')), '/a/%7Bid%7D')
  })
  test('the prepared request, its log and toCurl show the filled URL', async () => {
    const p = await H.prepareRequest('GET')(pipe(at('/u/{id}'), H.setPathParam('id', 'a b/c')))()
    assert.ok(E.isRight(p))
    assert.equal(p.right.url, `${recorder.url}/u/a%20b%2Fc`)
    assert.ok(H.getLog(p.right, true).includes(`GET ${recorder.url}/u/a%20b%2Fc`))
    assert.match(H.toCurl(p.right), new RegExp(`^curl ${recorder.url}/u/a%20b%2Fc`))
  })

  test('a secret-named path param is *** in the log, in errors and in toCurl; the server gets it', async () => {
    const req = pipe(at('/bot{token}/send'), H.setPathParam('token', '123:SeCrEt'))
    const p = await H.prepareRequest('GET')(req)()
    assert.ok(E.isRight(p))
    assert.equal(p.right.url, `${recorder.url}/bot123%3ASeCrEt/send`)
    const log = H.getLog(p.right, true)
    assert.ok(!log.includes('SeCrEt'), log)
    assert.ok(log.includes(`GET ${recorder.url}/bot***/send`), log)
    assert.ok(!H.toCurl(p.right).includes('SeCrEt'))
    assert.equal(await targetOf(req), '/bot123%3ASeCrEt/send')
  })

  test('property: any string value but empty, . and .. arrives as one segment that decodes back to it', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ unit: 'grapheme', minLength: 1, maxLength: 10 }).filter((s) => s !== '.' && s !== '..'),
        async (value) => {
          const target = await targetOf(pipe(at('/p/{v}/end'), H.setPathParam('v', value)))
          const segments = target.split('/')
          assert.equal(segments.length, 4, target)
          assert.deepEqual([segments[1], segments[3]], ['p', 'end'])
          assert.equal(decodeURIComponent(segments[2] ?? ''), value)
        },
      ),
      { numRuns: 60 },
    )
  })
})

describe('templates', () => {
  const saved = (req: H.Request): unknown => JSON.parse(JSON.stringify(H.toTemplate(req)))

  test('a template keeps its placeholders and params; loaded, it sends the filled path', async () => {
    const req = pipe(
      H.newRequest(),
      H.setBaseUrl(`${recorder.url}/t/{tenant}`),
      H.setUrl('/u/{id}'),
      H.setPathParams({ tenant: 'a/b', id: 3 }),
    )
    const json = saved(req) as { request: { url: string; baseUrl: string; pathParams: unknown } }
    assert.equal(json.request.url, '/u/{id}')
    assert.equal(json.request.baseUrl, `${recorder.url}/t/{tenant}`)
    assert.deepEqual(json.request.pathParams, [
      ['tenant', 'a/b'],
      ['id', 3],
    ])
    const loaded = H.fromTemplate(json)
    assert.ok(E.isRight(loaded))
    assert.deepEqual(loaded.right.pathParams, req.pathParams)
    assert.equal(await targetOf(loaded.right), '/t/a%2Fb/u/3')
    // a loaded template takes new values as any request does
    assert.equal(await targetOf(pipe(loaded.right, H.setPathParam('id', 'x y'))), '/t/a%2Fb/u/x%20y')
  })
  test('a secret-named path param is left out of the template: loaded, the run names its placeholder, nothing sent', async () => {
    const req = pipe(
      H.newRequest(),
      H.setUrl(`${recorder.url}/bot{token}/send/{chat_id}`),
      H.setPathParams({ token: '123:SECRET', chat_id: 42 }),
    )
    const text = JSON.stringify(H.toTemplate(req))
    assert.ok(!text.includes('SECRET'), text)
    const loaded = H.fromTemplate(JSON.parse(text))
    assert.ok(E.isRight(loaded))
    assert.deepEqual(loaded.right.pathParams, [['chat_id', 42]])
    const before = recorder.seen.length
    const r = await H.processRequest('GET')(loaded.right)()
    assert.ok(E.isLeft(r) && r.left._tag === 'InvalidInput')
    assert.match(r.left.message, /\{token\} has no value/)
    assert.equal(recorder.seen.length, before)
    assert.equal(await targetOf(pipe(loaded.right, H.setPathParam('token', '7:x'))), '/bot7%3Ax/send/42')
  })
  test('a template saved before path params existed (no pathParams key) still loads, with none', async () => {
    const json = saved(at('/old')) as { request: Record<string, unknown> }
    delete json.request['pathParams']
    assert.ok(!('pathParams' in json.request))
    const loaded = H.fromTemplate(json)
    assert.ok(E.isRight(loaded), E.isLeft(loaded) ? loaded.left.message : '')
    assert.deepEqual(loaded.right.pathParams, [])
    assert.equal(await targetOf(loaded.right), '/old')
    assert.ok(E.isRight(H.RequestCodec.decode(json.request)))
  })
  test('a template whose path params are not valid is refused at load, naming the field', () => {
    for (const bad of [
      [['id', '..']],
      [['id', '']],
      [['a b', 1]],
      [['id', null]],
      [
        ['id', 1],
        ['id', 2],
      ],
      {},
    ]) {
      const json = saved(at('/u/{id}')) as { request: Record<string, unknown> }
      json.request['pathParams'] = bad
      const loaded = H.fromTemplate(json)
      assert.ok(E.isLeft(loaded), JSON.stringify(bad))
      assert.match(loaded.left.message, /not valid at pathParams/, JSON.stringify(bad))
    }
  })
})
