/**
 * memoized: a pure function of a text remembered for a bounded number of keys.
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { memoized } from '../../src/model/memo.js'

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
})
