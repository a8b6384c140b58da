/**
 * The defaults of env: cryptographically random by default (never Math.random).
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { pipe } from 'fp-ts/function'
import * as H from '../../src/index.js'
import { cryptoRandom, realSleep } from '../../src/execute/env.js'
import { rightOf } from './helpers.js'

describe('cryptoRandom', () => {
  test('draws numbers in [0, 1) that do not repeat and spread evenly', () => {
    const xs = Array.from({ length: 20_000 }, () => cryptoRandom())
    assert.ok(xs.every((x) => x >= 0 && x < 1))
    assert.ok(new Set(xs).size > 19_990, 'almost no repeats')
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length
    assert.ok(Math.abs(mean - 0.5) < 0.02, `mean ${mean}`)
    const low = xs.filter((x) => x < 0.1).length
    assert.ok(low > 1700 && low < 2300, `${low} below 0.1`)
  })

  test('OAuth1 nonces come from it by default, not from Math.random', async () => {
    const original = Math.random
    Math.random = () => 0
    try {
      const nonce = async (): Promise<string | undefined> => {
        const p = rightOf(
          await pipe(
            H.newRequest(),
            H.initialize('http://127.0.0.1:9/x'),
            H.addOAuthV1Authorization('t', 'ts', 'ck', 'cs'),
            H.prepareRequest('GET'),
          )(),
        )
        return /oauth_nonce="([^"]+)"/.exec(p.headers.find(([n]) => n === 'Authorization')?.[1] ?? '')?.[1]
      }
      const [a, b] = [await nonce(), await nonce()]
      assert.match(a ?? '', /^[A-Za-z0-9]{32}$/)
      assert.notEqual(a, b)
      assert.notEqual(a, 'A'.repeat(32))
    } finally {
      Math.random = original
    }
  })
})

describe('realSleep', () => {
  test('a wait longer than a timer holds (2^31 ms and more) does not end at once; the signal ends it', async () => {
    const stop = new AbortController()
    let woke = false
    const slept = realSleep(2 ** 32, stop.signal).then(() => (woke = true))
    // a timer past 2^31 - 1 ms fires after 1 ms: well before this one
    await new Promise((r) => setTimeout(r, 100))
    assert.equal(woke, false)
    stop.abort()
    await slept
    assert.equal(woke, true)
  })
})
