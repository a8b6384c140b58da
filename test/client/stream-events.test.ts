/**
 * streamEvents against the echo server's /events route (drops, resumes from Last-Event-ID, 204
 * at the end) and raw node:http servers for the odd cases (a 500, a text/plain, ids reset or
 * never sent, a retry field, a stall, a refused port), with an injected env.sleep that records
 * the waits instead of waiting: the events in order, the waits the server asked for (3000 ms by
 * default), the Last-Event-ID the server saw, the stops (204, a status, a Content-Type,
 * maxReconnects, env.signal, the consumer leaving) and hostile options.
 */
import assert from 'node:assert/strict'
import { after, describe, test } from 'node:test'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import * as t from 'io-ts'
import * as H from '../../src/index.js'
import type { ClientError, ServerSentEvent } from '../../src/index.js'
import { useEchoServer } from '../support/fixtures.js'
import { settlesWithin, waitFor } from '../support/wait.js'
import { asTag } from '../execute/helpers.js'

const echo = useEchoServer()

/** An env.sleep that records each wait and does not wait. */
const recorder = () => {
  const waits: number[] = []
  const sleep = async (ms: number): Promise<void> => void waits.push(ms)
  return { waits, sleep }
}

const reqTo = (url: string): H.Request => pipe(H.newRequest(), H.initialize(url))

/** Every item of the iterable (`each` called on each), failing (not hanging) after 30 s. */
const all = async <X>(items: AsyncIterable<X>, each: (x: X) => void = () => undefined): Promise<X[]> => {
  const out: X[] = []
  await settlesWithin(
    (async () => {
      for await (const x of items) {
        out.push(x)
        each(x)
      }
    })(),
    30_000,
    'the event stream',
  )
  return out
}

/** The first item, then the loop left (as `break` leaves it), failing (not hanging) after 30 s. */
const first = <X>(items: AsyncIterable<X>): Promise<X | undefined> =>
  settlesWithin(
    (async () => {
      for await (const x of items) return x
      return undefined
    })(),
    30_000,
    'the first event',
  )

const rights = <X>(rs: ReadonlyArray<E.Either<ClientError, X>>): X[] =>
  rs.flatMap((r) => (E.isRight(r) ? [r.right] : []))
const leftAtEnd = <X>(rs: ReadonlyArray<E.Either<ClientError, X>>): ClientError => {
  const last = rs.at(-1)
  if (last === undefined || E.isRight(last)) return assert.fail('expected the stream to end with a Left')
  assert.equal(rs.filter(E.isLeft).length, 1, 'one Left, the last item')
  return last.left
}
const noLeft = <X>(rs: ReadonlyArray<E.Either<ClientError, X>>): void => {
  const left = rs.find(E.isLeft)
  if (left !== undefined) assert.fail(`unexpected ${left.left._tag}: ${left.left.message}`)
}

/** The Last-Event-ID of each request the echo server saw for this exact target. */
const seenIds = (target: string): Array<string | undefined> =>
  echo.server.requests.filter((r) => r.url === target).map((r) => r.headers['last-event-id'])

/** A raw node:http server on 127.0.0.1, closed after the suite; records each request's headers. */
const raw = (handle: (req: IncomingMessage, res: ServerResponse, n: number) => void) => {
  const seen: IncomingMessage['headers'][] = []
  const closed: number[] = []
  let server: Server | undefined
  const start = async (): Promise<string> => {
    server = createServer((req, res) => {
      const n = seen.push(req.headers)
      req.socket.once('close', () => closed.push(n))
      handle(req, res, n)
    })
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve))
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
  }
  after(() => {
    server?.closeAllConnections()
    server?.close()
  })
  return { start, seen, closed }
}
const sse = (res: ServerResponse, text: string, end = true): void => {
  res.writeHead(200, { 'Content-Type': 'text/event-stream' })
  if (end) res.end(text)
  else res.write(text)
}

