/**
 * endpoint: what a call sends (the path param encoded as one segment, query params added to the
 * template's, headers merged, the body encoded by its codec), checked by a raw node:http server
 * that records the exact request-target, headers and bytes; and what it gives back (the echo
 * server's JSON API decoded by status). On the default transport and on cross-fetch. Hostile
 * definitions and inputs are InvalidInput of `endpoint` with nothing sent.
 */
import assert from 'node:assert/strict'
import { after, describe, test } from 'node:test'
import * as E from 'fp-ts/Either'
import { flow, pipe } from 'fp-ts/function'
import * as t from 'io-ts'
import * as H from '../../src/index.js'
import { useEchoServer, useRecordingServer } from '../support/fixtures.js'

const recorder = useRecordingServer((r, res) => {
  if (r.url.startsWith('/empty')) return res.writeHead(204).end()
  res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}')
})
const echo = useEchoServer()
const undici = H.undiciTransport()
after(() => undici.close())
const TRANSPORTS: ReadonlyArray<readonly [string, H.Transport]> = [
  ['undici', undici],
  ['cross-fetch', H.crossFetchTransport],
]

/** A Date sent as ISO text (io-ts-types' DateFromISOString, written out). */
const DateFromISO = new t.Type<Date, string, unknown>(
  'DateFromISO',
  (u): u is Date => u instanceof Date,
  (u, c) => (typeof u === 'string' && !Number.isNaN(Date.parse(u)) ? t.success(new Date(u)) : t.failure(u, c)),
  (d) => d.toISOString(),
)
const Ok = t.type({ ok: t.boolean }, 'Ok')
const User = t.type({ id: t.number, name: t.string }, 'User')
const Problem = t.type({ title: t.string, detail: t.string }, 'Problem')
const Invalid = t.type({ errors: t.array(t.type({ field: t.string, message: t.string })) }, 'Invalid')

const rightOf = <A>(e: E.Either<H.ClientError, A>): A => {
  if (E.isLeft(e)) assert.fail(`expected Right, got ${e.left._tag}: ${e.left.message}`)
  return e.right
}
const invalidOf = <A>(e: E.Either<H.ClientError, A>, step = 'endpoint'): string => {
  if (E.isRight(e)) assert.fail(`expected InvalidInput, got ${JSON.stringify(e.right)}`)
  assert.equal(e.left._tag, 'InvalidInput', e.left.message)
  if (e.left._tag === 'InvalidInput') assert.equal(e.left.step, step)
  return e.left.message
}

