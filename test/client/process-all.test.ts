/**
 * processAll against a loopback node:http server that counts what it receives: requests,
 * requests open at once, connections. Order kept, the concurrency cap, shared connections,
 * starts paced on an injected clock, abort, one failure among many, hostile input.
 */
import { after, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'

import * as H from '../../src/index.js'
import { freePort } from '../support/peers.js'
import { useTransports } from '../support/transports.js'
import { settlesWithin } from '../support/wait.js'

type Handler = (req: IncomingMessage, res: ServerResponse, n: number) => void

interface Counting {
  readonly url: string
  /** requests received, open at once now and at most, connections accepted */
  readonly count: { received: number; open: number; maxOpen: number; connections: number }
}

/** `/delay/MS/ID` answers `ID` after MS ms; `/status/CODE` answers CODE; anything else `ok` at once. */
const standard: Handler = (req, res) => {
  const [, kind, a, b] = (req.url ?? '').split('/')
  if (kind === 'delay') setTimeout(() => res.end(b), Number(a))
  else if (kind === 'status') res.writeHead(Number(a)).end(a)
  else res.end('ok')
}

const servers: Array<ReturnType<typeof createServer>> = []
after(async () => {
  for (const s of servers) s.closeAllConnections()
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))))
  await H.defaultTransport.close()
})

/** A fresh server for each test (new connections to count), answering with `handler`. */
const startCounting = async (handler: Handler = standard): Promise<Counting> => {
  const count = { received: 0, open: 0, maxOpen: 0, connections: 0 }
  const server = createServer((req, res) => {
    count.received++
    count.open++
    count.maxOpen = Math.max(count.maxOpen, count.open)
    res.on('close', () => count.open--)
    req.resume()
    req.on('end', () => handler(req, res, count.received))
  })
  server.on('connection', () => count.connections++)
  servers.push(server)
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, count }
}

let srv: Counting = { url: 'http://127.0.0.1:1', count: { received: 0, open: 0, maxOpen: 0, connections: 0 } }
const fresh = async (handler?: Handler): Promise<void> => {
  srv = await startCounting(handler)
}
const transports = useTransports()
const at = (path: string): H.Request => pipe(H.newRequest(), H.initialize(`${srv.url}${path}`))
const run = (requests: ReadonlyArray<H.Request>, options?: H.ProcessAllOptions) =>
  settlesWithin(H.processAll('GET', options)(requests)(), 30_000, 'processAll')
const text = (r: E.Either<H.ClientError, H.HttpResponse>): string =>
  E.isRight(r) ? Buffer.from(r.right.body).toString() : assert.fail(`a Left: ${r.left._tag}: ${r.left.message}`)

