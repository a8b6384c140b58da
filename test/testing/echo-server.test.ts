import assert from 'node:assert/strict'
import { describe, test } from 'node:test'

import { startEchoServer, type EchoPayload } from '../../src/testing/index.js'
import { assertBadRequest, call, echoOf, raw, server, useSharedServer } from './support.js'
import { waitFor } from '../support/wait.js'

useSharedServer()

describe('server lifecycle', () => {
  test('exposes url and port', () => {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/)
    assert.ok(server.port > 0)
    assert.equal(server.url, `http://127.0.0.1:${server.port}`)
  })

  test('records every request in order, on any route', async () => {
    const own = await startEchoServer()
    try {
      await fetch(`${own.url}/post?x=1`, { method: 'POST', body: 'hello', headers: { 'X-Trace': 'abc' } })
      await fetch(`${own.url}/no/such/route`)
      await fetch(`${own.url}/status/500`, { method: 'DELETE' })
      assert.deepEqual(
        own.requests.map((r) => [r.method, r.url]),
        [
          ['POST', '/post?x=1'],
          ['GET', '/no/such/route'],
          ['DELETE', '/status/500'],
        ],
      )
      const first = own.requests[0]
      assert.ok(first)
      assert.equal(new TextDecoder().decode(first.body), 'hello')
      assert.ok(first.body instanceof Uint8Array)
      assert.equal(first.headers['x-trace'], 'abc')
      assert.ok(first.rawHeaders.some(([name, value]) => name.toLowerCase() === 'x-trace' && value === 'abc'))
    } finally {
      await own.close()
    }
  })

  test('records repeated request headers as separate raw lines and joins them', async () => {
    const res = await raw('/headers', { headers: { 'X-Multi': ['a', 'b'] } })
    const echo = JSON.parse(res.body.toString('utf8')) as EchoPayload
    assert.equal(echo.headers['x-multi'], 'a, b')
    const recorded = server.requests.at(-1)
    assert.deepEqual(
      recorded?.rawHeaders.filter(([name]) => name === 'X-Multi'),
      [
        ['X-Multi', 'a'],
        ['X-Multi', 'b'],
      ],
    )
  })

  test('rejects when the port is taken', async () => {
    await assert.rejects(startEchoServer({ port: server.port }), /EADDRINUSE/)
  })

  test('close() ends pending requests and is idempotent', async () => {
    const own = await startEchoServer()
    const pending = raw('/hang', {}, own)
    await waitFor(() => own.requests.length === 1)
    const closed = own.close()
    assert.equal(own.close(), closed)
    const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 1000).unref())
    assert.equal(await Promise.race([closed.then(() => 'closed' as const), timeout]), 'closed')
    await assert.rejects(pending)
    await assert.rejects(fetch(`${own.url}/get`))
  })

  test('keeps connections alive', async () => {
    const res = await call('/get')
    assert.equal(res.headers.get('connection'), 'keep-alive')
    await res.arrayBuffer()
  })
})

describe('echo routes', () => {
  for (const path of ['/', '/anything', '/anything/a/b', '/get', '/post', '/put', '/patch', '/delete', '/headers']) {
    test(`${path} echoes the request`, async () => {
      const res = await call(`${path}?q=1`, { method: 'PATCH', body: 'x' })
      assert.equal(res.status, 200)
      assert.equal(res.headers.get('content-type'), 'application/json')
      const echo = await echoOf(res)
      assert.equal(echo.method, 'PATCH')
      assert.equal(echo.path, path)
      assert.equal(echo.url, `${server.url}${path}?q=1`)
      assert.equal(echo.data, 'x')
    })
  }

  test('parses the query, keeping the raw string', async () => {
    const echo = await echoOf(await call('/get?a=1&a=2&b=c+d&e=%20&f'))
    assert.deepEqual(echo.args, { a: ['1', '2'], b: 'c d', e: ' ', f: '' })
    assert.equal(echo.rawQuery, 'a=1&a=2&b=c+d&e=%20&f')
    assert.equal(echo.path, '/get')
  })

  test('reports the path as received, still encoded', async () => {
    const echo = await echoOf(await call('/anything/x%20y'))
    assert.equal(echo.path, '/anything/x%20y')
    assert.deepEqual(echo.args, {})
    assert.equal(echo.rawQuery, '')
  })

  test('reports a JSON body', async () => {
    const echo = await echoOf(await call('/put', { method: 'PUT', body: '{"k":[1,true,null]}' }))
    assert.deepEqual(echo.json, { k: [1, true, null] })
    assert.equal(echo.data, '{"k":[1,true,null]}')
    assert.equal(echo.bodyLength, 19)
    assert.equal(Buffer.from(echo.bodyBase64, 'base64').toString(), '{"k":[1,true,null]}')
    assert.deepEqual(echo.form, {})
    assert.deepEqual(echo.files, {})
    assert.deepEqual(echo.multipart, [])
  })

  test('json is null for an empty or invalid body', async () => {
    assert.equal((await echoOf(await call('/get'))).json, null)
    assert.equal((await echoOf(await call('/post', { method: 'POST', body: '{nope' }))).json, null)
    assert.equal((await echoOf(await call('/get'))).bodyLength, 0)
  })

  test('reports binary bodies exactly', async () => {
    const bytes = Uint8Array.from({ length: 256 }, (_, i) => i)
    const echo = await echoOf(await call('/post', { method: 'POST', body: bytes }))
    assert.equal(echo.bodyLength, 256)
    assert.deepEqual(new Uint8Array(Buffer.from(echo.bodyBase64, 'base64')), bytes)
  })

  test('parses urlencoded forms', async () => {
    const body = new URLSearchParams([
      ['a', '1'],
      ['a', '2'],
      ['b', 'x y'],
    ])
    const echo = await echoOf(await call('/post', { method: 'POST', body }))
    assert.deepEqual(echo.form, { a: ['1', '2'], b: 'x y' })
    assert.equal(echo.headers['content-type'], 'application/x-www-form-urlencoded;charset=UTF-8')
  })

  test('does not parse a form without the urlencoded content type', async () => {
    const echo = await echoOf(
      await call('/post', { method: 'POST', body: 'a=1', headers: { 'Content-Type': 'text/plain' } }),
    )
    assert.deepEqual(echo.form, {})
  })

  test('HEAD gets headers without a body', async () => {
    const res = await raw('/get', { method: 'HEAD' })
    assert.equal(res.status, 200)
    assert.equal(res.headers['content-type'], 'application/json')
    assert.ok(Number(res.headers['content-length']) > 0)
    assert.equal(res.body.length, 0)
  })
})

