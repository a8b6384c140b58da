/**
 * Every scheme and every secret position, through a request that redirects to another origin,
 * is retried there, fails, and is saved as a template: no secret appears in the log, in an error
 * message, in `toTemplate`'s output, or in what the other origin receives.
 */
import assert from 'node:assert/strict'
import { before, describe, test } from 'node:test'
import { pipe } from 'fp-ts/function'
import * as H from '../../src/index.js'
import { freePort, ko, ok } from './helpers.js'
import { useEchoServer } from '../support/fixtures.js'

const first = useEchoServer()
const other = useEchoServer()
let deadPort = 0
before(async () => {
  deadPort = await freePort()
})

const S = {
  basic: 'sweep-basic-PW-01',
  digest: 'sweep-digest-PW-02',
  bearer: 'sweep-bearer-TK-03',
  awsSecret: 'sweep-aws-SECRET-04',
  awsToken: 'sweep-aws-TOKEN-05',
  oauthToken: 'sweep-oauth-TOKEN-06',
  oauthTokenSecret: 'sweep-oauth-TS-07',
  oauthConsumerSecret: 'sweep-oauth-CS-08',
  tlsPass: 'sweep-tls-PASS-09',
  apiKey: 'sweep-api-KEY-10',
  refHeader: 'sweep-ref-VALUE-11',
  refBearer: 'sweep-ref-BEARER-12',
} as const
const ENV: Readonly<Record<string, string>> = { SWEEP_HEADER: S.refHeader, SWEEP_BEARER: S.refBearer }
const secrets = (name: string): string | undefined => ENV[name]

type Auth = (r: H.Request) => H.Request
const SCHEMES: ReadonlyArray<readonly [string, Auth, ReadonlyArray<string>]> = [
  ['Basic', H.addBasicAuthorization('ann', S.basic), [S.basic, Buffer.from(`ann:${S.basic}`).toString('base64')]],
  ['Digest', H.addDigestAuthorization('ann', S.digest), [S.digest]],
  ['Bearer', H.addBearerAuthorization(S.bearer), [S.bearer]],
  ['Bearer from env', H.addBearerAuthorization(H.secretFromEnv('SWEEP_BEARER')), [S.refBearer]],
  [
    'AWS4 with a session token',
    H.addAws4Authorization('AKIDSWEEP', S.awsSecret, 'us-east-1', 's3', { sessionToken: S.awsToken }),
    [S.awsSecret, S.awsToken],
  ],
  [
    'OAuth1',
    H.addOAuthV1Authorization(S.oauthToken, S.oauthTokenSecret, 'ck', S.oauthConsumerSecret),
    [S.oauthToken, S.oauthTokenSecret, S.oauthConsumerSecret],
  ],
]
// every other secret position rides along with each scheme
const extras = (r: H.Request): H.Request =>
  pipe(
    r,
    H.addHeader('X-Api-Key', S.apiKey),
    H.addHeader('X-Sweep-Ref', H.secretFromEnv('SWEEP_HEADER')),
    H.setTls({ passphrase: S.tlsPass }),
  )
const EXTRA_SECRETS = [S.apiKey, S.refHeader, S.tlsPass]

const clean = (what: string, text: string, forbidden: ReadonlyArray<string>): void => {
  for (const s of forbidden) assert.ok(!text.includes(s), `${what} holds ${s}:\n${text.slice(0, 2000)}`)
}

for (const [name, auth, own] of SCHEMES) {
  const forbidden = [...own, ...EXTRA_SECRETS]
  describe(`secrets sweep: ${name}`, () => {
    test('a cross-origin redirect, retried at the other origin: nothing reaches it, nothing is logged', async () => {
      const target = `${other.url}/status/503`
      const req = pipe(
        H.newRequest(),
        H.initialize(`${first.url}/redirect-to?url=${encodeURIComponent(target)}`),
        auth,
        extras,
        H.maxAttempts(1),
      )
      const before = other.server.requests.length
      const res = await ok(H.processRequest('GET', { secrets, sleep: async () => undefined })(req))
      assert.equal(res.status, 503)
      assert.equal(res.redirects, 1)
      const seen = other.server.requests.slice(before)
      assert.equal(seen.length, 2, 'the 503 was retried once at the other origin')
      for (const r of seen)
        clean('what the other origin received', JSON.stringify({ headers: r.headers, url: r.url }), forbidden)
      clean('the log', H.getLog(res, true), forbidden)
      // the first origin did get the credentials
      assert.ok(first.server.requests.at(-1)?.headers['x-api-key'] === S.apiKey)
    })

    test('a failure: the error message and its log hold no secret', async () => {
      const req = pipe(H.newRequest(), H.initialize(`http://127.0.0.1:${deadPort}/x`), auth, extras, H.maxAttempts(1))
      const e = await ko(H.processRequest('GET', { secrets, sleep: async () => undefined })(req))
      assert.equal(e._tag, 'TransportError')
      clean('the error message', e.message, forbidden)
      clean('the error log', H.getLog(e, true), forbidden)
    })

    test('the template holds no literal secret', () => {
      const req = pipe(H.newRequest(), H.initialize(`${first.url}/get`), auth, extras)
      clean('the template', JSON.stringify(H.toTemplate(req)), forbidden)
    })
  })
}