for (const [name, transport] of transports) {
  describe(`processAll on ${name}`, () => {
    test('results in input order while the server answers out of order', async () => {
      await fresh()
      // later requests answer sooner: 24 requests, 4 at a time, delays 48 ms down to 2 ms
      const requests = Array.from({ length: 24 }, (_, i) => at(`/delay/${(24 - i) * 2}/${i}`))
      const results = await run(requests, { concurrency: 4, env: { transport } })
      assert.deepStrictEqual(
        results.map(text),
        requests.map((_, i) => String(i)),
      )
      assert.equal(srv.count.received, 24)
    })

    test('never more than concurrency in flight, and exactly that many for a long list', async () => {
      await fresh()
      // held 300 ms each, so that the third request opens before the first answer even under load
      const results = await run(
        Array.from({ length: 9 }, (_, i) => at(`/delay/300/${i}`)),
        { concurrency: 3, env: { transport } },
      )
      assert.ok(results.every(E.isRight))
      assert.equal(srv.count.received, 9)
      assert.equal(srv.count.maxOpen, 3)
    })

    test('the default concurrency is 8', async () => {
      await fresh()
      // each answer held 1 s: under a busy machine's load (CI beside three CPU-bound processes) the
      // first answers of 15 ms came before the eighth request had opened (7 open, not 8)
      const results = await run(
        Array.from({ length: 16 }, (_, i) => at(`/delay/1000/${i}`)),
        { env: { transport } },
      )
      assert.ok(results.every(E.isRight))
      assert.equal(srv.count.maxOpen, 8)
    })

    test('one transport for all: many requests share a few connections', async () => {
      await fresh()
      const n = 300
      const results = await run(
        Array.from({ length: n }, () => at('/x')),
        { concurrency: 16, env: { transport } },
      )
      assert.ok(results.every((r) => E.isRight(r) && r.right.status === 200))
      assert.equal(srv.count.received, n)
      assert.ok(srv.count.maxOpen <= 16)
      assert.ok(srv.count.connections <= 16, `${srv.count.connections} connections`)
    })

    test('one failure does not stop the others: a refused connection is its Left, a 500 a Right', async () => {
      await fresh()
      const refused = pipe(H.newRequest(), H.initialize(`http://127.0.0.1:${await freePort()}/x`))
      const results = await run([at('/a'), refused, at('/status/500'), at('/b'), refused, at('/c')], {
        concurrency: 2,
        env: { transport },
      })
      assert.deepStrictEqual(
        results.map((r) => (E.isRight(r) ? r.right.status : `${r.left._tag} ${(r.left as H.TransportError).cause}`)),
        [200, 'TransportError ECONNREFUSED', 500, 200, 'TransportError ECONNREFUSED', 200],
      )
      assert.equal(srv.count.received, 4)
    })

    test('an abort mid-way: the server saw exactly the started ones, the rest are TransportErrors', async () => {
      const c = 4
      const controller = new AbortController()
      // the first 10 are answered; later ones are held, and once c are held at once (every
      // worker busy) the run is aborted
      let held = 0
      await fresh((_req, res, n) => {
        if (n <= 10) return void res.end('ok')
        if (++held === c) controller.abort()
      })
      const results = await run(
        Array.from({ length: 50 }, () => at('/x')),
        { concurrency: c, env: { transport, signal: controller.signal } },
      )
      assert.equal(results.length, 50)
      assert.equal(results.filter(E.isRight).length, 10)
      const lefts = results.filter(E.isLeft).map((r) => r.left)
      assert.ok(lefts.every((e) => e._tag === 'TransportError' && e.cause === 'ABORTED'))
      const notStarted = lefts.filter((e) => e.message === 'processAll: not started: aborted by env.signal')
      assert.equal(notStarted.length, 50 - 10 - c)
      assert.equal(srv.count.received, 10 + c)
      await new Promise((r) => setTimeout(r, 50))
      assert.equal(srv.count.received, 10 + c, 'nothing started after the abort')
    })
  })
}