describe('/status/:code', () => {
  test('answers the status with a JSON body', async () => {
    for (const code of [200, 201, 418, 500, 599]) {
      const res = await call(`/status/${code}`)
      assert.equal(res.status, code)
      assert.deepEqual(await res.json(), { status: code })
    }
  })

  test('no body for 204, 304 and HEAD', async () => {
    for (const code of [204, 304]) {
      const res = await raw(`/status/${code}`)
      assert.equal(res.status, code)
      assert.equal(res.body.length, 0)
    }
    const head = await raw('/status/404', { method: 'HEAD' })
    assert.equal(head.status, 404)
    assert.equal(head.body.length, 0)
  })

  test('rejects 1xx, out-of-range and non-numeric codes', async () => {
    for (const code of ['100', '199', '600', '99', 'abc', '2e2', '-200']) await assertBadRequest(`/status/${code}`)
  })
})

describe('redirects', () => {
  test('/redirect/:n chains relative locations down to /get', async () => {
    const first = await call('/redirect/2', { redirect: 'manual' })
    assert.equal(first.status, 302)
    assert.equal(first.headers.get('location'), '/redirect/1')
    const last = await call('/redirect/1', { redirect: 'manual' })
    assert.equal(last.headers.get('location'), '/get')
    const followed = await call('/redirect/3')
    assert.equal(followed.status, 200)
    assert.equal((await echoOf(followed)).path, '/get')
  })

  test('/absolute-redirect/:n uses absolute locations', async () => {
    const first = await call('/absolute-redirect/2', { redirect: 'manual' })
    assert.equal(first.status, 302)
    assert.equal(first.headers.get('location'), `${server.url}/absolute-redirect/1`)
    const last = await call('/absolute-redirect/1', { redirect: 'manual' })
    assert.equal(last.headers.get('location'), `${server.url}/get`)
  })

  test('redirect counts must be 1..100', async () => {
    for (const path of [
      '/redirect/0',
      '/redirect/101',
      '/redirect/x',
      '/absolute-redirect/0',
      '/absolute-redirect/101',
    ])
      await assertBadRequest(path, { redirect: 'manual' })
  })

  test('/redirect-to answers the given location and status', async () => {
    const res = await call('/redirect-to?url=https%3A%2F%2Fexample.test%2Fa%3Fb%3D1', { redirect: 'manual' })
    assert.equal(res.status, 302)
    assert.equal(res.headers.get('location'), 'https://example.test/a?b=1')
    const custom = await call('/redirect-to?url=/get&status_code=307', { redirect: 'manual' })
    assert.equal(custom.status, 307)
    assert.equal(custom.headers.get('location'), '/get')
  })

  test('/redirect-to drains the request body', async () => {
    const body = 'z'.repeat(200_000)
    const res = await call('/redirect-to?url=/get&status_code=303', { method: 'POST', body, redirect: 'manual' })
    assert.equal(res.status, 303)
    const recorded = server.requests.at(-1)
    assert.equal(recorded?.url, '/redirect-to?url=/get&status_code=303')
    assert.equal(recorded?.body.length, body.length)
  })

  test('/redirect-to validates its parameters', async () => {
    await assertBadRequest('/redirect-to')
    await assertBadRequest('/redirect-to?url=')
    await assertBadRequest('/redirect-to?url=/get&status_code=200')
    await assertBadRequest('/redirect-to?url=/get&status_code=400')
    await assertBadRequest('/redirect-to?url=/get&status_code=x')
    await assertBadRequest('/redirect-to?url=%0Aevil')
  })
})

describe('transport failures and unknown routes', () => {
  test('/close drops the connection without a response', async () => {
    await assert.rejects(call('/close'), TypeError)
    await assert.rejects(raw('/close'), /socket hang up|ECONNRESET/)
  })

  test('/hang never answers until the client gives up', async () => {
    const started = Date.now()
    await assert.rejects(call('/hang', { signal: AbortSignal.timeout(80) }), { name: 'TimeoutError' })
    assert.ok(Date.now() - started >= 75)
  })

  test('unknown paths → 404 with the path', async () => {
    for (const path of ['/nope', '/get/extra', '/status', '/status/', '/status/200/x', '/GET']) {
      const res = await call(path)
      assert.equal(res.status, 404, path)
      assert.equal(res.headers.get('content-type'), 'application/json')
      assert.deepEqual(await res.json(), { error: 'not found', path })
    }
  })
})
