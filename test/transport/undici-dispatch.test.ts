/**
 * The body of undiciTransport's responses (DispatchBody): pushed to one reader or iterated with
 * backpressure, cancelled by a reader that stops; and the transport's abort through `onAbort`
 * and `signal`, before the head and in the middle of a body, against loopback servers.
 */
import { attempt } from './helpers.js'
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import type { Socket } from 'node:net'
import * as H from '../../src/index.js'
import { DispatchBody } from '../../src/transport/dispatch-body.js'
import { responsePairs } from '../../src/transport/undici-dispatch.js'
import { isPushBody } from '../../src/model/transport.js'
import { waitFor } from '../support/wait.js'

const bytes = (s: string): Uint8Array => Buffer.from(s)
const text = (chunks: ReadonlyArray<Uint8Array>): string => Buffer.concat(chunks).toString()

/** A body with counting fakes for undici's resume and abort. */
const fakeBody = (): { body: DispatchBody; resumed: () => number; aborted: () => ReadonlyArray<Error> } => {
  let resumes = 0
  const aborts: Error[] = []
  const body = new DispatchBody({ resumeSource: () => void resumes++, abortSource: (e) => void aborts.push(e) })
  return { body, resumed: () => resumes, aborted: () => aborts }
}

describe('DispatchBody', () => {
  test('is a push body; a reader gets the chunks queued before it listened, then the rest, then end', () => {
    const { body } = fakeBody()
    assert.equal(isPushBody(body), true)
    body.push(bytes('ab'))
    const got: Uint8Array[] = []
    let ended = 0
    body.listen({ data: (c) => void got.push(c), end: () => void ended++, error: () => assert.fail('no error') })
    body.push(bytes('cd'))
    body.end()
    body.end()
    assert.equal(text(got), 'abcd')
    assert.equal(ended, 1)
  })

  test('a failure before the reader listened reaches it once, after the end nothing does', () => {
    const { body } = fakeBody()
    body.fail(new Error('reset'))
    const errors: unknown[] = []
    body.listen({
      data: () => assert.fail('no data'),
      end: () => assert.fail('no end'),
      error: (e) => void errors.push(e),
    })
    body.end()
    body.fail(new Error('again'))
    assert.deepEqual(
      errors.map((e) => (e as Error).message),
      ['reset'],
    )
  })

  test('a second reader is refused', () => {
    const { body } = fakeBody()
    const reader = { data: () => undefined, end: () => undefined, error: () => undefined }
    body.listen(reader)
    assert.throws(() => body.listen(reader), /already has a reader/)
  })

  test('iterated: past 64 KiB queued it asks undici to pause, and resumes it as the iterator drains', async () => {
    const { body, resumed } = fakeBody()
    const big = new Uint8Array(40 * 1024)
    assert.equal(body.push(big), true)
    assert.equal(body.push(big), false)
    body.end()
    let n = 0
    for await (const chunk of body) n += chunk.byteLength
    assert.equal(n, 80 * 1024)
    assert.equal(resumed(), 1)
  })

  test('iterated: chunks pushed while the iterator waits arrive in order; a failure ends the loop with its error', async () => {
    const { body } = fakeBody()
    const got: string[] = []
    const reading = (async () => {
      for await (const chunk of body) got.push(Buffer.from(chunk).toString())
    })()
    await new Promise((r) => setImmediate(r))
    body.push(bytes('one'))
    body.push(bytes('two'))
    await new Promise((r) => setImmediate(r))
    body.fail(new Error('cut'))
    await assert.rejects(reading, /cut/)
    assert.deepEqual(got, ['one', 'two'])
  })

  test('a reader that leaves early or cancels drops the connection once; a finished body is not aborted', async () => {
    const a = fakeBody()
    a.body.push(bytes('x'))
    for await (const chunk of a.body) {
      assert.equal(chunk.byteLength, 1)
      break
    }
    a.body.cancel()
    assert.equal(a.aborted().length, 1)
    assert.equal((a.aborted()[0] as Error & { code?: string }).code, 'UND_ERR_ABORTED')
    const b = fakeBody()
    b.body.end()
    b.body.cancel()
    for await (const chunk of b.body) assert.fail(`no chunk expected, got ${chunk.byteLength} bytes`)
    assert.equal(b.aborted().length, 0)
  })

  test('hostile pushes after the end or a cancel are ignored', () => {
    const { body } = fakeBody()
    body.cancel()
    assert.equal(body.push(bytes('late')), true)
    const got: Uint8Array[] = []
    body.listen({ data: (c) => void got.push(c), end: () => undefined, error: () => undefined })
    assert.equal(got.length, 0)
  })
})

