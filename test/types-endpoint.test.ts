/**
 * Type tests of the typed endpoints (setJsonBody with a codec, asJsonByStatus, endpoint,
 * processAll): checked by the compiler (`npm run typecheck`, part of `npm test`), where an
 * `Equal` that does not hold or a `@ts-expect-error` with no error fails the build. The runtime
 * assertions at the end make the file a test the runner counts and check that the values the
 * types describe are the ones that arrive.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as E from 'fp-ts/Either'
import type * as T from 'fp-ts/Task'
import type * as TE from 'fp-ts/TaskEither'
import { flow, pipe } from 'fp-ts/function'
import * as t from 'io-ts'

import * as H from '../src/index.js'
import { useEchoServer } from './support/fixtures.js'

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false
const expectType = <T extends true>(): T => true as T

const User = t.type({ id: t.number, name: t.string }, 'User')
const Problem = t.type({ title: t.string }, 'Problem')
const Invalid = t.type({ errors: t.array(t.type({ field: t.string, message: t.string })) }, 'Invalid')
type User = t.TypeOf<typeof User>
type Problem = t.TypeOf<typeof Problem>
type Invalid = t.TypeOf<typeof Invalid>

// ---- setJsonBody(data, codec): the data is typed by the codec, not the other way round
const NewUser = t.type({ name: t.string, age: t.number })
H.setJsonBody({ name: 'Ann', age: 30 }, NewUser)
// @ts-expect-error a body of the wrong type
H.setJsonBody({ name: 'Ann', age: '30' }, NewUser)
// @ts-expect-error a missing field
H.setJsonBody({ name: 'Ann' }, NewUser)
// without a codec, any value (or JSON text)
H.setJsonBody({ anything: [1, 'two'] })

// ---- asJsonByStatus: a union discriminated by literal statuses
const cases = { 200: User, 404: Problem, 422: Invalid }
type Read = E.Either<H.ClientError, H.ByStatus<typeof cases>>
expectType<Equal<ReturnType<ReturnType<typeof H.asJsonByStatus<typeof cases>>>, Read>>()
expectType<
  Equal<
    H.ByStatus<typeof cases>,
    | { readonly status: 200; readonly body: User }
    | { readonly status: 404; readonly body: Problem }
    | { readonly status: 422; readonly body: Invalid }
  >
>()
const narrow = (r: H.ByStatus<typeof cases>): string => {
  // @ts-expect-error reading .body.name without narrowing: a 404 body has no name
  void r.body.name
  if (r.status === 200) return r.body.name // narrowed to User
  if (r.status === 404) return r.body.title
  expectType<Equal<typeof r.status, 422>>()
  return r.body.errors[0]?.message ?? ''
}

// a class case takes the statuses of its class that no own key takes; default takes every other status
const wide = { 200: User, '4XX': Problem, default: t.unknown }
type Wide = H.ByStatus<typeof wide>
type StatusOfBody<R, B> = R extends { readonly status: infer S; readonly body: infer X }
  ? Equal<X, B> extends true
    ? S
    : never
  : never
expectType<Equal<StatusOfBody<Wide, User>, 200>>()
expectType<Equal<Extract<StatusOfBody<Wide, Problem>, 400 | 404 | 499 | 500 | 200>, 400 | 404 | 499>>()
expectType<Equal<Extract<StatusOfBody<Wide, unknown>, 200 | 404 | 500 | 999 | 100>, 500 | 999 | 100>>()
const narrowWide = (r: Wide): string | undefined => {
  // with a default case, a literal status still narrows exactly
  if (r.status === 200) return r.body.name
  if (r.status === 404) return r.body.title
  return undefined
}
// own keys written as strings are statuses too
expectType<Equal<H.ByStatus<{ '201': typeof User }>, { readonly status: 201; readonly body: User }>>()
// @ts-expect-error a key that is not a status, a class or default
H.asJsonByStatus({ '2xx': User })
// @ts-expect-error a key that is not a status, a class or default
H.asJsonByStatus({ 200: User, ok: Problem })
// @ts-expect-error a status outside 100-999 is no case
H.asJsonByStatus({ 200: User, 42: Problem })
// @ts-expect-error a case must be a decoder
H.asJsonByStatus({ 200: 'User' })
// @ts-expect-error statuses come from the response: status 201 is not a case
const never201 = (r: H.ByStatus<typeof cases>) => r.status === 201

// ---- endpoint: the input inferred from the encoders, the result the union of the responses
const base = H.setUrl('http://127.0.0.1:1/users/{id}')
const getUser = H.endpoint({
  method: 'GET',
  request: base,
  path: t.type({ id: t.number }),
  responses: { 200: User, 404: Problem },
})
expectType<Equal<Parameters<typeof getUser>, [input: { readonly path: { id: number } }]>>()
expectType<
  Equal<
    ReturnType<typeof getUser>,
    TE.TaskEither<
      H.ClientError,
      { readonly status: 200; readonly body: User } | { readonly status: 404; readonly body: Problem }
    >
  >
>()
getUser({ path: { id: 7 } })
// @ts-expect-error a missing path param
getUser({ path: {} })
// @ts-expect-error a path param of the wrong type
getUser({ path: { id: '7' } })
// @ts-expect-error the path is required when its codec is given
getUser({})
// @ts-expect-error no input at all
getUser()
// @ts-expect-error a part the definition has no encoder for
getUser({ path: { id: 7 }, body: { name: 'x' } })

const Tags = t.type({ q: t.string, page: t.union([t.number, t.undefined]) })
const search = H.endpoint({
  method: 'POST',
  request: base,
  query: Tags,
  headers: t.type({ 'If-Match': t.string }),
  body: NewUser,
  responses: { 201: User, 422: Invalid, default: t.unknown },
})
expectType<
  Equal<
    Parameters<typeof search>[0],
    {
      readonly query: { q: string; page: number | undefined }
      readonly headers: { 'If-Match': string }
      readonly body: { name: string; age: number }
    }
  >
>()
// @ts-expect-error a body of the wrong type
search({ query: { q: 'a', page: 1 }, headers: { 'If-Match': '*' }, body: { name: 'Ann', age: '30' } })
// @ts-expect-error the headers are required when their codec is given
search({ query: { q: 'a', page: 1 }, body: { name: 'Ann', age: 30 } })
const readSearch = async (): Promise<string> => {
  const r = await search({
    query: { q: 'a', page: undefined },
    headers: { 'If-Match': '*' },
    body: { name: 'A', age: 1 },
  })()
  if (E.isLeft(r)) return r.left._tag
  // @ts-expect-error reading .body.name without narrowing
  void r.right.body.name
  if (r.right.status === 201) return r.right.body.name
  if (r.right.status === 422) return r.right.body.errors[0]?.field ?? ''
  return String(r.right.body)
}

// no encoders: no input
const ping = H.endpoint({ method: 'GET', request: base, responses: { 204: t.undefined } })
expectType<
  Equal<
    Awaited<ReturnType<ReturnType<typeof ping>>>,
    E.Either<H.ClientError, { readonly status: 204; readonly body: undefined }>
  >
>()
ping()
// @ts-expect-error an encoder must encode to what its part takes: path params are strings, numbers or booleans
H.endpoint({ method: 'GET', request: base, path: t.type({ id: t.array(t.number) }), responses: { 200: User } })
// @ts-expect-error responses are required
H.endpoint({ method: 'GET', request: base })
// @ts-expect-error the template is a Request or a step
H.endpoint({ method: 'GET', request: 'http://x/', responses: { 200: User } })

// ---- the runtime side of the same values
const echo = useEchoServer()

test('the type tests are compiled by npm run typecheck; the values they describe arrive as typed', async () => {
  const read = (id: number) =>
    pipe(H.newRequest(), H.initialize(`${echo.url}/users/${id}`), H.processRequest('GET'))().then(
      E.flatMap(H.asJsonByStatus(cases)),
    )
  const found = await read(7)
  assert.ok(E.isRight(found))
  assert.equal(narrow(found.right), 'User 7')
  const missing = await read(0)
  assert.ok(E.isRight(missing))
  assert.equal(narrow(missing.right), 'Not Found')
  assert.equal(narrowWide({ status: 404, body: { title: 'x' } }), 'x')
  assert.equal(typeof never201, 'function')
  assert.equal(typeof readSearch, 'function')
  assert.equal(typeof flow, 'function')
  const task: T.Task<unknown> | TE.TaskEither<unknown, unknown> | undefined = undefined
  assert.equal(task, undefined)
})
