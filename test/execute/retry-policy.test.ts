/**
 * The retry policy (SPEC §6): which methods, statuses and failures are retried, Retry-After,
 * the backoff settings of setRetryPolicy, the deadline of a whole run, and invalid policies.
 * Servers count what they receive (test/support/faulty.ts); waits are recorded, not slept (the
 * deadline's waits run on a fake clock that only waits move). A server's count is read once it
 * caught up (waitFor): on a busy machine the run can end before the server saw its request. No
 * upper bound on time: a run that hangs ends by its env.signal or the test's timeout.
 */
import assert from 'node:assert/strict'
import { after, describe, test } from 'node:test'
import { pipe } from 'fp-ts/function'
import * as H from '../../src/index.js'
import { closeAllServers, useFaultyServer, withFaultyServer, withStatusServer } from '../support/faulty.js'
import { waitFor } from '../support/wait.js'
import { asTag, freePort, ko, lines, ok } from './helpers.js'

after(closeAllServers)

/** An env whose waits are recorded and instant. */
const recording = (random: () => number = () => 0.5): { env: H.Env; sleeps: number[] } => {
  const sleeps: number[] = []
  return { env: { random, sleep: async (ms) => void sleeps.push(ms) }, sleeps }
}

const to = (url: string, method: string, ...steps: Array<(r: H.Request) => H.Request>): H.Request =>
  steps.reduce(
    (r, f) => f(r),
    pipe(H.newRequest(), H.initialize(`${url}/r`), (r) =>
      ['POST', 'PUT', 'PATCH'].includes(method) ? H.setStringBody('x')(r) : r,
    ),
  )

const sendingLines = (x: Parameters<typeof lines>[0], method: string): string[] =>
  lines(x).filter((l) => l.startsWith(`executeRequest: sending ${method} `))

