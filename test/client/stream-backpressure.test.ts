/**
 * streamRequest × transports: backpressure end to end, and memory. A reader that stops asking
 * blocks the server (its writes wait, having written a bounded number of bytes while the reader
 * had one chunk), plain or through the gzip decoder, and the bytes arrive whole once it reads
 * on; ArrayBuffers alive after a full collection do not grow while a large body is read and
 * dropped. Run on undici, cross-fetch and global fetch; no time budgets, only safety ceilings.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { gzipSync } from 'node:zlib'
import { describe, test } from 'node:test'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import * as E from 'fp-ts/lib/Either.js'
import * as H from '../../src/index.js'
import { rightOf } from '../execute/helpers.js'
import { useTransports } from '../support/transports.js'
import { settlesWithin, waitFor } from '../support/wait.js'
import { openStream as open, withStreamServer } from '../execute/streams/server.js'

const CEILING = 30_000
setFlagsFromString('--expose_gc')
/** A full garbage collection (what is still held after it is held by someone). */
const gc = runInNewContext('gc') as () => void
/** Two full collections a turn apart: ArrayBuffers are freed by a sweeper that may run behind the first. */
const settled = async (): Promise<void> => {
  gc()
  await new Promise((r) => setImmediate(r))
  gc()
}
const transports = useTransports()

let made: { readonly plain: Buffer; readonly gz: Buffer } | null = null
/** 24 MiB of random bytes and their gzip (as large: nothing to compress), made once for the file. */
const incompressible = (): { readonly plain: Buffer; readonly gz: Buffer } => {
  if (made !== null) return made
  const plain = randomBytes(24 * 1024 * 1024)
  return (made = { plain, gz: gzipSync(plain, { level: 1 }) })
}

for (const [name, transport] of transports)
  describe(`streamRequest on ${name}: backpressure and memory`, () => {
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
    test('memory does not grow with the bytes read: 192 MiB through a stream, a few MiB held', async (t) => {
      const TOTAL = 192 * 1024 * 1024
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
              await settled()
              at.push(process.memoryUsage().arrayBuffers)
            }
          }
          const held = (at[1] ?? 0) - (at[0] ?? 0)
          t.diagnostic(`ArrayBuffers grew by ${held} bytes while ${Math.round(TOTAL * 0.65)} bytes were read`)
          assert.equal(read, TOTAL)
          assert.equal(at.length, 2)
          assert.ok(held < 48 * 1024 * 1024, `ArrayBuffers grew by ${held} bytes while the reader dropped what it read`)
        },
      )
    })
  })
