/**
 * Each layer of the executor on its own, through a fake `Send` that records the hops it is
 * given and answers from a script: no network, no timers but the injected ones.
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import * as H from '../../src/index.js'
import type { Hop } from '../../src/model/prepared.js'
import { resolveEnv } from '../../src/execute/env.js'
import { RunLog, runContext, type Failure, type Received, type RunCtx, type Send } from '../../src/execute/context.js'
import { withChallenge } from '../../src/execute/layers/challenge.js'
import { withRedirects } from '../../src/execute/layers/redirects.js'
import { withRetries } from '../../src/execute/layers/retries.js'
import { withSigning } from '../../src/execute/layers/signing.js'
import { attempt } from '../../src/execute/attempt/attempt.js'
import { transportError } from '../../src/model/errors.js'
import { rightOf } from './helpers.js'

const URL0 = 'http://127.0.0.1:9/a'

const prepared = async (f: (r: H.Request) => H.Request = (r) => r, method = 'GET'): Promise<H.PreparedRequest> =>
  rightOf(await pipe(H.newRequest(), H.initialize(URL0), f, H.prepareRequest(method, { now: () => 0 }))())

interface Clock {
  t: number
  readonly sleeps: number[]
}

const context = (p: H.PreparedRequest, env: H.Env = {}, clock: Clock = { t: 1000, sleeps: [] }): RunCtx =>
  runContext(
    p,
    resolveEnv({
      now: () => clock.t,
      random: () => 0.5,
      sleep: async (ms) => {
        clock.sleeps.push(ms)
        clock.t += ms
      },
      ...env,
    }),
    null,
    [],
    new RunLog(p.log, () => clock.t),
  )

const hopOf = (p: H.PreparedRequest): Hop => ({
  method: p.method,
  url: p.url,
  headers: p.headers,
  body: p.body,
  auth: p.auth,
  attempt: 1,
})

type Answer = E.Either<Failure, Omit<Received, 'hop'>> | ((hop: Hop) => E.Either<Failure, Omit<Received, 'hop'>>)

/** A Send that answers from a script (the last answer repeats) and records every hop. */
const scripted = (...answers: Answer[]): { readonly send: Send; readonly hops: Hop[] } => {
  const hops: Hop[] = []
  const send: Send = async (hop) => {
    hops.push(hop)
    const a = answers[Math.min(hops.length - 1, answers.length - 1)] as Answer
    const r = typeof a === 'function' ? a(hop) : a
    return E.map((x: Omit<Received, 'hop'>): Received => ({ ...x, hop }))(r)
  }
  return { send, hops }
}

const status = (code: number, headers: ReadonlyArray<readonly [string, string]> = []): Answer =>
  E.right({ status: code, statusText: '', headers, body: new Uint8Array(0), file: null, headersAt: 0 })

const failed = (phase: Failure['phase']): Answer => E.left({ error: transportError('x', 'ECONNRESET', []), phase })

const logLines = (ctx: RunCtx): string[] => ctx.log.log.filter((e) => e.step === 'executeRequest').map((e) => e.message)

describe('withRetries', () => {
  test('retries a retryable status with backoff, numbering the attempts of the hop', async () => {
    const p = await prepared(H.maxAttempts(3))
    const clock = { t: 1000, sleeps: [] as number[] }
    const ctx = context(p, {}, clock)
    const { send, hops } = scripted(status(503), status(502), status(200))
    const r = await withRetries(ctx)(send)(hopOf(p))
    assert.equal(E.isRight(r) && r.right.status, 200)
    assert.deepEqual(
      hops.map((h) => h.attempt),
      [1, 2, 3],
    )
    assert.deepEqual(clock.sleeps, [50, 100])
    assert.deepEqual(logLines(ctx), ['status 503, retry 1/3 in 50 ms', 'status 502, retry 2/3 in 100 ms'])
  })

  test('returns the last answer when retries run out', async () => {
    const p = await prepared(H.maxAttempts(1))
    const { send, hops } = scripted(status(503))
    const r = await withRetries(context(p))(send)(hopOf(p))
    assert.equal(hops.length, 2)
    assert.equal(E.isRight(r) && r.right.status, 503)
  })

  test('a POST: a failure after sending is final, one before sending is retried', async () => {
    const p = await prepared((r) => pipe(r, H.maxAttempts(2), H.setStringBody('x')), 'POST')
    const sent = scripted(failed('sent'))
    assert.ok(E.isLeft(await withRetries(context(p))(sent.send)(hopOf(p))))
    assert.equal(sent.hops.length, 1)
    const unsent = scripted(failed('unsent'), status(201))
    const r = await withRetries(context(p))(unsent.send)(hopOf(p))
    assert.equal(E.isRight(r) && r.right.status, 201)
    assert.equal(unsent.hops.length, 2)
  })

  test('a final failure is never retried', async () => {
    const p = await prepared(H.maxAttempts(5))
    const { send, hops } = scripted(failed('final'))
    assert.ok(E.isLeft(await withRetries(context(p))(send)(hopOf(p))))
    assert.equal(hops.length, 1)
  })

  test('a wait that would pass the deadline ends the run with Timeout deadline, without waiting', async () => {
    const p = await prepared((r) => pipe(r, H.maxAttempts(5), H.setDeadline(120), H.setRetryPolicy({ baseMs: 100 })))
    const clock = { t: 1000, sleeps: [] as number[] }
    const ctx = context(p, {}, clock)
    const { send, hops } = scripted(status(503))
    const r = await withRetries(ctx)(send)(hopOf(p))
    assert.ok(E.isLeft(r))
    assert.equal(r.left.error._tag, 'Timeout')
    assert.equal(r.left.error._tag === 'Timeout' && r.left.error.limit, 'deadline')
    // waits of 50 and 100 ms: the second would end at 1150, past the deadline at 1120
    assert.deepEqual(clock.sleeps, [50])
    assert.equal(hops.length, 2)
  })

  test('env.signal aborted during a wait stops the retries', async () => {
    const p = await prepared(H.maxAttempts(5))
    const ac = new AbortController()
    const ctx = context(p, { signal: ac.signal, sleep: async () => ac.abort() })
    const { send, hops } = scripted(status(503))
    const r = await withRetries(ctx)(send)(hopOf(p))
    assert.ok(E.isLeft(r) && r.left.error._tag === 'TransportError' && r.left.error.cause === 'ABORTED')
    assert.equal(hops.length, 1)
  })
})

