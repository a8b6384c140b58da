/**
 * The one-call shortcuts against the echo server: each sends what the equivalent steps send,
 * options map onto the steps, and hostile arguments are InvalidInput naming the shortcut (or
 * the step) with nothing sent.
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import * as E from 'fp-ts/Either'
import { flow, pipe } from 'fp-ts/function'
import * as TE from 'fp-ts/TaskEither'

import * as H from '../../src/index.js'
import type { EchoPayload } from '../../src/testing/index.js'
import { useEchoServer, useTempDir } from '../support/fixtures.js'

const srv = useEchoServer()
const tmp = useTempDir('shortcuts')

const right = <A>(r: E.Either<H.ClientError, A>): A => {
  if (E.isLeft(r)) assert.fail(`expected a Right, got ${r.left._tag}: ${r.left.message}`)
  return r.right
}
const echo = (res: H.HttpResponse): EchoPayload => right(H.asJson()(res)) as EchoPayload
const sent = () => srv.server.requests.length

describe('shortcuts without a body', () => {
  test('get: params, headers, the URL query kept', async () => {
    const res = right(
      await H.get(`${srv.url}/get?a=1`, {
        params: { q: 'fp ts', page: 2 },
        headers: { Accept: 'application/json', 'X-Trace': 't1' },
      })(),
    )
    const e = echo(res)
    assert.equal(res.status, 200)
    assert.equal(e.method, 'GET')
    assert.deepStrictEqual(e.args, { a: '1', q: 'fp ts', page: '2' })
    assert.equal(e.headers['accept'], 'application/json')
    assert.equal(e.headers['x-trace'], 't1')
    assert.equal(e.bodyLength, 0)
  })

  test('sends exactly what the equivalent steps send', async () => {
    const viaSteps = right(
      await pipe(
        H.newRequest(),
        H.initialize(`${srv.url}/anything`),
        H.setUrlParams([['k', 'v']]),
        H.setHeaders({ 'X-A': '1' }),
        H.processRequest('PUT'),
      )(),
    )
    const viaShortcut = right(await H.put(`${srv.url}/anything`, { params: [['k', 'v']], headers: { 'X-A': '1' } })())
    const strip = (p: EchoPayload) => ({ ...p, headers: { ...p.headers, 'user-agent': '' } })
    assert.deepStrictEqual(strip(echo(viaShortcut)), strip(echo(viaSteps)))
  })

  test('head, put and delete send their method and no body', async () => {
    const h = right(await H.head(`${srv.url}/get`)())
    assert.equal(h.status, 200)
    assert.equal(h.body.length, 0)
    assert.equal(srv.server.requests.at(-1)?.method, 'HEAD')
    for (const [f, method, path] of [
      [H.put, 'PUT', '/put'],
      [H.delete, 'DELETE', '/delete'],
    ] as const) {
      const e = echo(right(await f(`${srv.url}${path}`)()))
      assert.equal(e.method, method)
      assert.equal(e.bodyLength, 0)
      assert.equal(e.headers['content-type'], undefined)
    }
  })

  test('any status that arrives is a Right; ensureStatus refuses it', async () => {
    const res = right(await H.get(`${srv.url}/status/404`)())
    assert.equal(res.status, 404)
    const checked = await pipe(H.get(`${srv.url}/status/404`), TE.flatMapEither(H.ensureStatus()))()
    assert.ok(E.isLeft(checked) && checked.left._tag === 'StatusError' && checked.left.status === 404)
  })

  test('responseFile streams the body to the file', async () => {
    const file = tmp.file('bytes.bin')
    const res = right(await H.get(`${srv.url}/bytes/4096`, { responseFile: file })())
    assert.deepStrictEqual(H.responseFilename(res), { _tag: 'Some', value: file })
    assert.equal(readFileSync(file).length, 4096)
    assert.equal(res.body.length, 0)
  })

  test('configure: any further steps (auth, settings), applied last', async () => {
    const res = right(
      await H.get(`${srv.url}/bearer`, { configure: flow(H.addBearerAuthorization('tok'), H.setTimeout(5000)) })(),
    )
    assert.equal(res.status, 200)
    assert.match(H.getLog(res, true), /Bearer/)
  })

  test('env: a secret header read from env.secrets when the request runs', async () => {
    const res = right(
      await H.get(`${srv.url}/headers`, {
        headers: { 'X-Api-Key': H.secretFromEnv('K') },
        env: { secrets: (n) => (n === 'K' ? 'k-123' : undefined) },
      })(),
    )
    assert.equal(echo(res).headers['x-api-key'], 'k-123')
    assert.doesNotMatch(H.getLog(res, true), /k-123/)
  })
})

describe('shortcuts with a body', () => {
  const cases = [
    [H.postWithBody, 'POST', '/post'],
    [H.putWithBody, 'PUT', '/put'],
    [H.patchWithBody, 'PATCH', '/patch'],
    [H.deleteWithBody, 'DELETE', '/delete'],
  ] as const
  for (const [f, method, path] of cases) {
    test(`${method}: JSON by default, a form with bodyType 'form'`, async () => {
      const j = echo(right(await f(`${srv.url}${path}`, { field1: 10, list: [1, 'two'] }, { params: { id: 7 } })()))
      assert.equal(j.method, method)
      assert.deepStrictEqual(j.json, { field1: 10, list: [1, 'two'] })
      assert.match(j.headers['content-type'] ?? '', /^application\/json/)
      assert.deepStrictEqual(j.args, { id: '7' })
      const f1 = echo(right(await f(`${srv.url}${path}`, { name: 'Ann Lee', city: 'Zürich' }, { bodyType: 'form' })()))
      assert.equal(f1.method, method)
      assert.deepStrictEqual(f1.form, { name: 'Ann Lee', city: 'Zürich' })
      assert.match(f1.headers['content-type'] ?? '', /^application\/x-www-form-urlencoded/)
    })
  }

  test('JSON text is sent as it is; a form string too', async () => {
    assert.deepStrictEqual(echo(right(await H.postWithBody(`${srv.url}/post`, '{"a":[1,2]}')())).json, { a: [1, 2] })
    assert.deepStrictEqual(
      echo(right(await H.postWithBody(`${srv.url}/post`, 'a=1&b=2', { bodyType: 'form' })())).form,
      { a: '1', b: '2' },
    )
  })
})

describe('hostile input: InvalidInput naming the shortcut or step, nothing sent', () => {
  const cyclic: Record<string, unknown> = {}
  cyclic['self'] = cyclic
  const throwing = new Proxy(
    {},
    {
      ownKeys: () => {
        throw new Error('boom')
      },
    },
  )
  const cases: ReadonlyArray<readonly [string, () => TE.TaskEither<H.ClientError, H.HttpResponse>, string, RegExp]> = [
    [
      'a URL that is no string',
      () => (H.get as (u: unknown) => TE.TaskEither<H.ClientError, H.HttpResponse>)(42),
      'get',
      /^get: the URL must be a string, got number$/,
    ],
    [
      'a URL that is null',
      () => (H.delete as (u: unknown) => TE.TaskEither<H.ClientError, H.HttpResponse>)(null),
      'delete',
      /^delete: the URL must be a string, got null$/,
    ],
    ['an invalid URL', () => H.get('http://exa mple.com/'), 'setUrl', /^setUrl: /],
    [
      'options that are no object',
      () => H.head(`${srv.url}/get`, 'x' as never),
      'head',
      /^head: the options must be an object, got string$/,
    ],
    [
      'options that are an array',
      () => H.put(`${srv.url}/put`, [] as never),
      'put',
      /^put: the options must be an object, got an array$/,
    ],
    [
      'a misspelt option',
      () => H.get(`${srv.url}/get`, { header: { A: '1' } } as never),
      'get',
      /^get: unknown option "header" \(known: params, headers, responseFile, configure, env\)$/,
    ],
    [
      'bodyType on a shortcut without a body',
      () => H.get(`${srv.url}/get`, { bodyType: 'form' } as never),
      'get',
      /unknown option "bodyType"/,
    ],
    ['a symbol key', () => H.get(`${srv.url}/get`, { [Symbol('s')]: 1 } as never), 'get', /unknown option/],
    [
      'a bodyType that is neither',
      () => H.postWithBody(`${srv.url}/post`, {}, { bodyType: 'xml' } as never),
      'postWithBody',
      /bodyType must be 'json' or 'form', got "xml"/,
    ],
    [
      'configure that is no function',
      () => H.get(`${srv.url}/get`, { configure: 1 } as never),
      'get',
      /configure must be a builder step/,
    ],
    [
      'configure that throws',
      () =>
        H.get(`${srv.url}/get`, {
          configure: () => {
            throw new Error('mine')
          },
        }),
      'get',
      /^get: options\.configure threw: mine$/,
    ],
    [
      'configure returning no Request',
      () => H.get(`${srv.url}/get`, { configure: () => 42 as never }),
      'processRequest',
      /not a Request|Request/,
    ],
    ['env that is no object', () => H.get(`${srv.url}/get`, { env: 5 } as never), 'get', /env must be an object/],
    [
      'options whose keys cannot be read',
      () => H.get(`${srv.url}/get`, throwing as never),
      'get',
      /^get: the options cannot be read: boom$/,
    ],
    [
      'params with a cycle',
      () => H.get(`${srv.url}/get`, { params: { a: cyclic } }),
      'setUrlParams',
      /^setUrlParams: /,
    ],
    [
      'a header with CR LF',
      () => H.get(`${srv.url}/get`, { headers: { 'X-A': 'a\r\nEvil: 1' } }),
      'setHeaders',
      /CR, LF or NUL/,
    ],
    [
      'an empty response file',
      () => H.get(`${srv.url}/get`, { responseFile: '' }),
      'setResponseFile',
      /non-empty string/,
    ],
    ['invalid JSON text', () => H.postWithBody(`${srv.url}/post`, '{nope'), 'setJsonBody', /invalid JSON/],
    ['a bigint in a JSON body', () => H.patchWithBody(`${srv.url}/patch`, { n: 10n }), 'setJsonBody', /./],
    [
      'a form body that is a number',
      () => H.putWithBody(`${srv.url}/put`, 5 as never, { bodyType: 'form' }),
      'setFormBody',
      /./,
    ],
  ]
  for (const [what, run, step, message] of cases)
    test(what, async () => {
      const before = sent()
      const r = await run()()
      assert.ok(E.isLeft(r), 'a Left')
      assert.equal(r.left._tag, 'InvalidInput')
      assert.equal((r.left as H.InvalidInput).step, step)
      assert.match(r.left.message, message)
      assert.equal(sent(), before, 'nothing sent')
    })

  test('a refused connection is a TransportError (not a throw)', async () => {
    const r = await H.postWithBody('http://127.0.0.1:9/', { a: 1 })()
    assert.ok(E.isLeft(r) && r.left._tag === 'TransportError')
  })
})