describe('methods', () => {
  for (const method of ['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'TRACE']) {
    test(`${method} is retried on 503 by default`, () =>
      withStatusServer({ status: 503, failures: 1 }, async (s) => {
        const { env, sleeps } = recording()
        const res = await ok(H.processRequest(method, env)(to(s.url, method, H.maxAttempts(2))))
        assert.equal(res.status, 200)
        assert.equal(s.count(method), 2)
        assert.equal(sleeps.length, 1)
      }))
  }

  for (const method of ['POST', 'PATCH']) {
    test(`${method} with a 503 is not retried by default`, () =>
      withStatusServer({ status: 503 }, async (s) => {
        const { env, sleeps } = recording()
        const res = await ok(H.processRequest(method, env)(to(s.url, method, H.maxAttempts(2))))
        assert.equal(res.status, 503)
        assert.equal(s.count(method), 1)
        assert.deepEqual(sleeps, [])
        assert.ok(!lines(res).some((l) => /retry \d/.test(l)), lines(res).join('\n'))
      }))
  }

  test("setRetryPolicy({ methods: ['POST'] }) retries POST (3 sends with maxAttempts(2))", () =>
    withStatusServer({ status: 503, failures: 2 }, async (s) => {
      const { env, sleeps } = recording()
      const res = await ok(
        H.processRequest('POST', env)(to(s.url, 'POST', H.setRetryPolicy({ methods: ['POST'] }), H.maxAttempts(2))),
      )
      assert.equal(res.status, 200)
      assert.equal(s.count('POST'), 3)
      assert.equal(res.attempts, 3)
      assert.equal(sleeps.length, 2)
      const l = lines(res)
      assert.ok(l.some((x) => /retry 1\/2/.test(x)) && l.some((x) => /retry 2\/2/.test(x)), l.join('\n'))
    }))

  // The list replaces the default one (as got's retry.methods does), like `statuses` below.
  test("with methods ['POST'], GET is no longer retried", () =>
    withStatusServer({ status: 503 }, async (s) => {
      const res = await ok(
        H.processRequest(
          'GET',
          recording().env,
        )(to(s.url, 'GET', H.setRetryPolicy({ methods: ['POST'] }), H.maxAttempts(2))),
      )
      assert.equal(res.status, 503)
      assert.equal(s.count('GET'), 1)
    }))
})

describe('statuses', () => {
  for (const status of [408, 413, 429, 500, 502, 503, 504]) {
    test(`${status} is retried by default`, () =>
      withStatusServer({ status, failures: 1 }, async (s) => {
        const res = await ok(H.processRequest('GET', recording().env)(to(s.url, 'GET', H.maxAttempts(2))))
        assert.equal(res.status, 200)
        assert.equal(s.count('GET'), 2)
      }))
  }

  for (const status of [501, 404, 418]) {
    test(`${status} is not retried by default`, () =>
      withStatusServer({ status }, async (s) => {
        const { env, sleeps } = recording()
        const res = await ok(H.processRequest('GET', env)(to(s.url, 'GET', H.maxAttempts(2))))
        assert.equal(res.status, status)
        assert.equal(s.count('GET'), 1)
        assert.deepEqual(sleeps, [])
      }))
  }

  test('setRetryPolicy({ statuses: [418] }) retries a 418 and no longer a 503', async () => {
    await withStatusServer({ status: 418, failures: 2 }, async (s) => {
      const res = await ok(
        H.processRequest(
          'GET',
          recording().env,
        )(to(s.url, 'GET', H.setRetryPolicy({ statuses: [418] }), H.maxAttempts(2))),
      )
      assert.equal(res.status, 200)
      assert.equal(s.count('GET'), 3)
    })
    await withStatusServer({ status: 503 }, async (s) => {
      const res = await ok(
        H.processRequest(
          'GET',
          recording().env,
        )(to(s.url, 'GET', H.setRetryPolicy({ statuses: [418] }), H.maxAttempts(2))),
      )
      assert.equal(res.status, 503)
      assert.equal(s.count('GET'), 1)
    })
  })
})

describe('failures', () => {
  test('a refused connection is retried for POST too (nothing was sent): 3 sends, TransportError', async () => {
    const port = await freePort() // listened on port 0, then closed: nothing listens there now
    const { env, sleeps } = recording()
    const e = asTag(
      await ko(H.processRequest('POST', env)(to(`http://127.0.0.1:${port}`, 'POST', H.maxAttempts(2)))),
      'TransportError',
    )
    assert.equal(e.cause, 'ECONNREFUSED')
    const sending = sendingLines(e, 'POST')
    assert.equal(sending.length, 3, lines(e).join('\n'))
    sending.forEach((l, i) => assert.match(l, new RegExp(`attempt ${i + 1}/3`)))
    assert.equal(sleeps.length, 2)
    assert.ok(lines(e).filter((l) => /ECONNREFUSED/.test(l) && !/retry \d/.test(l)).length >= 3, lines(e).join('\n'))
  })

  describe('reset mid-body', () => {
    const server = useFaultyServer('reset-mid-body')
    test('GET is retried (a body read failure is a transport error)', async () => {
      const c0 = server().count()
      const e = asTag(
        await ko(H.processRequest('GET', recording().env)(to(server().url, 'GET', H.maxAttempts(2)))),
        'TransportError',
      )
      assert.equal(server().count() - c0, 3)
      assert.equal(sendingLines(e, 'GET').length, 3)
    })
    test('POST is not (the request was sent)', async () => {
      const c0 = server().count()
      asTag(
        await ko(H.processRequest('POST', recording().env)(to(server().url, 'POST', H.maxAttempts(2)))),
        'TransportError',
      )
      assert.equal(server().count() - c0, 1)
    })
  })

  test('POST reset before headers is not retried (the request was sent)', () =>
    withFaultyServer('reset-before-headers', async (s) => {
      asTag(await ko(H.processRequest('POST', recording().env)(to(s.url, 'POST', H.maxAttempts(2)))), 'TransportError')
      assert.equal(s.count(), 1)
    }))

  test('a POST timeout is not retried; a GET timeout is', () =>
    withFaultyServer('never-answers', async (s) => {
      const post = asTag(
        await ko(H.processRequest('POST', recording().env)(to(s.url, 'POST', H.setTimeout(300), H.maxAttempts(2)))),
        'Timeout',
      )
      assert.equal(post.limit, 'attempt')
      assert.equal(sendingLines(post, 'POST').length, 1)
      await waitFor(() => s.count() >= 1, 10_000, 'the server counting the POST')
      assert.equal(s.count(), 1)
      const get = asTag(
        await ko(H.processRequest('GET', recording().env)(to(s.url, 'GET', H.setTimeout(300), H.maxAttempts(2)))),
        'Timeout',
      )
      assert.equal(sendingLines(get, 'GET').length, 3)
      await waitFor(() => s.count() >= 1 + 3, 10_000, 'the server counting the three GETs')
      assert.equal(s.count(), 1 + 3)
    }))
})

describe('waits', () => {
  test('Retry-After: 2 makes env.sleep get 2000 ms', () =>
    withStatusServer({ status: 503, failures: 1, retryAfter: '2' }, async (s) => {
      const { env, sleeps } = recording()
      const res = await ok(H.processRequest('GET', env)(to(s.url, 'GET', H.maxAttempts(2))))
      assert.equal(res.status, 200)
      assert.deepEqual(sleeps, [2000])
    }))

  test('retryAfterCapMs caps Retry-After', () =>
    withStatusServer({ status: 429, failures: 1, retryAfter: '2' }, async (s) => {
      const { env, sleeps } = recording()
      await ok(
        H.processRequest('GET', env)(to(s.url, 'GET', H.setRetryPolicy({ retryAfterCapMs: 1000 }), H.maxAttempts(2))),
      )
      assert.deepEqual(sleeps, [1000])
    }))

  test('baseMs and capMs shape the backoff (full jitter: random() × min(cap, base × 2^(n-1)))', () =>
    withStatusServer({ status: 503, failures: 3 }, async (s) => {
      const { env, sleeps } = recording(() => 0.999)
      const res = await ok(
        H.processRequest('GET', env)(to(s.url, 'GET', H.setRetryPolicy({ baseMs: 10, capMs: 15 }), H.maxAttempts(3))),
      )
      assert.equal(res.status, 200)
      assert.equal(sleeps.length, 3)
      assert.ok(sleeps[0]! <= 10 && sleeps[0]! >= 9, `first wait ${sleeps[0]}`)
      assert.ok(
        sleeps.every((ms) => ms <= 15),
        `${sleeps}`,
      )
      assert.ok(sleeps[2]! > 10, `third wait ${sleeps[2]} reaches the cap`)
    }))
})

// The deadline covers the whole run. Decision (as the executor implements it): when it fires
// during an attempt or a wait, the run ends with Timeout limit 'deadline' (not with the last
// response), even if that response was a retryable status. env.signal (20 s) only makes sure a
// run that ignores its deadline cannot keep retrying for minutes after its test failed.
describe('setDeadline', () => {
  test('setDeadline(500) stops a retry loop of 503s: Timeout deadline', { timeout: 30_000 }, () =>
    withStatusServer({ status: 503 }, async (s) => {
      // A fake clock that only the waits move: the attempts take no time on it, so the loop
      // stops where the waits reach the deadline however slow the machine is. With random()
      // 0.5 the waits are 25 ms, then 50 ms each: 25 + 9 × 50 = 475, and one more would pass 500.
      let clock = 1_000_000
      const sleeps: number[] = []
      const env: H.Env = {
        random: () => 0.5,
        now: () => clock,
        sleep: async (ms) => void (sleeps.push(ms), (clock += ms)),
        signal: AbortSignal.timeout(20_000),
      }
      const e = asTag(
        await ko(
          H.processRequest(
            'GET',
            env,
          )(to(s.url, 'GET', H.setRetryPolicy({ baseMs: 50, capMs: 100 }), H.maxAttempts(100), H.setDeadline(500))),
        ),
        'Timeout',
      )
      assert.equal(e.limit, 'deadline')
      assert.equal(e.timeoutMs, 500)
      // the run stops as soon as the next wait would pass the deadline, so at most 500 ms
      assert.deepEqual(sleeps, [25, ...Array<number>(9).fill(50)])
      assert.match(H.getLog(e, true), /the wait of 50 ms before retry 11 would pass the deadline of 500 ms/)
      assert.equal(s.count('GET'), sleeps.length + 1, `${s.count('GET')} sends`)
      assert.match(H.getLog(e, true), /deadline/)
    }),
  )

  test('setDeadline(500) cuts an attempt that never ends (attempt and idle limits larger)', { timeout: 30_000 }, () =>
    withFaultyServer('never-answers', async (s) => {
      const t0 = performance.now()
      const e = asTag(
        await ko(
          H.processRequest('GET', { ...recording().env, signal: AbortSignal.timeout(20_000) })(
            to(s.url, 'GET', H.setTimeout(60_000), H.setIdleTimeout(60_000), H.maxAttempts(3), H.setDeadline(500)),
          ),
        ),
        'Timeout',
      )
      const elapsed = performance.now() - t0
      assert.equal(e.limit, 'deadline')
      // never before the deadline; no upper bound (the limits of 60 s, the signal of 20 s and
      // the test's timeout are there to fail a run that ignores its deadline)
      assert.ok(elapsed >= 450, `${Math.round(elapsed)} ms: before the deadline`)
      assert.equal(sendingLines(e, 'GET').length, 1)
      await waitFor(() => s.count() >= 1, 10_000, 'the server counting the request')
      assert.equal(s.count(), 1)
    }),
  )
})

describe('invalid policies are InvalidInput at setRetryPolicy', () => {
  type Policy = Parameters<typeof H.setRetryPolicy>[0]
  const bad: ReadonlyArray<readonly [string, unknown]> = [
    ['a negative baseMs', { baseMs: -1 }],
    ['methods that are not an array', { methods: 'GET' }],
    ['a status of 99', { statuses: [99] }],
    ['a status of 600', { statuses: [600] }],
  ]
  for (const [what, policy] of bad) {
    test(what, () =>
      withStatusServer({ status: 200 }, async (s) => {
        const req = to(s.url, 'GET', H.setRetryPolicy(policy as Policy))
        assert.equal(req.error?.step, 'setRetryPolicy')
        const e = asTag(await ko(H.processRequest('GET')(req)), 'InvalidInput')
        assert.equal(e.step, 'setRetryPolicy')
        assert.equal(s.count(), 0, 'nothing sent')
      }),
    )
  }
  test('a valid policy records no error', () => {
    assert.equal(
      pipe(
        H.newRequest(),
        H.initialize('http://127.0.0.1:1/'),
        H.setRetryPolicy({ methods: ['POST'], statuses: [418], baseMs: 10, capMs: 100, retryAfterCapMs: 1000 }),
      ).error,
      null,
    )
  })
})