describe('withRedirects', () => {
  test('303 after a POST: the next hop is a GET without the body and its headers', async () => {
    const p = await prepared((r) => H.setJsonBody({ a: 1 })(r), 'POST')
    const ctx = context(p)
    const { send, hops } = scripted(status(303, [['location', '/b?x=1']]), status(200))
    const r = await withRedirects(ctx)(send)(hopOf(p))
    assert.equal(E.isRight(r) && r.right.hop.url, 'http://127.0.0.1:9/b?x=1')
    assert.equal(hops[1]?.method, 'GET')
    assert.deepEqual(hops[1]?.body, { _tag: 'None' })
    assert.equal(
      hops[1]?.headers.some(([n]) => /^content-/i.test(n)),
      false,
    )
    assert.equal(ctx.stats.redirects, 1)
    assert.deepEqual(logLines(ctx), ['redirection 1/5, moving to http://127.0.0.1:9/b?x=1 as GET'])
  })

  test('another origin drops the scheme and the headers its signature added', async () => {
    const p = await prepared(H.addAws4Authorization('AKID', 'SECRET', 'us-east-1', 's3', { sessionToken: 'TOKEN' }))
    const { send, hops } = scripted(status(307, [['location', 'http://127.0.0.2:9/c']]), status(200))
    await withRedirects(context(p))(send)(hopOf(p))
    const next = hops[1]
    assert.deepEqual(next?.auth, { _tag: 'None' })
    assert.deepEqual(
      next?.headers.map(([n]) => n.toLowerCase()).filter((n) => n.startsWith('x-amz') || n === 'authorization'),
      [],
    )
  })

  test('stops at maxRedirects and returns the 3xx', async () => {
    const p = await prepared(H.maxRedirects(2))
    const ctx = context(p)
    const { send, hops } = scripted(status(302, [['location', '/again']]))
    const r = await withRedirects(ctx)(send)(hopOf(p))
    assert.equal(E.isRight(r) && r.right.status, 302)
    assert.equal(hops.length, 3)
    assert.match(logLines(ctx).at(-1) ?? '', /maximum number of redirections reached \(2\)/)
  })

  test('a failure is passed through', async () => {
    const p = await prepared()
    const { send } = scripted(failed('sent'))
    assert.ok(E.isLeft(await withRedirects(context(p))(send)(hopOf(p))))
  })
})

const CHALLENGE = 'Digest realm="r", nonce="n1", qop="auth", algorithm=MD5'

describe('withChallenge', () => {
  test('answers a 401 at once, and every later send of the run carries the answer with nc counted on', async () => {
    const p = await prepared(H.addDigestAuthorization('ann', 'pw'))
    const ctx = context(p)
    const { send, hops } = scripted(status(401, [['www-authenticate', CHALLENGE]]), status(200))
    const layer = withChallenge(ctx)(send)
    assert.equal(E.isRight(await layer(hopOf(p))) && hops.length, 2)
    const auth = (h: Hop | undefined): string | undefined => h?.headers.find(([n]) => n === 'Authorization')?.[1]
    assert.equal(auth(hops[0]), undefined)
    assert.match(auth(hops[1]) ?? '', /^Digest username="ann", realm="r", nonce="n1", uri="\/a".*nc=00000001/)
    await layer(hopOf(p)) // a retry or a same-origin redirect
    assert.match(auth(hops[2]) ?? '', /nc=00000002/)
    assert.equal(hops.length, 3)
  })

  test('a second 401 on the same hop is the answer; a 401 without a usable challenge is an AuthError with the response', async () => {
    const p = await prepared(H.addDigestAuthorization('ann', 'pw'))
    const refused = scripted(status(401, [['www-authenticate', CHALLENGE]]))
    const r = await withChallenge(context(p))(refused.send)(hopOf(p))
    assert.equal(E.isRight(r) && r.right.status, 401)
    assert.equal(refused.hops.length, 2)
    const basic = scripted(status(401, [['www-authenticate', 'Basic realm="x"']]))
    const e = await withChallenge(context(p))(basic.send)(hopOf(p))
    assert.ok(E.isLeft(e) && e.left.error._tag === 'AuthError' && e.left.error.response?.status === 401)
    assert.equal(basic.hops.length, 1)
  })

  test('schemes without a challenge pass straight through', async () => {
    const p = await prepared(H.addBearerAuthorization('tok'))
    const { send, hops } = scripted(status(401, [['www-authenticate', CHALLENGE]]))
    const hop = hopOf(p)
    await withChallenge(context(p))(send)(hop)
    assert.equal(hops[0], hop)
    assert.equal(hops.length, 1)
  })
})

