/**
 * The fault fixture itself, checked with raw sockets (no httpipe involved): each kind
 * misbehaves exactly as test/support/faulty.ts says, counts what it should, and closes every
 * socket it accepted.
 */
import assert from 'node:assert/strict'
import { connect } from 'node:net'
import { after, describe, test } from 'node:test'
import {
  closeAllServers,
  startBlockedListener,
  startFaultyServer,
  startStatusServer,
  takeRequest,
  withFaultyServer,
  type FaultKind,
} from './faulty.js'
import { settlesWithin, waitFor } from './wait.js'

interface Exchange {
  readonly data: string
  /** how the server left it: FIN, RST, or still open after `waitMs` */
  readonly end: 'fin' | 'reset' | 'open'
}

/**
 * Sends raw bytes and collects what comes back until the server closes the socket. A server
 * that should leave it open is given `quietMs` more once the data so far satisfies `settled`
 * (nothing more should come then); `ceilingMs` ends the wait in any case, so a server that
 * should close but does not is seen 'open' instead of hanging the test. Nothing here assumes
 * how fast a busy machine answers.
 */
const exchange = (
  port: number,
  request: string,
  settled: (data: string) => boolean = () => true,
  quietMs = 300,
  ceilingMs = 10_000,
): Promise<Exchange> =>
  new Promise((resolve) => {
    const chunks: Buffer[] = []
    const data = (): string => Buffer.concat(chunks).toString('latin1')
    let quiet: NodeJS.Timeout | undefined
    const done = (end: Exchange['end']): void => {
      clearTimeout(ceiling)
      clearTimeout(quiet)
      c.destroy()
      resolve({ data: data(), end })
    }
    const look = (): void => {
      if (quiet === undefined && settled(data())) quiet = setTimeout(() => done('open'), quietMs)
    }
    const c = connect(port, '127.0.0.1', () => c.write(request, look))
    const ceiling = setTimeout(() => done('open'), ceilingMs)
    c.on('data', (d: Buffer) => {
      chunks.push(d)
      look()
    })
    c.on('end', () => done('fin'))
    c.on('error', (e: NodeJS.ErrnoException) => done(e.code === 'ECONNRESET' ? 'reset' : 'open'))
  })

const GET = 'GET /x HTTP/1.1\r\nHost: t\r\n\r\n'

after(closeAllServers)

const expected: ReadonlyArray<readonly [FaultKind, RegExp, Exchange['end']]> = [
  ['ok', /^HTTP\/1\.1 200 OK\r\n[^]*Content-Length: 2\r\n\r\nok$/, 'open'],
  ['reset-before-headers', /^$/, 'reset'],
  ['reset-mid-body', /^HTTP\/1\.1 200 OK\r\n[^]*Content-Length: 1000\r\n\r\nx{100}$/, 'reset'],
  ['never-answers', /^$/, 'open'],
  ['malformed-status', /^HTTP\/1\.1 abc nonsense\r\n\r\n$/, 'open'],
  ['malformed-protocol', /^HTXP\/1\.1 200 OK\r\n/, 'open'],
  ['short-body-fin', /^HTTP\/1\.1 200 OK\r\n[^]*Content-Length: 50\r\n\r\ns{10}$/, 'fin'],
  ['chunked-never-ends', /^HTTP\/1\.1 200 OK\r\n[^]*Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n$/, 'open'],
  ['head-then-silence', /^HTTP\/1\.1 200 OK\r\n[^]*Content-Length: 1000\r\n\r\n$/, 'open'],
  [
    'redirect-never-ends',
    /^HTTP\/1\.1 302 Found\r\nLocation: \/ok\r\n[^]*Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n$/,
    'open',
  ],
]

