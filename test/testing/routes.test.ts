import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { inflateSync } from 'node:zlib'

import type { EchoPayload } from '../../src/testing/index.js'
import { assertBadRequest, call, echoOf, headerLines, raw, server, useSharedServer, withTimerSpy } from './support.js'
import { waitFor } from '../support/wait.js'

useSharedServer()

describe('/delay/:ms', () => {
  test('waits, then echoes', async () => {
    const started = Date.now()
    const res = await call('/delay/60?a=1')
    assert.ok(Date.now() - started >= 55)
    assert.equal(res.status, 200)
    assert.deepEqual((await echoOf(res)).args, { a: '1' })
  })

  test('rejects out-of-range delays', async () => {
    for (const ms of ['60001', '-1', 'soon']) await assertBadRequest(`/delay/${ms}`)
  })

  test('clears its timer when the client disconnects', async () => {
    await withTimerSpy(59_999, async (spy) => {
      const controller = new AbortController()
      const pending = call('/delay/59999', { signal: controller.signal })
      await waitFor(() => spy.created.length === 1)
      controller.abort()
      await assert.rejects(pending, { name: 'AbortError' })
      await waitFor(() => spy.cleared.includes(spy.created[0]))
    })
  })
})

describe('compression', () => {
  const cases = [
    ['/gzip', 'gzip', 'gzipped'],
    ['/deflate', 'deflate', 'deflated'],
    ['/brotli', 'br', 'brotli'],
  ] as const
  for (const [path, encoding, flag] of cases) {
    test(`${path} answers ${encoding}-encoded echo JSON`, async () => {
      const res = await call(`${path}?x=1`)
      assert.equal(res.status, 200)
      assert.equal(res.headers.get('content-encoding'), encoding)
      assert.equal(res.headers.get('content-type'), 'application/json')
      const body = (await res.json()) as EchoPayload & Record<string, unknown>
      assert.equal(body[flag], true)
      assert.deepEqual(body.args, { x: '1' })
    })
  }

  test('/deflate is zlib-wrapped deflate on the wire', async () => {
    const res = await raw('/deflate')
    assert.equal(res.headers['content-encoding'], 'deflate')
    assert.equal(Number(res.headers['content-length']), res.body.length)
    const body = JSON.parse(inflateSync(res.body).toString('utf8')) as Record<string, unknown>
    assert.equal(body['deflated'], true)
  })
})

describe('/bytes/:n', () => {
  const expected = (n: number, seed: number): Uint8Array =>
    Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 255)

  test('answers n deterministic bytes', async () => {
    const res = await call('/bytes/1000?seed=7')
    assert.equal(res.status, 200)
    assert.equal(res.headers.get('content-type'), 'application/octet-stream')
    assert.equal(res.headers.get('content-length'), '1000')
    assert.deepEqual(new Uint8Array(await res.arrayBuffer()), expected(1000, 7))
    const unseeded = new Uint8Array(await (await call('/bytes/300')).arrayBuffer())
    assert.deepEqual(unseeded, expected(300, 0))
  })

  test('streams large bodies across chunk boundaries', async () => {
    const n = 3 * 1024 * 1024 + 17
    const res = await call(`/bytes/${n}?seed=300`)
    assert.equal(res.headers.get('content-length'), String(n))
    assert.deepEqual(new Uint8Array(await res.arrayBuffer()), expected(n, 300))
  })

  test('zero bytes and HEAD', async () => {
    const empty = await call('/bytes/0')
    assert.equal(empty.headers.get('content-length'), '0')
    assert.equal((await empty.arrayBuffer()).byteLength, 0)
    const head = await raw(`/bytes/${100 * 1024 * 1024}`, { method: 'HEAD' })
    assert.equal(head.status, 200)
    assert.equal(head.headers['content-length'], String(100 * 1024 * 1024))
    assert.equal(head.body.length, 0)
  })

  test('rejects bad sizes and seeds', async () => {
    for (const path of [
      `/bytes/${100 * 1024 * 1024 + 1}`,
      '/bytes/-1',
      '/bytes/1.5',
      '/bytes/abc',
      '/bytes/5?seed=x',
      '/bytes/5?seed=-1',
    ])
      await assertBadRequest(path)
  })
})

