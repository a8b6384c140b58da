/**
 * One signature per attempt: a request run at once (processRequest) is signed when it is
 * prepared (its log shows the signed headers) and its first attempt sends exactly that
 * signature, never a second one; each retry is signed afresh; the body is hashed once per run
 * (every attempt carries the same payload hash); a request from prepareRequest is signed again
 * every time it is executed (no nonce or date replayed). Checked against the verifying servers
 * (@smithy/signature-v4 and an independent RFC 5849 verifier).
 */
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { after, before, describe, test } from 'node:test'
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'

import * as H from '../../src/index.js'
import { withSigV4Verifier } from '../support/sigv4-verifier.js'
import { startOAuth1Verifier, type Verifier } from '../support/oauth1-verifier.js'

const AK = 'AKIDHTTPIPEONCE'
const SK = 'wJalr/S3cr3t+K3y=once'
const NOW = Date.UTC(2024, 4, 17, 8, 30, 15)
const CK = 'consumer-once'
const CS = 'consumer-secret-once'
const TOKEN = 'token-once'
const TS = 'token-secret-once'

/** A clock that moves one second on every reading: a signature made later has a later date. */
const ticking = (): (() => number) => {
  let t = NOW
  return () => (t += 1000)
}
const noSleep = async (): Promise<void> => undefined
/** A random source that counts its draws (an OAuth1 nonce is 32 of them); `seed` sets its sequence apart (a verifier refuses a nonce twice). */
const counted = (seed: number): { readonly random: () => number; readonly draws: () => number } => {
  let n = 0
  return { random: () => (((n++ + seed) * 7) % 61) / 61 + 1e-9, draws: () => n }
}
const ok = async <A>(te: () => Promise<E.Either<H.ClientError, A>>): Promise<A> => {
  const r = await te()
  if (E.isLeft(r)) assert.fail(`${r.left._tag}: ${r.left.message}\n${H.getLog(r.left, true)}`)
  return r.right
}
const loggedHeader = (log: H.Log, step: string, name: string): string | undefined =>
  log
    .filter((e) => e.step === step)
    .map((e) => e.message)
    .find((m) => m.startsWith(`header ${name}: `))
    ?.slice(`header ${name}: `.length)

/** About 64 KiB of JSON, as an API client posts it. */
const bigValue = {
  items: Array.from({ length: 900 }, (_, i) => ({ id: i, name: `item ${i}`, tags: ['a', 'b'], score: i / 3 })),
}

describe('AWS4: one signature per attempt, the body hashed once per run', () => {
  test('the first attempt sends the signature the log shows; each retry is signed afresh; all verified', async () => {
    await withSigV4Verifier(
      {
        accessKey: AK,
        secretKey: SK,
        region: 'us-east-1',
        service: 's3',
        failFirst: 2,
      },
      async (v) => {
        const res = await ok(
          pipe(
            H.newRequest(),
            H.initialize(`${v.url}/b/once`),
            H.setJsonBody(bigValue),
            H.maxAttempts(3),
            H.addAws4Authorization(AK, SK, 'us-east-1'),
            H.processRequest('PUT', { now: ticking(), sleep: noSleep }),
          ),
        )
        assert.equal(res.status, 200)
        assert.equal(res.attempts, 3)
        const bytes = Buffer.from(JSON.stringify(bigValue))
        assert.ok(bytes.length > 60_000)
        assert.deepEqual(
          v.requests.map((r) => [r.status, r.ok, r.bodyBytes]),
          [
            [503, true, bytes.length],
            [503, true, bytes.length],
            [200, true, bytes.length],
          ],
        )
        // signed once for the first attempt: the date the log shows is the one the server got
        // (with this clock, a second signature would carry a later second)
        const [first] = v.requests
        assert.equal(loggedHeader(res.log, 'processRequest', 'X-Amz-Date'), first?.amzDate)
        assert.equal(new Set(v.requests.map((r) => r.amzDate)).size, 3, 'each retry signed with its own date')
        assert.equal(new Set(v.requests.map((r) => r.signature)).size, 3)
        // one payload hash for the run, the hash of the bytes sent
        const hashes = new Set(v.requests.map((r) => r.headers['x-amz-content-sha256']))
        assert.deepEqual([...hashes], [createHash('sha256').update(bytes).digest('hex')])
        assert.equal(loggedHeader(res.log, 'processRequest', 'X-Amz-Content-Sha256'), [...hashes][0])
      },
    )
  })

  test('a prepared request is signed again each time it is executed, never sent with the prepared date', async () => {
    await withSigV4Verifier({ accessKey: AK, secretKey: SK, region: 'us-east-1', service: 's3' }, async (v) => {
      const env = { now: ticking() }
      const req = pipe(
        H.newRequest(),
        H.initialize(`${v.url}/b/prepared`),
        H.setJsonBody({ a: 1 }),
        H.addAws4Authorization(AK, SK, 'us-east-1'),
      )
      const prepared = await ok(H.prepareRequest('PUT', env)(req))
      const shown = prepared.headers.find(([n]) => n === 'X-Amz-Date')?.[1]
      assert.ok(shown !== undefined, 'prepareRequest shows the signed headers')
      await ok(H.executeRequest(env)(prepared))
      await ok(H.executeRequest(env)(prepared))
      assert.deepEqual(
        v.requests.map((r) => r.ok),
        [true, true],
      )
      const dates = v.requests.map((r) => r.amzDate)
      assert.equal(new Set([shown, ...dates]).size, 3, `${shown} ${dates.join(' ')}`)
    })
  })
})

describe('OAuth1: one signature per attempt', () => {
  let v: Verifier
  before(async () => {
    v = await startOAuth1Verifier({ consumers: { [CK]: { secret: CS } }, tokens: { [TOKEN]: TS } })
  })
  after(() => v.close())
  const signed = (path: string): H.Request =>
    pipe(H.newRequest(), H.initialize(`${v.url}${path}`), H.addOAuthV1Authorization(TOKEN, TS, CK, CS))

  test('processRequest draws one nonce (32 random draws) for its one attempt, and the server verifies it', async () => {
    const c = counted(1)
    const before = v.verifications.length
    const res = await ok(H.processRequest('GET', { now: () => NOW, random: c.random })(signed('/once?a=1&b=x%20y')))
    assert.equal(res.status, 200)
    assert.equal(c.draws(), 32, 'signed once, not at prepare and again for the attempt')
    const got = v.verifications.slice(before)
    assert.deepEqual(
      got.map((x) => x.status),
      [200],
    )
  })

  test('executeRequest signs afresh on every execution: no nonce of the prepared request is replayed', async () => {
    const c = counted(2)
    const env = { now: () => NOW, random: c.random }
    const before = v.verifications.length
    const prepared = await ok(H.prepareRequest('GET', env)(signed('/prepared')))
    assert.equal(c.draws(), 32)
    await ok(H.executeRequest(env)(prepared))
    await ok(H.executeRequest(env)(prepared))
    assert.equal(c.draws(), 96)
    const got = v.verifications.slice(before)
    assert.deepEqual(
      got.map((x) => x.status),
      [200, 200],
    )
    const shown = /oauth_nonce="([^"]+)"/.exec(prepared.headers.find(([n]) => n === 'Authorization')?.[1] ?? '')?.[1]
    assert.ok(shown !== undefined)
    assert.equal(new Set([shown, ...got.map((x) => x.oauth['oauth_nonce'])]).size, 3)
  })
})
