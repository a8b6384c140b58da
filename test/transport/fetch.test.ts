/**
 * The transports on their own: fromFetch over Node's WHATWG fetch, and the default
 * transport (undici), against the echo server.
 */
import { attempt } from './helpers.js'
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { gunzipSync } from 'node:zlib'
import { pipe } from 'fp-ts/function'
import * as H from '../../src/index.js'
import { startEchoServer, type EchoServer } from '../../src/testing/index.js'
import { freePort } from '../support/peers.js'

let server: EchoServer
before(async () => {
  server = await startEchoServer()
})
after(() => server.close())

const collect = async (body: AsyncIterable<Uint8Array> | null): Promise<Buffer> => {
  const parts: Buffer[] = []
  if (body !== null) for await (const c of body) parts.push(Buffer.from(c))
  return Buffer.concat(parts)
}

describe('fromFetch', () => {
  const transport = H.fromFetch(globalThis.fetch)

  test('sends method, headers and a streamed body; returns status, headers and the body stream', async () => {
    async function* chunks(): AsyncGenerator<Uint8Array> {
      yield Buffer.from('hello ')
      yield Buffer.from('world')
    }
    const res = await transport(
      attempt(`${server.url}/post`, {
        method: 'POST',
        headers: [
          ['X-A', '1'],
          ['Content-Type', 'text/plain'],
        ],
        body: chunks(),
      }),
    )
    assert.equal(res.status, 200)
    assert.equal(res.decoded, true)
    const echo = JSON.parse((await collect(res.body)).toString()) as { data: string; headers: Record<string, string> }
    assert.equal(echo.data, 'hello world')
    assert.equal(echo.headers['x-a'], '1')
  })

  test('does not follow redirects and keeps repeated Set-Cookie lines apart', async () => {
    const res = await transport(attempt(`${server.url}/redirect/1`))
    assert.equal(res.status, 302)
    assert.deepEqual(
      res.headers.find(([n]) => n === 'location'),
      ['location', '/get'],
    )
    const cookies = await transport(attempt(`${server.url}/cookies/set?a=1&b=2`))
    assert.deepEqual(
      cookies.headers.filter(([n]) => n === 'set-cookie').map(([, v]) => v.split(';')[0]),
      ['a=1', 'b=2'],
    )
  })

  test('a fetch that rejects becomes a TransportError naming the step, with the log', async () => {
    const failing: H.FetchLike = () => Promise.reject(Object.assign(new Error('boom'), { code: 'EBOOM' }))
    const r = await pipe(
      H.newRequest(),
      H.initialize(`${server.url}/get`),
      H.processRequest('GET', { fetch: failing }),
    )()
    assert.equal(r._tag, 'Left')
    if (r._tag !== 'Left') return
    assert.equal(r.left._tag, 'TransportError')
    assert.match(r.left.message, /^executeRequest: .*EBOOM: boom/)
    assert.match(H.getLog(r.left, true), /executeRequest: transport error EBOOM/)
  })

  test('a fetch that returns something that is not a Response is a TransportError, not a throw', async () => {
    const broken = (() => Promise.resolve(null)) as unknown as H.FetchLike
    const r = await pipe(
      H.newRequest(),
      H.initialize(`${server.url}/get`),
      H.processRequest('GET', { fetch: broken }),
    )()
    assert.equal(r._tag === 'Left' && r.left._tag, 'TransportError')
  })
})

describe('defaultTransport', () => {
  test('returns compressed bytes as they arrived (decoded: false) and leaves redirects alone', async () => {
    const res = await H.defaultTransport(attempt(`${server.url}/gzip`, { headers: [['Accept-Encoding', 'gzip']] }))
    assert.equal(res.status, 200)
    assert.equal(res.decoded, false)
    assert.equal(res.headers.find(([n]) => n === 'content-encoding')?.[1], 'gzip')
    const json = JSON.parse(gunzipSync(await collect(res.body)).toString()) as { gzipped: boolean }
    assert.equal(json.gzipped, true)
    const redirect = await H.defaultTransport(attempt(`${server.url}/redirect/2`))
    assert.equal(redirect.status, 302)
    await collect(redirect.body)
  })

  test('an unreachable port rejects (the executor turns that into a TransportError)', async () => {
    const port = await freePort()
    await assert.rejects(H.defaultTransport(attempt(`http://127.0.0.1:${port}/`)), /ECONNREFUSED/)
  })

  test('an aborted signal rejects', async () => {
    const c = new AbortController()
    c.abort()
    await assert.rejects(H.defaultTransport(attempt(`${server.url}/get`, { signal: c.signal })))
  })
})

describe('JsonCodec', () => {
  test('accepts JSON data and rejects what JSON cannot hold', () => {
    assert.ok(H.JsonCodec.is({ a: [1, 'two', null, true, { b: -0.5 }] }))
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, undefined, () => 1, { a: Symbol('s') }, [1, undefined]])
      assert.equal(H.JsonCodec.decode(bad)._tag, 'Left', String(bad))
  })
})
