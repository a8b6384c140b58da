/**
 * streamRequest × transports: what keeps applying after the head, while the body is read. The
 * first bytes reach the reader before the server ends (a latch, no timers); the idle limit and
 * the deadline cut a body mid-way, the attempt limit (`setTimeout`) does not; `env.signal`
 * aborts it; a reset, a body shorter than its Content-Length, a size limit passed (declared: no
 * HttpStream; chunked: mid-body) each end the stream with one Left. Run on undici, cross-fetch
 * and global fetch; no time budgets, only safety ceilings.
 */
import assert from 'node:assert/strict'
import type { ServerResponse } from 'node:http'
import { after, describe, test } from 'node:test'
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import * as H from '../../src/index.js'
import { asTag, leftOf, lines, rightOf } from '../execute/helpers.js'
import { closeAllServers, withFaultyServer } from '../support/faulty.js'
import { collect } from '../support/streams.js'
import { useTransports } from '../support/transports.js'
import { settlesWithin } from '../support/wait.js'
import { latch, withStreamServer, type Handler, type StreamServer } from '../execute/streams/server.js'

const CEILING = 30_000
const transports = useTransports()
const timers = new Set<NodeJS.Timeout>()
after(async () => {
  for (const t of timers) clearInterval(t)
  await closeAllServers()
})

type Item = E.Either<H.ClientError, Uint8Array>

const run = (url: string, transport: H.Transport, steps: H.Step = (r) => r, env: H.Env = {}) =>
  settlesWithin(
    pipe(H.newRequest(), H.initialize(url), steps, H.streamRequest('GET', { ...env, transport }))(),
    CEILING,
    'the head',
  )

const open = async (s: StreamServer, transport: H.Transport, steps?: H.Step, env?: H.Env): Promise<H.HttpStream> =>
  rightOf(await run(`${s.url}/s`, transport, steps, env))

/** Every item of a body, under the ceiling. */
const all = (st: H.HttpStream): Promise<Item[]> => settlesWithin(collect(st.body), CEILING, 'reading the body')

/** The Rights of items as one Buffer, and the one Left that must end them. */
const split = (items: ReadonlyArray<Item>): { bytes: Buffer; left: H.ClientError } => {
  const last = items.at(-1)
  assert.ok(last !== undefined && E.isLeft(last), `the stream must end with a Left (${items.length} items)`)
  const rights = items.slice(0, -1)
  assert.ok(rights.every(E.isRight), 'only the last item is a Left')
  return { bytes: Buffer.concat(rights.map((r) => rightOf(r))), left: leftOf(last) }
}

/** A body of `n` chunks `chunk-i;` sent `everyMs` apart, then the end (never, when n is Infinity). */
const trickle =
  (n: number, everyMs: number): Handler =>
  (_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/plain' })
    let i = 0
    const t = setInterval(() => {
      if (res.destroyed) return void (clearInterval(t), timers.delete(t))
      if (i === n) return void (clearInterval(t), timers.delete(t), res.end())
      res.write(`chunk-${i++};`)
    }, everyMs)
    timers.add(t)
  }

/** A head and `first`, then nothing until the connection is gone. */
const stalls =
  (first: string): Handler =>
  (_req, res: ServerResponse) => {
    res.writeHead(200, { 'Content-Type': 'text/plain' })
    res.write(first)
  }

