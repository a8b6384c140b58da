/**
 * streamRequest × transports: what a stream holds while it is read, and what it lets go. A
 * reader that stops early (`break`, `return()`) drops the connection at once (the server sees
 * its socket close); a stream nobody reads does not pin a socket past the idle limit (the
 * server sees it close, and a later read is a Timeout `idle`); a slow reader slows the server
 * (its writes block while the client has read a bounded number of bytes), and the bytes still
 * arrive whole once it reads on. Run on undici, cross-fetch and global fetch; no time budgets,
 * only safety ceilings (a hang fails there).
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { getEventListeners } from 'node:events'
import { gzipSync } from 'node:zlib'
import { describe, test } from 'node:test'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import * as H from '../../src/index.js'
import { asTag, leftOf, rightOf } from '../execute/helpers.js'
import { useTransports } from '../support/transports.js'
import { collect } from '../support/streams.js'
import { settlesWithin, waitFor } from '../support/wait.js'
import { withStreamServer, type StreamServer } from '../execute/streams/server.js'

const CEILING = 30_000
setFlagsFromString('--expose_gc')
/** A full garbage collection (what is still held after it is held by someone). */
const gc = runInNewContext('gc') as () => void
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

let made: { readonly plain: Buffer; readonly gz: Buffer } | null = null
/** 24 MiB of random bytes and their gzip (as large: nothing to compress), made once for the file. */
const incompressible = (): { readonly plain: Buffer; readonly gz: Buffer } => {
  if (made !== null) return made
  const plain = randomBytes(24 * 1024 * 1024)
  return (made = { plain, gz: gzipSync(plain, { level: 1 }) })
}

const open = async (
  s: StreamServer,
  transport: H.Transport,
  steps: H.Step = (r) => r,
  env: H.Env = {},
): Promise<H.HttpStream> =>
  rightOf(
    await settlesWithin(
      pipe(H.newRequest(), H.initialize(`${s.url}/s`), steps, H.streamRequest('GET', { ...env, transport }))(),
      CEILING,
      'the head',
    ),
  )

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
        const st = await open(s, transport, H.setIdleTimeout(300))
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
        const st = await open(s, transport, H.setIdleTimeout(300), { signal: controller.signal })
        assert.equal(getEventListeners(controller.signal, 'abort').length, 1, 'the run listens while the body is open')
        await settlesWithin(s.allClosed(), CEILING, 'the server seeing the unread socket close')
        assert.equal(getEventListeners(controller.signal, 'abort').length, 0, 'a listener left on env.signal')
        const items = await settlesWithin(collect(st.body), CEILING, 'reading the timed-out stream')
        assert.equal(asTag(leftOf(items.at(-1) as E.Either<H.ClientError, Uint8Array>), 'Timeout').limit, 'idle')
      })
    })

    test('backpressure: a reader that stops asking blocks the server, which goes on once it reads again', async (t) => {
      const TOTAL = 48 * 1024 * 1024
      const CHUNK = 64 * 1024
      let written = 0
      let waiting = false
      let drains = 0
      await withStreamServer(
        (_req, res) => {
          res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': String(TOTAL) })
          const chunk = Buffer.alloc(CHUNK, 1)
          const pump = (): void => {
            waiting = false
            while (written < TOTAL) {
              written += CHUNK
              if (!res.write(chunk)) return void (waiting = true)
            }
            res.end()
          }
          res.on('drain', () => (drains++, pump()))
          pump()
        },
        async (s) => {
          const st = await open(s, transport)
          const it = st.body[Symbol.asyncIterator]()
          const first = await it.next()
          assert.equal(first.done, false)
          let read = rightOf(first.value as E.Either<H.ClientError, Uint8Array>).byteLength
          // the reader asks for nothing more for a while: the socket's buffers fill, then the server waits
          await new Promise((r) => setTimeout(r, 300))
          await waitFor(() => waiting, CEILING, 'the server blocked')
          const held = written
          t.diagnostic(`the server wrote ${held} bytes (${drains} drains) while the reader had read ${read}`)
          assert.ok(held <= 16 * 1024 * 1024, `the server wrote ${held} bytes to a reader that read ${read}`)
          // reading on drains it all, byte for byte
          for (;;) {
            const r = await settlesWithin(it.next(), CEILING, 'the next chunk')
            if (r.done === true) break
            read += rightOf(r.value).byteLength
          }
          assert.equal(read, TOTAL)
          assert.equal(written, TOTAL)
          assert.ok(drains > 0, 'the server waited for the reader at least once')
        },
      )
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

    test('backpressure through the decoder: a gzip body read slowly blocks the server too', async (t) => {
      const { plain, gz } = incompressible()
      let written = 0
      let waiting = false
      await withStreamServer(
        (_req, res) => {
          res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Encoding': 'gzip' })
          const pump = (): void => {
            waiting = false
            while (written < gz.length) {
              const next = gz.subarray(written, written + 64 * 1024)
              written += next.length
              if (!res.write(next)) return void (waiting = true)
            }
            res.end()
          }
          res.on('drain', pump)
          pump()
        },
        async (s) => {
          const st = await open(s, transport)
          const it = st.body[Symbol.asyncIterator]()
          const first = await it.next()
          const parts: Uint8Array[] = [rightOf(first.value as E.Either<H.ClientError, Uint8Array>)]
          await new Promise((r) => setTimeout(r, 300))
          await waitFor(() => waiting, CEILING, 'the server blocked')
          const held = written
          t.diagnostic(`the server wrote ${held} of ${gz.length} compressed bytes`)
          assert.ok(held <= 12 * 1024 * 1024, `the server wrote ${held} bytes to a reader that read one chunk`)
          for (;;) {
            const r = await settlesWithin(it.next(), CEILING, 'the next chunk')
            if (r.done === true) break
            parts.push(rightOf(r.value))
          }
          assert.ok(Buffer.concat(parts).equals(plain))
        },
      )
    })
    test('memory does not grow with the bytes read: 128 MiB through a stream, a few MiB held', async (t) => {
      const TOTAL = 128 * 1024 * 1024
      await withStreamServer(
        (_req, res) => {
          res.writeHead(200, { 'Content-Length': String(TOTAL) })
          const chunk = Buffer.alloc(64 * 1024, 1)
          let sent = 0
          const pump = (): void => {
            while (sent < TOTAL) {
              sent += chunk.length
              if (!res.write(chunk)) return
            }
            res.end()
          }
          res.on('drain', pump)
          pump()
        },
        async (s) => {
          const st = await open(s, transport)
          /** ArrayBuffers alive after a full collection, when a quarter and when 90% of the body was read */
          const at: number[] = []
          let read = 0
          for await (const c of st.body) {
            read += rightOf(c).byteLength
            if (read > TOTAL * [0.25, 0.9][at.length]!) {
              gc()
              at.push(process.memoryUsage().arrayBuffers)
            }
          }
          const held = (at[1] ?? 0) - (at[0] ?? 0)
          t.diagnostic(`ArrayBuffers grew by ${held} bytes while ${Math.round(TOTAL * 0.65)} bytes were read`)
          assert.equal(read, TOTAL)
          assert.equal(at.length, 2)
          assert.ok(held < 32 * 1024 * 1024, `ArrayBuffers grew by ${held} bytes while the reader dropped what it read`)
        },
      )
    })
  })