describe('processAll: shared connections, paced starts, abort', () => {
  test('the default transport (no env): 2,000 requests at concurrency 16 open at most 16 connections', async () => {
    await fresh()
    const results = await run(
      Array.from({ length: 2000 }, () => at('/x')),
      { concurrency: 16 },
    )
    assert.ok(results.every(E.isRight))
    assert.equal(srv.count.received, 2000)
    assert.ok(srv.count.connections <= 16, `${srv.count.connections} connections`)
  })

  test('env.fetch is adapted once: 200 requests through global fetch share its connections', async () => {
    await fresh()
    const results = await run(
      Array.from({ length: 200 }, () => at('/x')),
      { concurrency: 8, env: { fetch: globalThis.fetch } },
    )
    assert.ok(results.every(E.isRight))
    assert.equal(srv.count.maxOpen <= 8, true)
    assert.ok(srv.count.connections <= 8, `${srv.count.connections} connections`)
  })

  test('perSecond spaces the starts 1000/perSecond ms apart on the injected clock', async () => {
    await fresh()
    let clock = 1_000_000
    const starts: number[] = []
    const inner = H.defaultTransport
    const transport: H.Transport = (req) => (starts.push(clock), inner(req))
    const sleeps: number[] = []
    const env: H.Env = {
      transport,
      now: () => clock,
      // the clock moves when a sleep ends (on the next turn of the event loop), as a timer's would
      sleep: (ms) =>
        new Promise<void>((resolve) => {
          sleeps.push(ms)
          setImmediate(() => {
            clock += ms
            resolve()
          })
        }),
    }
    const results = await run(
      Array.from({ length: 12 }, () => at('/x')),
      { concurrency: 4, perSecond: 8, env },
    )
    assert.ok(results.every(E.isRight))
    assert.deepStrictEqual(
      starts,
      Array.from({ length: 12 }, (_, i) => 1_000_000 + i * 125),
    )
    assert.deepStrictEqual(sleeps, Array(11).fill(125))
  })

  test('an abort while waiting for the next start cuts the wait short and starts no more', async () => {
    const controller = new AbortController()
    await fresh((_req, res) => (controller.abort(), res.end('ok')))
    // one start every 2 s: without the abort the 20 requests would take 38 s
    const results = await run(
      Array.from({ length: 20 }, () => at('/x')),
      { perSecond: 0.5, env: { signal: controller.signal } },
    )
    assert.equal(srv.count.received, 1)
    assert.ok(results.slice(1).every((r) => E.isLeft(r) && r.left.message.includes('not started')))
  })

  test('an already aborted signal starts nothing', async () => {
    await fresh()
    const results = await run([at('/a'), at('/b')], { env: { signal: AbortSignal.abort() } })
    assert.deepStrictEqual(
      results.map((r) => (E.isLeft(r) ? [r.left._tag, r.left.message] : 'Right')),
      [
        ['TransportError', 'processAll: not started: aborted by env.signal'],
        ['TransportError', 'processAll: not started: aborted by env.signal'],
      ],
    )
    assert.equal(srv.count.received, 0)
  })

  test('Infinity concurrency runs them all at once', async () => {
    await fresh()
    const results = await run(
      // each held 1 s, so that all 12 are open together even when a busy machine starts them slowly
      Array.from({ length: 12 }, (_, i) => at(`/delay/1000/${i}`)),
      { concurrency: Infinity },
    )
    assert.ok(results.every(E.isRight))
    assert.equal(srv.count.maxOpen, 12)
  })

  test('each request runs as processRequest runs it: its log, its settings', async () => {
    await fresh()
    const req = pipe(at('/status/503'), H.maxAttempts(2), H.setRetryPolicy({ baseMs: 1, capMs: 1 }))
    const [r] = await run([req])
    assert.ok(r !== undefined && E.isRight(r) && r.right.status === 503)
    assert.equal(srv.count.received, 3)
    assert.ok(r.right.log.some((l) => l.step === 'initialize'))
  })
})