/** A port nothing listens on (one the system just gave and took back). */
const freePort = async (): Promise<number> => {
  const srv = createServer()
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve))
  const { port } = srv.address() as AddressInfo
  await new Promise((resolve) => srv.close(resolve))
  return port
}

const ids = (es: ReadonlyArray<ServerSentEvent<unknown>>): string[] => es.map((e) => e.id)

describe('streamEvents: reconnecting to the echo server /events', () => {
  test('drops after 2 events: reconnects after the server retry with Last-Event-ID, all 6 events, 204 ends it', async () => {
    const target = '/events?count=6&dropAfter=2&retry=250'
    const { waits, sleep } = recorder()
    const rs = await all(H.streamEvents({ env: { sleep } })(reqTo(echo.url + target)))
    noLeft(rs)
    const events = rights(rs)
    assert.deepEqual(ids(events), ['1', '2', '3', '4', '5', '6'])
    assert.deepEqual(
      events.map((e) => [e.event, e.data, e.retry]),
      [1, 2, 3, 4, 5, 6].map((n) => ['message', `{"n":${n}}`, 250]),
    )
    assert.deepEqual(waits, [250, 250, 250])
    assert.deepEqual(seenIds(target), [undefined, '2', '4', '6'])
    const accepts = echo.server.requests.filter((r) => r.url === target).map((r) => r.headers['accept'])
    assert.deepEqual(accepts, Array(4).fill('text/event-stream'))
  })

  test('with a codec the data is decoded; without a retry field the wait is 3000 ms', async () => {
    const target = '/events?count=4&dropAfter=3'
    const { waits, sleep } = recorder()
    const rs = await all(H.streamEvents({ codec: t.type({ n: t.number }), env: { sleep } })(reqTo(echo.url + target)))
    noLeft(rs)
    const ns: number[] = rights(rs).map((e) => e.data.n)
    assert.deepEqual(ns, [1, 2, 3, 4])
    assert.deepEqual(waits, [3000, 3000])
    assert.deepEqual(seenIds(target), [undefined, '3', '4'])
  })

  test('a broken stream (connection closed mid-body, reset=1) is reconnected as well', async () => {
    const target = '/events?count=5&dropAfter=2&retry=10&reset=1'
    const { waits, sleep } = recorder()
    const rs = await all(H.streamEvents({ env: { sleep } })(reqTo(echo.url + target)))
    noLeft(rs)
    assert.deepEqual(ids(rights(rs)), ['1', '2', '3', '4', '5'])
    assert.deepEqual(seenIds(target), [undefined, '2', '4', '5'])
    assert.deepEqual(waits, [10, 10, 10])
  })

  test('an event that does not decode ends the stream with its DecodeError, no reconnection', async () => {
    const target = '/events?count=3&dropAfter=1'
    const { waits, sleep } = recorder()
    const rs = await all(H.streamEvents({ codec: t.type({ n: t.string }), env: { sleep } })(reqTo(echo.url + target)))
    assert.equal(rs.length, 1)
    asTag(leftAtEnd(rs), 'DecodeError')
    assert.deepEqual(waits, [])
    assert.equal(seenIds(target).length, 1)
  })

  test('lazy: nothing is sent until the iteration starts; each iteration starts afresh', async () => {
    const target = '/events?count=2&retry=0'
    const { waits, sleep } = recorder()
    const events = H.streamEvents({ env: { sleep } })(reqTo(echo.url + target))
    await new Promise((resolve) => setTimeout(resolve, 50))
    assert.equal(seenIds(target).length, 0)
    assert.deepEqual(ids(rights(await all(events))), ['1', '2'])
    assert.deepEqual(ids(rights(await all(events))), ['1', '2'])
    assert.deepEqual(seenIds(target), [undefined, '2', undefined, '2'])
    assert.deepEqual(waits, [0, 0])
  })

  test('the consumer leaving drops the connection at once; no reconnection', async () => {
    const s = raw((_req, res) => sse(res, 'id: 1\ndata: first\n\n', false))
    const url = await s.start()
    const { waits, sleep } = recorder()
    const e = await first(H.streamEvents({ env: { sleep } })(reqTo(url)))
    assert.equal(e !== undefined && E.isRight(e) && e.right.id, '1')
    // the server never ends this body: only the client can have closed the socket
    await waitFor(() => s.closed.includes(1), 10_000, 'the connection closed')
    assert.equal(s.seen.length, 1)
    assert.deepEqual(waits, [])
  })
})

