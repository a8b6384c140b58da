/**
 * The echo server's stream routes through `fetch`: `/drip` (chunks with delays), `/ndjson/:n`
 * (small writes), `/events` (drops, resumes from Last-Event-ID, 204 at the end) and `/pages`
 * (a Link chain), each read with httpipe's readers where one applies; bad parameters are 400.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import * as E from 'fp-ts/Either'
import * as O from 'fp-ts/Option'
import { pipe } from 'fp-ts/function'
import type { HttpStream } from '../../src/model/stream.js'
import { newRequest, type Request } from '../../src/model/request.js'
import { transportError } from '../../src/model/errors.js'
import { asEventStream } from '../../src/read/event-stream.js'
import { asNdjson } from '../../src/read/ndjson.js'
import { initialize } from '../../src/steps/init.js'
import { nextLink } from '../../src/steps/next-link.js'
import type { HttpResponse } from '../../src/model/response.js'
import { collect } from '../support/streams.js'
import { waitFor } from '../support/wait.js'
import { assertBadRequest, call, server, useSharedServer, withTimerSpy } from './support.js'

useSharedServer()

/** The body's chunks as fetch hands them over (each a separate read). */
async function* reads(res: Response): AsyncGenerator<Uint8Array> {
  const reader = res.body?.getReader()
  if (reader === undefined) return
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) return
      yield value
    }
  } finally {
    reader.releaseLock()
  }
}
const chunksOf = async (res: Response): Promise<Uint8Array[]> => {
  const out: Uint8Array[] = []
  for await (const chunk of reads(res)) out.push(chunk)
  return out
}
const headerPairs = (res: Response): Array<readonly [string, string]> => {
  const out: Array<readonly [string, string]> = []
  res.headers.forEach((value, name) => out.push([name, value]))
  return out
}

/** A fetch Response as an HttpStream (what streamRequest will make), a broken body a Left. */
const asStream = (res: Response): HttpStream => ({
  _tag: 'HttpStream',
  status: res.status,
  statusText: res.statusText,
  headers: Object.fromEntries(headerPairs(res)),
  rawHeaders: headerPairs(res),
  url: res.url,
  body: {
    async *[Symbol.asyncIterator]() {
      try {
        for await (const chunk of reads(res)) yield E.right(chunk)
      } catch (e) {
        yield E.left(transportError(`body: ${String(e)}`, 'ECONNRESET', []))
      }
    },
  },
  file: null,
  redirects: 0,
  attempts: 1,
  timings: { start: 0, headers: 0, end: 0, total: 0 },
  log: [],
})

describe('/drip', () => {
  test('N chunks of B bytes of a-z, chunked, delay ms apart', async () => {
    const res = await call('/drip?chunks=4&size=100&delay=40')
    assert.equal(res.status, 200)
    assert.equal(res.headers.get('content-length'), null)
    assert.equal(res.headers.get('transfer-encoding'), 'chunked')
    const chunks = await chunksOf(res)
    assert.ok(chunks.length >= 2, `the chunks came apart (${chunks.length} reads)`)
    const body = Buffer.concat(chunks)
    assert.equal(body.length, 400)
    assert.equal(body.subarray(0, 30).toString(), 'abcdefghijklmnopqrstuvwxyzabcd')
    assert.equal(body.subarray(100, 103).toString(), 'abc')
  })

  test('defaults: 10 chunks of 1024 bytes; HEAD has no body', async () => {
    assert.equal(Buffer.concat(await chunksOf(await call('/drip'))).length, 10 * 1024)
    const head = await call('/drip', { method: 'HEAD' })
    assert.equal(head.status, 200)
    assert.equal((await head.arrayBuffer()).byteLength, 0)
  })

  test('stops and clears its timer when the client leaves', async () => {
    await withTimerSpy(9_999, async (spy) => {
      const controller = new AbortController()
      const res = await call('/drip?chunks=5&size=3&delay=9999', { signal: controller.signal })
      const reader = res.body?.getReader()
      assert.equal(Buffer.from((await reader?.read())?.value ?? []).toString(), 'abc')
      await waitFor(() => spy.created.length === 1)
      controller.abort()
      await waitFor(() => spy.cleared.includes(spy.created[0]))
      assert.equal(spy.created.length, 1, 'no further chunk was scheduled')
    })
  })

  test('bad or unbounded parameters are 400', async () => {
    for (const q of [
      'chunks=0',
      'chunks=10001',
      'size=0',
      'size=1048577',
      'chunks=101&size=1048576',
      'delay=10001',
      'chunks=100&delay=1000',
      'delay=-1',
      'size=1e3',
    ])
      await assertBadRequest(`/drip?${q}`)
  })
})

