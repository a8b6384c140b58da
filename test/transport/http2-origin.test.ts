/**
 * The requests an HTTP/2 origin (transport/h2-origin.ts) holds back while its first connection
 * says which protocol the server speaks and, on h2, until the server's SETTINGS are in. A relay on
 * 127.0.0.1 in front of a real TLS server (node:http2 with allowHTTP1, or node:https) holds that
 * first connection open but silent until the test lets it through, so the requests are known to
 * be waiting. An attempt aborted while it waits leaves the queue at once: it ends (its request
 * body destroyed, as undici ends an aborted request) before the connection is through, and is
 * never sent. `close()` while they wait does what undici's Client's does: the waiting requests
 * are served (on h2 as streams of the one connection, after the SETTINGS; on HTTP/1.1 by the
 * keep-alive pool), a request after it is refused (`UND_ERR_CLOSED`), and the close ends with
 * every connection closed; `destroy()` fails them at once.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import net from 'node:net'
import { Readable } from 'node:stream'
import { Http2Origin } from '../../src/transport/h2-origin.js'
import { boundedConnector, Connects } from '../../src/transport/connect.js'
import { dispatchRequest } from '../../src/transport/undici-dispatch.js'
import type { Dispatcher } from '../../src/transport/undici-lib.js'
import type { TransportRequest, TransportResponse } from '../../src/model/transport.js'
import { makePki, type Pki } from '../support/peers.js'
import { settlesWithin, waitFor } from '../support/wait.js'
import { startTlsServer, type TlsServer } from './http2-helpers.js'

const CEILING = 30_000
let pki: Pki
let h2: TlsServer
let h1: TlsServer

before(async () => {
  pki = makePki()
  h2 = await startTlsServer(pki, { maxConcurrentStreams: 2 })
  h1 = await startTlsServer(pki, { h1Only: true })
})
after(async () => {
  await h2.close()
  await h1.close()
  pki.cleanup()
})

/** A TCP relay to `target` that holds each connection (nothing passes either way) until `release()`. */
interface Relay {
  readonly url: string
  /** connections accepted, and those closed since */
  readonly seen: { accepted: number; closed: number }
  readonly release: () => void
  readonly close: () => Promise<void>
}