describe('processAll: hostile input is a Left, never a throw or a rejection', () => {
  const two = (): ReadonlyArray<H.Request> => [at('/a'), at('/b')]
  const badOptions: ReadonlyArray<readonly [string, unknown, RegExp]> = [
    ['a string', 'fast', /the options must be an object/],
    ['null', null, /the options must be an object/],
    ['an array', [4], /the options must be an object/],
    ['an unknown option', { concurency: 4 }, /unknown option "concurency"/],
    ['concurrency 0', { concurrency: 0 }, /concurrency must be .* not 0/],
    ['concurrency -1', { concurrency: -1 }, /concurrency must be .* not -1/],
    ['concurrency NaN', { concurrency: NaN }, /concurrency must be .* not NaN/],
    ['concurrency 1.5', { concurrency: 1.5 }, /concurrency must be .* not 1\.5/],
    ['concurrency "4"', { concurrency: '4' }, /concurrency must be .* not "4"/],
    ['perSecond 0', { perSecond: 0 }, /perSecond must be a number > 0, not 0/],
    ['perSecond -5', { perSecond: -5 }, /perSecond must be .* not -5/],
    ['perSecond NaN', { perSecond: NaN }, /perSecond must be .* not NaN/],
    ['env null', { env: null }, /env must be an object, not null/],
  ]
  for (const [what, options, message] of badOptions)
    test(`options: ${what} is InvalidInput for every request, nothing sent`, async () => {
      await fresh()
      const results = await H.processAll('GET', options as H.ProcessAllOptions)(two())()
      assert.equal(results.length, 2)
      for (const r of results) {
        assert.ok(E.isLeft(r) && r.left._tag === 'InvalidInput' && r.left.step === 'processAll')
        assert.match(r.left.message, message)
        assert.ok(r.left.log.length > 0, 'the request log is kept')
      }
      assert.equal(srv.count.received, 0)
    })

  test('an element that is not a Request is a Left for that element only', async () => {
    await fresh()
    // eslint-disable-next-line no-sparse-arrays -- a hole is an element that is not a Request
    const list = [at('/a'), 42, E.right(at('/b')), , at('/c')] as unknown as ReadonlyArray<H.Request>
    const results = await run(list)
    assert.equal(results.length, 5)
    assert.deepStrictEqual(
      Array.from(results, (r) => (E.isRight(r) ? r.right.status : `${r.left._tag}: ${r.left.message}`)),
      [
        200,
        'InvalidInput: processAll: the input is not a Request',
        'InvalidInput: processAll: the input is not a Request',
        'InvalidInput: processAll: the input is not a Request',
        200,
      ],
    )
    assert.equal(srv.count.received, 2)
  })

  test('requests that are not an array: one InvalidInput', async () => {
    for (const bad of [undefined, null, 'x', { length: 2 }, 7, at('/a')]) {
      const results = await H.processAll('GET')(bad as unknown as ReadonlyArray<H.Request>)()
      assert.equal(results.length, 1)
      const [r] = results
      assert.ok(r !== undefined && E.isLeft(r) && r.left._tag === 'InvalidInput')
      assert.match(r.left.message, /^processAll: the requests must be an array of Requests/)
    }
    const [one] = await H.processAll('GET')(at('/a') as unknown as ReadonlyArray<H.Request>)()
    assert.ok(one !== undefined && E.isLeft(one))
    assert.match(one.left.message, /not one Request \(put it in an array\)$/)
    const [long] = await H.processAll('GET')('x'.repeat(10_000) as unknown as ReadonlyArray<H.Request>)()
    assert.ok(long !== undefined && E.isLeft(long) && long.left.message.length < 200, 'a long value is cut')
  })

  test('an empty list is []', async () => {
    assert.deepStrictEqual(await H.processAll('GET')([])(), [])
    assert.deepStrictEqual(await H.processAll('GET', { concurrency: 0 })([])(), [])
  })

  test('throwing getters (options, elements, the array) and a throwing clock: Lefts, never a rejection', async () => {
    await fresh()
    const trap = new Proxy(
      {},
      {
        get: () => {
          throw new Error('trap')
        },
      },
    )
    const getterOptions = Object.defineProperty({}, 'env', {
      enumerable: true,
      get: () => {
        throw new Error('env getter')
      },
    })
    const throwingArray = Object.defineProperty([at('/a'), at('/b')], 1, {
      get: () => {
        throw new Error('index getter')
      },
    })
    const clock = {
      now: () => {
        throw new Error('clock')
      },
    }
    const cases: ReadonlyArray<Promise<ReadonlyArray<E.Either<H.ClientError, H.HttpResponse>>>> = [
      H.processAll('GET', getterOptions)(two())(),
      H.processAll('GET')([trap as H.Request, at('/a')])(),
      H.processAll('GET')(throwingArray)(),
      H.processAll('GET', { perSecond: 10, env: clock })(two())(),
      H.processAll('GET', trap as H.ProcessAllOptions)(two())(),
      H.processAll(trap as string)(two())(),
    ]
    for (const p of cases) {
      const results = await settlesWithin(p, 30_000, 'processAll')
      assert.ok(results.length >= 1)
      assert.ok(results.every((r) => E.isLeft(r) || r.right.status === 200))
    }
    // the env getter: every result a TransportError naming processAll
    const [first] = await H.processAll('GET', getterOptions)(two())()
    assert.ok(first !== undefined && E.isLeft(first))
    assert.match(first.left.message, /^processAll: unexpected failure: env getter/)
  })
})
