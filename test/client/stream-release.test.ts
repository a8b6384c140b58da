/**
 * streamRequest × transports: what a stream lets go. A reader that stops early (`break`,
 * `return()`, even with a read pending) drops the connection at once (the server sees its socket
 * close) and the next request goes through; a body read to its end leaves its connection in the
 * pool; a stream nobody reads does not pin a socket past the idle limit (the server sees it
 * close, nothing is left listening on env.signal, and a later read is a Timeout `idle`). Run on
 * undici, cross-fetch and global fetch; no time budgets, only safety ceilings (a hang fails
 * there).
 */
import assert from 'node:assert/strict'
import { getEventListeners } from 'node:events'
import { describe, test } from 'node:test'
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import * as H from '../../src/index.js'
import { asTag, leftOf, rightOf } from '../execute/helpers.js'
import { useTransports } from '../support/transports.js'
import { collect } from '../support/streams.js'
import { settlesWithin } from '../support/wait.js'
import { openStream as open, withStreamServer } from '../execute/streams/server.js'

const CEILING = 30_000
const transports = useTransports()

/** An answer that never ends: a chunk of `size` bytes whenever the socket takes more. */
const endless =
  (size = 16 * 1024) =>
  (_req: unknown, res: import('node:http').ServerResponse): void => {
    res.writeHead(200, { 'Content-Type': 'application/octet-stream' })
    const chunk = Buffer.alloc(size, 7)
    const pump = (): void => {
      while (!res.destroyed && res.write(chunk));
    }
    res.on('drain', pump)
    pump()
  }

for (const [name, transport] of transports)
  describe(`streamRequest on ${name}: the connection is released`, () => {
    test('a break out of for await closes the socket while the server still sends', async () => {
      await withStreamServer(endless(), async (s) => {
        const st = await open(s, transport)
        let got = 0
        for await (const c of st.body) {
          got += rightOf(c).byteLength
          if (got > 100_000) break
        }
        await settlesWithin(s.allClosed(), CEILING, 'the server seeing the socket close')
        assert.ok(st.log.some((l) => l.message.startsWith('head received')))
      })
    })

    test('return() before the first next() closes the socket too', async () => {
      await withStreamServer(endless(), async (s) => {
        const st = await open(s, transport)
        const it = st.body[Symbol.asyncIterator]()
        const r = await it.return?.()
        assert.equal(r?.done, true)
        await settlesWithin(s.allClosed(), CEILING, 'the server seeing the socket close')
        // and the iterator is over
        assert.equal((await it.next()).done, true)
      })
    })

    test('return() while a read is pending: the read settles, the socket closes', async () => {
      await withStreamServer(
        (_req, res) => res.writeHead(200, { 'Content-Type': 'text/plain' }).flushHeaders(),
        async (s) => {
          const st = await open(s, transport)
          const it = st.body[Symbol.asyncIterator]()
          const pending = it.next()
          await new Promise((r) => setImmediate(r))
          await it.return?.()
          const r = await settlesWithin(pending, CEILING, 'the pending read')
          assert.equal(r.done, true)
          await settlesWithin(s.allClosed(), CEILING, 'the server seeing the socket close')
        },
      )
    })

    test('a stream nobody reads does not pin the socket past the idle limit; a later read is Timeout idle', async () => {
      await withStreamServer(endless(), async (s) => {
        const st = await open(s, transport, H.setIdleTimeout(1_000)) // long enough for the head on a busy machine
        await settlesWithin(s.allClosed(), CEILING, 'the server seeing the unread socket close')
        const items = await settlesWithin(collect(st.body), CEILING, 'reading the timed-out stream')
        const last = items.at(-1)
        assert.ok(last !== undefined && E.isLeft(last), 'the stream ends with a Left')
        const e = asTag(leftOf(last), 'Timeout')
        assert.equal(e.limit, 'idle')
        assert.ok(items.slice(0, -1).every(E.isRight), 'only the last item is a Left')
      })
    })

    test('a stream nobody reads lets go of env.signal once the idle limit fired (nothing left listening on it)', async () => {
      const controller = new AbortController()
      await withStreamServer(endless(), async (s) => {
        const st = await open(s, transport, H.setIdleTimeout(1_000), { signal: controller.signal })
        assert.equal(getEventListeners(controller.signal, 'abort').length, 1, 'the run listens while the body is open')
        await settlesWithin(s.allClosed(), CEILING, 'the server seeing the unread socket close')
        assert.equal(getEventListeners(controller.signal, 'abort').length, 0, 'a listener left on env.signal')
        const items = await settlesWithin(collect(st.body), CEILING, 'reading the timed-out stream')
        assert.equal(asTag(leftOf(items.at(-1) as E.Either<H.ClientError, Uint8Array>), 'Timeout').limit, 'idle')
      })
    })

    test('a body read to its end leaves its connection to be used again (not dropped)', async () => {
      await withStreamServer(
        (_req, res) => res.end('x'.repeat(10_000)),
        async (s) => {
          for (let i = 0; i < 3; i++) {
            const st = await open(s, transport)
            const items = await settlesWithin(collect(st.body), CEILING, 'the body')
            assert.equal(Buffer.concat(items.map((r) => rightOf(r))).length, 10_000)
          }
          assert.equal(s.count(), 3)
          // a pool may open a second connection while the first is being given back, never one per stream
          assert.ok(s.accepted() < 3, `${s.accepted()} connections for 3 streams read to their end`)
        },
      )
    })

    test('after a break, the next request to the same server goes through', async () => {
      await withStreamServer(
        (req, res) => (req.url === '/done' ? res.end('done') : endless()(req, res)),
        async (s) => {
          const st = await open(s, transport)
          for await (const c of st.body) if (rightOf(c).byteLength > 0) break
          const r = rightOf(
            await settlesWithin(
              H.processRequest('GET', { transport })(pipe(H.newRequest(), H.initialize(`${s.url}/done`)))(),
              CEILING,
              'the next request',
            ),
          )
          assert.equal(Buffer.from(r.body).toString(), 'done')
        },
      )
    })
  })