const startRelay = async (target: string): Promise<Relay> => {
  const { hostname, port } = new URL(target)
  const seen = { accepted: 0, closed: 0 }
  const held: Array<() => void> = []
  let released = false
  const sockets = new Set<net.Socket>()
  const server = net.createServer((client) => {
    seen.accepted++
    sockets.add(client)
    // read (and kept) while held, so that the client's closing it is seen
    const early: Buffer[] = []
    const keep = (chunk: Buffer): number => early.push(chunk)
    client.on('data', keep)
    client.on('error', () => undefined)
    client.on('close', () => {
      seen.closed++
      sockets.delete(client)
    })
    const through = (): void => {
      if (client.destroyed) return
      const upstream = net.connect(Number(port), hostname)
      sockets.add(upstream)
      upstream.on('error', () => client.destroy())
      upstream.on('close', () => client.destroy())
      client.on('close', () => upstream.destroy())
      client.off('data', keep)
      for (const chunk of early) upstream.write(chunk)
      client.pipe(upstream).pipe(client)
    }
    if (released) through()
    else held.push(through)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const a = server.address() as net.AddressInfo
  return {
    url: `https://127.0.0.1:${a.port}`,
    seen,
    release: () => {
      released = true
      for (const f of held.splice(0)) f()
    },
    close: async () => {
      for (const s of sockets) s.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

type Origin = Http2Origin & { readonly connects: Connects; readonly url: string }

/**
 * An HTTP/2 origin for `url` as the h2 agent makes it (transport/agents.ts), with the registry an
 * attempt's abort goes through (where dispatchRequest finds it, as on the agent).
 */
const open = (url: string): Origin => {
  const connects = new Connects(false)
  const spec = { tls: { ca: pki.ca }, timeoutMs: 10_000, tunnel: null }
  const origin = new Http2Origin(
    url,
    { connect: boundedConnector({ ...spec, allowH2: true }, connects) },
    boundedConnector({ ...spec, allowH2: false }, connects),
    connects,
  )
  return Object.assign(origin, { connects, url })
}

interface Sent {
  readonly result: Promise<TransportResponse | Error>
  readonly body: Readable | null
}

/** One attempt on `origin`, as the undici transport sends it; its result settles within the ceiling. */
const send = (
  origin: Origin,
  path: string,
  o: { readonly signal?: AbortSignal; readonly body?: boolean } = {},
): Sent => {
  const body = o.body === true ? Readable.from([Buffer.from('a body that waits')]) : null
  const req = {
    method: body === null ? 'GET' : 'POST',
    url: `${origin.url}${path}`,
    headers: [],
    body,
    signal: o.signal ?? new AbortController().signal,
  } as unknown as TransportRequest
  const result = dispatchRequest(origin as unknown as Dispatcher & { readonly connects: Connects }, req, {
    headers: {},
    headersTimeout: 0,
    bodyTimeout: 0,
  }).then(
    async (res) => {
      for await (const _ of res.body ?? []) void _ // read to the end: the stream is done with
      return res
    },
    (e: unknown) => (e instanceof Error ? e : new Error(String(e))),
  )
  return { result: settlesWithin(result, CEILING, path), body }
}

const status = (r: TransportResponse | Error): string => {
  if (!(r instanceof Error)) return `${r.status} HTTP/${r.httpVersion}`
  const code: unknown = (r as Error & { code?: unknown }).code
  return typeof code === 'string' ? `${r.name} ${code}` : r.name
}

/** A few turns of the event loop: long enough for anything already due to happen, no timing assumed. */
const turns = async (n = 5): Promise<void> => {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve))
}

describe('requests waiting for the first connection of an HTTP/2 origin', () => {
  test('one aborted while it waits leaves the queue at once (ended, its body destroyed) and is never sent; the others are served', async () => {
    h2.reset()
    const relay = await startRelay(h2.url)
    after(() => relay.close())
    const origin = open(relay.url)
    after(() => origin.destroy())
    const probe = send(origin, '/n/probe')
    const first = send(origin, '/n/1')
    const ac = new AbortController()
    const aborted = send(origin, '/n/aborted', { signal: ac.signal, body: true })
    const last = send(origin, '/n/3')
    await waitFor(() => relay.seen.accepted === 1, CEILING, 'the first connection reaches the relay')
    ac.abort()
    assert.equal(status(await aborted.result), 'AbortError')
    await turns()
    assert.equal(aborted.body?.destroyed, true, 'its body is destroyed while the first connection is still held')
    assert.equal(relay.seen.accepted, 1)
    relay.release()
    assert.deepEqual(await Promise.all([probe, first, last].map(async (s) => status(await s.result))), [
      '200 HTTP/2',
      '200 HTTP/2',
      '200 HTTP/2',
    ])
    assert.deepEqual(h2.versions, ['2.0', '2.0', '2.0'], 'the aborted request never reached the server')
    assert.equal(h2.connections, 1)
    assert.ok(h2.maxInFlight <= 2, `the server's limit of 2 streams held (${h2.maxInFlight} at once)`)
  })

  for (const kind of ['h2', 'h1'] as const)
    test(`close() while they wait (${kind === 'h2' ? 'an h2 server' : 'an HTTP/1.1-only server'}): they are served, a later request is refused, and every connection is closed`, async () => {
      const server = kind === 'h2' ? h2 : h1
      server.reset()
      const relay = await startRelay(server.url)
      after(() => relay.close())
      const origin = open(relay.url)
      after(() => origin.destroy())
      const sent = ['/n/probe', '/n/1', '/n/2', '/n/3', '/n/4'].map((p) => send(origin, p))
      await waitFor(() => relay.seen.accepted === 1, CEILING, 'the first connection reaches the relay')
      let closed = false
      const closing = (origin.close() ?? Promise.resolve()).then(() => void (closed = true))
      assert.equal(origin.closed, true)
      assert.equal(status(await send(origin, '/n/late').result), 'ClientClosedError UND_ERR_CLOSED')
      await turns()
      assert.equal(closed, false, 'the close waits for the requests it holds')
      relay.release()
      const version = kind === 'h2' ? '200 HTTP/2' : '200 HTTP/1.1'
      assert.deepEqual(await Promise.all(sent.map(async (s) => status(await s.result))), Array(5).fill(version))
      await settlesWithin(closing, CEILING, 'close()')
      assert.equal(server.versions.length, 5, 'the late request was never sent')
      if (kind === 'h2') {
        assert.equal(server.connections, 1, 'the waiting requests went on the first connection, as streams')
        assert.ok(server.maxInFlight <= 2, `after the SETTINGS: at most 2 streams at once (${server.maxInFlight})`)
      }
      await waitFor(
        () => server.connections > 0 && relay.seen.closed === relay.seen.accepted,
        CEILING,
        'every connection through the relay closed',
      )
    })

  test('destroy() while they wait fails them at once (ClientDestroyedError); the first connection is closed once it is through', async () => {
    h2.reset()
    const relay = await startRelay(h2.url)
    after(() => relay.close())
    const origin = open(relay.url)
    const probe = send(origin, '/n/probe')
    const waiting = [send(origin, '/n/1'), send(origin, '/n/2')]
    await waitFor(() => relay.seen.accepted === 1, CEILING, 'the first connection reaches the relay')
    await settlesWithin(origin.destroy() ?? Promise.resolve(), CEILING, 'destroy()')
    assert.deepEqual(await Promise.all(waiting.map(async (s) => status(await s.result))), [
      'ClientDestroyedError UND_ERR_DESTROYED',
      'ClientDestroyedError UND_ERR_DESTROYED',
    ])
    assert.equal((await probe.result) instanceof Error, true)
    // as undici's own Client: a connection being opened is closed when it is through
    relay.release()
    await waitFor(() => relay.seen.closed === 1, CEILING, 'the first connection closed')
    assert.equal(h2.versions.length, 0, 'nothing was sent')
  })
})
