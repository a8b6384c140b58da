/**
 * AWS Signature V4: the addAws4Authorization step, known answers from the AWS test vectors,
 * and requests to a verifying server (test/support/sigv4-verifier.ts) that recomputes every
 * signature with @smithy/signature-v4 from what it received.
 */
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { after, before, describe, test } from 'node:test'
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'

import * as H from '../../src/index.js'
import type { Aws4Auth } from '../../src/model/request.js'
import { signAws4 } from '../../src/auth/aws4.js'
import { assertInvalid, assertOk, base, lastLine } from '../helpers.js'
import {
  startSigV4Verifier,
  withSigV4Verifier,
  type SigV4Verifier,
  type VerifiedRequest,
} from '../support/sigv4-verifier.js'
import { useTempDir } from '../support/fixtures.js'

const AK = 'AKIDHTTPIPETEST'
const SK = 'wJalr/S3cr3t+K3y=httpipe'
const TOKEN = 'FQoGZXIvYXdzEJr//////////wEaDSeSs10nT0k3n='
const NOW = Date.UTC(2024, 4, 17, 8, 30, 15)
const AMZ_NOW = '20240517T083015Z'

const sha256 = (b: Uint8Array | string): string => createHash('sha256').update(b).digest('hex')
const header = (list: H.HeaderList, name: string): string | undefined =>
  list.find(([n]) => n.toLowerCase() === name.toLowerCase())?.[1]
const text = (res: H.HttpResponse): string => Buffer.from(res.body).toString('utf8')

/** Neither the log text, the error, nor the JSON of the value holds the secret or the token. */
const assertNoSecrets = (x: unknown, ...secrets: ReadonlyArray<string>): void => {
  const log = H.getLog(x as H.Request, true)
  const json = JSON.stringify(x, (k, v: unknown) => (k === 'auth' ? '<auth>' : v instanceof Uint8Array ? '<bytes>' : v))
  for (const s of secrets) {
    assert.ok(!log.includes(s), `secret in the log:\n${log}`)
    assert.ok(!json.includes(s), `secret in ${json.slice(0, 400)}`)
  }
}

// ---------------------------------------------------------------------------
// the step
// ---------------------------------------------------------------------------

