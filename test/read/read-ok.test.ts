/**
 * readOk(read, ok?): the status checked and the answer read in one step on the TaskEither a run
 * returns. It must give exactly what the chained form gives — `TE.flatMapEither(ensureStatus(ok))`
 * then `TE.flatMapEither(read)` — for every answer of the echo server (checked on the same
 * requests), and nothing hostile may make it throw or reject.
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

const User = t.type({ id: t.number, name: t.string })
const run = (path: string, method: H.Method = 'GET'): TE.TaskEither<H.ClientError, H.HttpResponse> =>
  pipe(H.newRequest(), H.initialize(`${echo.url}${path}`), H.processRequest(method))

/** Errors compared by what a user sees: tag, message and, where there is one, the status. */
const shape = <A>(e: E.Either<H.ClientError, A>): unknown =>
  E.isRight(e)
    ? { right: e.right }
    : { tag: e.left._tag, message: e.left.message, status: 'status' in e.left ? e.left.status : undefined }

describe('readOk', () => {
  const cases: ReadonlyArray<readonly [string, H.ResponseReader<unknown>, ((s: number) => boolean) | undefined]> = [
    ['/users/7', H.asJson(User), undefined],
    ['/users/0', H.asJson(User), undefined], // 404: StatusError
    ['/users/0', H.asJson(), (s) => s === 404], // 404 accepted, read
    ['/status/503', H.asString(), undefined],
    ['/status/204', H.asJson(), undefined], // empty body: {}
    ['/bytes/64', H.asJson(), undefined], // not JSON: ParseError
    ['/get', H.asJson(User), undefined], // JSON that does not match: DecodeError
    ['/bytes/16', (res) => E.right(H.asBinary(res)), undefined],
  ]
  for (const [path, read, ok] of cases)
    test(`${path}: the same as ensureStatus then the reader, chained`, async () => {
      const one = await pipe(run(path), H.readOk(read, ok))()
      const chained = await pipe(run(path), TE.flatMapEither(H.ensureStatus(ok)), TE.flatMapEither(read))()
      assert.deepEqual(shape(one), shape(chained))
    })

  test('a StatusError carries the response, a failed run passes through unchanged', async () => {
    const e = await pipe(run('/users/0'), H.readOk(H.asJson(User)))()
    assert.ok(E.isLeft(e) && e.left._tag === 'StatusError')
    assert.equal(e.left.response.status, 404)
    const refused = await pipe(H.newRequest(), H.processRequest('GET'), H.readOk(H.asJson()))()
    assert.ok(E.isLeft(refused))
    assert.equal(refused.left._tag, 'InvalidInput')
    assert.match(refused.left.message, /no URL/)
  })

  test('hostile readers, predicates and runs are an InvalidInput naming readOk, never a throw or a rejection', async () => {
    const boom = (): never => {
      throw new Error('reader exploded')
    }
    const bad: ReadonlyArray<readonly [() => Promise<E.Either<H.ClientError, unknown>>, RegExp]> = [
      [() => pipe(run('/users/7'), H.readOk(boom))(), /readOk: the reader threw: reader exploded/],
      [() => pipe(run('/users/7'), H.readOk(42 as never))(), /readOk: the reader must be a function/],
      [() => pipe(run('/users/7'), H.readOk(H.asJson(), boom))(), /ensureStatus: the predicate threw/],
      [
        () => pipe(run('/users/7'), H.readOk(H.asJson(), 'x' as never))(),
        /ensureStatus: the predicate must be a function/,
      ],
      [() => H.readOk(H.asJson())(null as never)(), /readOk: the input is not a TaskEither/],
      [
        () => H.readOk(H.asJson())((() => Promise.reject(new Error('nope'))) as never)(),
        /readOk: the run rejected: nope/,
      ],
      [() => H.readOk(H.asJson())(boom as never)(), /readOk: the run threw: reader exploded/],
      [
        () => H.readOk(H.asJson())((() => Promise.resolve(undefined)) as never)(),
        /readOk: the run did not give an Either/,
      ],
      [
        () => H.readOk(H.asJson())((() => Promise.resolve(E.right({ not: 'a response' }))) as never)(),
        /not an HttpResponse|not a response/i,
      ],
    ]
    for (const [go, message] of bad) {
      const r = await go()
      assert.ok(E.isLeft(r), `expected a Left for ${String(message)}`)
      assert.equal(r.left._tag, 'InvalidInput')
      assert.match(r.left.message, message)
    }
  })

  test('the task is lazy: nothing is sent until it is run, and it can run twice', async () => {
    const seen = () => pipe(run('/users/7'), H.readOk(H.asJson(User)))
    const task = seen()
    const [a, b] = [await task(), await task()]
    assert.deepEqual(a, E.right({ id: 7, name: 'User 7' }))
    assert.deepEqual(b, a)
  })
})
