import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { pipe } from 'fp-ts/function'
import * as H from '../../src/index.js'
import { startEchoServer, type EchoServer } from '../../src/testing/index.js'
import { waitFor } from '../support/wait.js'
import { asTag, freePort, ko, lines, ok, onTestTransport } from './helpers.js'

let server: EchoServer
let dir: string

before(async () => {
  server = await startEchoServer()
  dir = await mkdtemp(join(tmpdir(), 'httpipe-retry-'))
})

after(async () => {
  await server.close()
  await rm(dir, { recursive: true, force: true })
})

const NOW = Date.parse('Wed, 21 Oct 2015 07:28:00 GMT')

/** An env whose sleeps are recorded and instant, with a fixed clock and jitter. */
const fakeEnv = (random: () => number = () => 0.5, extra: H.Env = {}): { env: H.Env; sleeps: number[] } => {
  const sleeps: number[] = []
  const env: H.Env = {
    sleep: async (ms) => {
      sleeps.push(ms)
    },
    random,
    now: () => NOW,
    ...extra,
  }
  return { env: onTestTransport(env), sleeps }
}

let keyN = 0
/** A fresh /flaky key (server-side counters are per key). */
const freshKey = (label: string): string => `${label}-${++keyN}`

const flaky = (key: string, query: Readonly<Record<string, string | number>>): H.Request =>
  pipe(H.newRequest(), H.initialize(`${server.url}/flaky/${key}`), H.setUrlParams(query))

const at = (path: string): H.Request => pipe(H.newRequest(), H.initialize(`${server.url}${path}`))

const count = (path: string): number => server.requests.filter((r) => r.url.split('?')[0] === path).length

/** What policy says the n-th retry waits: random() * min(10000, 100 * 2^(n-1)), floored. */
const backoff = (n: number, r: number): number => Math.floor(r * Math.min(10_000, 100 * 2 ** (n - 1)))