describe('auth', () => {
  const basic = (credentials: string): Record<string, string> => ({
    Authorization: `Basic ${Buffer.from(credentials).toString('base64')}`,
  })

  test('/basic-auth accepts matching credentials', async () => {
    const res = await call('/basic-auth/ann/s3cr%C3%A9t', { headers: basic('ann:s3crét') })
    assert.equal(res.status, 200)
    assert.deepEqual(await res.json(), { authenticated: true, user: 'ann' })
  })

  test('/basic-auth rejects wrong or missing credentials', async () => {
    for (const headers of [
      basic('ann:wrong'),
      basic('bob:pw'),
      {},
      { Authorization: 'Bearer ann:pw' },
      { Authorization: 'Basic !!!' },
    ]) {
      const res = await call('/basic-auth/ann/pw', { headers })
      assert.equal(res.status, 401)
      assert.equal(res.headers.get('www-authenticate'), 'Basic realm="Fake Realm"')
      assert.deepEqual(await res.json(), { authenticated: false })
    }
  })

  test('/basic-auth rejects malformed path encoding', async () => {
    await assertBadRequest('/basic-auth/%E0%A4%A/pw')
  })

  test('/bearer accepts a token', async () => {
    const res = await call('/bearer', { headers: { Authorization: 'Bearer abc.def' } })
    assert.equal(res.status, 200)
    assert.deepEqual(await res.json(), { authenticated: true, token: 'abc.def' })
  })

  test('/bearer rejects a missing or non-bearer authorization', async () => {
    const attempts: ReadonlyArray<Record<string, string>> = [
      {},
      { Authorization: 'Basic abc' },
      { Authorization: 'Bearer' },
    ]
    for (const headers of attempts) {
      const res = await call('/bearer', { headers })
      assert.equal(res.status, 401)
      assert.equal(res.headers.get('www-authenticate'), 'Bearer')
      assert.deepEqual(await res.json(), { authenticated: false })
    }
  })
})

describe('/flaky/:key', () => {
  test('fails the first N hits, then echoes with the attempt number', async () => {
    const path = '/flaky/k1?failures=2&status=500&retryAfter=1'
    for (const attempt of [1, 2]) {
      const res = await call(path)
      assert.equal(res.status, 500)
      assert.equal(res.headers.get('retry-after'), '1')
      assert.deepEqual(await res.json(), { attempt, failing: true })
    }
    const ok = await call(path)
    assert.equal(ok.status, 200)
    const body = (await ok.json()) as EchoPayload & { attempt: number }
    assert.equal(body.attempt, 3)
    assert.equal(body.path, '/flaky/k1')
    assert.equal(server.hits('k1'), 3)
  })

  test('defaults to one 503 failure without Retry-After, counting per key', async () => {
    const first = await call('/flaky/k2')
    assert.equal(first.status, 503)
    assert.equal(first.headers.get('retry-after'), null)
    await first.arrayBuffer()
    assert.equal((await call('/flaky/other')).status, 503)
    assert.equal((await call('/flaky/k2')).status, 200)
    assert.equal(server.hits('k2'), 2)
    assert.equal(server.hits('other'), 1)
    assert.equal(server.hits('never'), 0)
  })

  test('passes an HTTP-date Retry-After through verbatim', async () => {
    const date = 'Wed, 21 Oct 2015 07:28:00 GMT'
    const res = await call(`/flaky/k3?retryAfter=${encodeURIComponent(date)}&status=429`)
    assert.equal(res.status, 429)
    assert.equal(res.headers.get('retry-after'), date)
  })

  test('failures=0 never fails', async () => {
    assert.equal((await call('/flaky/k4?failures=0')).status, 200)
  })

  test('rejects bad parameters', async () => {
    for (const query of ['failures=x', 'failures=-1', 'status=99', 'status=600', 'retryAfter=%0A'])
      await assertBadRequest(`/flaky/bad?${query}`)
    assert.equal(server.hits('bad'), 0)
  })
})