for (const [name, transport] of TRANSPORTS)
  describe(`endpoint on ${name}`, () => {
    const env: H.Env = { transport }

    test('sends the path param as one encoded segment, the query added, headers merged, the body encoded by its codec', async () => {
      const update = H.endpoint({
        method: 'PUT',
        request: flow(
          H.setBaseUrl(`${recorder.url}/v1`),
          H.setUrl('/items/{id}/notes'),
          H.addUrlParameter('key', 'k1'),
          H.addHeader('X-Client', 'template'),
          H.addHeader('X-Trace', 'template'),
        ),
        path: t.type({ id: t.string }),
        query: t.type({ page: t.number, tags: t.array(t.string) }),
        headers: t.type({ 'X-Trace': t.string }),
        body: t.type({ text: t.string, at: DateFromISO }),
        responses: { 200: Ok },
        env,
      })
      const before = recorder.seen.length
      const r = await update({
        path: { id: 'a/b c?%#é' },
        query: { page: 2, tags: ['x', 'y'] },
        headers: { 'X-Trace': 'call' },
        body: { text: 'hi', at: new Date(Date.UTC(2024, 1, 3)) },
      })()
      assert.deepStrictEqual(rightOf(r), { status: 200, body: { ok: true } })
      assert.equal(recorder.seen.length, before + 1)
      const seen = recorder.seen[before]!
      assert.equal(seen.method, 'PUT')
      assert.equal(seen.url, '/v1/items/a%2Fb%20c%3F%25%23%C3%A9/notes?key=k1&page=2&tags=[x,y]')
      assert.equal(seen.headers['x-client'], 'template')
      assert.equal(seen.headers['x-trace'], 'call')
      assert.match(String(seen.headers['content-type']), /^application\/json/)
      assert.equal(seen.body.toString('utf8'), '{"text":"hi","at":"2024-02-03T00:00:00.000Z"}')
    })

    test("the template's own path params are kept, repeated query names kept, fields left undefined dropped", async () => {
      const list = H.endpoint({
        method: 'GET',
        request: flow(
          H.setUrl(`${recorder.url}/t/{tenant}/users/{id}`),
          H.setPathParam('tenant', 'acme'),
          H.addUrlParameter('tag', 'template'),
          H.addUrlParameter('keep', 'k'),
        ),
        path: t.type({ id: t.number }),
        query: t.partial({ tag: t.array(t.string), page: t.number, q: t.string }),
        headers: t.partial({ 'X-Trace': t.string, 'X-Other': t.string }),
        responses: { 200: Ok },
        env,
      })
      const before = recorder.seen.length
      const r = await list({
        path: { id: 7 },
        query: { tag: ['a', 'b'], q: undefined },
        headers: { 'X-Trace': 't', 'X-Other': undefined },
      })()
      assert.deepStrictEqual(rightOf(r), { status: 200, body: { ok: true } })
      const seen = recorder.seen[before]!
      assert.equal(seen.url, '/t/acme/users/7?keep=k&tag=[a,b]')
      assert.equal(seen.headers['x-trace'], 't')
      assert.equal(seen.headers['x-other'], undefined)
      const pairs = H.endpoint({
        method: 'GET',
        request: H.setUrl(`${recorder.url}/q`),
        query: { encode: (q: ReadonlyArray<readonly [string, string]>) => q } as t.Encoder<
          ReadonlyArray<readonly [string, string]>,
          ReadonlyArray<readonly [string, string]>
        >,
        responses: { 200: Ok },
        env,
      })
      rightOf(
        await pairs({
          query: [
            ['tag', 'a'],
            ['tag', 'b'],
          ],
        })(),
      )
      assert.equal(recorder.seen.at(-1)?.url, '/q?tag=a&tag=b')
    })

    test('an endpoint without encoders takes no input; the template may be a Request value', async () => {
      const ping = H.endpoint({
        method: 'GET',
        request: pipe(H.newRequest(), H.initialize(`${recorder.url}/ping`)),
        responses: { 200: Ok },
        env,
      })
      assert.deepStrictEqual(rightOf(await ping()()), { status: 200, body: { ok: true } })
      assert.equal(recorder.seen.at(-1)?.url, '/ping')
      const gone = H.endpoint({
        method: 'DELETE',
        request: H.setUrl(`${recorder.url}/empty`),
        responses: { 204: t.undefined },
        env,
      })
      assert.deepStrictEqual(rightOf(await gone()()), { status: 204, body: undefined })
    })

    test('decodes each answer of a JSON API by its status: 200, 404, 201, 422', async () => {
      const api = H.setBaseUrl(echo.url)
      const getUser = H.endpoint({
        method: 'GET',
        request: flow(api, H.setUrl('/users/{id}')),
        path: t.type({ id: t.number }),
        responses: { 200: User, 404: Problem },
        env,
      })
      const createUser = H.endpoint({
        method: 'POST',
        request: flow(api, H.setUrl('/users')),
        body: t.type({ name: t.string }),
        responses: { 201: User, 422: Invalid },
        env,
      })
      assert.deepStrictEqual(rightOf(await getUser({ path: { id: 7 } })()), {
        status: 200,
        body: { id: 7, name: 'User 7' },
      })
      const missing = rightOf(await getUser({ path: { id: 1001 } })())
      assert.equal(missing.status, 404)
      assert.equal(missing.status === 404 && missing.body.detail, 'no user "1001"')
      assert.deepStrictEqual(rightOf(await createUser({ body: { name: 'Ann' } })()), {
        status: 201,
        body: { id: 1001, name: 'Ann' },
      })
      const refused = rightOf(await createUser({ body: { name: '' } })())
      assert.equal(refused.status, 422)
      assert.deepStrictEqual(refused.status === 422 && refused.body.errors, [
        { field: 'name', message: 'must be a non-empty string' },
      ])
      // a status the responses do not name: a StatusError carrying the response
      const onlyOk = H.endpoint({
        method: 'GET',
        request: H.setUrl(`${echo.url}/status/503`),
        responses: { 200: Ok },
        env,
      })
      const err = await onlyOk()()
      assert.ok(E.isLeft(err) && err.left._tag === 'StatusError' && err.left.status === 503)
    })
  })

