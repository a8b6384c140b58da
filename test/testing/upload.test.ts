import assert from 'node:assert/strict'
import { describe, test } from 'node:test'

import { startEchoServer, type UploadStatus } from '../../src/testing/index.js'
import { assertBadRequest, call, raw, server, sha256, useSharedServer } from './support.js'

useSharedServer()

/** Deterministic test data: `n` bytes that are not a short period. */
const data = (n: number): Buffer => Buffer.from(Array.from({ length: n }, (_, i) => (i * 7 + (i >> 8)) & 255))

const put = (path: string, contentRange: string | undefined, body: Uint8Array = new Uint8Array(0)): Promise<Response> =>
  call(path, {
    method: 'PUT',
    body: new Uint8Array(body),
    headers: contentRange === undefined ? {} : { 'Content-Range': contentRange },
  })

/** Sends bytes `[start, end]` of `bytes` as one chunk. */
const chunk = (
  path: string,
  bytes: Buffer,
  start: number,
  end: number,
  total: number | '*' = bytes.length,
): Promise<Response> => put(path, `bytes ${start}-${end}/${total}`, bytes.subarray(start, end + 1))

const statusOf = async (res: Response): Promise<UploadStatus> => {
  assert.equal(res.status, 200)
  return (await res.json()) as UploadStatus
}

/** Asserts a 308 "Resume Incomplete" with the given Range (or none) and an empty body. */
const assertIncomplete = async (res: Response, range: string | null): Promise<void> => {
  assert.equal(res.status, 308)
  assert.equal(res.headers.get('range'), range)
  assert.equal(res.headers.get('content-length'), '0')
  assert.equal((await res.arrayBuffer()).byteLength, 0)
}

/**
 * A minimal client of the protocol: sends `chunkSize` chunks from the byte after the server's
 * Range, resending a chunk after a 5xx, until the 200. Returns the final state and the requests sent.
 */
const uploadAll = async (
  path: string,
  bytes: Buffer,
  chunkSize: number,
): Promise<{ final: UploadStatus; sent: number }> => {
  let next = 0
  for (let sent = 1; sent <= 100; sent++) {
    const end = Math.min(next + chunkSize, bytes.length) - 1
    const res = await chunk(path, bytes, next, end)
    if (res.status === 200) return { final: (await res.json()) as UploadStatus, sent }
    if (res.status >= 500) {
      await res.arrayBuffer()
      continue
    }
    assert.equal(res.status, 308, `chunk ${next}-${end}`)
    const match = /^bytes=0-(\d+)$/.exec(res.headers.get('range') ?? '')
    next = match === null ? 0 : Number(match[1]) + 1
    await res.arrayBuffer()
  }
  throw new Error('no progress')
}