describe('/response-headers', () => {
  test('sets each query pair as a header, repeated ones as separate lines', async () => {
    const res = await raw('/response-headers?X-One=1&X-Two=a&X-Two=b')
    assert.equal(res.status, 200)
    assert.deepEqual(headerLines(res.rawHeaders, 'x-one'), [['X-One', '1']])
    assert.deepEqual(headerLines(res.rawHeaders, 'x-two'), [
      ['X-Two', 'a'],
      ['X-Two', 'b'],
    ])
    assert.deepEqual(JSON.parse(res.body.toString('utf8')), { 'X-One': '1', 'X-Two': ['a', 'b'] })
  })

  test('may override Content-Type', async () => {
    const res = await call('/response-headers?Content-Type=text/plain')
    assert.equal(res.headers.get('content-type'), 'text/plain')
    assert.deepEqual(JSON.parse(await res.text()), { 'Content-Type': 'text/plain' })
  })

  test('rejects invalid or framing headers', async () => {
    for (const query of ['bad%20name=1', 'X-A=%0D%0Ainjected', 'Content-Length=1', 'transfer-encoding=chunked'])
      await assertBadRequest(`/response-headers?${query}`)
  })
})

describe('/cookies/set', () => {
  test('sets one cookie per pair', async () => {
    const res = await call('/cookies/set?a=1&b=two')
    assert.equal(res.status, 200)
    assert.deepEqual(res.headers.getSetCookie(), ['a=1; Path=/', 'b=two; Path=/'])
    assert.deepEqual(await res.json(), { a: '1', b: 'two' })
  })

  test('rejects invalid names and values', async () => {
    await assertBadRequest('/cookies/set?a=1%3B%20Domain%3Devil')
    await assertBadRequest('/cookies/set?bad%20name=1')
  })
})

describe('/stream/:n', () => {
  test('sends n JSON lines with chunked encoding', async () => {
    const res = await raw('/stream/5?x=1')
    assert.equal(res.status, 200)
    assert.equal(res.headers['transfer-encoding'], 'chunked')
    assert.equal(res.headers['content-length'], undefined)
    const lines = res.body.toString('utf8').trimEnd().split('\n')
    const parsed = lines.map((line) => JSON.parse(line) as { id: number; args: unknown })
    assert.deepEqual(
      parsed.map((line) => line.id),
      [0, 1, 2, 3, 4],
    )
    assert.deepEqual(parsed[0]?.args, { x: '1' })
  })

  test('rejects n outside 1..1000', async () => {
    for (const n of ['0', '1001', 'many']) await assertBadRequest(`/stream/${n}`)
  })
})

describe('/users and /users/:id', () => {
  test('a user by id: 200 for 1 to 1000, 404 otherwise, DELETE 204', async () => {
    const one = await call('/users/1000')
    assert.equal(one.status, 200)
    assert.deepEqual(await one.json(), { id: 1000, name: 'User 1000' })
    for (const id of ['0', '1001', '07', 'abc', '%2F']) {
      const res = await call(`/users/${id}`)
      assert.equal(res.status, 404, id)
      assert.equal(((await res.json()) as { title: string }).title, 'Not Found')
    }
    const del = await call('/users/5', { method: 'DELETE' })
    assert.equal(del.status, 204)
    assert.equal((await del.arrayBuffer()).byteLength, 0)
    assert.equal((await call('/users/5', { method: 'PUT', body: '{}' })).status, 405)
  })

  test('create: 201 with the fields and id 1001, 422 without a name, 400 for a non-object', async () => {
    const post = (body: string) =>
      call('/users', { method: 'POST', body, headers: { 'content-type': 'application/json' } })
    const created = await post('{"name":"Ann","age":30}')
    assert.equal(created.status, 201)
    assert.equal(created.headers.get('location'), '/users/1001')
    assert.deepEqual(await created.json(), { name: 'Ann', age: 30, id: 1001 })
    for (const body of ['{}', '{"name":""}', '{"name":3}']) {
      const res = await post(body)
      assert.equal(res.status, 422, body)
      assert.equal(((await res.json()) as { errors: Array<{ field: string }> }).errors[0]?.field, 'name')
    }
    for (const body of ['[1]', 'null', '{oops']) assert.equal((await post(body)).status, 400, body)
    const list = await call('/users')
    assert.deepEqual(
      ((await list.json()) as Array<{ id: number }>).map((u) => u.id),
      [1, 2, 3],
    )
  })
})
