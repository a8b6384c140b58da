/**
 * The pieces of the bounded connect (src/transport/connect.ts): the proxy tunnel against raw
 * `net` proxies on 127.0.0.1 (a 2xx with bytes after its head, a refusal, a malformed or
 * endless answer, a proxy that hangs up), and the registry that stops a connection only when
 * no request waits for it any more.
 */
import assert from 'node:assert/strict'
import { createServer, type Server, type Socket } from 'node:net'
import { after, describe, test } from 'node:test'
import { Connects, openTunnel, type Waiter } from '../../src/transport/connect.js'
import { settlesWithin } from '../support/wait.js'

const servers: Server[] = []
after(() => servers.forEach((s) => s.close()))

/** A raw proxy that gives each CONNECT head it receives to `onConnect`; the heads it saw. */
const proxyWith = async (onConnect: (s: Socket, head: string) => void) => {
  const heads: string[] = []
  const server = createServer((s) => {
    s.on('error', () => undefined)
    let buf = ''
    s.on('data', (d: Buffer) => {
      buf += d.toString('latin1')
      const end = buf.indexOf('\r\n\r\n')
      if (end === -1) return
      heads.push(buf.slice(0, end))
      onConnect(s, buf.slice(0, end))
    })
  })
  servers.push(server)
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
  const a = server.address()
  return { port: typeof a === 'object' && a !== null ? a.port : 0, heads }
}

/** The result of a tunnel: its socket, or its error. */
const tunnelTo = (port: number, token: string | null = null) =>
  settlesWithin(
    new Promise<{ error: Error | null; socket: Socket | null }>((resolve) =>
      openTunnel({ protocol: 'http', host: '127.0.0.1', port, token }, 'example.test:443', (error, socket) =>
        resolve({ error, socket }),
      ),
    ),
    30_000,
    'the tunnel',
  )

describe('openTunnel', () => {
  test('sends CONNECT with the authority and the token; a 200 gives the socket, bytes after the head kept on it', async () => {
    const p = await proxyWith((s) => s.write('HTTP/1.1 200 Connection established\r\n\r\nHELLO'))
    const { error, socket } = await tunnelTo(p.port, 'Basic abc')
    assert.equal(error, null)
    assert.ok(socket !== null)
    assert.match(p.heads[0] ?? '', /^CONNECT example\.test:443 HTTP\/1\.1\r\n/)
    assert.match(p.heads[0] ?? '', /\r\nproxy-authorization: Basic abc/)
    // the socket is handed over paused (its next reader resumes it), the bytes kept on it
    const first = settlesWithin(
      new Promise<string>((r) => socket.once('data', (d: Buffer) => r(d.toString()))),
      30_000,
      'the bytes after the head',
    )
    socket.resume()
    assert.equal(await first, 'HELLO')
    socket.destroy()
  })

  test('a 407 is the refusal undici names (Proxy response (407)), code UND_ERR_ABORTED', async () => {
    const p = await proxyWith((s) => s.write('HTTP/1.1 407 Proxy Authentication Required\r\n\r\n'))
    const { error } = await tunnelTo(p.port)
    assert.match(error?.message ?? '', /Proxy response \(407\) !== 200/)
    assert.equal((error as { code?: string } | null)?.code, 'UND_ERR_ABORTED')
  })

  test('a malformed answer, an endless head and a hang-up are socket errors', async () => {
    const bad = await proxyWith((s) => s.write('NOPE\r\n\r\n'))
    assert.match((await tunnelTo(bad.port)).error?.message ?? '', /malformed answer to CONNECT/)
    const endless = await proxyWith((s) => s.write(`HTTP/1.1 200 OK\r\nx: ${'a'.repeat(20_000)}`))
    assert.match((await tunnelTo(endless.port)).error?.message ?? '', /malformed answer to CONNECT/)
    const gone = await proxyWith((s) => s.end())
    assert.match((await tunnelTo(gone.port)).error?.message ?? '', /closed the connection before answering/)
  })

  test('stopping it destroys the connection to the proxy and calls back once with the reason', async () => {
    let closed = false
    const p = await proxyWith((s) => s.on('close', () => (closed = true)))
    const calls: Array<Error | null> = []
    const stop = openTunnel({ protocol: 'http', host: '127.0.0.1', port: p.port, token: null }, 'h:443', (e) =>
      calls.push(e),
    )
    await settlesWithin(
      (async () => {
        while (p.heads.length === 0) await new Promise((r) => setTimeout(r, 5))
      })(),
      30_000,
    )
    stop(new Error('stopped'))
    stop(new Error('again'))
    await settlesWithin(
      (async () => {
        while (!closed) await new Promise((r) => setTimeout(r, 5))
      })(),
      30_000,
      'the proxy seeing the close',
    )
    assert.deepEqual(
      calls.map((e) => e?.message),
      ['stopped'],
    )
  })
})

describe('Connects', () => {
  const waiter = (origin: string): Waiter => ({ origin, prev: null, next: null })

  test('an abandoned connection is stopped only when no request waits for its origin', () => {
    const c = new Connects(false)
    const stopped: string[] = []
    c.track({ origin: 'https://a', cancel: () => stopped.push('a') })
    c.track({ origin: 'https://b', cancel: () => stopped.push('b') })
    const a1 = waiter('https://a')
    const a2 = waiter('https://a')
    const b1 = waiter('https://b')
    for (const w of [a1, a2, b1]) c.enter(w)
    c.abandon(a1, new Error('x'))
    assert.deepEqual(stopped, [], 'a2 still waits for https://a')
    c.leave(b1)
    c.abandon(a2, new Error('x'))
    assert.deepEqual(stopped, ['a'], "b's connection is not a's")
  })

  test('shared (a forwarding proxy): stopped only when no request at all waits', () => {
    const c = new Connects(true)
    const stopped: string[] = []
    c.track({ origin: 'http://proxy', cancel: () => stopped.push('proxy') })
    const a = waiter('http://a')
    const b = waiter('http://b')
    c.enter(a)
    c.enter(b)
    c.abandon(a, new Error('x'))
    assert.deepEqual(stopped, [])
    c.abandon(b, new Error('x'))
    assert.deepEqual(stopped, ['proxy'])
  })

  test('leaving twice, or a waiter never entered, changes nothing', () => {
    const c = new Connects(false)
    const a = waiter('o')
    const b = waiter('o')
    c.enter(a)
    c.leave(b)
    c.leave(a)
    c.leave(a)
    const stopped: string[] = []
    c.track({ origin: 'o', cancel: () => stopped.push('o') })
    c.abandon(b, new Error('x'))
    assert.deepEqual(stopped, ['o'])
  })
})
