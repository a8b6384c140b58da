/**
 * memoized: a pure function of a text remembered for a bounded number of keys, never a key
 * that may carry a credential (user info, a query, a fragment, a `name=value`): after requests
 * to `http://u:p@…?token=…` on every transport (steps, redaction, the undici transport's URL
 * splits, redirects), no cache holds the password or the token.
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { pipe } from 'fp-ts/function'
import * as H from '../../src/index.js'
import { useTransports } from '../support/transports.js'
import { mayHoldCredential, memoized, memoizedKeys } from '../../src/model/memo.js'
import { useEchoServer } from '../support/fixtures.js'

const echo = useEchoServer()

describe('memoized', () => {
  test('asks f once per key while the key is remembered, and gives the same answers as f', () => {
    const calls: string[] = []
    const f = memoized(3, (k: string) => (calls.push(k), k.length))
    assert.deepEqual(['a', 'bb', 'a', 'bb', 'ccc'].map(f), [1, 2, 1, 2, 3])
    assert.deepEqual(calls, ['a', 'bb', 'ccc'])
  })
  test('never holds more than the limit: full, it forgets every key at once', () => {
    const calls: string[] = []
    const f = memoized(2, (k: string) => (calls.push(k), k))
    for (const k of ['a', 'b', 'c', 'a']) f(k)
    assert.deepEqual(calls, ['a', 'b', 'c', 'a'])
  })
  test('keys that keep refuses are worked out every time; null answers are remembered', () => {
    let n = 0
    const f = memoized(
      10,
      (k: string) => (n++, k === 'none' ? null : k),
      (k) => k.length < 5,
    )
    f('long key')
    f('long key')
    f('none')
    f('none')
    assert.equal(n, 3)
  })
  test('a key that may hold a credential is worked out every time and never held', () => {
    const hostile = [
      'https://u:p@h/x',
      'http://h/x?token=t0k',
      'http://h/x#access_token=t0k',
      'http://h/x;jsessionid=s3ss',
      '//u:p@h',
      'a@b',
      '?',
      '#',
      '=',
    ]
    for (const k of hostile) assert.equal(mayHoldCredential(k), true, k)
    for (const k of ['http://h/users/1', 'http://127.0.0.1:9/json', 'X-Api-Key', '', 'h:8080/a%40b'])
      assert.equal(mayHoldCredential(k), false, k)
    const calls: string[] = []
    const f = memoized(100, (k: string) => (calls.push(k), k.length))
    for (const k of [...hostile, ...hostile]) assert.equal(f(k), k.length)
    assert.deepEqual(calls, [...hostile, ...hostile])
    f('http://h/users/1')
    f('http://h/users/1')
    assert.equal(calls.length, hostile.length * 2 + 1)
    const held = memoizedKeys()
    assert.ok(held.includes('http://h/users/1'), 'memoizedKeys sees the caches')
    for (const k of hostile) assert.ok(!held.includes(k), k)
  })
})

describe('no cache keeps a credential after the request is gone', () => {
  const transports = useTransports()
  for (const [name, transport] of transports)
    test(`${name}: user info, query and fragment tokens, a redirect, a refused https URL`, async () => {
      const base = echo.url.replace('http://', `http://memo-u-${name.length}:memoPass${name.length}@`)
      const runs = [
        pipe(
          H.newRequest(),
          H.initialize(`${base}/get?token=memoTok1&page=2#access_token=memoFrag1`),
          H.addUrlParameter('api_key', 'memoKey1'),
          H.maxRedirects(2),
        ),
        pipe(H.newRequest(), H.initialize(`${echo.url}/redirect-to?url=${encodeURIComponent('/get?token=memoTok2')}`)),
        pipe(H.newRequest(), H.initialize(`${echo.url}/get?signature=memoSig3`), H.maxRedirects(0)),
      ]
      for (const req of runs) {
        const r = await H.processRequest('GET', { transport })(req)()
        if (r._tag === 'Left') assert.fail(r.left.message)
        assert.ok(H.getLog(r.right, true).includes('***'), 'the log shows the URL redacted')
      }
      // https to a port nothing listens on: a TransportError, after the steps, redaction and the split
      const refused = await H.processRequest('GET', { transport })(
        pipe(H.newRequest(), H.initialize('https://memo-u:memoPass9@127.0.0.1:9/x?token=memoTok9'), H.maxAttempts(0)),
      )()
      assert.equal(refused._tag, 'Left')
      const held = memoizedKeys()
      assert.ok(held.length > 0, 'the caches are in use')
      for (const secret of [
        `memoPass${name.length}`,
        'memoTok1',
        'memoFrag1',
        'memoKey1',
        'memoTok2',
        'memoSig3',
        'memoPass9',
        'memoTok9',
      ])
        assert.deepEqual(
          held.filter((k) => k.includes(secret)),
          [],
          secret,
        )
    })
})