for (const [name, transport] of transports)
  describe(`streamRequest on ${name}: while the body is read`, () => {
    test('the first bytes arrive before the body ends (the server waits for the reader to have them)', async () => {
      const got = latch()
      let ended = false
      await withStreamServer(
        (_req, res) => {
          res.writeHead(200, { 'Content-Type': 'text/plain' })
          res.write('first;')
          void got.promise.then(() => {
            ended = true
            res.end('last')
          })
        },
        async (s) => {
          const st = await open(s, transport)
          const it = st.body[Symbol.asyncIterator]()
          let text = ''
          while (!text.includes('first;')) {
            const r = await settlesWithin(it.next(), CEILING, 'the first bytes')
            assert.equal(r.done, false, 'the body ended before the server did')
            text += Buffer.from(rightOf(r.value as Item)).toString()
          }
          assert.equal(ended, false)
          got.open()
          for (;;) {
            const r = await settlesWithin(it.next(), CEILING, 'the rest')
            if (r.done === true) break
            text += Buffer.from(rightOf(r.value)).toString()
          }
          assert.equal(text, 'first;last')
          assert.equal((await it.next()).done, true)
        },
      )
    })

    test('a body that stops mid-way is a Timeout idle, after the bytes that came', async () => {
      await withStreamServer(stalls('some;'), async (s) => {
        const st = await open(s, transport, H.setIdleTimeout(300))
        const { bytes, left } = split(await all(st))
        assert.equal(bytes.toString(), 'some;')
        assert.equal(asTag(left, 'Timeout').limit, 'idle')
        // the error's log goes on from the stream's: the head, then why the body ended
        const log = lines(left)
        assert.deepEqual(log.slice(0, st.log.length), lines(st))
        assert.ok(
          log.slice(st.log.length).some((l) => /timeout \(idle\)/.test(l)),
          log.join('\n'),
        )
        await settlesWithin(s.allClosed(), CEILING, 'the server seeing the socket close')
      })
    })

    test('setTimeout (one attempt) bounds the head only: a stream whose bytes keep coming outlives it', async () => {
      await withStreamServer(trickle(12, 60), async (s) => {
        const st = await open(s, transport, H.setTimeout(300))
        const items = await all(st)
        assert.ok(items.every(E.isRight), `a Left: ${JSON.stringify(items.find(E.isLeft))}`)
        const text = Buffer.concat(items.map((r) => rightOf(r))).toString()
        assert.equal(text, Array.from({ length: 12 }, (_, i) => `chunk-${i};`).join(''))
      })
    })

    test('setDeadline cuts a stream whose bytes keep coming: Timeout deadline', async () => {
      await withStreamServer(trickle(Number.POSITIVE_INFINITY, 50), async (s) => {
        const st = await open(s, transport, H.setDeadline(600))
        const { bytes, left } = split(await all(st))
        assert.ok(bytes.toString().startsWith('chunk-0;'))
        assert.equal(asTag(left, 'Timeout').limit, 'deadline')
        await settlesWithin(s.allClosed(), CEILING, 'the server seeing the socket close')
      })
    })

    test('env.signal aborted mid-body: TransportError ABORTED, the socket closed', async () => {
      const controller = new AbortController()
      await withStreamServer(stalls('some;'), async (s) => {
        const st = await open(s, transport, (r) => r, { signal: controller.signal })
        const it = st.body[Symbol.asyncIterator]()
        const first = await settlesWithin(it.next(), CEILING, 'the first bytes')
        assert.equal(Buffer.from(rightOf(first.value as Item)).toString(), 'some;')
        controller.abort()
        const r = await settlesWithin(it.next(), CEILING, 'the read after the abort')
        assert.equal(r.done, false)
        assert.equal(asTag(leftOf(r.value as Item), 'TransportError').cause, 'ABORTED')
        assert.equal((await it.next()).done, true)
        await settlesWithin(s.allClosed(), CEILING, 'the server seeing the socket close')
      })
    })

    test('env.signal aborted after the head, before the first read: that read is TransportError ABORTED', async () => {
      const controller = new AbortController()
      await withStreamServer(stalls('some;'), async (s) => {
        const st = await open(s, transport, (r) => r, { signal: controller.signal })
        controller.abort()
        await settlesWithin(s.allClosed(), CEILING, 'the server seeing the socket close')
        const items = await all(st)
        assert.equal(items.length, 1)
        assert.equal(asTag(leftOf(items[0] as Item), 'TransportError').cause, 'ABORTED')
      })
    })

    test('env.signal aborted before the run: a Left ABORTED, no stream', async () => {
      await withStreamServer(stalls('some;'), async (s) => {
        const r = await run(`${s.url}/s`, transport, (r) => r, { signal: AbortSignal.abort() })
        assert.equal(asTag(leftOf(r), 'TransportError').cause, 'ABORTED')
      })
    })

    test('a reset mid-body is a TransportError after the bytes that came', async () => {
      await withFaultyServer('reset-mid-body', async (s) => {
        const st = rightOf(await run(`${s.url}/x`, transport))
        assert.equal(st.status, 200)
        const { bytes, left } = split(await all(st))
        assert.ok(bytes.length <= 100 && /^x*$/.test(bytes.toString()))
        asTag(left, 'TransportError')
      })
    })

    test('a body shorter than its Content-Length (then a FIN) is a Left, not a short Right', async () => {
      await withFaultyServer('short-body-fin', async (s) => {
        const st = rightOf(await run(`${s.url}/x`, transport, H.setIdleTimeout(500)))
        const { bytes, left } = split(await all(st))
        assert.ok(bytes.length <= 10)
        // node-fetch v2 (cross-fetch) never checks Content-Length: its body just stops, until the
        // idle limit (as test/transport/faults.test.ts has it for processRequest)
        if (name === 'cross-fetch' && left._tag === 'Timeout') assert.equal(left.limit, 'idle')
        else asTag(left, 'TransportError')
      })
    })

    test('a Content-Length over setMaxResponseSize: ResponseTooLarge instead of a stream', async () => {
      await withStreamServer(
        (_req, res) => {
          res.writeHead(200, { 'Content-Length': '5000' })
          res.end(Buffer.alloc(5000))
        },
        async (s) => {
          const e = asTag(leftOf(await run(`${s.url}/s`, transport, H.setMaxResponseSize(1000))), 'ResponseTooLarge')
          assert.equal(e.limit, 1000)
          assert.equal(s.count(), 1)
        },
      )
    })

    test('a chunked body past setMaxResponseSize: ResponseTooLarge mid-stream, the socket closed', async () => {
      await withStreamServer(
        (_req, res) => {
          res.writeHead(200, { 'Content-Type': 'application/octet-stream' })
          const chunk = Buffer.alloc(1024, 3)
          const pump = (): void => {
            while (!res.destroyed && res.write(chunk));
          }
          res.on('drain', pump)
          pump()
        },
        async (s) => {
          const st = await open(s, transport, H.setMaxResponseSize(100_000))
          const { bytes, left } = split(await all(st))
          assert.ok(bytes.length <= 100_000, `${bytes.length} bytes handed over past the limit`)
          assert.equal(asTag(left, 'ResponseTooLarge').limit, 100_000)
          await settlesWithin(s.allClosed(), CEILING, 'the server seeing the socket close')
        },
      )
    })
  })