describe('responsePairs', () => {
  test('names lower-cased (UTF-8), values as Latin-1, repeated lines apart, an odd tail dropped', () => {
    const raw = [
      Buffer.from('Set-Cookie'),
      Buffer.from('a=1'),
      Buffer.from('SET-COOKIE'),
      Buffer.from([0x62, 0x3d, 0xe9]),
      'X-Str',
      'v',
      Buffer.from('odd'),
    ]
    assert.deepEqual(responsePairs(raw), [
      ['set-cookie', 'a=1'],
      ['set-cookie', 'b=\u00e9'],
      ['x-str', 'v'],
    ])
  })
})

describe('undiciTransport: abort and cancel on the wire', () => {
  const transport = H.undiciTransport()
  const sockets = new Set<Socket>()
  let server: Server
  let base = ''
  let closedMidBody = 0
  let stalled = 0
  before(async () => {
    server = createServer((req, res) => {
      if (req.url === '/stall') return void stalled++ // never answers
      if (req.url?.startsWith('/path') === true) return void res.end(req.url)
      res.writeHead(200, { 'content-length': String(1 << 20) })
      res.write(Buffer.alloc(1024))
      res.on('close', () => void (res.writableEnded ? undefined : closedMidBody++))
    })
    server.on('connection', (s) => void sockets.add(s))
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
    const a = server.address()
    base = `http://127.0.0.1:${typeof a === 'object' && a !== null ? a.port : 0}`
  })
  after(async () => {
    await transport.close()
    for (const s of sockets) s.destroy()
    await new Promise((r) => server.close(r))
  })

  test('the path sent is the path and query of the URL, as undici.request sends it (asked twice: the split is remembered)', async () => {
    const read = async (url: string): Promise<string> => {
      const res = await transport(attempt(url))
      const chunks: Uint8Array[] = []
      for await (const c of res.body ?? []) chunks.push(c)
      return Buffer.concat(chunks).toString()
    }
    for (let i = 0; i < 2; i++) {
      assert.equal(await read(`${base}/path/a%20b?x=1&y=%2F#frag`), '/path/a%20b?x=1&y=%2F')
      assert.equal(await read(`${base}/path?`), '/path')
      assert.equal(await read(`${base}/path/../path/./q`), '/path/q')
      await assert.rejects(
        transport(attempt('ftp://127.0.0.1/x')),
        (e: Error & { code?: string }) => e.code === 'UND_ERR_INVALID_ARG',
      )
      await assert.rejects(transport(attempt('not a url')), TypeError)
    }
  })

  test('onAbort before the head rejects with an AbortError', async () => {
    let abort = (): void => undefined
    const s0 = stalled
    const p = transport(attempt(`${base}/stall`, { onAbort: (l) => void (abort = l) }))
    // once the server has the request (which it never answers), not after a guessed delay
    await waitFor(() => stalled > s0, 10_000, 'the server receiving /stall')
    abort()
    await assert.rejects(p, (e: Error) => e.name === 'AbortError')
  })

  test('an aborted signal (no onAbort) rejects; an abort mid-body fails the body and closes the connection', async () => {
    const c = new AbortController()
    c.abort()
    await assert.rejects(
      transport(attempt(`${base}/stall`, { signal: c.signal })),
      (e: Error) => e.name === 'AbortError',
    )
    const c2 = new AbortController()
    const res = await transport(attempt(`${base}/body`, { signal: c2.signal }))
    assert.equal(res.status, 200)
    const reading = (async () => {
      for await (const chunk of res.body ?? []) {
        assert.ok(chunk.byteLength > 0)
        c2.abort()
      }
    })()
    await assert.rejects(reading, (e: Error) => e.name === 'AbortError')
    await waitFor(() => closedMidBody > 0, 10_000, 'the server seeing the connection close mid-body')
    assert.equal(closedMidBody, 1)
  })

  test('a reader that cancels drops the connection (the server sees it close mid-body)', async () => {
    const before = closedMidBody
    const res = await transport(attempt(`${base}/body`))
    assert.ok(isPushBody(res.body))
    res.body.cancel()
    await waitFor(() => closedMidBody > before, 10_000, 'the server seeing the connection close mid-body')
    assert.equal(closedMidBody, before + 1)
  })
})
