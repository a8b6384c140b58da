/**
 * AWS4 and OAuth1 sign the final path: the one with the path params filled in and encoded.
 * Each request goes to a verifying server that recomputes the signature from what arrived on the
 * socket (@smithy/signature-v4 for AWS4, for S3 and for another service; an RFC 5849
 * implementation and oauth-1.0a for OAuth1), with values holding `/`, a space, `%` and non-ASCII.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import * as H from '../../src/index.js'
import { startSigV4Verifier, type SigV4Verifier } from '../support/sigv4-verifier.js'
import { startOAuth1Verifier, type Verifier } from '../support/oauth1-verifier.js'

const AK = 'AKIDHTTPIPETEST'
const SK = 'wJalr/S3cr3t+K3y=httpipe'
const CS = 'consumer secret/é+1'
const TS = 'token secret&2'

/** Values and the segment each must arrive as. */
const VALUES: ReadonlyArray<readonly [string, string]> = [
  ['a/b', 'a%2Fb'],
  ['a b', 'a%20b'],
  ['100%', '100%25'],
  ['é日本', '%C3%A9%E6%97%A5%E6%9C%AC'],
  ['x/ y%é+~', 'x%2F%20y%25%C3%A9%2B~'],
]

const status = async (req: H.Request, method = 'GET'): Promise<number> => {
  const r = await H.processRequest(method)(req)()
  assert.ok(E.isRight(r), E.isLeft(r) ? r.left.message : '')
  return r.right.status
}

describe('AWS4 signs the filled path', () => {
  let s3: SigV4Verifier
  let api: SigV4Verifier
  before(async () => {
    s3 = await startSigV4Verifier({ accessKey: AK, secretKey: SK, region: 'us-east-1', service: 's3' })
    api = await startSigV4Verifier({ accessKey: AK, secretKey: SK, region: 'eu-west-1', service: 'execute-api' })
  })
  after(async () => {
    await s3.close()
    await api.close()
  })

  for (const [name, verifier, region, service] of [
    ['s3', () => s3, 'us-east-1', 's3'],
    ['execute-api (a non-S3 service: the path encoded twice)', () => api, 'eu-west-1', 'execute-api'],
  ] as const)
    test(`${name}: every value is accepted and arrives as one encoded segment`, async () => {
      const v = verifier()
      for (const [value, encoded] of VALUES) {
        const n = v.requests.length
        const req = pipe(
          H.newRequest(),
          H.setBaseUrl(`${v.url}/{bucket}`),
          H.setUrl('/keys/{key}?q={key}'),
          H.setPathParams({ bucket: 'my bucket', key: value }),
          H.addAws4Authorization(AK, SK, region, service),
        )
        assert.equal(await status(req, 'PUT'), 200, value)
        assert.equal(v.requests.length, n + 1)
        const got = v.requests[n]
        assert.equal(got?.ok, true, got?.reason ?? '')
        assert.equal(got?.path, `/my%20bucket/keys/${encoded}`)
        assert.equal(got?.query, 'q=%7Bkey%7D')
      }
    })
})

describe('OAuth1 signs the filled path', () => {
  let v: Verifier
  before(async () => {
    v = await startOAuth1Verifier({ consumers: { ck: { secret: CS } }, tokens: { tok: TS } })
  })
  after(async () => {
    await v.close()
  })

  for (const hash of ['SHA256', 'SHA1'] as const)
    test(`HMAC-${hash}: every value is accepted, the verifier and oauth-1.0a agree on the base string`, async () => {
      for (const [value, encoded] of VALUES) {
        const n = v.verifications.length
        const req = pipe(
          H.newRequest(),
          H.initialize(`${v.url}/users/{id}/photos?size={id}`),
          H.setPathParam('id', value),
          H.addOAuthV1Authorization('tok', TS, 'ck', CS),
          H.setOAuthV1Algorithm('HMAC', hash),
        )
        assert.equal(await status(req), 200, value)
        const x = v.verifications[n]
        assert.equal(x?.reason, 'ok', x?.baseString)
        assert.equal(x?.libraryAgrees, true)
        assert.equal(x?.target, `/users/${encoded}/photos?size=%7Bid%7D`)
      }
    })
})