describe('streamEvents: stops', () => {
  test('a 500 is a StatusError carrying the response and its body; nothing more is sent', async () => {
    const s = raw((_req, res) => {
      res.writeHead(500, { 'Content-Type': 'text/plain' })
      res.end('down for maintenance')
    })
    const url = await s.start()
    const { waits, sleep } = recorder()
    const rs = await all(H.streamEvents({ env: { sleep } })(reqTo(url)))
    const e = asTag(leftAtEnd(rs), 'StatusError')
    assert.equal(rs.length, 1)
    assert.equal(e.response.status, 500)
    assert.equal(new TextDecoder().decode(e.response.body), 'down for maintenance')
    assert.match(e.message, /^streamEvents: unexpected status 500/)
    assert.equal(s.seen.length, 1)
    assert.deepEqual(waits, [])
  })

  test('a 200 text/plain is a ParseError (its body not read); nothing more is sent', async () => {
    const s = raw((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' })
      res.end('data: not an event stream\n\n')
    })
    const url = await s.start()
    const { waits, sleep } = recorder()
    const rs = await all(H.streamEvents({ env: { sleep } })(reqTo(url)))
    const e = asTag(leftAtEnd(rs), 'ParseError')
    assert.equal(rs.length, 1)
    assert.match(e.message, /"text\/plain; charset=utf-8", not text\/event-stream/)
    assert.equal(e.response?.status, 200)
    assert.equal(s.seen.length, 1)
    assert.deepEqual(waits, [])
  })

  test('a 204 at once is the normal end: no event, no Left, no wait', async () => {
    const s = raw((_req, res) => {
      res.writeHead(204)
      res.end()
    })
    const url = await s.start()
    const { waits, sleep } = recorder()
    assert.deepEqual(await all(H.streamEvents({ env: { sleep } })(reqTo(url))), [])
    assert.equal(s.seen.length, 1)
    assert.deepEqual(waits, [])
  })

  test('maxReconnects counts reconnections in a row without an event: one event a connection goes on', async () => {
    // each connection gives one event then ends; the fifth answers 204
    const s = raw((_req, res, n) => {
      if (n === 5) return void res.writeHead(204).end()
      sse(res, `data: e${n}\n\n`)
    })
    const url = await s.start()
    const { waits, sleep } = recorder()
    const rs = await all(H.streamEvents({ maxReconnects: 1, env: { sleep } })(reqTo(url)))
    noLeft(rs)
    assert.deepEqual(
      rights(rs).map((e) => e.data),
      ['e1', 'e2', 'e3', 'e4'],
    )
    assert.deepEqual(waits, [3000, 3000, 3000, 3000])
    // the server never sent an id: no Last-Event-ID, ever
    assert.deepEqual(
      s.seen.map((h) => h['last-event-id']),
      [undefined, undefined, undefined, undefined, undefined],
    )
  })

  test('a stream that ends without events: after maxReconnects reconnections a Left (cause ENDED) with the log lines', async () => {
    const s = raw((_req, res) => sse(res, ': nothing to say\n\n'))
    const url = await s.start()
    const { waits, sleep } = recorder()
    const rs = await all(H.streamEvents({ maxReconnects: 2, env: { sleep } })(reqTo(url)))
    assert.equal(rs.length, 1)
    const e = asTag(leftAtEnd(rs), 'TransportError')
    assert.equal(e.cause, 'ENDED')
    assert.equal(s.seen.length, 3)
    assert.deepEqual(waits, [3000, 3000])
    const lines = e.log.filter((l) => l.step === 'streamEvents').map((l) => l.message)
    assert.deepEqual(lines, [
      'Accept: text/event-stream',
      'the stream ended - reconnection 2 in 3000 ms, no Last-Event-ID',
      'the stream ended - not reconnecting: 2 reconnections in a row without an event (maxReconnects 2)',
    ])
  })

  test('maxReconnects 0: the first end is the last', async () => {
    const s = raw((_req, res) => sse(res, 'id: 1\ndata: only\n\n'))
    const url = await s.start()
    const { waits, sleep } = recorder()
    const rs = await all(H.streamEvents({ maxReconnects: 0, env: { sleep } })(reqTo(url)))
    assert.deepEqual(ids(rights(rs)), ['1'])
    assert.equal(asTag(leftAtEnd(rs), 'TransportError').cause, 'ENDED')
    assert.equal(s.seen.length, 1)
    assert.deepEqual(waits, [])
  })

  test('a refused connection is reconnected too, up to maxReconnects; then its TransportError', async () => {
    const port = await freePort()
    const { waits, sleep } = recorder()
    const rs = await all(H.streamEvents({ maxReconnects: 3, env: { sleep } })(reqTo(`http://127.0.0.1:${port}/gone`)))
    assert.equal(rs.length, 1)
    const e = asTag(leftAtEnd(rs), 'TransportError')
    assert.equal(e.cause, 'ECONNREFUSED')
    assert.deepEqual(waits, [3000, 3000, 3000])
    const lines = e.log.filter((l) => l.step === 'streamEvents').map((l) => l.message)
    assert.deepEqual(lines.slice(1), [
      'TransportError ECONNREFUSED - reconnection 3 in 3000 ms, no Last-Event-ID',
      'TransportError ECONNREFUSED - not reconnecting: 3 reconnections in a row without an event (maxReconnects 3)',
    ])
  })

  test('an idle timeout breaks the stream: reconnected with the last ID', async () => {
    // the first connection sends one event and stalls; the second is told it is all over
    const s = raw((_req, res, n) => (n === 1 ? sse(res, 'id: 1\ndata: a\n\n', false) : void res.writeHead(204).end()))
    const url = await s.start()
    const { waits, sleep } = recorder()
    const req = pipe(reqTo(url), H.setIdleTimeout(300))
    const rs = await all(H.streamEvents({ env: { sleep } })(req))
    noLeft(rs)
    assert.deepEqual(ids(rights(rs)), ['1'])
    assert.deepEqual(waits, [3000])
    assert.deepEqual(
      s.seen.map((h) => h['last-event-id']),
      [undefined, '1'],
    )
  })
})