describe('addAws4Authorization (step)', () => {
  test('records the credentials and scope; the log hides the secret and the session token', () => {
    const b = base()
    const r = pipe(
      b,
      H.addAws4Authorization(AK, SK, 'eu-central-1', 'Execute-API', { sessionToken: TOKEN, unsignedPayload: true }),
    )
    assertOk(b, r, 'addAws4Authorization')
    assert.deepStrictEqual(r.auth, {
      _tag: 'Aws4',
      accessKey: AK,
      secretKey: SK,
      region: 'eu-central-1',
      service: 'execute-api',
      sessionToken: TOKEN,
      unsignedPayload: true,
    })
    assert.match(
      lastLine(r),
      new RegExp(`key ${AK}, secret \\*\\*\\*, eu-central-1/execute-api, session token \\*\\*\\*, unsigned payload`),
    )
    assertNoSecrets(r, SK, TOKEN)
    assert.deepStrictEqual(r.headers, [], 'nothing is signed before the request runs')
  })

  test('service defaults to s3, options to none', () => {
    const r = pipe(base(), H.addAws4Authorization(AK, SK, 'us-east-1'))
    assert.deepStrictEqual(r.auth, {
      _tag: 'Aws4',
      accessKey: AK,
      secretKey: SK,
      region: 'us-east-1',
      service: 's3',
      sessionToken: null,
      unsignedPayload: false,
    })
  })

  const bad: ReadonlyArray<readonly [string, () => (req: H.Request) => H.Request, RegExp]> = [
    ['empty access key', () => H.addAws4Authorization('', SK, 'us-east-1'), /access key/],
    ['access key with a space', () => H.addAws4Authorization('AK ID', SK, 'us-east-1'), /access key/],
    ['access key with a slash', () => H.addAws4Authorization('AK/ID', SK, 'us-east-1'), /access key/],
    ['non-string access key', () => H.addAws4Authorization(42 as never, SK, 'us-east-1'), /access key/],
    ['empty secret', () => H.addAws4Authorization(AK, '', 'us-east-1'), /secret key/],
    ['non-string secret', () => H.addAws4Authorization(AK, { s: SK } as never, 'us-east-1'), /secret key/],
    ['empty region', () => H.addAws4Authorization(AK, SK, ''), /region/],
    ['region with a space', () => H.addAws4Authorization(AK, SK, 'us east 1'), /region/],
    ['upper-case region', () => H.addAws4Authorization(AK, SK, 'US-EAST-1'), /region/],
    ['region with a slash', () => H.addAws4Authorization(AK, SK, 'us-east-1/x'), /region/],
    ['non-string region', () => H.addAws4Authorization(AK, SK, null as never), /region/],
    ['empty service', () => H.addAws4Authorization(AK, SK, 'us-east-1', ''), /service/],
    ['service with a slash', () => H.addAws4Authorization(AK, SK, 'us-east-1', 's3/x'), /service/],
    ['service with a space', () => H.addAws4Authorization(AK, SK, 'us-east-1', ' s3'), /service/],
    ['non-string service', () => H.addAws4Authorization(AK, SK, 'us-east-1', 3 as never), /service/],
    ['options not an object', () => H.addAws4Authorization(AK, SK, 'us-east-1', 's3', 'x' as never), /options/],
    ['options null', () => H.addAws4Authorization(AK, SK, 'us-east-1', 's3', null as never), /options/],
    [
      'non-string session token',
      () => H.addAws4Authorization(AK, SK, 'us-east-1', 's3', { sessionToken: 12345 as never }),
      /sessionToken/,
    ],
    [
      'object session token',
      () => H.addAws4Authorization(AK, SK, 'us-east-1', 's3', { sessionToken: { t: TOKEN } as never }),
      /sessionToken/,
    ],
    [
      'session token with CR LF',
      () => H.addAws4Authorization(AK, SK, 'us-east-1', 's3', { sessionToken: `${TOKEN}\r\nX-Evil: 1` }),
      /sessionToken/,
    ],
    [
      'non-boolean unsignedPayload',
      () =>
        H.addAws4Authorization(AK, SK, 'us-east-1', 's3', { sessionToken: TOKEN, unsignedPayload: 'true' as never }),
      /unsignedPayload/,
    ],
    [
      'numeric unsignedPayload',
      () => H.addAws4Authorization(AK, SK, 'us-east-1', 's3', { unsignedPayload: 1 as never }),
      /unsignedPayload/,
    ],
  ]
  for (const [what, step, reason] of bad) {
    test(`${what} is InvalidInput at addAws4Authorization, without the secret or token anywhere`, () => {
      const b = base()
      const r = pipe(b, step())
      assertInvalid(b, r, 'addAws4Authorization', reason)
      assertNoSecrets(r, SK, TOKEN)
      assert.ok(!(r.error?.message ?? '').includes(SK) && !(r.error?.message ?? '').includes(TOKEN))
    })
  }

  test('a request with an invalid AWS4 step is never sent: processRequest answers InvalidInput without the secret', async () => {
    await withSigV4Verifier({ accessKey: AK, secretKey: SK, region: 'us-east-1', service: 's3' }, async (v) => {
      const e = await pipe(
        H.newRequest(),
        H.initialize(`${v.url}/x`),
        H.addAws4Authorization(AK, SK, 'bad region!', 's3', { sessionToken: TOKEN }),
        H.addHeader('X-A', '1'),
        H.processRequest('GET'),
      )()
      assert.ok(E.isLeft(e))
      assert.equal(e.left._tag, 'InvalidInput')
      assert.ok(e.left._tag === 'InvalidInput' && e.left.step === 'addAws4Authorization')
      assertNoSecrets(e.left, SK, TOKEN)
      assert.equal(v.requests.length, 0)
    })
  })
})

// ---------------------------------------------------------------------------
// known answers
// ---------------------------------------------------------------------------

/**
 * The AWS SigV4 test suite (aws-sig-v4-test-suite: credentials AKIDEXAMPLE, 2015-08-30T12:36Z,
 * us-east-1, service "service", host example.amazonaws.com), expected Authorization values as
 * published in smithy-lang/smithy-typescript packages/signature-v4/src/suite.fixture.ts (the
 * same file is aws/aws-sdk-js-v3 packages/signature-v4/src/suite.fixture.ts). The suite signs no
 * X-Amz-Content-Sha256 header, so these go through signAws4 with `payloadHeader: false`
 * (the body hash is signed but not sent). Left out: get-utf8 / get-space (a raw non-ASCII or
 * space request line, which no client sends: on the wire the path is percent-encoded, and
 * non-S3 services encode it once more), get-header-key-duplicate / value-order / multiline
 * (repeated header lines; httpipe keeps one value per name), post-sts-header-after (token
 * added after signing), post-vanilla-query-space / -empty-query-value (the fixture does not
 * give the request target).
 */
const SUITE = {
  auth: {
    _tag: 'Aws4',
    accessKey: 'AKIDEXAMPLE',
    secretKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
    region: 'us-east-1',
    service: 'service',
    sessionToken: null,
    unsignedPayload: false,
  } as Aws4Auth<string>,
  now: Date.UTC(2015, 7, 30, 12, 36),
  prefix: 'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, ',
}
const STS_TOKEN =
  'AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA=='
