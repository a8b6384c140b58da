/**
 * Type tests of the streams (streamRequest, asNdjson, asEventStream, streamEvents, paginate):
 * checked by the compiler (`npm run typecheck`, part of `npm test`), where an `Equal` that does
 * not hold or a `@ts-expect-error` with no error fails the build. The runtime assertions at the
 * end check that the values the types describe are the ones that arrive.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as E from 'fp-ts/Either'
import type * as TE from 'fp-ts/TaskEither'
import { pipe } from 'fp-ts/function'
import * as t from 'io-ts'

import * as H from '../src/index.js'
import { useEchoServer } from './support/fixtures.js'

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false
const expectType = <T extends true>(): T => true as T

type Items<S> = S extends AsyncIterable<infer X> ? X : never

const Item = t.type({ id: t.number, name: t.string })
type Item = t.TypeOf<typeof Item>
const Tick = t.type({ n: t.number })
type Tick = t.TypeOf<typeof Tick>
const req = H.newRequest()

/** The type checks: compiled, never called (the values are made up). */
const typeChecks = (s: H.HttpStream): void => {
  // ---- streamRequest: a TaskEither of an HttpStream whose body is bytes or the error that ends it
  const streamed = H.streamRequest('GET')(req)
  expectType<Equal<typeof streamed, TE.TaskEither<H.ClientError, H.HttpStream>>>()
  expectType<Equal<Items<typeof s.body>, E.Either<H.ClientError, Uint8Array>>>()
  expectType<Equal<typeof s.file, null>>()
  // @ts-expect-error a stream has no bytes to read at once: it is read with for await
  s.body.byteLength

  // ---- asNdjson / asEventStream: unknown or string without a codec, the codec's type with one
  expectType<Equal<Items<ReturnType<ReturnType<typeof H.asNdjson>>>, E.Either<H.ClientError, unknown>>>()
  const lines = H.asNdjson(Item)(s)
  expectType<Equal<Items<typeof lines>, E.Either<H.ClientError, Item>>>()
  const plain = H.asEventStream()(s)
  expectType<Equal<Items<typeof plain>, E.Either<H.ClientError, H.ServerSentEvent>>>()
  expectType<Equal<H.ServerSentEvent['data'], string>>()
  const ticks = H.asEventStream(Tick)(s)
  expectType<Equal<Items<typeof ticks>, E.Either<H.ClientError, H.ServerSentEvent<Tick>>>>()
  // @ts-expect-error a stream reader reads an HttpStream, not an HttpResponse
  H.asNdjson()(null as unknown as H.HttpResponse)

  // ---- streamEvents: string data without a codec, the codec's type with one
  const events = pipe(req, H.streamEvents())
  expectType<Equal<Items<typeof events>, E.Either<H.ClientError, H.ServerSentEvent<string>>>>()
  const typed = pipe(req, H.streamEvents({ codec: Tick, maxReconnects: 3 }))
  expectType<Equal<Items<typeof typed>, E.Either<H.ClientError, H.ServerSentEvent<Tick>>>>()
  // @ts-expect-error an option that does not exist
  H.streamEvents({ reconnects: 3 })
  // @ts-expect-error maxReconnects is a number
  H.streamEvents({ maxReconnects: '3' })

  // ---- paginate: pages as responses; next returns an Option of the next Request
  const pages = pipe(req, H.paginate({ maxPages: 5, next: H.nextLink }))
  expectType<Equal<Items<typeof pages>, E.Either<H.ClientError, H.HttpResponse>>>()
  // @ts-expect-error next must return an Option of a Request, not a URL
  H.paginate({ next: () => 'http://127.0.0.1/next' })
  // @ts-expect-error crossOrigin is a boolean
  H.paginate({ crossOrigin: 'yes' })
}

const echo = useEchoServer()

test('the values arrive with the types the stream functions give them', async () => {
  assert.equal(typeof typeChecks, 'function')
  const api = pipe(H.newRequest(), H.setBaseUrl(echo.url))
  const got: Item[] = []
  const res = await pipe(api, H.setUrl('/ndjson/2'), H.streamRequest('GET'))()
  assert.ok(E.isRight(res))
  for await (const line of H.asNdjson(Item)(res.right)) if (E.isRight(line)) got.push(line.right)
  assert.deepStrictEqual(
    got.map((i) => i.name),
    ['item 1', 'item 2'],
  )
  const ns: number[] = []
  for await (const e of pipe(api, H.setUrl('/events?count=2'), H.streamEvents({ codec: Tick })))
    if (E.isRight(e)) ns.push(e.right.data.n)
  assert.deepStrictEqual(ns, [1, 2])
  let n = 0
  for await (const page of pipe(api, H.setUrl('/pages?pages=2'), H.paginate())) if (E.isRight(page)) n++
  assert.equal(n, 2)
})
