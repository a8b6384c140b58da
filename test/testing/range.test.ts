import assert from 'node:assert/strict'
import { request } from 'node:http'
import { describe, test } from 'node:test'

import { assertBadRequest, call, raw, server, useSharedServer } from './support.js'

useSharedServer()

const letters = (start: number, end: number): string =>
  Array.from({ length: end - start + 1 }, (_, i) => String.fromCharCode(97 + ((start + i) % 26))).join('')

const ranged = async (n: number, range: string, query = ''): Promise<Response> =>
  call(`/range/${n}${query}`, { headers: { Range: range } })

describe('/range/:n', () => {
  test('answers the whole resource with Accept-Ranges and an ETag', async () => {
    const res = await call('/range/30')
    assert.equal(res.status, 200)
    assert.equal(res.headers.get('accept-ranges'), 'bytes')
    assert.equal(res.headers.get('etag'), '"range-30"')
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
      assert.equal(res.headers.get('etag'), '"range-30"', range)
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
      assert.equal(res.headers.get('etag'), `"range-${n}"`)
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

/** A GET through node:http that also resolves when the connection breaks mid-body (`complete: false`). */
const partial = (
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string; complete: boolean }> =>
  new Promise((resolve, reject) => {
    const req = request(`${server.url}${path}`, { agent: false, headers }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('error', () => undefined)
      res.on('close', () =>
        resolve({
          status: res.statusCode ?? 0,
          body: Buffer.concat(chunks).toString('latin1'),
          complete: res.complete,
        }),
      )
    })
    req.on('error', reject)
    req.end()
  })

describe('/range/:n validators', () => {
  test('If-Range with the ETag honours the Range; another validator gets the whole resource', async () => {
    const match = await call('/range/30', { headers: { Range: 'bytes=5-9', 'If-Range': '"range-30"' } })
    assert.equal(match.status, 206)
    assert.equal(await match.text(), letters(5, 9))
    for (const validator of ['"range-31"', 'W/"range-30"', 'Wed, 21 Oct 2015 07:28:00 GMT']) {
      const res = await call('/range/30', { headers: { Range: 'bytes=5-9', 'If-Range': validator } })
      assert.equal(res.status, 200, validator)
      assert.equal(res.headers.get('content-range'), null)
      assert.equal(await res.text(), letters(0, 29))
    }
  })

  test('?etag= sets the ETag that If-Range is compared with', async () => {
    const res = await call('/range/30?etag=v2', { headers: { Range: 'bytes=0-1', 'If-Range': '"v2"' } })
    assert.equal(res.headers.get('etag'), '"v2"')
    assert.equal(res.status, 206)
    await res.arrayBuffer()
    for (const etag of ['', 'a%22b', 'a%20b', 'x'.repeat(201)]) await assertBadRequest(`/range/30?etag=${etag}`)
  })
})

describe('/range/:n broken servers', () => {
  test('?ignoreRange=1 answers 200 with the whole body and no Accept-Ranges', async () => {
    for (const query of ['?ignoreRange=1', '?ignoreRange=true']) {
      const res = await ranged(30, 'bytes=5-9', query)
      assert.equal(res.status, 200)
      assert.equal(res.headers.get('accept-ranges'), null)
      assert.equal(res.headers.get('content-range'), null)
      assert.equal(await res.text(), letters(0, 29))
    }
    const honoured = await ranged(30, 'bytes=5-9', '?ignoreRange=0')
    assert.equal(honoured.status, 206)
    await honoured.arrayBuffer()
    await assertBadRequest('/range/30?ignoreRange=yes')
  })

  test('?badRange= answers a satisfiable range with a wrong 206', async () => {
    const cases: ReadonlyArray<readonly [string, string | null, string]> = [
      ['shift', 'bytes 6-10/30', letters(5, 9)],
      ['total', 'bytes 5-9/31', letters(5, 9)],
      ['length', 'bytes 5-9/30', letters(5, 8)],
      ['missing', null, letters(5, 9)],
      ['garbage', 'bytes garbage', letters(5, 9)],
    ]
    for (const [mode, contentRange, body] of cases) {
      const res = await ranged(30, 'bytes=5-9', `?badRange=${mode}`)
      assert.equal(res.status, 206, mode)
      assert.equal(res.headers.get('content-range'), contentRange, mode)
      assert.equal(res.headers.get('content-length'), String(body.length), mode)
      assert.equal(await res.text(), body, mode)
    }
  })

  test('?badRange= leaves 200 and 416 alone and must name a mode', async () => {
    const whole = await call('/range/30?badRange=shift')
    assert.equal(whole.status, 200)
    assert.equal(await whole.text(), letters(0, 29))
    const unsatisfiable = await ranged(30, 'bytes=40-', '?badRange=total')
    assert.equal(unsatisfiable.status, 416)
    assert.equal(unsatisfiable.headers.get('content-range'), 'bytes */30')
    await unsatisfiable.arrayBuffer()
    for (const mode of ['nope', 'constructor', '__proto__', '']) await assertBadRequest(`/range/30?badRange=${mode}`)
  })

  test('?dropAfter=B breaks the connection after B body bytes of a 200 or a 206', async () => {
    const whole = await partial('/range/5000?dropAfter=1000')
    assert.deepEqual(whole, { status: 200, body: letters(0, 999), complete: false })
    const part = await partial('/range/5000?dropAfter=10', { Range: 'bytes=100-' })
    assert.deepEqual(part, { status: 206, body: letters(100, 109), complete: false })
    await assert.rejects(async () => (await call('/range/5000?dropAfter=1000')).arrayBuffer())
    const untouched = await partial('/range/50?dropAfter=50')
    assert.deepEqual(untouched, { status: 200, body: letters(0, 49), complete: true })
    for (const b of ['0', '-1', 'x']) await assertBadRequest(`/range/50?dropAfter=${b}`)
  })

  test('a download resumed with bytes=K- after each break reassembles the resource', async () => {
    let received = ''
    for (let attempt = 0; attempt < 10 && received.length < 200_000; attempt++) {
      const res = await partial(
        '/range/200000?dropAfter=65536',
        received === '' ? {} : { Range: `bytes=${received.length}-` },
      )
      assert.equal(res.status, received === '' ? 200 : 206)
      received += res.body
    }
    assert.equal(received.length, 200_000)
    assert.equal(received, letters(0, 199_999))
  })

  test('HEAD with a Range answers the 206 headers without a body', async () => {
    const res = await raw('/range/30', { method: 'HEAD', headers: { Range: 'bytes=0-4' } })
    assert.equal(res.status, 206)
    assert.equal(res.headers['content-range'], 'bytes 0-4/30')
    assert.equal(res.headers['content-length'], '5')
    assert.equal(res.body.length, 0)
  })
})
