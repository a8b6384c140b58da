/**
 * useHttp2 on real servers: a node:http2 `createSecureServer({ allowHTTP1: true })` and a
 * node:https server (HTTP/1.1 only), both on 127.0.0.1 with openssl-made certificates. Concurrent
 * requests share one h2 connection (the server counts one), the fallback to HTTP/1.1, the
 * version in the response and the log, and what the setting does elsewhere: plain http:, the
 * fetch transports, a proxy tunnel, without the setting.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { pipe } from 'fp-ts/function'
import * as H from '../../src/index.js'
import { makePki, startTinyproxy, type Pki, type Tinyproxy } from '../support/peers.js'
import { useEchoServer } from '../support/fixtures.js'
import { ok } from '../execute/helpers.js'
import { startTlsServer, type TlsServer } from './http2-helpers.js'

const N = 64
let pki: Pki
let h2: TlsServer
let h1: TlsServer
const echo = useEchoServer()

before(async () => {
  pki = makePki()
  h2 = await startTlsServer(pki)
  h1 = await startTlsServer(pki, { h1Only: true })
})
after(async () => {
  await h2.close()
  await h1.close()
})

/** A fresh undici transport for one test (so that the server's counts are that test's), closed after it. */
const fresh = (): H.Transport & { close: () => Promise<void> } => {
  const t = H.undiciTransport()
  after(() => t.close())
  return t
}

const get = (url: string, transport: H.Transport, ...steps: ReadonlyArray<H.Step>): Promise<H.HttpResponse> =>
  ok(
    pipe(
      steps.reduce((r, s) => s(r), pipe(H.newRequest(), H.initialize(url), H.setTls({ ca: pki.ca }))),
      H.processRequest('GET', { transport }),
    ),
  )

const body = (res: H.HttpResponse): { path: string; version: string } =>
  JSON.parse(Buffer.from(res.body).toString()) as { path: string; version: string }

const logOf = (res: H.HttpResponse): ReadonlyArray<string> => H.getLog(res, true).split('\n')

const concurrently = (n: number, f: (i: number) => Promise<H.HttpResponse>): Promise<H.HttpResponse[]> =>
  Promise.all(Array.from({ length: n }, (_, i) => f(i)))

describe('useHttp2 against an h2 server', () => {
  test(`${N} concurrent requests share ONE connection as streams; every answer is right and says HTTP/2`, async () => {
    h2.reset()
    const transport = fresh()
    const all = await concurrently(N, (i) => get(`${h2.url}/n/${i}`, transport, H.useHttp2()))
    assert.equal(h2.connections, 1, 'one TLS connection')
    assert.equal(h2.sessions, 1, 'one h2 session')
    assert.deepEqual(h2.alpn, ['h2'])
    all.forEach((res, i) => {
      assert.equal(res.status, 200)
      assert.deepEqual(body(res), { path: `/n/${i}`, version: '2.0' })
      assert.equal(res.httpVersion, '2')
      assert.ok(logOf(res).includes('executeRequest: HTTP/2 used'), H.getLog(res, true))
    })
    // later requests go on the same connection
    const again = await concurrently(8, (i) => get(`${h2.url}/n/again-${i}`, transport, H.useHttp2()))
    assert.ok(again.every((r) => r.httpVersion === '2'))
    assert.equal(h2.connections, 1)
  })

  test('past the server’s SETTINGS_MAX_CONCURRENT_STREAMS (8), requests wait for a stream on the same connection', async () => {
    const small = await startTlsServer(pki, { maxConcurrentStreams: 8 })
    after(() => small.close())
    const transport = fresh()
    const all = await concurrently(N, (i) => get(`${small.url}/n/${i}`, transport, H.useHttp2()))
    all.forEach((res, i) => assert.equal(body(res).path, `/n/${i}`))
    assert.equal(small.connections, 1)
    assert.ok(small.maxInFlight <= 8, `at most 8 at once, saw ${small.maxInFlight}`)
    assert.ok(all.every((r) => r.httpVersion === '2'))
  })

  test('without useHttp2 nothing changes: HTTP/1.1, no version line in the log', async () => {
    h2.reset()
    const transport = fresh()
    const all = await concurrently(8, (i) => get(`${h2.url}/n/${i}`, transport))
    assert.deepEqual([...new Set(h2.versions)], ['1.1'])
    assert.equal(h2.sessions, 0)
    assert.ok(
      h2.alpn.every((p) => p === 'http/1.1'),
      `ALPN ${h2.alpn.join(',')}`,
    )
    for (const res of all) {
      assert.equal(res.httpVersion, '1.1')
      assert.ok(!logOf(res).some((l) => /HTTP\/[12]|useHttp2/.test(l)), H.getLog(res, true))
    }
  })

  test('the default transport honours it too, and a stream (streamRequest) says HTTP/2', async () => {
    const res = await get(`${h2.url}/n/default`, H.defaultTransport, H.useHttp2())
    assert.equal(res.httpVersion, '2')
    const stream = await ok(
      pipe(
        H.newRequest(),
        H.initialize(`${h2.url}/n/stream`),
        H.setTls({ ca: pki.ca }),
        H.useHttp2(),
        H.streamRequest('GET'),
      ),
    )
    assert.equal(stream.httpVersion, '2')
    for await (const chunk of stream.body) assert.equal(chunk._tag, 'Right')
  })
})