describe('endpoint with hostile definitions and inputs', () => {
  const good = () =>
    ({
      method: 'GET',
      request: H.setUrl(`${recorder.url}/items/{id}`),
      path: t.type({ id: t.number }),
      responses: { 200: Ok },
      env: { transport: undici },
    }) as const

  test('a definition that cannot run is InvalidInput of endpoint, nothing sent', async () => {
    const before = recorder.seen.length
    const bad: ReadonlyArray<readonly [unknown, RegExp]> = [
      [null, /must be an object/],
      [{ ...good(), method: 3 }, /no method/],
      [{ ...good(), request: 'GET /x' }, /Request or a step/],
      [{ ...good(), path: { decode: () => 1 } }, /path codec has no encode/],
      [{ ...good(), body: null, path: undefined }, /body codec has no encode/],
      [
        {
          ...good(),
          request: () => {
            throw new Error('template broke')
          },
        },
        /request step threw: template broke/,
      ],
      [{ ...good(), request: () => 'not a request' }, /did not return a Request/],
      [
        new Proxy(good(), {
          get: () => {
            throw new Error('trap')
          },
        }),
        /cannot be read: trap/,
      ],
    ]
    for (const [definition, why] of bad) {
      const call = H.endpoint(definition as H.EndpointDefinition) as (i?: unknown) => () => Promise<unknown>
      assert.match(invalidOf((await call({ path: { id: 1 } })()) as E.Either<H.ClientError, unknown>), why)
    }
    assert.equal(recorder.seen.length, before)
  })

  test('an input that is missing a part, refused by its codec, or whose encoder throws is InvalidInput, nothing sent', async () => {
    const before = recorder.seen.length
    const call = H.endpoint(good()) as unknown as (i?: unknown) => () => Promise<E.Either<H.ClientError, unknown>>
    assert.match(invalidOf(await call()()), /the input has no path/)
    assert.match(invalidOf(await call(null)()), /the input has no path/)
    assert.match(invalidOf(await call({ path: { id: '7' } })()), /the input's path is not a/)
    const throwing = H.endpoint({
      ...good(),
      path: {
        encode: () => {
          throw new Error('no encoding')
        },
      } as t.Encoder<{ id: number }, Record<string, number>>,
    })
    assert.match(invalidOf(await throwing({ path: { id: 1 } })()), /path codec's encode threw: no encoding/)
    const badQuery = H.endpoint({
      ...good(),
      query: { encode: () => 'not params' } as unknown as t.Encoder<number, {}>,
    })
    assert.match(invalidOf(await badQuery({ path: { id: 1 }, query: 1 })()), /query/)
    // a body the codec encodes to a value JSON cannot hold: the body step's InvalidInput
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    const badBody = H.endpoint({ ...good(), body: { encode: () => cyclic } as t.Encoder<number, unknown> })
    invalidOf(await badBody({ path: { id: 1 }, body: 1 })(), 'setJsonBody')
    assert.equal(recorder.seen.length, before)
  })

  test('decoders that do not answer with a Validation, or throw what cannot be shown, are InvalidInput, never a rejection', async () => {
    for (const responses of [
      { 200: { decode: () => undefined } },
      {
        200: {
          decode: () => {
            throw Object.create(null)
          },
        },
      },
      new Proxy(
        {},
        {
          ownKeys: () => {
            throw Object.create(null)
          },
        },
      ),
    ]) {
      const call = H.endpoint({ ...good(), responses: responses as unknown as H.StatusCases })
      const r = await call({ path: { id: 1 } })().catch((e: unknown) => assert.fail(`rejected: ${String(e)}`))
      assert.ok(E.isLeft(r) && r.left._tag === 'InvalidInput', JSON.stringify(r))
    }
    const throwingInput = H.endpoint(good()) as unknown as (
      i: unknown,
    ) => () => Promise<E.Either<H.ClientError, unknown>>
    const input = {
      get path() {
        throw Object.create(null)
      },
    }
    assert.match(invalidOf(await throwingInput(input)()), /cannot be read/)
  })

  test('an InvalidInput of the input carries the log of the template', async () => {
    const call = H.endpoint({
      ...good(),
      request: flow(H.setUrl(`${recorder.url}/items/{id}`), H.addHeader('X-A', '1')),
    })
    const r = await (call as unknown as (i: unknown) => () => Promise<E.Either<H.ClientError, unknown>>)({})()
    assert.ok(E.isLeft(r))
    assert.ok(
      r.left.log.some((l) => l.step === 'addHeader'),
      JSON.stringify(r.left.log),
    )
  })

  test('a placeholder the path codec gives no value for is InvalidInput when the request is prepared, nothing sent', async () => {
    const before = recorder.seen.length
    const twoParams = H.endpoint({ ...good(), request: H.setUrl(`${recorder.url}/items/{id}/{sub}`) })
    const r = await twoParams({ path: { id: 1 } })()
    assert.ok(E.isLeft(r) && r.left._tag === 'InvalidInput')
    assert.match(r.left.message, /sub/)
    assert.equal(recorder.seen.length, before)
  })
})