const SUITE_CASES: ReadonlyArray<{
  name: string
  method: string
  target: string
  headers?: H.HeaderList
  body?: string
  token?: string
  authz: string
}> = [
  {
    name: 'get-vanilla',
    method: 'GET',
    target: '/',
    authz: 'SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
  },
  {
    name: 'get-vanilla-query-order-key-case',
    method: 'GET',
    target: '/?Param2=value2&Param1=value1',
    authz: 'SignedHeaders=host;x-amz-date, Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500',
  },
  {
    name: 'get-vanilla-query-unreserved',
    method: 'GET',
    target:
      '/?-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz=-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz',
    authz: 'SignedHeaders=host;x-amz-date, Signature=9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197',
  },
  {
    name: 'get-vanilla-utf8-query',
    method: 'GET',
    target: '/?ሴ=bar',
    authz: 'SignedHeaders=host;x-amz-date, Signature=2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04',
  },
  {
    name: 'get-unreserved',
    method: 'GET',
    target: '/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz',
    authz: 'SignedHeaders=host;x-amz-date, Signature=07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f',
  },
  {
    name: 'get-header-value-trim',
    method: 'GET',
    target: '/',
    headers: [
      ['My-Header1', ' value1 '],
      ['My-Header2', ' "a   b   c" '],
    ],
    authz:
      'SignedHeaders=host;my-header1;my-header2;x-amz-date, Signature=acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736',
  },
  {
    name: 'post-vanilla',
    method: 'POST',
    target: '/',
    authz: 'SignedHeaders=host;x-amz-date, Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b',
  },
  {
    name: 'post-vanilla-query',
    method: 'POST',
    target: '/?Param1=value1',
    authz: 'SignedHeaders=host;x-amz-date, Signature=28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11',
  },
  {
    name: 'post-vanilla-query-nonunreserved',
    method: 'POST',
    target: `/?${encodeURIComponent('@#$%^')}=&${encodeURIComponent('+')}=${encodeURIComponent('/,?><`";:\\|][{}')}`,
    authz: 'SignedHeaders=host;x-amz-date, Signature=66c82657c86e26fb25238d0e69f011edc4c6df5ae71119d7cb98ed9b87393c1e',
  },
  {
    name: 'post-header-key-sort',
    method: 'POST',
    target: '/',
    headers: [['My-Header1', 'value1']],
    authz:
      'SignedHeaders=host;my-header1;x-amz-date, Signature=c5410059b04c1ee005303aed430f6e6645f61f4dc9e1461ec8f8916fdf18852c',
  },
  {
    name: 'post-header-value-case',
    method: 'POST',
    target: '/',
    headers: [['My-Header1', 'VALUE1']],
    authz:
      'SignedHeaders=host;my-header1;x-amz-date, Signature=cdbc9802e29d2942e5e10b5bccfdd67c5f22c7c4e8ae67b53629efa58b974b7d',
  },
  {
    name: 'post-sts-header-before',
    method: 'POST',
    target: '/',
    token: STS_TOKEN,
    authz:
      'SignedHeaders=host;x-amz-date;x-amz-security-token, Signature=85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead',
  },
  {
    name: 'post-x-www-form-urlencoded',
    method: 'POST',
    target: '/',
    headers: [['Content-Type', 'application/x-www-form-urlencoded']],
    body: 'Param1=value1',
    authz:
      'SignedHeaders=content-type;host;x-amz-date, Signature=ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a',
  },
  {
    name: 'post-x-www-form-urlencoded-parameters',
    method: 'POST',
    target: '/',
    headers: [['Content-Type', 'application/x-www-form-urlencoded; charset=utf8']],
    body: 'Param1=value1',
    authz:
      'SignedHeaders=content-type;host;x-amz-date, Signature=1a72ec8f64bd914b0e42e42607c7fbce7fb2c7465f63e3092b3b0d39fa77a6fe',
  },
]

/**
 * Amazon S3's own worked examples ("Signature Calculations for the Authorization Header:
 * Transferring Payload in a Single Chunk", https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html,
 * section "Examples: Signature Calculations"; the values also appear in many independent
 * signers' tests). Credentials AKIAIOSFODNN7EXAMPLE, 2013-05-24T00:00Z, us-east-1, s3; these
 * exercise the default path (X-Amz-Content-Sha256 sent and signed). The GET Object example is
 * left out: it signs a Range header, which aws4 never signs (S3 accepts it unsigned).
 */