describe('streamEvents: the last event ID and retry across connections', () => {
  test('retry persists; an id field without a value resets the ID (no Last-Event-ID sent); a later id is sent', async () => {
    const bodies = [
      'retry: 1500\nid: 5\ndata: a\n\nid\ndata: b\n\n',
      'id: 7\ndata: c\n\n',
      ': a block without data still sets the ID\nid: 8\n\n',
    ]
    const s = raw((_req, res, n) => {
      const body = bodies[n - 1]
      if (body === undefined) return void res.writeHead(204).end()
      sse(res, body)
    })
    const url = await s.start()
    const { waits, sleep } = recorder()
    const rs = await all(H.streamEvents({ env: { sleep } })(reqTo(url)))
    noLeft(rs)
    assert.deepEqual(
      rights(rs).map((e) => [e.data, e.id, e.retry]),
      [
        ['a', '5', 1500],
        ['b', '', 1500],
        ['c', '7', 1500],
      ],
    )
    assert.deepEqual(waits, [1500, 1500, 1500])
    assert.deepEqual(
      s.seen.map((h) => h['last-event-id']),
      [undefined, undefined, '7', '8'],
    )
  })

  test('an ID beyond ASCII is sent as its UTF-8 bytes', async () => {
    const s = raw((_req, res, n) => (n === 1 ? sse(res, 'id: é€😀\ndata: x\n\n') : void res.writeHead(204).end()))
    const url = await s.start()
    const { sleep } = recorder()
    noLeft(await all(H.streamEvents({ env: { sleep } })(reqTo(url))))
    const sent = String(s.seen[1]?.['last-event-id'] ?? '')
    assert.equal(Buffer.from(sent, 'latin1').toString('utf8'), 'é€😀')
  })

  test('an Accept on the request is replaced; a Last-Event-ID on it is where the first connection resumes', async () => {
    const target = '/events?count=4&dropAfter=1&retry=0'
    const { waits, sleep } = recorder()
    const req = pipe(
      reqTo(echo.url + target),
      H.addHeader('Accept', 'application/json'),
      H.addHeader('Last-Event-ID', '2'),
    )
    const rs = await all(H.streamEvents({ env: { sleep } })(req))
    noLeft(rs)
    assert.deepEqual(ids(rights(rs)), ['3', '4'])
    assert.deepEqual(seenIds(target), ['2', '3', '4'])
    const accepts = echo.server.requests.filter((r) => r.url === target).map((r) => r.headers['accept'])
    assert.deepEqual(accepts, ['text/event-stream', 'text/event-stream', 'text/event-stream'])
    assert.deepEqual(waits, [0, 0])
  })
})