describe('withSigning', () => {
  test('signs every send with the clock of the run; other schemes pass the hop unchanged', async () => {
    const p = await prepared(H.addOAuthV1Authorization('t', 'ts', 'ck', 'cs'))
    const clock = { t: 1_700_000_000_000, sleeps: [] }
    const { send, hops } = scripted(status(200))
    const layer = withSigning(context(p, {}, clock))(send)
    await layer(hopOf(p))
    clock.t += 5000
    await layer(hopOf(p))
    const stamp = (h: Hop | undefined): string | undefined =>
      /oauth_timestamp="(\d+)"/.exec(h?.headers.find(([n]) => n === 'Authorization')?.[1] ?? '')?.[1]
    assert.deepEqual([stamp(hops[0]), stamp(hops[1])], ['1700000000', '1700000005'])
    const plain = await prepared()
    const hop = hopOf(plain)
    const other = scripted(status(200))
    await withSigning(context(plain))(other.send)(hop)
    assert.equal(other.hops[0], hop)
  })

  test('a body file that vanished is a FileError before anything is sent', async () => {
    const p = await prepared(H.addAws4Authorization('AKID', 'SECRET', 'us-east-1'))
    const hop: Hop = {
      ...hopOf(p),
      body: {
        _tag: 'Segments',
        segments: [{ _tag: 'File', path: '/nonexistent/x', start: 0, end: 3, size: 3 }],
        length: 3,
      },
    }
    const { send, hops } = scripted(status(200))
    const r = await withSigning(context(p))(send)(hop)
    assert.ok(E.isLeft(r) && r.left.error._tag === 'FileError' && r.left.phase === 'final')
    assert.equal(hops.length, 0)
  })
})

describe('attempt', () => {
  test('a transport that never answers ends by the attempt limit, and the transport saw the abort', async () => {
    const p = await prepared(H.setTimeout(30))
    let aborted = false
    const transport: H.Transport = (req) =>
      new Promise((_, reject) => {
        req.signal.addEventListener('abort', () => {
          aborted = true
          reject(new Error('aborted'))
        })
      })
    const ctx = runContext(p, resolveEnv({ transport }), null, [], new RunLog([], Date.now))
    const r = await attempt(ctx)(hopOf(p))
    assert.ok(
      E.isLeft(r) && r.left.error._tag === 'Timeout' && r.left.error.limit === 'attempt' && r.left.phase === 'sent',
    )
    assert.ok(aborted)
  })

  test('a body that stalls ends by the idle limit', async () => {
    const p = await prepared((r) => pipe(r, H.setIdleTimeout(30)))
    const transport: H.Transport = async (req) => ({
      status: 200,
      statusText: 'OK',
      headers: [],
      decoded: false,
      body: (async function* () {
        yield new Uint8Array([1])
        await new Promise((_, reject) => req.signal.addEventListener('abort', () => reject(new Error('aborted'))))
      })(),
    })
    const ctx = runContext(p, resolveEnv({ transport }), null, [], new RunLog([], Date.now))
    const r = await attempt(ctx)(hopOf(p))
    assert.ok(E.isLeft(r) && r.left.error._tag === 'Timeout' && r.left.error.limit === 'idle')
    assert.match(H.getLog(r.left.error, true), /timeout \(idle\): no byte received for 30 ms/)
  })

  test('a transport that throws synchronously-shaped errors is classified: refused is unsent, a reset is sent', async () => {
    const p = await prepared()
    for (const [code, phase] of [
      ['ECONNREFUSED', 'unsent'],
      ['ECONNRESET', 'sent'],
      ['UND_ERR_CONNECT_TIMEOUT', 'unsent'],
    ] as const) {
      const transport: H.Transport = async () => {
        throw Object.assign(new Error(`boom ${code}`), { code })
      }
      const r = await attempt(runContext(p, resolveEnv({ transport }), null, [], new RunLog([], Date.now)))(hopOf(p))
      assert.ok(E.isLeft(r))
      assert.equal(r.left.phase, phase, code)
    }
  })
})