describe('which outcomes are retried', () => {
  for (const status of [500, 503, 429, 408]) {
    test(`status ${status} is retried until success`, async () => {
      const key = freshKey(`s${status}`)
      const { env, sleeps } = fakeEnv()
      const res = await ok(H.processRequest('GET', env)(pipe(flaky(key, { failures: 2, status }), H.maxAttempts(3))))
      assert.equal(res.status, 200)
      assert.equal(server.hits(key), 3)
      assert.equal(res.attempts, 3)
      assert.deepEqual(sleeps, [backoff(1, 0.5), backoff(2, 0.5)])
      assert.deepEqual(sleeps, [50, 100])
    })
  }

  test('no retry on 4xx (404)', async () => {
    const key = freshKey('s404')
    const { env, sleeps } = fakeEnv()
    const res = await ok(H.processRequest('GET', env)(pipe(flaky(key, { failures: 5, status: 404 }), H.maxAttempts(3))))
    assert.equal(res.status, 404)
    assert.equal(server.hits(key), 1)
    assert.equal(res.attempts, 1)
    assert.deepEqual(sleeps, [])
    assert.ok(!lines(res).some((l) => l.includes('retry')))
  })

  test('no retry by default (maxAttempts 0 sends once)', async () => {
    const key = freshKey('default')
    const { env, sleeps } = fakeEnv()
    const res = await ok(H.processRequest('GET', env)(flaky(key, { failures: 1 })))
    assert.equal(res.status, 503)
    assert.equal(server.hits(key), 1)
    assert.equal(res.attempts, 1)
    assert.deepEqual(sleeps, [])
  })

  test('maxAttempts(0) sends once', async () => {
    const key = freshKey('zero')
    const { env } = fakeEnv()
    const res = await ok(H.processRequest('GET', env)(pipe(flaky(key, { failures: 1 }), H.maxAttempts(0))))
    assert.equal(res.status, 503)
    assert.equal(server.hits(key), 1)
  })

  test('gives up after 1+n attempts and returns the last 5xx as a Right', async () => {
    const key = freshKey('giveup')
    const { env, sleeps } = fakeEnv()
    const res = await ok(
      H.processRequest('GET', env)(pipe(flaky(key, { failures: 10, status: 502 }), H.maxAttempts(2))),
    )
    assert.equal(res.status, 502)
    assert.equal(server.hits(key), 3)
    assert.equal(res.attempts, 3)
    assert.deepEqual(JSON.parse(Buffer.from(res.body).toString()), { attempt: 3, failing: true })
    assert.equal(sleeps.length, 2)
  })

  test('transport errors are retried (then returned when retries run out)', async () => {
    const { env, sleeps } = fakeEnv()
    const c0 = count('/close')
    const e = asTag(await ko(H.processRequest('GET', env)(pipe(at('/close'), H.maxAttempts(2)))), 'TransportError')
    assert.equal(count('/close') - c0, 3)
    assert.deepEqual(sleeps, [50, 100])
    const l = lines(e)
    assert.ok(
      l.some((x) => /^executeRequest: retry 1\/2 in 50 ms after TransportError$/.test(x)),
      l.join('\n'),
    )
    assert.ok(
      l.some((x) => /^executeRequest: retry 2\/2 in 100 ms after TransportError$/.test(x)),
      l.join('\n'),
    )
  })

  test('a refused connection is retried', async () => {
    const port = await freePort()
    const { env, sleeps } = fakeEnv()
    const e = asTag(
      await ko(
        H.processRequest('GET', env)(pipe(H.newRequest(), H.initialize(`http://127.0.0.1:${port}/`), H.maxAttempts(1))),
      ),
      'TransportError',
    )
    assert.equal(sleeps.length, 1)
    assert.equal(lines(e).filter((l) => l.startsWith('executeRequest: sending GET')).length, 2)
  })

  test('timeouts are retried', async () => {
    const { env, sleeps } = fakeEnv()
    const c0 = count('/hang')
    // 300 ms: long enough that a busy machine sends each request before its limit runs out
    const e = asTag(
      await ko(H.processRequest('GET', env)(pipe(at('/hang'), H.setTimeout(300), H.maxAttempts(2)))),
      'Timeout',
    )
    // the server shares this process: it may record the last request after the run ended
    await waitFor(() => count('/hang') - c0 >= 3, 10_000, 'the server recording three requests')
    assert.equal(count('/hang') - c0, 3)
    assert.equal(sleeps.length, 2)
    assert.ok(
      lines(e).some((l) => l.includes('retry 1/2') && l.includes('after Timeout')),
      lines(e).join('\n'),
    )
  })

  test('an env.signal abort is not retried', async () => {
    const ac = new AbortController()
    const { env, sleeps } = fakeEnv(() => 0.5, { signal: ac.signal })
    const c0 = count('/hang')
    const run = ko(H.processRequest('GET', env)(pipe(at('/hang'), H.maxAttempts(3))))
    // abort while the attempt waits for its answer: once the server has the request
    await waitFor(() => count('/hang') > c0, 10_000, 'the server recording the request')
    ac.abort()
    const e = asTag(await run, 'TransportError')
    assert.equal(e.cause, 'ABORTED')
    assert.deepEqual(sleeps, [])
    assert.equal(count('/hang') - c0, 1)
  })

  test('the default sleep is cut short by env.signal', { timeout: 20_000 }, async () => {
    const key = freshKey('real-sleep')
    const ac = new AbortController()
    const run = ko(
      H.processRequest('GET', { signal: ac.signal })(
        pipe(flaky(key, { failures: 1, retryAfter: '30' }), H.maxAttempts(1)),
      ),
    )
    // abort during the wait of 30 s: half a second after the server answered the first
    // attempt (the client only has a small 503 to read by then), far from both ends of the wait
    await waitFor(() => server.hits(key) >= 1, 10_000, 'the server answering the first attempt')
    const timer = setTimeout(() => ac.abort(), 500)
    const e = asTag(await run, 'TransportError')
    clearTimeout(timer)
    assert.equal(e.cause, 'ABORTED')
    assert.equal(server.hits(key), 1)
    assert.ok(lines(e).some((l) => l.includes('in 30000 ms (Retry-After)')))
  })

  test('an abort while waiting between retries ends the run', async () => {
    const key = freshKey('abort-wait')
    const ac = new AbortController()
    const env: H.Env = { signal: ac.signal, random: () => 0.5, sleep: async () => ac.abort() }
    const e = asTag(
      await ko(H.processRequest('GET', env)(pipe(flaky(key, { failures: 3 }), H.maxAttempts(3)))),
      'TransportError',
    )
    assert.equal(e.cause, 'ABORTED')
    assert.equal(server.hits(key), 1)
  })
})

