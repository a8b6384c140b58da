/**
 * asJsonByStatus against the echo server's small JSON API (`/users/:id`, `/users`) and its
 * `/status/:code`: the decoder of the most specific key, an empty body as `undefined`, a status
 * with no case, a mismatch naming the status, and hostile cases.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import * as E from 'fp-ts/Either'
import * as TE from 'fp-ts/TaskEither'
import { pipe } from 'fp-ts/function'
import * as t from 'io-ts'
import * as H from '../../src/index.js'
import { useEchoServer } from '../support/fixtures.js'

const echo = useEchoServer()

const User = t.type({ id: t.number, name: t.string }, 'User')
const Problem = t.type({ title: t.string }, 'Problem')
const Status = t.type({ status: t.number }, 'Status')

const call = (path: string, method: H.Method = 'GET') =>
  pipe(H.newRequest(), H.initialize(`${echo.url}${path}`), H.processRequest(method))

const rightOf = <A>(e: E.Either<H.ClientError, A>): A => {
  if (E.isLeft(e)) assert.fail(`expected Right, got ${e.left._tag}: ${e.left.message}`)
  return e.right
}
const leftOf = <A>(e: E.Either<H.ClientError, A>): H.ClientError => {
  if (E.isRight(e)) assert.fail(`expected Left, got ${JSON.stringify(e.right)}`)
  return e.left
}

describe('asJsonByStatus', () => {
  const cases = { 200: User, 404: Problem, '4XX': Status, default: t.unknown }

  test('each status is decoded by the most specific case: its own key, its class, then default', async () => {
    const read = (path: string) => pipe(call(path), TE.flatMapEither(H.asJsonByStatus(cases)))()
    assert.deepStrictEqual(rightOf(await read('/users/7')), { status: 200, body: { id: 7, name: 'User 7' } })
    const missing = rightOf(await read('/users/0'))
    assert.equal(missing.status, 404)
    assert.equal((missing.body as { title: string }).title, 'Not Found') // the 404 case, not 4XX
    assert.deepStrictEqual(rightOf(await read('/status/422')), { status: 422, body: { status: 422 } })
    assert.deepStrictEqual(rightOf(await read('/status/503')), { status: 503, body: { status: 503 } })
  })

  test('the class case takes a status its own key does not name, and a class never takes another class', async () => {
    const only4 = H.asJsonByStatus({ '4XX': Status })
    assert.deepStrictEqual(rightOf(await pipe(call('/status/418'), TE.flatMapEither(only4))()), {
      status: 418,
      body: { status: 418 },
    })
    const err = leftOf(await pipe(call('/status/500'), TE.flatMapEither(only4))())
    assert.equal(err._tag, 'StatusError')
    if (err._tag === 'StatusError') {
      assert.equal(err.status, 500)
      assert.equal(err.response.status, 500) // carries the response
      assert.match(err.message, /no case for status 500/)
    }
  })

  test('an empty body is decoded as undefined (a 204 with t.undefined)', async () => {
    const res = rightOf(
      await pipe(call('/users/7', 'DELETE'), TE.flatMapEither(H.asJsonByStatus({ 204: t.undefined, 404: Problem })))(),
    )
    assert.deepStrictEqual(res, { status: 204, body: undefined })
    // and an empty body is no object: a 204 decoded with a type of object is a DecodeError
    const err = leftOf(await pipe(call('/users/7', 'DELETE'), TE.flatMapEither(H.asJsonByStatus({ 204: User })))())
    assert.equal(err._tag, 'DecodeError')
  })

  test('a body that does not match its case is a DecodeError naming the status and the codec', async () => {
    const err = leftOf(await pipe(call('/users/0'), TE.flatMapEither(H.asJsonByStatus({ 200: User, '4XX': User })))())
    assert.equal(err._tag, 'DecodeError')
    assert.match(err.message, /the 404 body \(case 4XX\) does not match User: id: expected number/)
  })

  test('a body that is not JSON is a ParseError', async () => {
    const bytes = leftOf(await pipe(call('/bytes/64'), TE.flatMapEither(H.asJsonByStatus({ 200: t.unknown })))())
    assert.equal(bytes._tag, 'ParseError')
  })

  test('hostile cases and inputs are InvalidInput naming asJsonByStatus, never a throw', async () => {
    const res = rightOf(await call('/users/7')())
    const bad: ReadonlyArray<unknown> = [
      null,
      [],
      'x',
      {},
      { 99: User },
      { 1000: User },
      { '0200': User },
      { '6XX': User },
      { '2xx': User },
      { 200: { decode: 1 } },
      { 200: null },
      { ok: User },
      new Proxy(
        {},
        {
          ownKeys: () => {
            throw new Error('no keys')
          },
        },
      ),
    ]
    for (const [i, c] of bad.entries()) {
      const err = leftOf(H.asJsonByStatus(c as H.StatusCases)(res))
      assert.equal(err._tag, 'InvalidInput', `case ${i}`)
      if (err._tag === 'InvalidInput') assert.equal(err.step, 'asJsonByStatus')
    }
    const throwing = {
      200: {
        name: 'Throws',
        decode: () => {
          throw new Error('boom')
        },
      },
    }
    const err = leftOf(H.asJsonByStatus(throwing as unknown as H.StatusCases)(res))
    assert.equal(err._tag, 'InvalidInput')
    assert.match(err.message, /boom/)
    // decoders that answer with something else than a Validation, throw what cannot be shown, or change when read again
    let reads = 0
    const hostile: ReadonlyArray<unknown> = [
      { 200: { decode: () => undefined } },
      { 200: { decode: () => ({ _tag: 'Left', left: 5 }) } },
      {
        200: {
          decode: () => {
            throw Object.create(null)
          },
        },
      },
      {
        get 200() {
          if (reads++ > 0) throw new Error('read twice')
          return t.unknown
        },
      },
    ]
    for (const [i, c] of hostile.entries()) {
      const r = H.asJsonByStatus(c as H.StatusCases)(res)
      if (i === 3) assert.ok(E.isRight(r), 'a getter is read once')
      else assert.equal(leftOf(r)._tag, 'InvalidInput', `hostile ${i}`)
    }
    for (const notRes of [null, undefined, {}, E.right(res), 'x'])
      assert.equal(leftOf(H.asJsonByStatus({ 200: User })(notRes as H.HttpResponse))._tag, 'InvalidInput')
  })

  test('a body saved to a file is not read as JSON: InvalidInput naming the file', () => {
    const res = { ...rightOfSync(), file: '/tmp/x.json' }
    const err = leftOf(H.asJsonByStatus({ 200: User })(res))
    assert.equal(err._tag, 'InvalidInput')
    assert.match(err.message, /saved to \/tmp\/x\.json/)
  })
})

/** A response value as a transport gives it (status 200, a JSON body). */
const rightOfSync = (): H.HttpResponse => ({
  _tag: 'HttpResponse',
  status: 200,
  statusText: 'OK',
  headers: { 'content-type': 'application/json' },
  rawHeaders: [['content-type', 'application/json']],
  url: 'http://127.0.0.1:1/x',
  body: new TextEncoder().encode('{"id":1,"name":"a"}'),
  file: null,
  redirects: 0,
  attempts: 1,
  timings: { start: 0, headers: 1, end: 2, total: 2 },
  log: [],
})
