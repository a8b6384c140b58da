/**
 * The same event-stream and NDJSON bytes sent over a loopback connection in random pieces (each
 * written as its own chunk, a tick apart) give what the bytes read at once give (fast-check):
 * the network may split a line, a CRLF or a UTF-8 character anywhere.
 */
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { setImmediate as tick } from 'node:timers/promises'
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import fc from 'fast-check'

import * as H from '../../src/index.js'
import { collect, cutAt, plain, streamOf, utf8 } from '../support/streams.js'

/** What the server sends next: the body and the pieces to write it in, set by each run. */
let next: { readonly type: string; readonly pieces: ReadonlyArray<Uint8Array> } = { type: 'text/plain', pieces: [] }
let server: Server
let url = ''

before(async () => {
  server = createServer((_req, res) => {
    const { type, pieces } = next
    res.writeHead(200, { 'Content-Type': type })
    void (async () => {
      for (const piece of pieces) {
        res.write(piece)
        await tick()
      }
      res.end()
    })()
  })
  server.listen(0, '127.0.0.1')
  await new Promise((r) => server.once('listening', r))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
})
after(() => new Promise<void>((r) => server.close(() => r())))

const overLoopback = async <X>(
  type: string,
  pieces: ReadonlyArray<Uint8Array>,
  read: (s: H.HttpStream) => AsyncIterable<E.Either<H.ClientError, X>>,
): Promise<unknown[]> => {
  next = { type, pieces }
  const s = await pipe(H.newRequest(), H.initialize(url), H.streamRequest('GET'))()
  assert.ok(E.isRight(s), 'the head arrives')
  return (await collect(read(s.right))).map(plain)
}

const atOnce = async <X>(
  bytes: Uint8Array,
  read: (s: H.HttpStream) => AsyncIterable<E.Either<H.ClientError, X>>,
): Promise<unknown[]> => (await collect(read(streamOf([bytes]).stream))).map(plain)

const text = fc.string({ unit: 'grapheme', maxLength: 10 }).map((s) => s.replace(/[\r\n]/g, ''))
const cuts = fc.array(fc.nat(200), { maxLength: 12 })

test('NDJSON in random pieces over the network reads as the whole bytes do (fast-check)', async () => {
  const line = fc.record({
    value: fc.oneof(text, fc.integer(), fc.dictionary(text, text, { maxKeys: 2 })),
    end: fc.constantFrom('\n', '\r\n'),
    blank: fc.constantFrom('', '\n'),
  })
  await fc.assert(
    fc.asyncProperty(fc.array(line, { maxLength: 8 }), cuts, async (lines, at) => {
      const bytes = utf8(lines.map((l) => JSON.stringify(l.value) + l.end + l.blank).join(''))
      const whole = await atOnce(bytes, H.asNdjson())
      assert.equal(whole.length, lines.length)
      assert.deepStrictEqual(await overLoopback('application/x-ndjson', cutAt(bytes, at), H.asNdjson()), whole)
    }),
    { numRuns: 25 },
  )
})

test('an event stream in random pieces over the network reads as the whole bytes do (fast-check)', async () => {
  const field = fc.oneof(
    text.map((v) => `data: ${v}`),
    text.map((v) => `event: ${v}`),
    text.map((v) => `id: ${v}`),
    fc.nat(100_000).map((n) => `retry: ${n}`),
    text.map((v) => `: ${v}`),
    fc.constant('data'),
  )
  const eol = fc.constantFrom('\n', '\r', '\r\n')
  const block = fc.tuple(fc.array(fc.tuple(field, eol), { minLength: 1, maxLength: 4 }), eol)
  await fc.assert(
    fc.asyncProperty(fc.boolean(), fc.array(block, { maxLength: 6 }), cuts, async (bom, blocks, at) => {
      const body = (bom ? '\ufeff' : '') + blocks.map(([ls, end]) => ls.map(([l, e]) => l + e).join('') + end).join('')
      const bytes = utf8(body)
      const whole = await atOnce(bytes, H.asEventStream())
      assert.deepStrictEqual(await overLoopback('text/event-stream', cutAt(bytes, at), H.asEventStream()), whole)
    }),
    { numRuns: 25 },
  )
})
