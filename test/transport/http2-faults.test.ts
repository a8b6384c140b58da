/**
 * Faults on a shared HTTP/2 connection (useHttp2 on a node:http2 server with openssl-made
 * certificates): each ends typed and alone. A stream the server resets is a TransportError and
 * the streams beside it answer; a stalled stream hits the idle limit (Timeout, `idle`); a GOAWAY
 * mid-flight ends the streams it drops as TransportErrors, lets those it keeps finish, and the
 * next request opens a new connection; a first connection that fails fails every request that
 * waited for it, with its error.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { constants } from 'node:http2'
import { pipe } from 'fp-ts/function'
import * as H from '../../src/index.js'
import { freePort, makePki, type Pki } from '../support/peers.js'
import { settlesWithin, waitFor } from '../support/wait.js'
import { asTag } from '../execute/helpers.js'
import { startTlsServer, type TlsServer } from './http2-helpers.js'

const CEILING = 30_000
let pki: Pki
let h2: TlsServer

before(async () => {
  pki = makePki()
  h2 = await startTlsServer(pki)
})
after(() => h2.close())

const fresh = (): H.Transport & { close: () => Promise<void> } => {
  const t = H.undiciTransport()
  after(() => t.close())
  return t
}

const run = (
  url: string,
  transport: H.Transport,
  ...steps: ReadonlyArray<H.Step>
): Promise<ReturnType<ReturnType<ReturnType<typeof H.processRequest>>> extends Promise<infer A> ? A : never> =>
  settlesWithin(
    pipe(
      steps.reduce((r, s) => s(r), pipe(H.newRequest(), H.initialize(url), H.setTls({ ca: pki.ca }), H.useHttp2())),
      H.processRequest('GET', { transport }),
    )(),
    CEILING,
    url,
  )

const pathOf = (res: H.HttpResponse): string => (JSON.parse(Buffer.from(res.body).toString()) as { path: string }).path

describe('faults on a shared h2 connection', () => {
  test('a stream the server resets is a TransportError; the streams beside it on the connection answer', async () => {
    h2.reset()
    const transport = fresh()
    const all = await Promise.all([
      ...Array.from({ length: 8 }, (_, i) => run(`${h2.url}/n/${i}`, transport)),
      run(`${h2.url}/reset`, transport),
    ])
    const reset = all.at(-1)
    assert.equal(reset?._tag, 'Left')
    if (reset?._tag === 'Left') asTag(reset.left, 'TransportError')
    all.slice(0, 8).forEach((r, i) => {
      assert.equal(r._tag, 'Right')
      if (r._tag === 'Right') assert.equal(pathOf(r.right), `/n/${i}`)
    })
    assert.equal(h2.connections, 1, 'the reset did not cost the connection')
  })

  test('a stalled stream hits the idle limit (Timeout, idle) while the others answer', async () => {
    h2.reset()
    const transport = fresh()
    const [stalled, fine] = await Promise.all([
      run(`${h2.url}/hold`, transport, H.setIdleTimeout(300)),
      run(`${h2.url}/n/fine`, transport, H.setIdleTimeout(300)),
    ])
    assert.equal(stalled._tag, 'Left')
    if (stalled._tag === 'Left') assert.equal(asTag(stalled.left, 'Timeout').limit, 'idle')
    assert.equal(fine._tag, 'Right')
    for (const h of h2.held.splice(0)) h.stream?.close(constants.NGHTTP2_CANCEL)
  })

  test('GOAWAY mid-flight (with an error): every stream in flight ends as a TransportError; the next request opens a new connection', async () => {
    h2.reset()
    const transport = fresh()
    const inFlight = Promise.all(Array.from({ length: 4 }, () => run(`${h2.url}/hold`, transport)))
    await waitFor(() => h2.held.length === 4, CEILING, 'four held streams')
    for (const s of h2.live) s.goaway(constants.NGHTTP2_INTERNAL_ERROR)
    const ended = await inFlight
    for (const r of ended) {
      assert.equal(r._tag, 'Left')
      if (r._tag === 'Left') asTag(r.left, 'TransportError')
    }
    const next = await run(`${h2.url}/n/next`, transport)
    assert.equal(next._tag, 'Right')
    assert.equal(h2.connections, 2)
  })

  test('a graceful GOAWAY (session.close) mid-flight: undici drops the connection, the GETs in flight end typed, and with retries allowed they succeed on a new connection', async () => {
    h2.reset()
    const transport = fresh()
    const inFlight = Promise.all(Array.from({ length: 3 }, () => run(`${h2.url}/hold`, transport, H.maxAttempts(2))))
    await waitFor(() => h2.held.length === 3, CEILING, 'three held streams')
    for (const s of h2.live) s.close()
    h2.release('kept')
    for (const r of await inFlight) {
      assert.equal(r._tag, 'Right')
      if (r._tag === 'Right') {
        assert.equal(Buffer.from(r.right.body).toString(), 'kept')
        assert.equal(r.right.httpVersion, '2')
      }
    }
    const next = await run(`${h2.url}/n/next`, transport)
    assert.equal(next._tag, 'Right')
    assert.equal(h2.connections, 2, 'no new stream goes on a connection after its GOAWAY')
  })

  test('a first connection that fails fails every request waiting for it with its error (ECONNREFUSED)', async () => {
    const port = await freePort()
    const transport = fresh()
    const all = await Promise.all(Array.from({ length: 8 }, () => run(`https://127.0.0.1:${port}/x`, transport)))
    for (const r of all) {
      assert.equal(r._tag, 'Left')
      if (r._tag === 'Left') assert.match(asTag(r.left, 'TransportError').message, /ECONNREFUSED/)
    }
  })

  test('an attempt aborted while it waits for the first connection ends at once; the others go on', async () => {
    h2.reset()
    const transport = fresh()
    const ac = new AbortController()
    const aborted = settlesWithin(
      pipe(
        H.newRequest(),
        H.initialize(`${h2.url}/n/aborted`),
        H.setTls({ ca: pki.ca }),
        H.useHttp2(),
        H.processRequest('GET', { transport, signal: ac.signal }),
      )(),
      CEILING,
    )
    const others = Promise.all(Array.from({ length: 4 }, (_, i) => run(`${h2.url}/n/${i}`, transport)))
    ac.abort()
    const a = await aborted
    assert.equal(a._tag, 'Left')
    for (const r of await others) assert.equal(r._tag, 'Right')
  })
})
