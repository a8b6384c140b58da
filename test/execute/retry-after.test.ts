/**
 * Retry-After as RFC 9110 §10.2.3 has it: delay-seconds or an HTTP-date; anything else (`-5`,
 * `1.5`, a date in another format) is read as absent, so the retry waits the normal backoff.
 * Waits are recorded by an injected `env.sleep`, never real.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { pipe } from 'fp-ts/function'
import * as H from '../../src/index.js'
import { retryAfterMs } from '../../src/execute/layers/policy.js'
import { httpDate } from '../../src/execute/layers/http-date.js'
import { useEchoServer } from '../support/fixtures.js'
import { lines, ok, onTestTransport } from './helpers.js'

const echo = useEchoServer()
const NOW = Date.parse('Wed, 21 Oct 2015 07:28:00 GMT')
const now = (): number => NOW

describe('retryAfterMs', () => {
  test('delay-seconds and the three HTTP-date forms', () => {
    assert.equal(retryAfterMs('0', now), 0)
    assert.equal(retryAfterMs(' 7 ', now), 7000)
    assert.equal(retryAfterMs('Wed, 21 Oct 2015 07:28:05 GMT', now), 5000)
    assert.equal(retryAfterMs('Wednesday, 21-Oct-15 07:28:06 GMT', now), 6000)
    assert.equal(retryAfterMs('Wed Oct 21 07:28:04 2015', now), 4000)
    assert.equal(retryAfterMs('Wed Oct  1 07:28:04 2015', now), 0)
    assert.equal(retryAfterMs('Wed, 21 Oct 2015 07:27:00 GMT', now), 0)
    assert.equal(retryAfterMs('3600', now), 60_000)
    assert.equal(retryAfterMs('9'.repeat(400), now), 60_000)
    assert.equal(retryAfterMs('2', now, 500), 500)
  })

  test('an invalid value is absent: undefined, never a wait of 0', () => {
    for (const v of [
      '-5',
      '-0',
      '+5',
      '1.5',
      '1e3',
      '0x10',
      '5 s',
      'soon',
      '',
      '   ',
      'Infinity',
      'NaN',
      '2015-10-21T07:28:05Z',
      '21 Oct 2015 07:28:05 GMT',
      'Wed, 21 Oct 2015 07:28:05 UTC',
      'Wed, 21 Oct 2015 07:28:05 +0000',
      'Wed, 31 Feb 2015 07:28:05 GMT',
      'Wed, 21 Oct 2015 25:28:05 GMT',
      'Wed, 21 Foo 2015 07:28:05 GMT',
      'Wed, 21 Oct 2015 07:28:05 GMT, 5',
      '5\r\nX: y',
      '\u0000',
    ])
      assert.equal(retryAfterMs(v, now), undefined, JSON.stringify(v))
    assert.equal(retryAfterMs(undefined, now), undefined)
  })

  test('httpDate reads only HTTP-dates, in GMT', () => {
    assert.equal(httpDate('Sun, 06 Nov 1994 08:49:37 GMT', now), Date.UTC(1994, 10, 6, 8, 49, 37))
    assert.equal(httpDate('Sunday, 06-Nov-94 08:49:37 GMT', now), Date.UTC(1994, 10, 6, 8, 49, 37))
    assert.equal(httpDate('Sun Nov  6 08:49:37 1994', now), Date.UTC(1994, 10, 6, 8, 49, 37))
    // a two-digit year more than 50 years ahead is the past century
    assert.equal(httpDate('Monday, 06-Nov-64 08:49:37 GMT', now), Date.UTC(2064, 10, 6, 8, 49, 37))
    assert.equal(httpDate('Monday, 06-Nov-66 08:49:37 GMT', now), Date.UTC(1966, 10, 6, 8, 49, 37))
    assert.equal(httpDate('-5', now), null)
    assert.equal(httpDate('Sun, 06 Nov 0050 08:49:37 GMT', now), null)
  })
})

describe('an invalid Retry-After through a server', () => {
  const run = async (retryAfter: string, key: string): Promise<{ sleeps: number[]; res: H.HttpResponse }> => {
    const sleeps: number[] = []
    const env = onTestTransport({ sleep: async (ms) => void sleeps.push(ms), random: () => 0.5, now })
    const res = await ok(
      H.processRequest(
        'GET',
        env,
      )(
        pipe(
          H.newRequest(),
          H.initialize(`${echo.url}/flaky/${key}`),
          H.setUrlParams({ failures: 2, status: 503, retryAfter }),
          H.maxAttempts(3),
        ),
      ),
    )
    return { sleeps, res }
  }

  test('503 with Retry-After: -5 waits the normal backoff (50 then 100 ms), not 0', async () => {
    const { sleeps, res } = await run('-5', 'ra-negative')
    assert.equal(res.status, 200)
    assert.equal(echo.server.hits('ra-negative'), 3)
    assert.deepEqual(sleeps, [50, 100])
    assert.ok(lines(res).includes('executeRequest: status 503, retry 1/3 in 50 ms'), lines(res).join('\n'))
    assert.ok(!lines(res).some((l) => l.includes('(Retry-After)')))
  })

  test('503 with a date in another format waits the backoff; a valid one is honoured', async () => {
    assert.deepEqual((await run('2015-10-21T07:28:05Z', 'ra-iso')).sleeps, [50, 100])
    assert.deepEqual((await run('Wed, 21 Oct 2015 07:28:05 GMT', 'ra-imf')).sleeps, [5000, 5000])
  })
})
