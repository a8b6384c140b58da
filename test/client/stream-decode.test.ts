/**
 * streamRequest × transports: a compressed answer is decoded as it is read. gzip, deflate and
 * br bodies come out whole and byte for byte; the first decoded bytes reach the reader before
 * the server ends (a latch); a corrupt gzip body is one Left after the head; the size limit
 * counts decoded bytes (a small gzip body that inflates past it is a ResponseTooLarge
 * mid-stream). Run on undici, cross-fetch and global fetch (which decodes by itself).
 */
import assert from 'node:assert/strict'
import { constants, createGzip, deflateSync, gzipSync, brotliCompressSync } from 'node:zlib'
import { describe, test } from 'node:test'
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import * as H from '../../src/index.js'
import { asTag, leftOf, patternBytes, rightOf } from '../execute/helpers.js'
import { collect } from '../support/streams.js'
import { useTransports } from '../support/transports.js'
import { settlesWithin } from '../support/wait.js'
import { latch, openStream as open, withStreamServer } from '../execute/streams/server.js'

const CEILING = 30_000
const transports = useTransports()

type Item = E.Either<H.ClientError, Uint8Array>

const all = (st: H.HttpStream): Promise<Item[]> => settlesWithin(collect(st.body), CEILING, 'reading the body')

/** The bytes of a body that must end without a Left. */
const whole = (items: ReadonlyArray<Item>): Buffer => Buffer.concat(items.map((r) => rightOf(r)))

/** Sends `bytes` with the given Content-Encoding, in 4 KiB writes. */
const encoded = (encoding: string, bytes: Buffer) => (_req: unknown, res: import('node:http').ServerResponse) => {
  res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Encoding': encoding })
  for (let at = 0; at < bytes.length; at += 4096) res.write(bytes.subarray(at, at + 4096))
  res.end()
}

const PLAIN = patternBytes(300_000)
const CODINGS: ReadonlyArray<readonly [string, Buffer]> = [
  ['gzip', gzipSync(PLAIN)],
  ['deflate', deflateSync(PLAIN)],
  ['br', brotliCompressSync(PLAIN)],
]

for (const [name, transport] of transports)
  describe(`streamRequest on ${name}: decompression while the body is read`, () => {
    for (const [coding, bytes] of CODINGS)
      test(`a ${coding} body comes out decoded, byte for byte`, async () => {
        await withStreamServer(encoded(coding, bytes), async (s) => {
          const st = await open(s, transport)
          assert.equal(st.headers['content-encoding'], coding)
          assert.ok(whole(await all(st)).equals(PLAIN))
        })
      })

    test('decoding is incremental: the first decoded bytes arrive before the server ends', async () => {
      const got = latch()
      await withStreamServer(
        (_req, res) => {
          res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Encoding': 'gzip' })
          const gz = createGzip()
          gz.pipe(res)
          gz.write('first;')
          gz.flush(constants.Z_SYNC_FLUSH)
          void got.promise.then(() => gz.end('last'))
        },
        async (s) => {
          const st = await open(s, transport)
          const it = st.body[Symbol.asyncIterator]()
          let text = ''
          while (!text.includes('first;')) {
            const r = await settlesWithin(it.next(), CEILING, 'the first decoded bytes')
            assert.equal(r.done, false)
            text += Buffer.from(rightOf(r.value as Item)).toString()
          }
          got.open()
          for (;;) {
            const r = await settlesWithin(it.next(), CEILING, 'the rest')
            if (r.done === true) break
            text += Buffer.from(rightOf(r.value)).toString()
          }
          assert.equal(text, 'first;last')
        },
      )
    })

    test('a corrupt gzip body: the head, then one Left', async () => {
      const good = gzipSync(PLAIN)
      const bad = Buffer.concat([good.subarray(0, 2000), Buffer.alloc(2000, 0xff), good.subarray(4000)])
      await withStreamServer(encoded('gzip', bad), async (s) => {
        const st = await open(s, transport)
        assert.equal(st.status, 200)
        const items = await all(st)
        const last = items.at(-1)
        assert.ok(last !== undefined && E.isLeft(last), 'the stream ends with a Left')
        assert.ok(items.slice(0, -1).every(E.isRight))
        const e = leftOf(last)
        assert.equal(e._tag, 'TransportError', `${e._tag}: ${e.message}`)
      })
    })

    test('the size limit counts decoded bytes: a small gzip body that inflates past it is ResponseTooLarge', async () => {
      const bomb = gzipSync(Buffer.alloc(8 * 1024 * 1024))
      await withStreamServer(encoded('gzip', bomb), async (s) => {
        const st = await open(s, transport, H.setMaxResponseSize(200_000))
        const items = await all(st)
        const last = items.at(-1)
        assert.ok(last !== undefined && E.isLeft(last), 'the stream ends with a Left')
        const rights = items.slice(0, -1)
        assert.ok(whole(rights).length <= 200_000, `${whole(rights).length} decoded bytes handed over`)
        assert.equal(asTag(leftOf(last), 'ResponseTooLarge').limit, 200_000)
      })
    })
    test('env.onProgress: download progress as the bytes arrive, ending where processRequest ends', async () => {
      const bytes = gzipSync(PLAIN)
      await withStreamServer(
        (_req, res) => {
          res.writeHead(200, { 'Content-Encoding': 'gzip', 'Content-Length': String(bytes.length) })
          res.end(bytes)
        },
        async (s) => {
          const seen: H.Progress[] = []
          const onProgress = (p: H.Progress): void => void seen.push(p)
          const st = await open(s, transport, (r) => r, { onProgress })
          assert.ok(whole(await all(st)).equals(PLAIN))
          const streamed = seen.splice(0)
          assert.ok(streamed.length > 0, 'no download progress')
          assert.ok(streamed.every((p, i) => p.direction === 'download' && p.loaded >= (streamed[i - 1]?.loaded ?? 0)))
          const req = pipe(H.newRequest(), H.initialize(`${s.url}/s`))
          rightOf(
            await settlesWithin(H.processRequest('GET', { transport, onProgress })(req)(), CEILING, 'processRequest'),
          )
          assert.deepEqual(streamed.at(-1), seen.at(-1))
        },
      )
    })
  })