describe('faulty servers (raw sockets)', { concurrency: true }, () => {
  for (const [kind, data, end] of expected) {
    test(`${kind}: answers ${data} and leaves the socket ${end}`, () =>
      withFaultyServer(kind, async (s) => {
        // a server that closes is waited for; one that stays open, once its answer is in
        const r = await exchange(s.port, GET, (d) => end === 'open' && data.test(d))
        assert.match(r.data, data)
        assert.equal(r.end, end)
        assert.equal(s.count(), 1)
        assert.equal(s.connections(), 1)
        assert.deepEqual(
          s.requests().map((q) => [q.method, q.path]),
          [['GET', '/x']],
        )
      }))
  }

  test('trickle: the head at once, then one byte per trickleMs', () =>
    withFaultyServer(
      'trickle',
      async (s) => {
        // when each body byte arrived: on a busy machine bytes can come late (several in one
        // read), never early, so the third comes at least 3 × trickleMs after the request
        const arrivals: number[] = []
        let seen = 0
        const sent = performance.now()
        const r = await exchange(
          s.port,
          GET,
          (d) => {
            const body = d.split('\r\n\r\n')[1]
            for (; body !== undefined && seen < body.length; seen++) arrivals.push(performance.now())
            return seen >= 3
          },
          0,
        )
        assert.match(r.data, /^HTTP\/1\.1 200 OK\r\n[^]*Content-Length: 100\r\n\r\nt{3,}$/)
        assert.equal(r.end, 'open')
        const third = (arrivals[2] ?? 0) - sent
        assert.ok(
          third >= 3 * 100 * 0.9,
          `the third byte came ${Math.round(third)} ms after the request: more than one per trickleMs`,
        )
      },
      { trickleMs: 100 },
    ))

  test('a request is counted only once its head and Content-Length body are complete', () =>
    withFaultyServer('never-answers', async (s) => {
      const c = connect(s.port, '127.0.0.1')
      await new Promise((r) => c.once('connect', r))
      const pause = (): Promise<void> => new Promise((r) => setTimeout(r, 50))
      c.write('POST /p HTTP/1.1\r\nHost: t\r\nContent-')
      await pause()
      assert.equal(s.count(), 0)
      c.write('Length: 5\r\n\r\nab')
      await pause()
      assert.equal(s.count(), 0)
      c.write('cde')
      await waitFor(() => s.count() >= 1, 10_000, 'the complete request counted')
      assert.equal(s.count(), 1)
      assert.equal(s.requests()[0]?.body.toString(), 'abcde')
      c.destroy()
    }))

  test('ok keeps the connection alive: two requests on one socket, both counted', () =>
    withFaultyServer('ok', async (s) => {
      const r = await exchange(s.port, GET + 'HEAD /h HTTP/1.1\r\nHost: t\r\n\r\n')
      assert.equal(r.data.match(/HTTP\/1\.1 200 OK/g)?.length, 2)
      assert.ok(r.data.endsWith('Content-Length: 2\r\n\r\n'), 'no body for HEAD')
      assert.equal(s.count(), 2)
      assert.equal(s.connections(), 1)
    }))

  test('/ok paths are answered normally on a faulty server', () =>
    withFaultyServer('reset-before-headers', async (s) => {
      const r = await exchange(s.port, 'GET /ok HTTP/1.1\r\nHost: t\r\n\r\n')
      assert.match(r.data, /^HTTP\/1\.1 200 OK\r\n[^]*\r\n\r\nok$/)
    }))

  test('close() destroys the accepted sockets (a client sees its connection end)', async () => {
    const s = await startFaultyServer('never-answers')
    const c = connect(s.port, '127.0.0.1', () => c.write(GET))
    const ended = new Promise<string>((resolve) => {
      c.on('close', () => resolve('closed'))
      c.on('error', () => undefined)
    })
    await waitFor(() => s.count() >= 1, 10_000, 'the request counted')
    assert.equal(s.count(), 1)
    // the client never closes its side: a close() that waited for it would never end
    await settlesWithin(s.close(), 10_000, 'close()')
    assert.equal(await settlesWithin(ended, 10_000, "the client's close"), 'closed')
  })

  test('takeRequest reads chunked request bodies', () => {
    const raw = Buffer.from('PUT /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\nGET')
    const r = takeRequest(raw)
    assert.equal(r?.req.method, 'PUT')
    assert.equal(r?.req.body.toString(), '3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n')
    assert.equal(r?.rest.toString(), 'GET')
    assert.equal(takeRequest(Buffer.from('PUT /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n')), null)
  })
})

describe('status server', () => {
  test('answers status to the first failures requests of each method, then 200, with Retry-After', async () => {
    const s = await startStatusServer({ status: 503, failures: 1, retryAfter: '2' })
    try {
      const one = async (method: string): Promise<[number, string | null, string]> => {
        const r = await fetch(`${s.url}/`, { method })
        return [r.status, r.headers.get('retry-after'), await r.text()]
      }
      assert.deepEqual(await one('GET'), [503, '2', 'failure 1'])
      assert.deepEqual(await one('GET'), [200, null, 'ok'])
      assert.deepEqual(await one('POST'), [503, '2', 'failure 1'])
      assert.equal(s.count('GET'), 2)
      assert.equal(s.count('POST'), 1)
      assert.equal(s.count(), 3)
    } finally {
      await s.close()
    }
  })
})

describe('blocked listener', () => {
  test('a new connection hangs (no SYN-ACK) once the accept queue is full; close() ends the child', async () => {
    const l = await startBlockedListener()
    try {
      assert.equal(l.reliable, true, 'the accept queue never filled: connect timeouts cannot be provoked here')
      const c = connect(l.port, '127.0.0.1')
      c.on('error', () => undefined)
      const r = await new Promise<string>((resolve) => {
        const t = setTimeout(() => resolve('hangs'), 400)
        c.once('connect', () => (clearTimeout(t), resolve('connected')))
      })
      c.destroy()
      assert.equal(r, 'hangs')
    } finally {
      // the child blocks for 60 s on its own: close() must end it well before
      await settlesWithin(l.close(), 10_000, 'close()')
    }
  })
})
