/**
 * The pure retry and redirect policies.
 */
import * as H from '../../../src/index.js'
import type { Hop } from '../../../src/model/prepared.js'
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import {
  backoffMs,
  nextHop,
  planRedirect,
  retryDecision,
  redirectHeaders,
  redirectMethod,
  retryAfterMs,
} from '../../../src/execute/layers/policy.js'
import { isSecretHeader, redactUrl } from '../../../src/encoding/redact.js'

describe('planRedirect', () => {
  test('follows a relative Location with the browser method rules, dropping the fragment', () => {
    assert.deepEqual(planRedirect(302, '/next#frag', 'http://h:1/a?x=1', 'POST', 0, 5), {
      _tag: 'Follow',
      to: 'http://h:1/next',
      method: 'GET',
      keepBody: false,
      crossOrigin: false,
    })
    assert.deepEqual(planRedirect(307, 'http://other:2/b', 'http://h:1/a', 'PUT', 0, 5), {
      _tag: 'Follow',
      to: 'http://other:2/b',
      method: 'PUT',
      keepBody: true,
      crossOrigin: true,
    })
  })

  test('no redirect: not a 3xx, a 304, or no Location', () => {
    assert.equal(planRedirect(200, '/x', 'http://h/', 'GET', 0, 5), null)
    assert.equal(planRedirect(304, '/x', 'http://h/', 'GET', 0, 5), null)
    assert.equal(planRedirect(302, undefined, 'http://h/', 'GET', 0, 5), null)
    assert.equal(planRedirect(302, '', 'http://h/', 'GET', 0, 5), null)
  })

  test('stops at the limit, and at schemes other than http(s) or an unparsable Location', () => {
    assert.deepEqual(planRedirect(301, '/x', 'http://h/', 'GET', 5, 5), {
      _tag: 'Stop',
      reason: 'maximum number of redirections reached (5), returning 301',
    })
    assert.equal(planRedirect(302, 'ftp://h/file', 'http://h/', 'GET', 0, 5)?._tag, 'Stop')
    assert.equal(planRedirect(302, 'http://[bad', 'http://h/', 'GET', 0, 5)?._tag, 'Stop')
  })
})

describe('method rules and headers', () => {
  test('303 makes GET (HEAD stays HEAD), 301/302 turn only POST into GET', () => {
    assert.deepEqual(redirectMethod(303, 'PUT'), { method: 'GET', keepBody: false })
    assert.deepEqual(redirectMethod(303, 'HEAD'), { method: 'HEAD', keepBody: false })
    assert.deepEqual(redirectMethod(301, 'PUT'), { method: 'PUT', keepBody: true })
    assert.deepEqual(redirectMethod(308, 'POST'), { method: 'POST', keepBody: true })
  })

  test('credentials and the AWS session token go no further than their origin', () => {
    const h = [
      ['Authorization', 'x'],
      ['Cookie', 'c'],
      ['X-Amz-Security-Token', 't'],
      ['Content-Type', 'a/b'],
      ['Accept', '*/*'],
    ] as const
    assert.deepEqual(redirectHeaders(h, { keepBody: true, crossOrigin: true }), [
      ['Content-Type', 'a/b'],
      ['Accept', '*/*'],
    ])
    assert.deepEqual(redirectHeaders(h, { keepBody: false, crossOrigin: false }), [
      ['Authorization', 'x'],
      ['Cookie', 'c'],
      ['X-Amz-Security-Token', 't'],
      ['Accept', '*/*'],
    ])
  })
})