describe('streamEvents: odd values', () => {
  test('a retry past what a timer can wait is waited as 2^31-1 ms; maxReconnects Infinity is taken', async () => {
    const s = raw((_req, res, n) => (n <= 3 ? sse(res, 'retry: 99999999999\n\n') : void res.writeHead(204).end()))
    const url = await s.start()
    const { waits, sleep } = recorder()
    const rs = await all(H.streamEvents({ maxReconnects: Infinity, env: { sleep } })(reqTo(url)))
    assert.deepEqual(rs, [])
    assert.deepEqual(waits, [2_147_483_647, 2_147_483_647, 2_147_483_647])
  })

  test('an ID a header cannot carry (a control character) is not sent; the stream goes on', async () => {
    const s = raw((_req, res, n) => (n === 1 ? sse(res, 'id: a\u0001b\ndata: x\n\n') : void res.writeHead(204).end()))
    const url = await s.start()
    const { sleep } = recorder()
    const rs = await all(H.streamEvents({ env: { sleep } })(reqTo(url)))
    noLeft(rs)
    assert.deepEqual(ids(rights(rs)), ['a\u0001b'])
    assert.deepEqual(
      s.seen.map((h) => h['last-event-id']),
      [undefined, undefined],
    )
  })

  test('the deadline ends the stream with its Timeout: no reconnection', async () => {
    const s = raw((_req, res) => sse(res, 'id: 1\ndata: a\n\n', false))
    const url = await s.start()
    const { waits, sleep } = recorder()
    const rs = await all(H.streamEvents({ env: { sleep } })(pipe(reqTo(url), H.setDeadline(300))))
    assert.deepEqual(ids(rights(rs)), ['1'])
    assert.equal(asTag(leftAtEnd(rs), 'Timeout').limit, 'deadline')
    assert.equal(s.seen.length, 1)
    assert.deepEqual(waits, [])
  })
})