const S3_DOCS = {
  auth: {
    _tag: 'Aws4',
    accessKey: 'AKIAIOSFODNN7EXAMPLE',
    secretKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    region: 'us-east-1',
    service: 's3',
    sessionToken: null,
    unsignedPayload: false,
  } as Aws4Auth<string>,
  now: Date.UTC(2013, 4, 24),
  prefix: 'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, ',
}
const S3_CASES: ReadonlyArray<{
  name: string
  method: string
  target: string
  headers?: H.HeaderList
  body?: string
  authz: string
}> = [
  {
    name: 'PUT Object',
    method: 'PUT',
    target: '/test$file.text',
    headers: [
      ['Date', 'Fri, 24 May 2013 00:00:00 GMT'],
      ['x-amz-storage-class', 'REDUCED_REDUNDANCY'],
    ],
    body: 'Welcome to Amazon S3.',
    authz:
      'SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class, Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd',
  },
  {
    name: 'GET Bucket Lifecycle',
    method: 'GET',
    target: '/?lifecycle',
    authz:
      'SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543',
  },
  {
    name: 'GET Bucket (List Objects)',
    method: 'GET',
    target: '/?max-keys=2&prefix=J',
    authz:
      'SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7',
  },
  {
    name: 'GET Bucket (List Objects), query given in the other order',
    method: 'GET',
    target: '/?prefix=J&max-keys=2',
    authz:
      'SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7',
  },
]