describe('retry policy', () => {
  const settings = (maxAttempts: number, over: Partial<H.RetryPolicy> = {}) => ({
    maxAttempts,
    retryPolicy: { ...H.defaultRetryPolicy, ...over },
  })
  const status = (code: number, retryAfter?: string) => ({ _tag: 'Status', status: code, retryAfter }) as const
  const failed = (phase: 'unsent' | 'sent' | 'final') => ({ _tag: 'Failed', phase, error: 'TransportError' }) as const
  const decide = (o: Parameters<typeof retryDecision>[0], method = 'GET', n = 1, s = settings(3)) =>
    retryDecision(
      o,
      method,
      n,
      s,
      () => 0.5,
      () => 0,
    )._tag

  test('default statuses: 408, 413, 429, 500, 502, 503, 504; not 501, 505, 404, 301', () => {
    const codes = [408, 413, 429, 500, 502, 503, 504, 501, 505, 599, 404, 400, 301, 200]
    assert.deepEqual(
      codes.map((c) => decide(status(c))),
      [...Array(7).fill('Retry'), ...Array(7).fill('Done')],
    )
  })

  test('default methods are the idempotent ones: a POST or PATCH with a 503 is not retried', () => {
    for (const m of ['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'TRACE'])
      assert.equal(decide(status(503), m), 'Retry', m)
    for (const m of ['POST', 'PATCH', 'CONNECT', 'PROPFIND']) assert.equal(decide(status(503), m), 'Done', m)
    assert.equal(decide(status(503), 'POST', 1, settings(3, { methods: ['POST'] })), 'Retry')
    assert.equal(decide(status(503), 'GET', 1, settings(3, { methods: ['POST'] })), 'Done')
  })

  test('a failure before sending is retried for every method; after sending only for idempotent ones; a final one never', () => {
    assert.equal(decide(failed('unsent'), 'POST'), 'Retry')
    assert.equal(decide(failed('sent'), 'POST'), 'Done')
    assert.equal(decide(failed('sent'), 'GET'), 'Retry')
    assert.equal(decide(failed('final'), 'GET'), 'Done')
  })

  test('never more than maxAttempts retries', () => {
    assert.equal(decide(status(503), 'GET', 3, settings(3)), 'Retry')
    assert.equal(decide(status(503), 'GET', 4, settings(3)), 'Done')
    assert.equal(decide(failed('unsent'), 'GET', 1, settings(0)), 'Done')
  })

  test('the wait: Retry-After capped by the policy, else backoff from the policy', () => {
    const d = retryDecision(
      status(503, '120'),
      'GET',
      1,
      settings(1, { retryAfterCapMs: 5000 }),
      () => 0.5,
      () => 0,
    )
    assert.deepEqual(d, { _tag: 'Retry', waitMs: 5000, reason: 'status 503, retry 1/1 in 5000 ms (Retry-After)' })
    const b = retryDecision(
      status(503),
      'GET',
      3,
      settings(3, { baseMs: 10, capMs: 30 }),
      () => 0.5,
      () => 0,
    )
    assert.deepEqual(b, { _tag: 'Retry', waitMs: 15, reason: 'status 503, retry 3/3 in 15 ms' })
    const f = retryDecision(
      failed('unsent'),
      'POST',
      2,
      settings(3, { baseMs: 10 }),
      () => 0.5,
      () => 0,
    )
    assert.deepEqual(f, {
      _tag: 'Retry',
      waitMs: 10,
      reason: 'retry 2/3 in 10 ms after TransportError (nothing was sent)',
    })
  })

  test('backoff is full jitter under min(10 s, 100 ms * 2^(n-1))', () => {
    assert.equal(
      backoffMs(1, () => 0.999),
      99,
    )
    assert.equal(
      backoffMs(4, () => 0.5),
      400,
    )
    assert.equal(
      backoffMs(20, () => 0.5),
      5000,
    )
    assert.equal(
      backoffMs(3, () => 0),
      0,
    )
  })

  test('Retry-After in seconds or as a date, capped at 60 s; garbage is ignored', () => {
    const now = () => Date.parse('Wed, 21 Oct 2015 07:28:00 GMT')
    assert.equal(retryAfterMs('3', now), 3000)
    assert.equal(retryAfterMs('Wed, 21 Oct 2015 07:28:05 GMT', now), 5000)
    assert.equal(retryAfterMs('Wed, 21 Oct 2015 07:27:00 GMT', now), 0)
    assert.equal(retryAfterMs('3600', now), 60_000)
    assert.equal(retryAfterMs('soon', now), undefined)
    assert.equal(retryAfterMs(undefined, now), undefined)
  })
})

describe('credentials stay with their origin', () => {
  const hop = (headers: ReadonlyArray<readonly [string, string]>): Hop => ({
    method: 'GET',
    url: 'http://a.test/x',
    headers,
    body: { _tag: 'None' },
    auth: { _tag: 'None' },
    attempt: 2,
  })
  const secretHeaders = [
    ['Authorization', 'Bearer t'],
    ['Cookie', 'c=1'],
    ['X-Api-Key', 'k1'],
    ['X-Auth-Token', 't1'],
    ['Private-Token', 'p1'],
    ['Ocp-Apim-Subscription-Key', 's1'],
    ['x-amz-server-side-encryption-customer-key', 'sse'],
    ['X-Client-Sig', 'sig'],
  ] as const
  const plain = [
    ['Accept', '*/*'],
    ['X-Trace', 'abc'],
    ['Keyboard', 'not a key'],
  ] as const

  test('another origin: every header the log treats as secret is dropped, the rest kept', () => {
    const plan = planRedirect(302, 'http://b.test/y', 'http://a.test/x', 'GET', 0, 5)
    assert.equal(plan?._tag, 'Follow')
    if (plan?._tag !== 'Follow') return
    const next = nextHop(hop([...secretHeaders, ...plain]), plan)
    assert.deepEqual(next.headers, plain)
    assert.equal(next.attempt, 1)
  })

  test('the same origin keeps them', () => {
    const plan = planRedirect(302, '/y', 'http://a.test/x', 'GET', 0, 5)
    if (plan?._tag !== 'Follow') return assert.fail('expected Follow')
    assert.deepEqual(nextHop(hop([...secretHeaders, ...plain]), plan).headers, [...secretHeaders, ...plain])
  })

  test('user info in a Location is removed before it is followed', () => {
    const plan = planRedirect(302, 'http://eve:s3cret@b.test/y?q=1#f', 'http://a.test/x', 'GET', 0, 5)
    assert.deepEqual(plan, {
      _tag: 'Follow',
      to: 'http://b.test/y?q=1',
      method: 'GET',
      keepBody: true,
      crossOrigin: true,
    })
    const same = planRedirect(301, '//ann:pw@a.test/z', 'http://a.test/x', 'GET', 0, 5)
    assert.equal(same?._tag === 'Follow' && same.to, 'http://a.test/z')
  })

  test('isSecretHeader: credential headers, secret-looking names and whole words key, sig, code', () => {
    for (const [n] of secretHeaders) assert.equal(isSecretHeader(n), true, n)
    for (const n of ['code', 'sig', 'Idempotency-Key']) assert.equal(isSecretHeader(n), true, n)
    for (const [n] of plain) assert.equal(isSecretHeader(n), false, n)
    for (const n of ['Content-Encoding', 'Accept-Encoding', 'Design', 'Monkey', 'status_code'])
      assert.equal(isSecretHeader(n), false, n)
  })

  test('isSecretHeader and redactUrl answer the same when asked again (they remember), past their bound too', () => {
    for (let round = 0; round < 2; round++) {
      assert.equal(isSecretHeader('X-Api-Key'), true)
      assert.equal(isSecretHeader('x-api-key'), true)
      assert.equal(isSecretHeader('Accept'), false)
      assert.equal(redactUrl('http://u:p@h/x?token=1&a=2'), 'http://u:***@h/x?token=***&a=2')
      for (let i = 0; i < 300; i++) assert.equal(isSecretHeader(`X-Plain-${i}`), false)
      for (let i = 0; i < 300; i++) assert.equal(redactUrl(`http://h/${i}?session=${i}`), `http://h/${i}?session=***`)
    }
    const long = `http://u:p@h/${'a'.repeat(3000)}?key=k`
    assert.equal(redactUrl(long), `http://u:***@h/${'a'.repeat(3000)}?key=***`)
    assert.equal(redactUrl(long), `http://u:***@h/${'a'.repeat(3000)}?key=***`)
  })
})