describe('Retry-After and backoff', () => {
  test('Retry-After in seconds is honoured', async () => {
    const key = freshKey('ra-seconds')
    const { env, sleeps } = fakeEnv()
    const res = await ok(
      H.processRequest('GET', env)(pipe(flaky(key, { failures: 1, status: 503, retryAfter: '3' }), H.maxAttempts(2))),
    )
    assert.equal(res.status, 200)
    assert.deepEqual(sleeps, [3000])
    assert.ok(
      lines(res).includes('executeRequest: status 503, retry 1/2 in 3000 ms (Retry-After)'),
      lines(res).join('\n'),
    )
  })

  test('Retry-After as an HTTP date is honoured relative to env.now', async () => {
    const key = freshKey('ra-date')
    const { env, sleeps } = fakeEnv()
    const res = await ok(
      H.processRequest(
        'GET',
        env,
      )(pipe(flaky(key, { failures: 1, status: 429, retryAfter: 'Wed, 21 Oct 2015 07:28:07 GMT' }), H.maxAttempts(1))),
    )
    assert.equal(res.status, 200)
    assert.deepEqual(sleeps, [7000])
  })

  test('Retry-After is capped at 60 s (seconds and dates)', async () => {
    const k1 = freshKey('ra-cap-s')
    const a = fakeEnv()
    await ok(H.processRequest('GET', a.env)(pipe(flaky(k1, { failures: 1, retryAfter: '3600' }), H.maxAttempts(1))))
    assert.deepEqual(a.sleeps, [60_000])
    const k2 = freshKey('ra-cap-d')
    const b = fakeEnv()
    await ok(
      H.processRequest(
        'GET',
        b.env,
      )(pipe(flaky(k2, { failures: 1, retryAfter: 'Wed, 21 Oct 2015 09:00:00 GMT' }), H.maxAttempts(1))),
    )
    assert.deepEqual(b.sleeps, [60_000])
  })

  test('a Retry-After date in the past waits 0', async () => {
    const key = freshKey('ra-past')
    const { env, sleeps } = fakeEnv()
    await ok(
      H.processRequest(
        'GET',
        env,
      )(pipe(flaky(key, { failures: 1, retryAfter: 'Wed, 21 Oct 2015 07:00:00 GMT' }), H.maxAttempts(1))),
    )
    assert.deepEqual(sleeps, [0])
  })

  test('an unreadable Retry-After falls back to the backoff', async () => {
    const key = freshKey('ra-bad')
    const { env, sleeps } = fakeEnv(() => 0.25)
    await ok(H.processRequest('GET', env)(pipe(flaky(key, { failures: 1, retryAfter: 'soon' }), H.maxAttempts(1))))
    assert.deepEqual(sleeps, [backoff(1, 0.25)])
  })

  test('backoff follows random() * min(10000, 100 * 2^(n-1)), one random() per retry', async () => {
    const key = freshKey('backoff')
    const rs = [0.999, 0.5, 0.1, 0.9, 0.75, 0.3, 0.6, 0.999, 0.42]
    let calls = 0
    const { env, sleeps } = fakeEnv(() => rs[calls++ % rs.length] ?? 0)
    const res = await ok(H.processRequest('GET', env)(pipe(flaky(key, { failures: 9, status: 500 }), H.maxAttempts(9))))
    assert.equal(res.status, 200)
    assert.equal(server.hits(key), 10)
    assert.equal(calls, 9)
    assert.deepEqual(
      sleeps,
      rs.map((r, i) => backoff(i + 1, r)),
    )
    assert.deepEqual(sleeps, [99, 100, 40, 720, 1200, 960, 3840, 9990, 4200])
    assert.ok(sleeps.every((ms) => ms <= 10_000))
  })

  test('backoff is full jitter: random() = 0 waits 0', async () => {
    const key = freshKey('zero-jitter')
    const { env, sleeps } = fakeEnv(() => 0)
    await ok(H.processRequest('GET', env)(pipe(flaky(key, { failures: 3 }), H.maxAttempts(3))))
    assert.deepEqual(sleeps, [0, 0, 0])
  })
})

describe('attempts, bodies and log', () => {
  test('log lines for each attempt and retry', async () => {
    const key = freshKey('log')
    const { env } = fakeEnv()
    const res = await ok(H.processRequest('GET', env)(pipe(flaky(key, { failures: 2 }), H.maxAttempts(3))))
    const url = `${server.url}/flaky/${key}?failures=2`
    const l = lines(res).filter((x) => x.startsWith('executeRequest:'))
    assert.deepEqual(
      l
        .filter((x) => x.includes('sending') || x.includes('retry') || x.includes('code'))
        .map((x) => x.replace(/\(\d+ ms\)/, '(T ms)')),
      [
        `executeRequest: sending GET ${url} (attempt 1/4)`,
        'executeRequest: response received, code 503 (T ms)',
        'executeRequest: status 503, retry 1/3 in 50 ms',
        `executeRequest: sending GET ${url} (attempt 2/4)`,
        'executeRequest: response received, code 503 (T ms)',
        'executeRequest: status 503, retry 2/3 in 100 ms',
        `executeRequest: sending GET ${url} (attempt 3/4)`,
        'executeRequest: response received, code 200 (T ms)',
      ],
    )
  })

  test('each attempt re-sends the body; file bodies are re-opened', async () => {
    const key = freshKey('file')
    const path = join(dir, 'retry.bin')
    const content = randomBytes(50_000)
    await writeFile(path, content)
    const { env } = fakeEnv()
    const res = await ok(
      H.processRequest(
        'PUT',
        env,
      )(pipe(flaky(key, { failures: 2 }), H.setBinaryBody(H.fromFile(path)), H.maxAttempts(2))),
    )
    assert.equal(res.status, 200)
    const hits = server.requests.filter((r) => r.url.startsWith(`/flaky/${key}?`))
    assert.equal(hits.length, 3)
    for (const h of hits) assert.ok(Buffer.from(h.body).equals(content))
  })

  test('res.attempts counts attempts over every redirect hop', async () => {
    const key = freshKey('hops')
    const { env } = fakeEnv()
    const req = pipe(at('/redirect-to'), H.setUrlParams({ url: `/flaky/${key}?failures=2` }), H.maxAttempts(3))
    const res = await ok(H.processRequest('GET', env)(req))
    assert.equal(res.status, 200)
    assert.equal(res.redirects, 1)
    assert.equal(res.attempts, 4)
  })
})