describe('AWS4 known answers', () => {
  for (const c of SUITE_CASES) {
    test(`SigV4 test suite: ${c.name}`, () => {
      const auth: Aws4Auth<string> = c.token === undefined ? SUITE.auth : { ...SUITE.auth, sessionToken: c.token }
      const out = signAws4(auth, {
        method: c.method,
        url: `https://example.amazonaws.com${c.target}`,
        headers: c.headers ?? [],
        payloadHash: sha256(c.body ?? ''),
        now: SUITE.now,
        payloadHeader: false,
      })
      assert.ok(E.isRight(out), E.isLeft(out) ? out.left : '')
      assert.equal(header(out.right, 'authorization'), `${SUITE.prefix}${c.authz}`)
      assert.equal(header(out.right, 'x-amz-date'), '20150830T123600Z')
      assert.equal(
        header(out.right, 'x-amz-content-sha256'),
        undefined,
        'payloadHeader: false sends no payload hash header',
      )
      assert.equal(header(out.right, 'host'), undefined, 'the transport sends Host')
      if (c.token !== undefined) assert.equal(header(out.right, 'x-amz-security-token'), c.token)
    })
  }

  for (const c of S3_CASES) {
    test(`Amazon S3 documentation example: ${c.name}`, () => {
      const out = signAws4(S3_DOCS.auth, {
        method: c.method,
        url: `https://examplebucket.s3.amazonaws.com${c.target}`,
        headers: c.headers ?? [],
        payloadHash: sha256(c.body ?? ''),
        now: S3_DOCS.now,
      })
      assert.ok(E.isRight(out), E.isLeft(out) ? out.left : '')
      assert.equal(header(out.right, 'authorization'), `${S3_DOCS.prefix}${c.authz}`)
      assert.equal(header(out.right, 'x-amz-content-sha256'), sha256(c.body ?? ''))
      assert.equal(header(out.right, 'x-amz-date'), '20130524T000000Z')
    })
  }

  test('a known answer is sensitive to every input (secret, date, region, path, header value, body)', () => {
    const ok = (auth: Aws4Auth<string>, url: string, headers: H.HeaderList, body: string, now: number): string => {
      const r = signAws4(auth, { method: 'POST', url, headers, payloadHash: sha256(body), now, payloadHeader: false })
      return E.isRight(r) ? (header(r.right, 'authorization') ?? '') : r.left
    }
    const url = 'https://example.amazonaws.com/'
    const ct: H.HeaderList = [['Content-Type', 'application/x-www-form-urlencoded']]
    const expected = `${SUITE.prefix}SignedHeaders=content-type;host;x-amz-date, Signature=ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a`
    assert.equal(ok(SUITE.auth, url, ct, 'Param1=value1', SUITE.now), expected)
    for (const changed of [
      ok({ ...SUITE.auth, secretKey: `${SUITE.auth.secretKey}x` }, url, ct, 'Param1=value1', SUITE.now),
      ok(SUITE.auth, url, ct, 'Param1=value1', SUITE.now + 1000),
      ok({ ...SUITE.auth, region: 'us-east-2' }, url, ct, 'Param1=value1', SUITE.now),
      ok(SUITE.auth, `${url}x`, ct, 'Param1=value1', SUITE.now),
      ok(SUITE.auth, url, [['Content-Type', 'application/json']], 'Param1=value1', SUITE.now),
      ok(SUITE.auth, url, ct, 'Param1=value2', SUITE.now),
    ])
      assert.notEqual(changed, expected)
  })

  test('prepareRequest signs at prepare time with env.now: default headers (but User-Agent) are signed, Host is the URL host', async () => {
    const p = await pipe(
      H.newRequest(),
      H.initialize('https://example.amazonaws.com/'),
      H.addAws4Authorization('AKIDEXAMPLE', 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', 'us-east-1', 'service'),
      H.prepareRequest('GET', { now: () => SUITE.now }),
    )()
    assert.ok(E.isRight(p))
    const h = p.right.headers
    assert.equal(header(h, 'x-amz-date'), '20150830T123600Z')
    assert.equal(header(h, 'x-amz-content-sha256'), sha256(''))
    const authz = header(h, 'authorization') ?? ''
    assert.ok(
      authz.startsWith(
        `${SUITE.prefix}SignedHeaders=accept;accept-encoding;host;x-amz-content-sha256;x-amz-date, Signature=`,
      ),
      authz,
    )
    // the same header set through signAws4 gives the same value
    const direct = signAws4(SUITE.auth, {
      method: 'GET',
      url: 'https://example.amazonaws.com/',
      headers: h.filter(([n]) => !/^(authorization|x-amz-)/i.test(n)),
      payloadHash: sha256(''),
      now: SUITE.now,
    })
    assert.ok(E.isRight(direct))
    assert.equal(header(direct.right, 'authorization'), authz)
    assertNoSecrets(p.right, 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY')
    assert.ok(H.getLog(p.right, true).includes('header Authorization: ***'))
  })

  test('a query parameter named __proto__ (which aws4 would silently leave out) is an AuthError', async () => {
    const e = await pipe(
      H.newRequest(),
      H.initialize('https://example.amazonaws.com/?__proto__=1'),
      H.addAws4Authorization(AK, SK, 'us-east-1'),
      H.prepareRequest('GET', { now: () => NOW }),
    )()
    assert.ok(E.isLeft(e))
    assert.equal(e.left._tag, 'AuthError')
    assert.match(e.left.message, /__proto__/)
    assertNoSecrets(e.left, SK)
  })

  test('a header value with a non-ASCII space (U+00A0) is an AuthError, not a wrong signature; the message holds no secret', async () => {
    const e = await pipe(
      H.newRequest(),
      H.initialize('https://example.amazonaws.com/'),
      H.addHeader('x-amz-meta-name', 'a\u00a0b'),
      H.addAws4Authorization(AK, SK, 'us-east-1', 's3', { sessionToken: TOKEN }),
      H.prepareRequest('GET', { now: () => NOW }),
    )()
    assert.ok(E.isLeft(e))
    assert.equal(e.left._tag, 'AuthError')
    assert.match(e.left.message, /x-amz-meta-name/)
    assertNoSecrets(e.left, SK, TOKEN)
  })
})

// ---------------------------------------------------------------------------
// against the verifying server
// ---------------------------------------------------------------------------

const json = (res: H.HttpResponse): Record<string, unknown> => JSON.parse(text(res)) as Record<string, unknown>
const only = (v: SigV4Verifier, i = 0): VerifiedRequest =>
  v.requests[i] ?? assert.fail(`no request ${i} (got ${v.requests.length})`)
const run = async (req: H.Request, method: string, env: H.Env = { now: () => NOW }): Promise<H.HttpResponse> => {
  const r = await pipe(req, H.processRequest(method, env))()
  if (E.isLeft(r)) assert.fail(`${r.left._tag}: ${r.left.message}\n${H.getLog(r.left, true)}`)
  return r.right
}
/** A clock that moves one second on every reading, so every attempt has its own X-Amz-Date. */
const ticking = (): (() => number) => {
  let t = NOW
  return () => (t += 1000)
}
const noSleep = async (): Promise<void> => undefined

describe('AWS4 against a verifying server (@smithy/signature-v4 recomputes every signature)', () => {
  let s3: SigV4Verifier
  let api: SigV4Verifier
  const tmp = useTempDir('aws4')
  before(async () => {
    s3 = await startSigV4Verifier({ accessKey: AK, secretKey: SK, region: 'us-east-1', service: 's3' })
    api = await startSigV4Verifier({ accessKey: AK, secretKey: SK, region: 'eu-west-1', service: 'execute-api' })
  })
  after(async () => {
    await s3.close()
    await api.close()
  })
  const s3Req = (path: string): H.Request =>
    pipe(H.newRequest(), H.initialize(`${s3.url}${path}`), H.addAws4Authorization(AK, SK, 'us-east-1'))

  test('GET is accepted; host, x-amz-date, x-amz-content-sha256 and the default headers are signed', async () => {
    const n = s3.requests.length
    const res = await run(s3Req('/bucket/key.txt'), 'GET')
    assert.equal(res.status, 200, text(res))
    const got = only(s3, n)
    assert.equal(got.ok, true)
    assert.equal(got.method, 'GET')
    assert.equal(got.path, '/bucket/key.txt')
    assert.equal(got.amzDate, AMZ_NOW)
    assert.equal(got.headers['x-amz-content-sha256'], sha256(''))
    assert.deepEqual(got.signedHeaders, ['accept', 'accept-encoding', 'host', 'x-amz-content-sha256', 'x-amz-date'])
    assert.deepEqual(json(res), {
      ok: true,
      method: 'GET',
      path: '/bucket/key.txt',
      query: '',
      bodyBytes: 0,
      signedHeaders: got.signedHeaders,
    })
  })

  test('PUT with a JSON body is accepted; the payload hash is the body hash; Content-Type and Content-Length are signed', async () => {
    const n = s3.requests.length
    const res = await run(pipe(s3Req('/bucket/doc.json'), H.setJsonBody({ field1: 10, text: 'é ü' })), 'PUT')
    assert.equal(res.status, 200, text(res))
    const got = only(s3, n)
    const body = JSON.stringify({ field1: 10, text: 'é ü' })
    assert.equal(got.bodyBytes, Buffer.byteLength(body))
    assert.equal(got.headers['x-amz-content-sha256'], sha256(body))
    assert.ok(
      got.signedHeaders.includes('content-type') && got.signedHeaders.includes('content-length'),
      got.signedHeaders.join(';'),
    )
  })

  test('a query with reserved and non-ASCII characters is accepted, for s3 and for execute-api', async () => {
    for (const [v, region, service] of [
      [s3, 'us-east-1', 's3'],
      [api, 'eu-west-1', 'execute-api'],
    ] as const) {
      const n = v.requests.length
      const req = pipe(
        H.newRequest(),
        H.initialize(`${v.url}/bucket/dir name/é+ü(1)!*?raw=a+b&flag`),
        H.addUrlParameter('q', 'a b&c=d/é?ü'),
        H.addUrlParameter('plus', '+'),
        H.addUrlParameter('star', '*'),
        H.addUrlParameter('tilde', '~'),
        H.addUrlParameter('list', [1, 'a;b', 'c/d']),
        H.addAws4Authorization(AK, SK, region, service),
      )
      const res = await run(req, 'GET')
      assert.equal(res.status, 200, `${service}: ${text(res)}`)
      const got = only(v, n)
      assert.equal(got.ok, true)
      assert.equal(got.path, '/bucket/dir%20name/%C3%A9+%C3%BC(1)!*')
      assert.equal(
        got.query,
        'raw=a+b&flag&q=a%20b%26c%3Dd%2F%C3%A9%3F%C3%BC&plus=%2B&star=%2A&tilde=~&list=[1,a%3Bb,c%2Fd]',
      )
    }
  })

  test('user x-amz-meta-* and other headers are signed and accepted (inner runs of spaces too)', async () => {
    const n = s3.requests.length
    const res = await run(
      pipe(
        s3Req('/bucket/meta'),
        H.addHeader('X-Amz-Meta-Author', 'Ann   Smith'),
        H.addHeader('x-amz-meta-tags', 'a, b,\tc'),
        H.addHeader('X-Amz-Storage-Class', 'STANDARD_IA'),
        H.addHeader('X-Custom-Trace', 'one two'),
        H.setStringBody('data'),
      ),
      'PUT',
    )
    assert.equal(res.status, 200, text(res))
    const got = only(s3, n)
    for (const h of ['x-amz-meta-author', 'x-amz-meta-tags', 'x-amz-storage-class', 'x-custom-trace'])
      assert.ok(got.signedHeaders.includes(h), `${h} not signed`)
    assert.equal(got.headers['x-amz-meta-author'], 'Ann   Smith')
  })

  test('a session token is sent as X-Amz-Security-Token and signed; the log hides it', async () => {
    await withSigV4Verifier(
      {
        accessKey: AK,
        secretKey: SK,
        region: 'us-east-1',
        service: 's3',
        sessionToken: TOKEN,
      },
      async (v) => {
        const res = await run(
          pipe(
            H.newRequest(),
            H.initialize(`${v.url}/b/k`),
            H.addAws4Authorization(AK, SK, 'us-east-1', 's3', { sessionToken: TOKEN }),
          ),
          'GET',
        )
        assert.equal(res.status, 200, text(res))
        assert.equal(only(v).headers['x-amz-security-token'], TOKEN)
        assert.ok(only(v).signedHeaders.includes('x-amz-security-token'))
        assertNoSecrets(res, SK, TOKEN)
        // the verifier insists on its token: another one is refused
        const other = await run(
          pipe(
            H.newRequest(),
            H.initialize(`${v.url}/b/k`),
            H.addAws4Authorization(AK, SK, 'us-east-1', 's3', { sessionToken: `${TOKEN}x` }),
          ),
          'GET',
        )
        assert.equal(other.status, 403)
        assert.match(String(json(other)['reason']), /session token/)
      },
    )
  })

  test('unsignedPayload sends and signs UNSIGNED-PAYLOAD; the body still arrives whole', async () => {
    const n = s3.requests.length
    const res = await run(
      pipe(
        H.newRequest(),
        H.initialize(`${s3.url}/b/u`),
        H.setBinaryBody(new Uint8Array(1000).fill(7)),
        H.addAws4Authorization(AK, SK, 'us-east-1', 's3', { unsignedPayload: true }),
      ),
      'PUT',
    )
    assert.equal(res.status, 200, text(res))
    const got = only(s3, n)
    assert.equal(got.headers['x-amz-content-sha256'], 'UNSIGNED-PAYLOAD')
    assert.equal(got.bodyBytes, 1000)
  })

  test('a 50 MiB file body is hashed and sent by streaming, and accepted', async () => {
    const file = tmp.file('big.bin')
    const chunk = Buffer.alloc(1 << 20)
    for (let i = 0; i < chunk.length; i++) chunk[i] = (i * 131 + 7) & 255
    await new Promise<void>((resolve, reject) => {
      const w = createWriteStream(file)
      w.on('error', reject)
      let i = 0
      const more = (): void => {
        while (i < 50) {
          chunk[0] = i
          i++
          if (!w.write(Buffer.from(chunk))) return void w.once('drain', more)
        }
        w.end(resolve)
      }
      more()
    })
    const h = createHash('sha256')
    for await (const c of createReadStream(file)) h.update(c as Buffer)
    const expected = h.digest('hex')
    const n = s3.requests.length
    const res = await run(pipe(s3Req('/bucket/big.bin'), H.setBinaryBody(H.fromFile(file))), 'PUT')
    assert.equal(res.status, 200, text(res))
    const got = only(s3, n)
    assert.equal(got.ok, true)
    assert.equal(got.bodyBytes, 52428800)
    assert.equal(got.bodySha256, expected)
    assert.equal(got.headers['x-amz-content-sha256'], expected)
    assert.equal(got.headers['content-length'], '52428800')
  })

  test('a request signed with the wrong secret (or for another region) is refused: 403 arrives as a Right', async () => {
    const n = s3.requests.length
    const wrong = await run(
      pipe(H.newRequest(), H.initialize(`${s3.url}/b/k`), H.addAws4Authorization(AK, `${SK}-wrong`, 'us-east-1')),
      'GET',
    )
    assert.equal(wrong.status, 403)
    assert.equal(json(wrong)['reason'], 'signature mismatch')
    assert.equal(only(s3, n).ok, false)
    const region = await run(
      pipe(H.newRequest(), H.initialize(`${s3.url}/b/k`), H.addAws4Authorization(AK, SK, 'eu-west-1')),
      'GET',
    )
    assert.equal(region.status, 403)
    assert.match(String(json(region)['reason']), /wrong region/)
    assertNoSecrets(wrong, SK, `${SK}-wrong`)
  })

  test('every retry is signed again: each attempt has its own X-Amz-Date and signature, all valid', async () => {
    await withSigV4Verifier(
      {
        accessKey: AK,
        secretKey: SK,
        region: 'us-east-1',
        service: 's3',
        failFirst: 2,
      },
      async (v) => {
        const file = tmp.file('small.txt')
        await new Promise<void>((resolve, reject) =>
          createWriteStream(file).on('error', reject).end('file body', resolve),
        )
        const res = await run(
          pipe(
            H.newRequest(),
            H.initialize(`${v.url}/b/retry`),
            H.setBinaryBody(H.fromFile(file)),
            H.maxAttempts(3),
            H.addAws4Authorization(AK, SK, 'us-east-1'),
          ),
          'PUT',
          { now: ticking(), sleep: noSleep },
        )
        assert.equal(res.status, 200, text(res))
        assert.equal(res.attempts, 3)
        assert.deepEqual(
          v.requests.map((r) => [r.status, r.ok, r.bodyBytes]),
          [
            [503, true, 9],
            [503, true, 9],
            [200, true, 9],
          ],
        )
        assert.equal(new Set(v.requests.map((r) => r.amzDate)).size, 3, 'three distinct X-Amz-Date values')
        assert.equal(new Set(v.requests.map((r) => r.signature)).size, 3, 'three distinct signatures')
      },
    )
  })

  test('a same-origin 307 redirect is signed again for the new path and query, and accepted', async () => {
    await withSigV4Verifier(
      {
        accessKey: AK,
        secretKey: SK,
        region: 'us-east-1',
        service: 's3',
        redirects: [{ path: '/b/start', location: '/b/final/%C3%A9?part=2&x=a%2Fb', status: 307 }],
      },
      async (v) => {
        const res = await run(
          pipe(
            H.newRequest(),
            H.initialize(`${v.url}/b/start?part=1`),
            H.setStringBody('moved body'),
            H.addAws4Authorization(AK, SK, 'us-east-1'),
          ),
          'PUT',
          { now: ticking() },
        )
        assert.equal(res.status, 200, text(res))
        assert.equal(res.redirects, 1)
        const [first, second] = [only(v, 0), only(v, 1)]
        assert.deepEqual([first.status, first.ok, first.path, first.query], [307, true, '/b/start', 'part=1'])
        assert.deepEqual(
          [second.status, second.ok, second.method, second.path, second.query, second.bodyBytes],
          [200, true, 'PUT', '/b/final/%C3%A9', 'part=2&x=a%2Fb', 10],
        )
        assert.notEqual(first.signature, second.signature)
        assert.notEqual(first.amzDate, second.amzDate)
      },
    )
  })

  test('a same-origin 303 redirect (POST becomes GET, body dropped) is signed with the empty payload hash', async () => {
    await withSigV4Verifier(
      {
        accessKey: AK,
        secretKey: SK,
        region: 'eu-west-1',
        service: 'execute-api',
        redirects: [{ path: '/stage/create', location: '/stage/result/42', status: 303 }],
      },
      async (v) => {
        const res = await run(
          pipe(
            H.newRequest(),
            H.initialize(`${v.url}/stage/create`),
            H.setJsonBody({ a: 1 }),
            H.addAws4Authorization(AK, SK, 'eu-west-1', 'execute-api'),
          ),
          'POST',
        )
        assert.equal(res.status, 200, text(res))
        const second = only(v, 1)
        assert.deepEqual(
          [second.ok, second.method, second.path, second.bodyBytes],
          [true, 'GET', '/stage/result/42', 0],
        )
        assert.equal(second.headers['x-amz-content-sha256'], sha256(''))
        assert.ok(!second.signedHeaders.includes('content-type'))
      },
    )
  })

  test('a cross-origin redirect arrives without Authorization (the AWS4 scheme is dropped)', async () => {
    const other = await startSigV4Verifier({ accessKey: AK, secretKey: SK, region: 'us-east-1', service: 's3' })
    const v = await startSigV4Verifier({
      accessKey: AK,
      secretKey: SK,
      region: 'us-east-1',
      service: 's3',
      redirects: [{ path: '/b/away', location: `${other.url}/landing`, status: 307 }],
    })
    try {
      const res = await run(
        pipe(H.newRequest(), H.initialize(`${v.url}/b/away`), H.addAws4Authorization(AK, SK, 'us-east-1')),
        'GET',
      )
      assert.equal(only(v).ok, true)
      assert.equal(other.requests.length, 1)
      const got = only(other)
      assert.equal(got.path, '/landing')
      assert.equal(got.headers['authorization'], undefined)
      assert.equal(res.status, 403)
      assert.equal(json(res)['reason'], 'no Authorization header')
      assert.ok(H.getLog(res, true).includes('credentials dropped (other origin)'))
    } finally {
      await v.close()
      await other.close()
    }
  })

  test('a cross-origin redirect does not carry the session token (X-Amz-Security-Token) to the other origin', async () => {
    const other = await startSigV4Verifier({ accessKey: AK, secretKey: SK, region: 'us-east-1', service: 's3' })
    const v = await startSigV4Verifier({
      accessKey: AK,
      secretKey: SK,
      region: 'us-east-1',
      service: 's3',
      redirects: [{ path: '/b/away', location: `${other.url}/landing`, status: 302 }],
    })
    try {
      await run(
        pipe(
          H.newRequest(),
          H.initialize(`${v.url}/b/away`),
          H.addAws4Authorization(AK, SK, 'us-east-1', 's3', { sessionToken: TOKEN }),
        ),
        'GET',
      )
      assert.equal(only(v).headers['x-amz-security-token'], TOKEN)
      const got = only(other)
      assert.equal(got.headers['authorization'], undefined)
      assert.equal(got.headers['x-amz-security-token'], undefined, 'the session token went to another origin')
    } finally {
      await v.close()
      await other.close()
    }
  })

  test('the verifier itself refuses tampering: a valid signature replayed on another path, or with an unsigned x-amz header', async () => {
    const p = await pipe(s3Req('/b/original'), H.prepareRequest('GET', { now: () => NOW }))()
    assert.ok(E.isRight(p))
    const headers = Object.fromEntries(p.right.headers.filter(([n]) => n.toLowerCase() !== 'user-agent'))
    const send = (path: string, extra: Record<string, string> = {}): Promise<Response> =>
      fetch(`${s3.url}${path}`, { headers: { ...headers, ...extra } })
    const good = await send('/b/original')
    assert.equal(good.status, 200, await good.clone().text())
    const moved = await send('/b/other')
    assert.equal(moved.status, 403)
    assert.equal(((await moved.json()) as { reason: string }).reason, 'signature mismatch')
    const extra = await send('/b/original', { 'x-amz-meta-sneaky': '1' })
    assert.equal(extra.status, 403)
    assert.match(((await extra.json()) as { reason: string }).reason, /x-amz-meta-sneaky is not signed/)
  })
})
