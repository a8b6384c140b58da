/**
 * The attempt's watch: limits of 2 s or more are looked at by one timer shared by every attempt
 * in flight (every 250 ms) while they are far, shorter ones by a timer of their own. Either way a stalled answer
 * ends in the right Timeout, a healthy one is not cut, and the shared timer stops when nothing
 * is in flight (it must not keep the process alive, nor leave an attempt watched).
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { pipe } from 'fp-ts/function'
import * as H from '../../../src/index.js'
import { sharedWatchState } from '../../../src/execute/attempt/watch.js'
import { useFaultyServer } from '../../support/faulty.js'
import { asTag, ko, leftOf, ok, onTestTransport } from '../helpers.js'

const silent = useFaultyServer('never-answers')
const trickle = useFaultyServer('trickle', { trickleMs: 100 })
const healthy = useFaultyServer('ok')

const run = (url: string, ...steps: ReadonlyArray<(r: H.Request) => H.Request>) =>
  H.processRequest('GET', onTestTransport())(steps.reduce((r, s) => s(r), pipe(H.newRequest(), H.initialize(url))))

const idleAgain = async (): Promise<void> => {
  // the shared timer lets go at its next tick once the last attempt is done
  for (let i = 0; i < 40 && sharedWatchState().ticking; i++) await new Promise((r) => setTimeout(r, 50))
  assert.deepEqual(sharedWatchState(), { watched: 0, ticking: false })
}

describe('the shared timer (limits of 2 s or more)', () => {
  test('a server that never answers: Timeout attempt, from the shared timer', async () => {
    const r = run(`${silent().url}/x`, H.setTimeout(2_500), H.setIdleTimeout(60_000))() // started
    // while the limit is far, the attempt is watched by the shared timer, not a timer of its own
    // (within 2 s of it, by a timer of its own, so that it fires on time)
    await new Promise((res) => setTimeout(res, 100))
    assert.deepEqual(sharedWatchState(), { watched: 1, ticking: true })
    const e = asTag(leftOf(await r), 'Timeout')
    assert.equal(e.limit, 'attempt')
    await idleAgain()
  })

  test('bytes that stop coming: Timeout idle; bytes that keep coming reset it', async () => {
    // one byte every 100 ms for 100 bytes (10 s): the 2 s idle limit must not fire while they come,
    // the 2.5 s attempt limit does
    const e = asTag(await ko(run(`${trickle().url}/x`, H.setTimeout(2_500), H.setIdleTimeout(2_000))), 'Timeout')
    assert.equal(e.limit, 'attempt')
    const silentIdle = asTag(
      await ko(run(`${silent().url}/y`, H.setTimeout(60_000), H.setIdleTimeout(2_000))),
      'Timeout',
    )
    assert.equal(silentIdle.limit, 'idle')
    await idleAgain()
  })

  test('64 healthy requests in flight at once all succeed, and the shared timer stops after them', async () => {
    const all = await Promise.all(Array.from({ length: 64 }, (_, i) => ok(run(`${healthy().url}/${i}`))))
    assert.deepEqual(
      all.map((r) => r.status),
      all.map(() => 200),
    )
    await idleAgain()
  })
})

describe('limits under 2 s keep a timer of their own', () => {
  test('a 300 ms attempt limit against a server that never answers: Timeout attempt, shared timer unused', async () => {
    const r = run(`${silent().url}/z`, H.setTimeout(300))() // started
    await new Promise((res) => setTimeout(res, 100))
    assert.deepEqual(sharedWatchState(), { watched: 0, ticking: false })
    const e = asTag(leftOf(await r), 'Timeout')
    assert.equal(e.limit, 'attempt')
  })
})
