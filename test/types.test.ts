/**
 * Type tests of the public types: checked by the compiler (`npm run typecheck`, part of
 * `npm test`), where an `Equal` that does not hold or a `@ts-expect-error` with no error
 * fails the build. The few runtime assertions make the file a test the runner counts too.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import type * as TE from 'fp-ts/TaskEither'
import type { Endomorphism } from 'fp-ts/Endomorphism'
import { flow } from 'fp-ts/function'

import * as H from '../src/index.js'
import type { Shortcut } from '../src/client/shortcuts.js'
import type { ClientErrorTag, TimeoutLimit } from '../src/model/errors.js'
import { delete as del, get, postWithBody } from '../src/index.js'

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false
const expectType = <T extends true>(): T => true as T

// matchClientErrorW: handlers typed per tag, otherwise gets the rest, the result is the union
const describeW = H.matchClientErrorW(
  {
    Timeout: (e) => e.limit, // e: Timeout
    StatusError: (e) => e.status, // e: StatusError
  },
  (other) => other._tag,
)
expectType<
  Equal<ReturnType<typeof describeW>, TimeoutLimit | number | Exclude<ClientErrorTag, 'Timeout' | 'StatusError'>>
>()
expectType<Equal<Parameters<typeof describeW>[0], H.ClientError>>()
H.matchClientErrorW({ Timeout: (e) => e.timeoutMs }, (other) => {
  expectType<Equal<typeof other, Exclude<H.ClientError, H.Timeout>>>()
  // @ts-expect-error the Timeout case was handled: other has no timeoutMs
  return other.timeoutMs
})
// no handlers: otherwise gets every ClientError
H.matchClientErrorW({}, (other) => expectType<Equal<typeof other, H.ClientError>>())
// @ts-expect-error a misspelt tag is refused
H.matchClientErrorW({ Timeot: () => 1 }, () => 2)
// @ts-expect-error a handler gets its own kind only: Timeout has no status
H.matchClientErrorW({ Timeout: (e) => e.status }, () => 2)
// @ts-expect-error otherwise is required
H.matchClientErrorW({ Timeout: () => 1 })

// matchClientErrorOr: one result type
const code = H.matchClientErrorOr<number>({ InvalidInput: (e) => e.step.length }, (e) => e.message.length)
expectType<Equal<ReturnType<typeof code>, number>>()
// @ts-expect-error a handler returning another type than B
H.matchClientErrorOr<number>({ InvalidInput: () => 'x' }, () => 1)
// @ts-expect-error a misspelt tag is refused
H.matchClientErrorOr<number>({ Invalid: () => 1 }, () => 1)

// matchClientError: exhaustive
// @ts-expect-error eight handlers are not enough
H.matchClientError<string>({
  InvalidInput: () => '',
  TransportError: () => '',
  Timeout: () => '',
  FileError: () => '',
  AuthError: () => '',
  ParseError: () => '',
  DecodeError: () => '',
  StatusError: () => '',
})
expectType<
  Equal<
    ClientErrorTag,
    | 'InvalidInput'
    | 'TransportError'
    | 'Timeout'
    | 'FileError'
    | 'AuthError'
    | 'ParseError'
    | 'DecodeError'
    | 'StatusError'
    | 'ResponseTooLarge'
  >
>()

// Method: the known names survive the union with any string (what autocompletion offers)
expectType<Equal<Extract<H.Method, 'GET' | 'PATCH' | 'OPTIONS'>, 'GET' | 'PATCH' | 'OPTIONS'>>()
expectType<Equal<Parameters<typeof H.processRequest>[0], H.Method>>()
expectType<Equal<Parameters<typeof H.prepareRequest>[0], H.Method>>()
const custom: H.Method = 'PROPFIND'
// @ts-expect-error a method is a string
const notAMethod: H.Method = 42

// the shortcuts
expectType<Equal<ReturnType<typeof get>, TE.TaskEither<H.ClientError, H.HttpResponse>>>()
expectType<Equal<typeof del, Shortcut>>()
expectType<Equal<typeof H.delete, Shortcut>>()
expectType<Equal<ReturnType<typeof H.postWithBody>, TE.TaskEither<H.ClientError, H.HttpResponse>>>()
postWithBody('https://x/', { any: ['json', 1, null] })
postWithBody('https://x/', [['name', 'Ann']], { bodyType: 'form' })
// @ts-expect-error a form body is a record, pairs or a string
postWithBody('https://x/', 42, { bodyType: 'form' })
// @ts-expect-error a misspelt option is refused
get('https://x/', { header: { A: '1' } })
// @ts-expect-error the shortcuts without a body take no bodyType
get('https://x/', { bodyType: 'form' })
// @ts-expect-error configure is a builder step
get('https://x/', { configure: (n: number) => n })
get('https://x/', {
  configure: H.addHeader('A', '1'),
  params: { n: 1 },
  headers: [['B', H.secretFromEnv('B')]],
  responseFile: '/tmp/x',
})

// steps and runners
expectType<Equal<ReturnType<typeof H.addHeader>, (req: H.Request) => H.Request>>()
// Step: the name of a builder step, fp-ts's Endomorphism<Request>, the same type as the function written out
expectType<Equal<H.Step, (req: H.Request) => H.Request>>()
expectType<Equal<H.Step, Endomorphism<H.Request>>>()
expectType<Equal<ReturnType<typeof H.setUrl>, H.Step>>()
expectType<Equal<ReturnType<typeof H.addBasicAuthorization>, H.Step>>()
const composed: H.Step = flow(H.setUrl('https://x/'), H.addHeader('A', '1'))
// @ts-expect-error a step takes a Request, not a PreparedRequest
const notAStep: H.Step = (p: H.PreparedRequest) => p
expectType<Equal<ReturnType<ReturnType<typeof H.processRequest>>, TE.TaskEither<H.ClientError, H.HttpResponse>>>()

test('the type tests are compiled by npm run typecheck; their values exist at run time', () => {
  assert.equal(typeof describeW, 'function')
  assert.equal(describeW({ _tag: 'Timeout', timeoutMs: 1, limit: 'idle', message: '', log: [] }), 'idle')
  assert.equal(code({ _tag: 'InvalidInput', step: 'abc', message: '', log: [] }), 3)
  assert.equal(custom, 'PROPFIND')
  assert.equal(notAMethod, 42)
  assert.equal(H.delete, del)
  assert.equal(composed(H.newRequest()).url, 'https://x/')
  assert.equal(typeof notAStep, 'function')
})
