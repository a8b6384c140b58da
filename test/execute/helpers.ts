/**
 * Small helpers shared by the test/execute suites (not a test file itself).
 */
import assert from 'node:assert/strict'
import * as E from 'fp-ts/Either'
import type * as TE from 'fp-ts/TaskEither'
import * as H from '../../src/index.js'
import type { ClientError, HttpResponse } from '../../src/index.js'
import type { EchoPayload } from '../../src/testing/index.js'

/** The Right of an Either, failing the test (with the error and its log) on a Left. */
export const rightOf = <A>(e: E.Either<ClientError, A>): A => {
  if (E.isLeft(e))
    assert.fail(
      `expected Right, got ${e.left._tag}: ${e.left.message}\n${e.left.log.map((l) => `${l.step}: ${l.message}`).join('\n')}`,
    )
  return e.right
}

/** The Left of an Either, failing the test on a Right. */
export const leftOf = <A>(e: E.Either<ClientError, A>): ClientError => {
  if (E.isRight(e))
    assert.fail(
      `expected Left, got Right: ${JSON.stringify(e.right, (_k, v: unknown) => (v instanceof Uint8Array ? `<${v.byteLength} bytes>` : v)).slice(0, 500)}`,
    )
  return e.left
}

/** Runs a TaskEither and returns its Right. */
export const ok = async <A>(te: TE.TaskEither<ClientError, A>): Promise<A> => rightOf(await te())

/** Runs a TaskEither and returns its Left. */
export const ko = async <A>(te: TE.TaskEither<ClientError, A>): Promise<ClientError> => leftOf(await te())

/** Narrows a ClientError to one tag, failing otherwise. */
export const asTag = <T extends ClientError['_tag']>(e: ClientError, tag: T): Extract<ClientError, { _tag: T }> => {
  assert.equal(e._tag, tag, `expected ${tag}, got ${e._tag}: ${e.message}`)
  return e as Extract<ClientError, { _tag: T }>
}

/** The echo document of a response. */
export const echoOf = (res: HttpResponse): EchoPayload =>
  JSON.parse(Buffer.from(res.body).toString('utf8')) as EchoPayload

/** The rendered log lines. */
export const lines = (x: {
  readonly log: ReadonlyArray<{ readonly step: string; readonly message: string }>
}): string[] => x.log.map((e) => `${e.step}: ${e.message}`)

/** A loopback port that was free a moment ago (the one helper of test/support). */
export { freePort } from '../support/peers.js'

/** The bytes /bytes/:n sends (seed 0): byte i is (i * 31) & 255. */
export const patternBytes = (n: number, seed = 0): Buffer => {
  const b = Buffer.alloc(n)
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed) & 255
  return b
}

/**
 * The transport the executor suites run on: the default (undici) unless the test runner sets
 * `HTTPIPE_TEST_TRANSPORT` (`cross-fetch`, or `fetch` for Node's global fetch), so that the
 * same tests also check the other transports (scripts/run-tests.mjs runs them once more).
 */
export const TEST_TRANSPORT = process.env['HTTPIPE_TEST_TRANSPORT'] ?? 'undici'
// crossFetchTransport's sending loads on its first request; under tsx that is an asynchronous
// load a short limit could cut, so it is loaded here and the tests' limits time requests only
if (TEST_TRANSPORT === 'cross-fetch') await import('../../src/transport/cross-fetch-send.js')
// and undici's modules on the default transport's first request (synchronously, but under a
// busy machine's load a first request's limit could still be spent on it)
void (await import('../../src/transport/undici-lib.js')).errors.UndiciError

/** `env` with the suite's transport, unless `env` names a transport or a fetch of its own. */
export const onTestTransport = (env: H.Env = {}): H.Env => {
  if (env.transport !== undefined || env.fetch !== undefined || TEST_TRANSPORT === 'undici') return env
  return { ...env, transport: TEST_TRANSPORT === 'cross-fetch' ? H.crossFetchTransport : H.fromFetch(globalThis.fetch) }
}