describe('streamEvents: env.signal', () => {
  test('aborted while waiting to reconnect: a TransportError ABORTED, no further connection', async () => {
    const s = raw((_req, res) => sse(res, 'id: 1\ndata: a\n\n'))
    const url = await s.start()
    const controller = new AbortController()
    const waits: number[] = []
    const sleep = async (ms: number, signal?: AbortSignal): Promise<void> => {
      waits.push(ms)
      assert.equal(signal, controller.signal)
      controller.abort()
    }
    const rs = await all(H.streamEvents({ env: { sleep, signal: controller.signal } })(reqTo(url)))
    assert.deepEqual(ids(rights(rs)), ['1'])
    const e = asTag(leftAtEnd(rs), 'TransportError')
    assert.equal(e.cause, 'ABORTED')
    assert.equal(s.seen.length, 1)
    assert.deepEqual(waits, [3000])
  })

  test('aborted while reading: a TransportError ABORTED, the connection dropped, no reconnection', async () => {
    const s = raw((_req, res) => sse(res, 'id: 1\ndata: a\n\n', false))
    const url = await s.start()
    const controller = new AbortController()
    const { waits, sleep } = recorder()
    const rs = await all(H.streamEvents({ env: { sleep, signal: controller.signal } })(reqTo(url)), () =>
      controller.abort(),
    )
    assert.deepEqual(ids(rights(rs)), ['1'])
    assert.equal(asTag(leftAtEnd(rs), 'TransportError').cause, 'ABORTED')
    await waitFor(() => s.closed.includes(1), 10_000, 'the connection closed')
    assert.equal(s.seen.length, 1)
    assert.deepEqual(waits, [])
  })

  test('aborted before the iteration: a TransportError ABORTED, nothing sent', async () => {
    const s = raw((_req, res) => sse(res, 'data: a\n\n'))
    const url = await s.start()
    const rs = await all(H.streamEvents({ env: { signal: AbortSignal.abort() } })(reqTo(url)))
    assert.equal(rs.length, 1)
    assert.equal(asTag(leftAtEnd(rs), 'TransportError').cause, 'ABORTED')
    assert.equal(s.seen.length, 0)
  })
})

describe('streamEvents: hostile input is one Left, never a throw', () => {
  const throwing = {
    get maxReconnects(): number {
      throw new Error('boom')
    },
  }
  const trap = new Proxy(
    {},
    {
      ownKeys: () => {
        throw new Error('trap')
      },
    },
  )
  const cases: ReadonlyArray<readonly [string, unknown, RegExp]> = [
    ['a number', 5, /the options must be an object/],
    ['null', null, /the options must be an object/],
    ['an array', [], /the options must be an object/],
    ['an unknown option', { retry: 1 }, /unknown option "retry"/],
    ['a negative maxReconnects', { maxReconnects: -1 }, /maxReconnects must be a whole number/],
    ['a fractional maxReconnects', { maxReconnects: 1.5 }, /maxReconnects must be a whole number/],
    ['a NaN maxReconnects', { maxReconnects: NaN }, /maxReconnects must be a whole number/],
    ['a text maxReconnects', { maxReconnects: '3' }, /maxReconnects must be a whole number/],
    ['a codec without decode', { codec: {} }, /the codec has no decode function/],
    ['a null codec', { codec: null }, /the codec has no decode function/],
    ['an env that is not an object', { env: 5 }, /env must be an object/],
    ['an env.sleep that is not a function', { env: { sleep: 5 } }, /env.sleep must be a function/],
    ['a getter that throws', throwing, /the options cannot be read: "boom"/],
    ['a Proxy whose traps throw', trap, /the options cannot be read: "trap"/],
  ]
  for (const [name, options, message] of cases)
    test(`${name}: InvalidInput naming streamEvents, nothing sent`, async () => {
      const s = raw((_req, res) => sse(res, 'data: a\n\n'))
      const url = await s.start()
      let events: AsyncIterable<unknown> | undefined
      assert.doesNotThrow(() => {
        events = H.streamEvents(options as H.StreamEventsOptions)(reqTo(url))
      })
      const rs = await all(events as AsyncIterable<E.Either<ClientError, unknown>>)
      assert.equal(rs.length, 1)
      const e = asTag(leftAtEnd(rs), 'InvalidInput')
      assert.equal(e.step, 'streamEvents')
      assert.match(e.message, message)
      assert.equal(s.seen.length, 0)
    })

  test('a value that is not a Request, or a Request holding an error: one InvalidInput', async () => {
    for (const req of [null, 'http://x/', { _tag: 'Nope' }]) {
      const rs = await all(H.streamEvents()(req as unknown as H.Request))
      assert.equal(rs.length, 1)
      const e = asTag(leftAtEnd(rs), 'InvalidInput')
      assert.equal(e.step, 'streamEvents')
    }
    const rs = await all(H.streamEvents()(pipe(H.newRequest(), H.initialize(echo.url), H.setJsonBody('{oops'))))
    assert.equal(asTag(leftAtEnd(rs), 'InvalidInput').step, 'setJsonBody')
  })

  test('an env.sleep that throws or rejects ends the stream with a Left, never a rejection', async () => {
    const s = raw((_req, res) => sse(res, 'data: a\n\n'))
    const url = await s.start()
    const sleeps = [
      () => {
        throw new Error('sleep threw')
      },
      () => Promise.reject(new Error('sleep rejected')),
    ]
    for (const sleep of sleeps) {
      const rs = await all(H.streamEvents({ env: { sleep } })(reqTo(url)))
      assert.deepEqual(
        rights(rs).map((e) => e.data),
        ['a'],
      )
      assert.match(
        asTag(leftAtEnd(rs), 'TransportError').message,
        /^streamEvents: unexpected failure: sleep (threw|rejected)/,
      )
    }
    assert.equal(s.seen.length, 2)
  })
})

