/**
 * The pure retry and redirect policies.
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { backoffMs, isRetryableStatus, planRedirect, redirectHeaders, redirectMethod, retryAfterMs } from '../../src/execute/policy.js'

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
    assert.deepEqual(planRedirect(301, '/x', 'http://h/', 'GET', 5, 5), { _tag: 'Stop', reason: 'maximum number of redirections reached (5), returning 301' })
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
    assert.deepEqual(redirectHeaders(h, { keepBody: true, crossOrigin: true }), [['Content-Type', 'a/b'], ['Accept', '*/*']])
    assert.deepEqual(redirectHeaders(h, { keepBody: false, crossOrigin: false }), [['Authorization', 'x'], ['Cookie', 'c'], ['X-Amz-Security-Token', 't'], ['Accept', '*/*']])
  })
})

describe('retry policy', () => {
  test('retryable statuses', () => {
    assert.deepEqual([408, 429, 500, 503, 599, 404, 400, 301].map(isRetryableStatus), [true, true, true, true, true, false, false, false])
  })

  test('backoff is full jitter under min(10 s, 100 ms * 2^(n-1))', () => {
    assert.equal(backoffMs(1, () => 0.999), 99)
    assert.equal(backoffMs(4, () => 0.5), 400)
    assert.equal(backoffMs(20, () => 0.5), 5000)
    assert.equal(backoffMs(3, () => 0), 0)
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