describe('useHttp2 where HTTP/2 is not there', () => {
  test(`an HTTP/1.1-only TLS server: the ${N} requests succeed on HTTP/1.1 and say so`, async () => {
    h1.reset()
    const transport = fresh()
    const all = await concurrently(N, (i) => get(`${h1.url}/n/${i}`, transport, H.useHttp2()))
    all.forEach((res, i) => {
      assert.deepEqual(body(res), { path: `/n/${i}`, version: '1.1' })
      assert.equal(res.httpVersion, '1.1')
      assert.ok(logOf(res).includes('executeRequest: HTTP/1.1 used: the server did not take HTTP/2'))
    })
    // the fallback is ordinary keep-alive HTTP/1.1: concurrent requests are not queued behind one connection
    assert.ok(h1.connections > 1, `${h1.connections} connection(s)`)
    assert.ok(h1.alpn.every((p) => p === 'http/1.1'))
    const before = h1.connections
    await concurrently(4, (i) => get(`${h1.url}/n/later-${i}`, transport, H.useHttp2()))
    assert.ok(h1.connections - before <= 4)
  })

  test('plain http: is HTTP/1.1 (no h2c), and the log says why', async () => {
    const res = await get(`${echo.url}/get`, fresh(), H.useHttp2())
    assert.equal(res.status, 200)
    assert.equal(res.httpVersion, '1.1')
    assert.ok(logOf(res).includes('executeRequest: HTTP/1.1 used: HTTP/2 is offered on https: only (no h2c)'))
  })

  for (const [name, transport] of [
    ['cross-fetch', H.crossFetchTransport],
    ['global fetch', H.fromFetch(globalThis.fetch)],
  ] as const)
    test(`${name} cannot choose: the request runs as without the setting, and the log says so`, async () => {
      const res = await get(`${echo.url}/get`, transport, H.useHttp2())
      assert.equal(res.status, 200)
      assert.equal(res.httpVersion, undefined)
      assert.ok(
        logOf(res).some((l) =>
          l.startsWith('executeRequest: useHttp2 has no effect on this transport: it chooses the HTTP version itself'),
        ),
        H.getLog(res, true),
      )
    })

  test('cross-fetch against the h2 server (TLS): HTTP/1.1, no failure', async () => {
    h2.reset()
    const res = await get(`${h2.url}/n/cf`, H.crossFetchTransport, H.useHttp2())
    assert.deepEqual(body(res), { path: '/n/cf', version: '1.1' })
  })
})

describe('useHttp2 through a proxy', () => {
  let proxy: Tinyproxy
  before(async () => {
    proxy = await startTinyproxy('ann', 'pw-h2')
  })
  after(() => proxy.stop())

  test('an https: target through a CONNECT tunnel speaks h2 inside it, one tunnel for concurrent requests', async () => {
    h2.reset()
    const transport = fresh()
    const all = await concurrently(16, (i) =>
      get(
        `${h2.url}/n/p${i}`,
        transport,
        H.useHttp2(),
        H.setProxy({ protocol: 'http', host: '127.0.0.1', port: proxy.port, user: 'ann', password: 'pw-h2' }),
      ),
    )
    all.forEach((res, i) => assert.deepEqual(body(res), { path: `/n/p${i}`, version: '2.0' }))
    assert.ok(all.every((r) => r.httpVersion === '2'))
    assert.equal(h2.connections, 1)
    assert.match(proxy.log(), /CONNECT/)
  })
})