test('types: ServerSentEvent<string> without a codec, ServerSentEvent<A> with one', () => {
  const req = reqTo(echo.url)
  const plain: AsyncIterable<E.Either<ClientError, ServerSentEvent<string>>> = H.streamEvents()(req)
  const typed: AsyncIterable<E.Either<ClientError, ServerSentEvent<{ n: number }>>> = H.streamEvents({
    codec: t.type({ n: t.number }),
  })(req)
  // @ts-expect-error without a codec the data is a string
  const wrong: AsyncIterable<E.Either<ClientError, ServerSentEvent<number>>> = H.streamEvents({ maxReconnects: 1 })(req)
  const options: H.StreamEventsOptions<number> = { codec: t.number }
  // @ts-expect-error options whose codec may be absent: the data is an A or a string
  const either: AsyncIterable<E.Either<ClientError, ServerSentEvent<number>>> = H.streamEvents(
    options as H.StreamEventsOptions<number>,
  )(req)
  assert.ok([plain, typed, wrong, either].every((x) => typeof x[Symbol.asyncIterator] === 'function'))
})

describe('streamEvents on the fetch transports', () => {
  const cases: ReadonlyArray<readonly [string, () => H.Env]> = [
    ['crossFetchTransport', () => ({ transport: H.crossFetchTransport })],
    ['global fetch (env.fetch)', () => ({ fetch: globalThis.fetch })],
  ]
  for (const [name, env] of cases)
    test(`${name}: drops, reconnections with Last-Event-ID after the server retry, 204 at the end`, async () => {
      const target = `/events?count=5&dropAfter=2&retry=20&via=${name.split(' ')[0] ?? ''}`
      const { waits, sleep } = recorder()
      const rs = await all(H.streamEvents({ env: { ...env(), sleep } })(reqTo(echo.url + target)))
      noLeft(rs)
      assert.deepEqual(ids(rights(rs)), ['1', '2', '3', '4', '5'])
      assert.deepEqual(waits, [20, 20, 20])
      assert.deepEqual(seenIds(target), [undefined, '2', '4', '5'])
    })

  for (const [name, env] of cases)
    test(`${name}: leaving the loop drops the connection; aborting while reading is ABORTED, no reconnection`, async () => {
      const s = raw((_req, res) => sse(res, 'id: 1\ndata: a\n\n', false))
      const url = await s.start()
      const { waits, sleep } = recorder()
      const e = await first(H.streamEvents({ env: { ...env(), sleep } })(reqTo(url)))
      assert.equal(e !== undefined && E.isRight(e) && e.right.id, '1')
      await waitFor(() => s.closed.includes(1), 10_000, 'the connection closed')
      const controller = new AbortController()
      const rs = await all(H.streamEvents({ env: { ...env(), sleep, signal: controller.signal } })(reqTo(url)), () =>
        controller.abort(),
      )
      assert.equal(asTag(leftAtEnd(rs), 'TransportError').cause, 'ABORTED')
      await waitFor(() => s.closed.includes(2), 10_000, 'the connection closed')
      assert.equal(s.seen.length, 2)
      assert.deepEqual(waits, [])
    })
})