describe('/ndjson/:n', () => {
  test('n lines written in small writes, read with asNdjson', async () => {
    const res = await call('/ndjson/20')
    assert.equal(res.headers.get('content-type'), 'application/x-ndjson')
    const rows = await collect(asNdjson()(asStream(res)))
    assert.deepEqual(
      rows,
      Array.from({ length: 20 }, (_, i) => E.right({ id: i + 1, name: `item ${i + 1}`, note: 'é€😀' })),
    )
  })

  test('with a delay the lines come apart; n=0 is an empty body', async () => {
    const chunks = await chunksOf(await call('/ndjson/3?delay=30'))
    assert.ok(chunks.length >= 2)
    assert.equal(Buffer.concat(chunks).toString().split('\n').length, 4)
    assert.equal((await (await call('/ndjson/0')).text()).length, 0)
  })

  test('bad parameters are 400', async () => {
    for (const p of ['-1', '1000001', 'x', '1.5', '100?delay=1000', '2?delay=x']) await assertBadRequest(`/ndjson/${p}`)
  })
})

describe('/events', () => {
  const read = async (query: string, lastEventId?: string) => {
    const res = await call(
      `/events?${query}`,
      lastEventId === undefined ? {} : { headers: { 'Last-Event-ID': lastEventId } },
    )
    return { res, events: res.status === 200 ? await collect(asEventStream()(asStream(res))) : [] }
  }

  test('all events in one connection', async () => {
    const { res, events } = await read('count=3')
    assert.equal(res.headers.get('content-type'), 'text/event-stream')
    assert.deepEqual(
      events,
      [1, 2, 3].map((n) => E.right({ event: 'message', data: `{"n":${n}}`, id: String(n) })),
    )
  })

  test('drops after K events, resumes at k+1 from Last-Event-ID, 204 once all are sent', async () => {
    const ids: string[] = []
    let lastEventId: string | undefined
    for (let connection = 0; connection < 10; connection++) {
      const { res, events } = await read('count=5&dropAfter=2&retry=150', lastEventId)
      if (res.status === 204) break
      assert.equal(res.status, 200)
      assert.ok(events.length <= 2)
      for (const e of events) {
        assert.ok(E.isRight(e))
        assert.equal(e.right.retry, 150)
        ids.push(e.right.id)
        lastEventId = e.right.id
      }
    }
    assert.deepEqual(ids, ['1', '2', '3', '4', '5'])
    assert.equal((await read('count=5&dropAfter=2', '5')).res.status, 204)
    assert.equal((await read('count=2', '')).events.length, 2, 'an empty Last-Event-ID starts over')
    const sent = server.requests.filter((r) => r.url.startsWith('/events?count=5&dropAfter=2&retry=150'))
    assert.deepEqual(
      sent.map((r) => r.headers['last-event-id']),
      [undefined, '2', '4', '5'],
    )
  })

  test('reset=1 breaks the connection after K events (a Left after them)', async () => {
    const { events } = await read('count=4&dropAfter=2&reset=1', '1')
    assert.deepEqual(
      events.slice(0, 2).map((e) => E.isRight(e) && e.right.id),
      ['2', '3'],
    )
    assert.equal(events.length, 3)
    assert.ok(E.isLeft(events[2]!))
  })

  test('bad parameters and Last-Event-IDs are 400', async () => {
    for (const q of [
      'count=0',
      'count=100001',
      'dropAfter=0',
      'count=3&dropAfter=4',
      'retry=60001',
      'retry=x',
      'reset=2',
      'count=100&delay=1000',
    ])
      await assertBadRequest(`/events?${q}`)
    for (const id of ['x', '11', '-1', '1.5'])
      await assertBadRequest('/events?count=10', { headers: { 'Last-Event-ID': id } })
  })
})

describe('/pages', () => {
  const page = async (url: string): Promise<{ res: HttpResponse; items: unknown }> => {
    const r = await fetch(url)
    const body = new Uint8Array(await r.arrayBuffer())
    const res: HttpResponse = {
      ...asStream(r),
      _tag: 'HttpResponse',
      body,
      rawHeaders: headerPairs(r),
    }
    return { res, items: JSON.parse(Buffer.from(body).toString()) as unknown }
  }

  for (const relative of [false, true])
    test(`the Link chain, followed with nextLink (${relative ? 'relative' : 'absolute'} targets)`, async () => {
      let req: Request = pipe(
        newRequest(),
        initialize(`${server.url}/pages?pages=3&per=2${relative ? '&relative=1' : ''}`),
      )
      const items: unknown[] = []
      const links: string[] = []
      for (let i = 0; i < 10; i++) {
        const { res, items: got } = await page(req.url ?? '')
        items.push(...(got as unknown[]))
        links.push(res.rawHeaders.find(([n]) => n === 'link')?.[1] ?? '')
        const next = nextLink(res, req)
        if (O.isNone(next)) break
        req = next.value
      }
      assert.deepEqual(
        items,
        [1, 2, 3, 4, 5, 6].map((id) => ({ id })),
      )
      assert.equal(links.length, 3)
      assert.match(links[2] ?? '', /rel="last"/)
      assert.doesNotMatch(links[2] ?? '', /rel="next"/)
      assert.equal(links[0]?.startsWith(relative ? '</pages?page=2' : `<${server.url}/pages?page=2`), true)
    })

  test('bad parameters are 400', async () => {
    for (const q of ['page=0', 'page=4&pages=3', 'pages=0', 'pages=1001', 'per=101', 'per=x', 'relative=yes'])
      await assertBadRequest(`/pages?${q}`)
  })
})
