import assert from 'node:assert/strict'
import { describe, test } from 'node:test'

import { assertBadRequest, call, useSharedServer } from './support.js'

useSharedServer()

describe('/range/:n', () => {
  const letters = (start: number, end: number): string =>
    Array.from({ length: end - start + 1 }, (_, i) => String.fromCharCode(97 + ((start + i) % 26))).join('')

  const ranged = async (n: number, range: string): Promise<Response> => call(`/range/${n}`, { headers: { Range: range } })

  test('answers the whole resource with Accept-Ranges', async () => {
    const res = await call('/range/30')
    assert.equal(res.status, 200)
    assert.equal(res.headers.get('accept-ranges'), 'bytes')
    assert.equal(res.headers.get('content-length'), '30')
    assert.equal(await res.text(), letters(0, 29))
  })

  test('honours bytes=s-e, bytes=s- and bytes=-k', async () => {
    const cases: ReadonlyArray<readonly [string, number, number]> = [
      ['bytes=2-5', 2, 5],
      ['bytes=20-', 20, 29],
      ['bytes=-3', 27, 29],
      ['bytes=25-1000', 25, 29],
      ['bytes=-100', 0, 29],
    ]
    for (const [range, start, end] of cases) {
      const res = await ranged(30, range)
      assert.equal(res.status, 206, range)
      assert.equal(res.headers.get('content-range'), `bytes ${start}-${end}/30`, range)
      assert.equal(res.headers.get('content-length'), String(end - start + 1), range)
      assert.equal(await res.text(), letters(start, end), range)
    }
  })

  test('serves a large range starting mid-pattern', async () => {
    const start = 100_003
    const res = await ranged(300_000, `bytes=${start}-`)
    assert.equal(res.status, 206)
    assert.equal(await res.text(), letters(start, 299_999))
  })

  test('unsatisfiable ranges → 416', async () => {
    for (const [n, range] of [
      [26, 'bytes=26-'],
      [26, 'bytes=-0'],
      [0, 'bytes=0-'],
    ] as const) {
      const res = await ranged(n, range)
      assert.equal(res.status, 416, range)
      assert.equal(res.headers.get('content-range'), `bytes */${n}`)
      await res.arrayBuffer()
    }
  })

  test('ignores invalid or multiple ranges', async () => {
    for (const range of ['bytes=5-2', 'items=0-1', 'bytes=0-1,4-5', 'bytes=-']) {
      const res = await ranged(10, range)
      assert.equal(res.status, 200, range)
      assert.equal(await res.text(), letters(0, 9))
    }
  })

  test('rejects bad sizes', async () => {
    await assertBadRequest('/range/x')
    await assertBadRequest(`/range/${100 * 1024 * 1024 + 1}`)
  })
})