describe('/upload/:id', () => {
  test('308 with Range until complete, then 200 with size and sha256; GET answers the state', async () => {
    const bytes = data(10)
    const path = '/upload/basic'
    await assertIncomplete(await put(path, 'bytes */10'), null)
    await assertIncomplete(await chunk(path, bytes, 0, 3), 'bytes=0-3')
    await assertIncomplete(await chunk(path, bytes, 4, 7), 'bytes=0-7')
    await assertIncomplete(await put(path, 'bytes */10'), 'bytes=0-7')
    const progress = await statusOf(await call(path))
    assert.deepEqual(progress, {
      id: 'basic',
      size: 8,
      total: 10,
      complete: false,
      chunks: 2,
      sha256: sha256(bytes.subarray(0, 8)),
    })
    const done = await statusOf(await chunk(path, bytes, 8, 9))
    assert.deepEqual(done, { id: 'basic', size: 10, total: 10, complete: true, chunks: 3, sha256: sha256(bytes) })
    assert.deepEqual(await statusOf(await call(path)), done)
    assert.deepEqual(await statusOf(await put(path, 'bytes */10')), done)
    assert.deepEqual(server.uploaded('basic'), new Uint8Array(bytes))
    const head = await raw(path, { method: 'HEAD' })
    assert.equal(head.status, 200)
    assert.equal(head.body.length, 0)
  })

  test('POST and PATCH send chunks too; ids are decoded path segments', async () => {
    const path = '/upload/a%2Fb%20c'
    await assertIncomplete(
      await call(path, { method: 'POST', body: 'ab', headers: { 'Content-Range': 'bytes 0-1/4' } }),
      'bytes=0-1',
    )
    const done = await statusOf(
      await call(path, { method: 'PATCH', body: 'cd', headers: { 'Content-Range': 'bytes 2-3/4' } }),
    )
    assert.equal(done.id, 'a/b c')
    assert.equal(done.sha256, sha256('abcd'))
  })

  test('a chunk that does not start at the stored size → 416 with the stored Range, nothing stored', async () => {
    const bytes = data(20)
    const path = '/upload/order'
    const gap = await chunk(path, bytes, 5, 9)
    assert.equal(gap.status, 416)
    assert.equal(gap.headers.get('range'), null)
    assert.deepEqual(await gap.json(), { error: 'the chunk starts at byte 5, the server has 0 bytes', size: 0 })
    await assertIncomplete(await chunk(path, bytes, 0, 9), 'bytes=0-9')
    for (const [start, end] of [
      [0, 9],
      [5, 14],
      [11, 19],
    ] as const) {
      const res = await chunk(path, bytes, start, end)
      assert.equal(res.status, 416, `${start}-${end}`)
      assert.equal(res.headers.get('range'), 'bytes=0-9')
      assert.equal(((await res.json()) as { size: number }).size, 10)
    }
    assert.equal((await statusOf(await chunk(path, bytes, 10, 19))).sha256, sha256(bytes))
    assert.equal((await statusOf(await call(path))).chunks, 6)
  })

  test('?fail=K answers the K-th chunk request with 503 once, unstored; failStatus and lists', async () => {
    const bytes = data(30)
    const path = '/upload/fail?fail=2'
    await assertIncomplete(await chunk(path, bytes, 0, 9), 'bytes=0-9')
    const failed = await chunk(path, bytes, 10, 19)
    assert.equal(failed.status, 503)
    assert.deepEqual(await failed.json(), { error: 'injected failure', chunk: 2 })
    await assertIncomplete(await put(path, 'bytes */30'), 'bytes=0-9')
    await assertIncomplete(await chunk(path, bytes, 10, 19), 'bytes=0-19')
    assert.equal((await statusOf(await chunk(path, bytes, 20, 29))).sha256, sha256(bytes))
    const many = await uploadAll('/upload/fail-many?fail=1,3&failStatus=500', bytes, 10)
    assert.deepEqual([many.final.sha256, many.final.chunks, many.sent], [sha256(bytes), 5, 5])
  })

  test('?short=N keeps N bytes fewer of each non-final chunk; a client resuming from Range still completes', async () => {
    const bytes = data(25)
    await assertIncomplete(await chunk('/upload/short?short=3', bytes, 0, 9), 'bytes=0-6')
    assert.deepEqual(server.uploaded('short'), new Uint8Array(bytes.subarray(0, 7)))
    const big = data(300_000)
    const { final } = await uploadAll('/upload/short-client?short=1000&fail=3', big, 64 * 1024)
    assert.equal(final.size, big.length)
    assert.equal(final.sha256, sha256(big))
    assert.deepEqual(server.uploaded('short-client'), new Uint8Array(big))
  })

  test('?drop=K stores the chunk, then drops the connection; the client learns the Range and goes on', async () => {
    const bytes = data(20)
    const path = '/upload/drop?drop=1'
    await assert.rejects(chunk(path, bytes, 0, 9), TypeError)
    await assertIncomplete(await put(path, 'bytes */20'), 'bytes=0-9')
    const resent = await chunk(path, bytes, 0, 9)
    assert.equal(resent.status, 416)
    assert.equal(resent.headers.get('range'), 'bytes=0-9')
    await resent.arrayBuffer()
    assert.equal((await statusOf(await chunk(path, bytes, 10, 19))).sha256, sha256(bytes))
  })

  test('an unknown total (/*) until the last chunk names it', async () => {
    const bytes = data(12)
    const path = '/upload/star'
    await assertIncomplete(await chunk(path, bytes, 0, 5, '*'), 'bytes=0-5')
    await assertIncomplete(await put(path, 'bytes */*'), 'bytes=0-5')
    assert.equal((await statusOf(await call(path))).total, null)
    assert.equal((await statusOf(await chunk(path, bytes, 6, 11, 12))).sha256, sha256(bytes))
  })

  test('without Content-Range the body is the whole upload; an empty one is a zero-byte upload', async () => {
    const whole = await statusOf(await put('/upload/whole', undefined, Buffer.from('all of it')))
    assert.deepEqual([whole.size, whole.total, whole.complete, whole.sha256], [9, 9, true, sha256('all of it')])
    const empty = await statusOf(await put('/upload/empty', undefined))
    assert.deepEqual([empty.size, empty.total, empty.complete, empty.sha256], [0, 0, true, sha256('')])
    assert.deepEqual(server.uploaded('empty'), new Uint8Array(0))
  })

  test('a chunk after completion answers the state and stores nothing', async () => {
    const bytes = data(8)
    const path = '/upload/after'
    const done = await statusOf(await chunk(path, bytes, 0, 7))
    const again = await statusOf(await chunk(path, bytes, 4, 7))
    assert.deepEqual({ ...again, chunks: 1 }, done)
    assert.equal(server.uploaded('after')?.length, 8)
  })

  test('DELETE forgets an upload; GET of an unknown id → 404; uploads belong to their server', async () => {
    await put('/upload/gone', 'bytes 0-1/4', Buffer.from('ab'))
    const other = await startEchoServer()
    try {
      assert.equal(other.uploaded('gone'), undefined)
      assert.equal((await fetch(`${other.url}/upload/gone`)).status, 404)
    } finally {
      await other.close()
    }
    assert.equal((await call('/upload/gone', { method: 'DELETE' })).status, 204)
    const res = await call('/upload/gone')
    assert.equal(res.status, 404)
    assert.deepEqual(await res.json(), { error: 'no such upload', id: 'gone' })
    assert.equal(server.uploaded('gone'), undefined)
    await assertIncomplete(await put('/upload/gone', 'bytes */4'), null)
  })

  test('other methods → 405 with Allow', async () => {
    const res = await call('/upload/x', { method: 'OPTIONS' })
    assert.equal(res.status, 405)
    assert.equal(res.headers.get('allow'), 'GET, HEAD, PUT, POST, PATCH, DELETE')
  })

  test('malformed or contradictory Content-Range → 400, not counted as a chunk', async () => {
    const path = '/upload/hostile'
    await put(path, 'bytes 0-3/10', Buffer.from('abcd'))
    const cases: ReadonlyArray<readonly [string, string, RegExp]> = [
      ['bytes 4-7', 'efgh', /invalid Content-Range/],
      ['items 4-7/10', 'efgh', /invalid Content-Range/],
      ['bytes 4-7/10', 'efg', /announces 4 bytes, the body has 3/],
      ['bytes 7-4/10', 'efgh', /last byte is before the first/],
      ['bytes 8-11/10', 'efgh', /past the total/],
      ['bytes 4-7/12', 'efgh', /total is 10, this request says 12/],
      ['bytes */10', 'x', /status query: its body must be empty/],
      ['bytes -1-2/10', 'abcd', /invalid Content-Range/],
      ['bytes 99999999999999999-99999999999999999/*', 'a', /invalid Content-Range/],
    ]
    for (const [range, body, reason] of cases)
      assert.match(
        await assertBadRequest(path, { method: 'PUT', body, headers: { 'Content-Range': range } }),
        reason,
        range,
      )
    const small = '/upload/small'
    await assertIncomplete(await put(small, 'bytes 0-3/*', Buffer.from('abcd')), 'bytes=0-3')
    assert.match(
      await assertBadRequest(small, { method: 'PUT', headers: { 'Content-Range': 'bytes */2' } }),
      /less than the 4 bytes/,
    )
    assert.equal((await statusOf(await call(path))).chunks, 1)
  })

  test('bad failure parameters → 400', async () => {
    for (const query of [
      'fail=0',
      'fail=x',
      'fail=1,,2',
      'drop=-1',
      'short=-1',
      'short=x',
      'failStatus=200',
      'failStatus=600',
    ])
      await assertBadRequest(`/upload/params?${query}`, {
        method: 'PUT',
        body: 'a',
        headers: { 'Content-Range': 'bytes 0-0/2' },
      })
    assert.equal(server.uploaded('params'), undefined)
    await assertBadRequest('/upload/%E0%A4%A')
  })
})
