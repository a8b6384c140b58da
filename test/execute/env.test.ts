/**
 * The defaults of env: cryptographically random by default (never Math.random); a hostile env
 * is an InvalidInput naming the step, before anything is sent.
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { pipe } from 'fp-ts/function'
import * as H from '../../src/index.js'
import { cryptoRandom, realSleep } from '../../src/execute/env.js'
import { rightOf } from './helpers.js'
import { useFaultyServer } from '../support/faulty.js'

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

describe('a hostile env', () => {
  const server = useFaultyServer('ok')
  const req = (): H.Request => pipe(H.newRequest(), H.initialize(`${server().url}/x`))
  const getter = Object.defineProperty({}, 'now', {
    get: () => {
      throw new Error('no clock here')
    },
  })
  const hostile: ReadonlyArray<readonly [string, unknown, RegExp]> = [
    ['a string', 'env', /env must be an object, not string/],
    ['an array', [], /env must be an object, not an array/],
    ['null', null, /env must be an object, not null/],
    ['a non-function transport', { transport: {} }, /env\.transport must be a function, not object/],
    ['a non-function fetch', { fetch: 'nope' }, /env\.fetch must be a function, not string/],
    ['a non-function now', { now: 5 }, /env\.now must be a function, not number/],
    ['a non-function random', { random: 0.5 }, /env\.random must be a function/],
    ['a non-function sleep', { sleep: true }, /env\.sleep must be a function/],
    ['a non-function onProgress', { onProgress: [] }, /env\.onProgress must be a function, not an array/],
    ['a non-function secrets', { secrets: {} }, /env\.secrets must be a function/],
    ['a signal that is a string', { signal: 'stop' }, /env\.signal must be an AbortSignal, not string/],
    ['a signal without addEventListener', { signal: { aborted: false } }, /env\.signal must be an AbortSignal/],
    [
      'a negative maxResponseBytes',
      { maxResponseBytes: -1 },
      /env\.maxResponseBytes must be a whole number of bytes ≥ 0, not -1/,
    ],
    ['a fractional maxResponseBytes', { maxResponseBytes: 1.5 }, /env\.maxResponseBytes must be a whole number/],
    ['a string debug', { debug: 'yes' }, /env\.debug must be true or false, not string/],
    ['a field whose getter throws', getter, /env\.now cannot be read \(no clock here\)/],
  ]
  for (const [title, env, message] of hostile)
    test(`${title}: InvalidInput naming the step, nothing sent`, async () => {
      const before = server().count()
      const runs: ReadonlyArray<readonly [string, () => Promise<unknown>]> = [
        ['processRequest', () => H.processRequest('GET', env as H.Env)(req())()],
        ['prepareRequest', () => H.prepareRequest('GET', env as H.Env)(req())()],
        ['streamRequest', () => H.streamRequest('GET', env as H.Env)(req())()],
        ['getPart', () => H.getPart(0, 10, 'GET', env as H.Env)(req())()],
      ]
      for (const [step, go] of runs) {
        const r = (await go()) as { _tag: string; left?: H.ClientError }
        assert.equal(r._tag, 'Left', step)
        assert.equal(r.left?._tag, 'InvalidInput', `${step}: ${r.left?.message ?? ''}`)
        assert.match(r.left?.message ?? '', new RegExp(`^${step}: `))
        assert.match(r.left?.message ?? '', message)
      }
      const [all] = await H.processAll('GET', { env: env as H.Env })([req()])()
      assert.ok(
        all !== undefined && all._tag === 'Left' && all.left._tag === 'InvalidInput',
        'processAll refuses its options',
      )
      assert.match(all._tag === 'Left' ? all.left.message : '', message)
      assert.equal(server().count(), before, 'nothing was sent')
    })

  test('a good env passes: an AbortSignal, functions, a whole maxResponseBytes, debug false', async () => {
    const env: H.Env = {
      signal: new AbortController().signal,
      now: Date.now,
      random: Math.random,
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
      onProgress: () => undefined,
      secrets: () => undefined,
      maxResponseBytes: 1 << 20,
      debug: false,
    }
    const r = rightOf(await H.processRequest('GET', env)(req())())
    assert.equal(r.status, 200)
  })
})
