/**
 * The agent cache of undiciTransport: keys that hold no secret, one agent per configuration,
 * a bound with least-recently-used eviction, and evicted agents that let their requests finish.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:https'
import { pipe } from 'fp-ts/function'
import * as H from '../../src/index.js'
import { dispatcherCache, dispatcherKey, proxyToken, type BoundedDispatcher } from '../../src/transport/agents.js'
import { requestHeaders } from '../../src/transport/undici.js'
import { makePki, type Pki } from '../support/peers.js'
import { ok } from '../execute/helpers.js'

const PASSWORD = 'k3y-s3cret-pw'
const proxy = { protocol: 'http' as const, host: '127.0.0.1', port: 3128, user: 'ann', password: PASSWORD }
const tls = { ca: 'CA PEM', cert: null, key: 'KEY PEM', passphrase: 'pass-phrase-9', rejectUnauthorized: true }
const timeouts = { connectMs: 10_000, idleMs: 300_000 }
const secure = new URL('https://127.0.0.1/')
const plain = new URL('http://127.0.0.1/')

describe('dispatcherKey', () => {
  test('holds neither the proxy password (plain or in Basic form) nor any TLS material', () => {
    const key = dispatcherKey(secure, { proxy, tls, headers: [], timeouts })
    for (const secret of [
      PASSWORD,
      Buffer.from(`ann:${PASSWORD}`).toString('base64'),
      'CA PEM',
      'KEY PEM',
      'pass-phrase-9',
    ])
      assert.ok(!key.includes(secret), key)
    assert.ok(key.includes('http://127.0.0.1:3128'), key)
  })

  test('one key per configuration: connect timeout, proxy, credentials, TLS (https targets only)', () => {
    const k = (url: URL, over: Partial<Parameters<typeof dispatcherKey>[1]>) =>
      dispatcherKey(url, { proxy: null, tls: null, headers: [], timeouts, ...over })
    assert.equal(k(plain, {}), k(plain, { tls }), 'TLS options do not matter for http targets')
    assert.notEqual(k(secure, {}), k(secure, { tls }))
    assert.notEqual(k(secure, { tls }), k(secure, { tls: { ...tls, passphrase: 'other' } }))
    assert.notEqual(k(plain, { proxy }), k(plain, { proxy: { ...proxy, password: 'other' } }))
    assert.notEqual(k(plain, { proxy }), k(plain, { proxy: { ...proxy, port: 3129 } }))
    assert.notEqual(k(plain, {}), k(plain, { timeouts: { connectMs: 500, idleMs: 300_000 } }))
    assert.equal(k(plain, {}), k(plain, { timeouts: { connectMs: 10_000, idleMs: 1 } }), 'idle limits are per request')
    assert.equal(k(secure, { proxy, tls }), k(secure, { proxy: { ...proxy }, tls: { ...tls } }))
  })

  test('proxy credentials: Basic from user and password, else a Proxy-Authorization header of the caller', () => {
    assert.equal(proxyToken(proxy, []), `Basic ${Buffer.from(`ann:${PASSWORD}`).toString('base64')}`)
    assert.equal(
      proxyToken({ ...proxy, user: null, password: null }, [['proxy-authorization', 'Bearer t']]),
      'Bearer t',
    )
    assert.equal(proxyToken({ ...proxy, user: null, password: null }, []), null)
  })

  test('request headers: repeated names grouped under the first spelling; Proxy-Authorization kept out when a proxy is used', () => {
    assert.deepEqual(
      requestHeaders(
        [
          ['X-A', '1'],
          ['x-a', '2'],
          ['B', '3'],
        ],
        false,
      ),
      { 'X-A': ['1', '2'], B: '3' },
    )
    assert.deepEqual(
      requestHeaders(
        [
          ['Proxy-Authorization', 'Basic x'],
          ['B', '3'],
        ],
        true,
      ),
      { B: '3' },
    )
    assert.deepEqual(requestHeaders([['Proxy-Authorization', 'Basic x']], false), { 'Proxy-Authorization': 'Basic x' })
  })
})

describe('dispatcherCache', () => {
  const stub = (name: string, closed: string[]): BoundedDispatcher =>
    ({ close: () => (closed.push(name), Promise.resolve()) }) as unknown as BoundedDispatcher

  test('never holds more than its bound; the least recently used is closed first', () => {
    const closed: string[] = []
    const cache = dispatcherCache(3)
    for (const k of ['a', 'b', 'c']) cache.get(k, () => stub(k, closed))
    cache.get('a', () => assert.fail('a is cached'))
    for (let i = 0; i < 40; i++) cache.get(`n${i}`, () => stub(`n${i}`, closed))
    assert.equal(cache.keys().length, 3)
    assert.deepEqual(closed.slice(0, 3), ['b', 'c', 'a'])
    assert.equal(closed.length, 40)
  })

  test('asking for the most recent key again moves nothing; any other hit makes it the most recent', () => {
    const closed: string[] = []
    const cache = dispatcherCache(2)
    cache.get('a', () => stub('a', closed))
    cache.get('b', () => stub('b', closed))
    cache.get('b', () => assert.fail('b is cached'))
    cache.get('a', () => assert.fail('a is cached'))
    cache.get('a', () => assert.fail('a is cached'))
    cache.get('c', () => stub('c', closed))
    assert.deepEqual(closed, ['b'])
    assert.deepEqual(cache.keys(), ['a', 'c'])
    cache.get('a', () => assert.fail('a is cached'))
    cache.get('d', () => stub('d', closed))
    assert.deepEqual(closed, ['b', 'c'])
    assert.deepEqual(cache.keys(), ['a', 'd'])
  })

  test('closeAll closes every agent and empties the cache', async () => {
    const closed: string[] = []
    const cache = dispatcherCache(32)
    for (const k of ['x', 'y']) cache.get(k, () => stub(k, closed))
    await cache.closeAll()
    assert.deepEqual(closed.sort(), ['x', 'y'])
    assert.deepEqual(cache.keys(), [])
  })
})

describe('undiciTransport with many configurations', () => {
  let pki: Pki
  let server: Server
  let url = ''
  before(async () => {
    pki = makePki()
    server = createServer({ key: pki.serverKey, cert: pki.serverCert }, (req, res) =>
      setTimeout(() => res.end(req.url), 50),
    )
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
    const a = server.address()
    url = `https://127.0.0.1:${typeof a === 'object' && a !== null ? a.port : 0}`
  })
  after(async () => {
    server.closeAllConnections()
    await new Promise((r) => server.close(r))
    pki.cleanup()
  })

  test('20 TLS configurations at once with room for 2 agents: every request completes (evicted agents close gracefully)', async () => {
    const transport = H.undiciTransport({ maxAgents: 2 })
    // a CA bundle that differs only by a trailing comment line: 20 distinct configurations
    const runs = Array.from({ length: 20 }, (_, i) =>
      ok(
        pipe(
          H.newRequest(),
          H.initialize(`${url}/n${i}`),
          H.setTls({ ca: `${pki.ca}\n# ${i}\n` }),
          H.processRequest('GET', { transport }),
        ),
      ),
    )
    const all = await Promise.all(runs)
    assert.deepEqual(
      all.map((r) => Buffer.from(r.body).toString()),
      Array.from({ length: 20 }, (_, i) => `/n${i}`),
    )
    await transport.close()
  })
})
