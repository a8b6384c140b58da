/**
 * Property tests: httpipe's AWS4 Authorization (aws4 package, through prepareRequest) equals the
 * one `@smithy/signature-v4` (the AWS SDK v3 signer) computes for the request as it goes on the
 * wire: the URL as sent (path and query split the way a server receives them), the headers as
 * sent, the body bytes, the same X-Amz-Date. How a received request becomes smithy's input
 * (S3 vs other services) is explained in test/support/sigv4-verifier.ts.
 */
import { sentBytes } from '../helpers.js'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { describe, test } from 'node:test'
import * as fc from 'fast-check'
import { pipe } from 'fp-ts/function'
import * as E from 'fp-ts/Either'

import * as H from '../../src/index.js'
import type { Aws4Auth } from '../../src/model/request.js'
import { signAws4 } from '../../src/auth/aws4.js'
import { queryObject, s3CanonicalPath, smithyAuthorization, startSigV4Verifier } from '../support/sigv4-verifier.js'

const AK = 'AKIDPROPERTY'
const SK = 'pr0perty/Secret+Key=='
const REGION = 'eu-west-3'
const NOW = Date.UTC(2024, 1, 29, 23, 59, 58)
const RUNS = 120

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex')

// ---------------------------------------------------------------------------
// generators
// ---------------------------------------------------------------------------

const METHODS = ['GET', 'PUT', 'POST', 'DELETE', 'HEAD', 'PATCH'] as const
/** characters a path segment may hold raw in the URL given to initialize (httpipe encodes the illegal ones) */
const RAW_PATH_CHARS = [
  ..."abcXYZ019-._~!$&'()*+,;=:@ []",
  ' ',
  '  ',
  'é',
  'ü',
  '€',
  'ሴ',
  '😀',
  '"',
  '<',
  '>',
  '{',
  '}',
  '|',
  '^',
  '`',
]
const rawSegment = fc.array(fc.constantFrom(...RAW_PATH_CHARS), { minLength: 0, maxLength: 8 }).map((cs) => cs.join(''))
/** a segment written percent-encoded by the caller (any text, reserved characters included) */
const encodedSegment = fc
  .string({ unit: 'grapheme', maxLength: 6 })
  .map((s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`))
/** a few explicit escapes of characters that are also legal raw */
const escapeSegment = fc.constantFrom(
  '%21',
  '%27%28%29',
  '%2A',
  '%7E',
  '%41b',
  '%2B',
  '%20',
  '%2F',
  'a%25b',
  '%3D%26',
  '%5B1%5D',
  '%C3%A9',
)
const segment = fc.oneof(rawSegment, encodedSegment, escapeSegment)
// a `{name}` in a path is a path-parameter placeholder (setPathParam fills it): a raw brace that
// would make one is written %7B, as a user sends a literal brace
const path = fc
  .array(segment, { minLength: 0, maxLength: 4 })
  .map((segs) => `/${segs.join('/')}`.replace(/\{(?=[A-Za-z0-9_.-]+\})/g, '%7B'))

const QUERY_TEXT = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 6 }),
  fc.array(fc.constantFrom(..."a b&c=d/é?ü+*~!'()[],;:@$%#".split('')), { maxLength: 6 }).map((cs) => cs.join('')),
)
/** names from a small set too, so that names repeat */
const queryName = fc.oneof(
  fc.constantFrom('a', 'B', 'list', 'x-id', 'é', 'constructor', 'toString'),
  QUERY_TEXT.filter((s) => s !== ''),
)
const queryValue = fc.oneof(QUERY_TEXT, fc.array(QUERY_TEXT, { minLength: 1, maxLength: 3 }), fc.integer())
const params = fc.array(fc.tuple(queryName, queryValue), { maxLength: 4 })
/** a query written into the URL by the caller, raw (httpipe encodes what is illegal) */
const rawQuery = fc.option(
  fc.constantFrom(
    'x=1',
    'flag',
    'a=b+c',
    'k=%2B%20',
    'q=a b',
    'ids=[1,2]',
    'e=%C3%A9&e=z',
    'z=1&a=2&a=1',
    'sp=%20x%20',
  ),
  { nil: undefined },
)

const headerToken = fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,8}$/)
const headerValueChar = fc.constantFrom(...'abcXYZ0189 ,;=:/"()-_.~'.split(''), ' ', '   ', '\t', 'é')
const headerValue = fc
  .array(headerValueChar, { minLength: 1, maxLength: 12 })
  .map((cs) => cs.join(''))
  .filter((v) => v.trim() !== '')
const userHeaders = fc.array(
  fc.tuple(
    fc.oneof(
      headerToken.map((t) => `x-amz-meta-${t}`),
      headerToken.map((t) => `X-Custom-${t}`),
      fc.constantFrom('X-Amz-Storage-Class', 'Content-MD5', 'If-Match'),
    ),
    headerValue,
  ),
  { maxLength: 4 },
)
const body = fc.uint8Array({ maxLength: 64 })
const service = fc.constantFrom('s3', 'execute-api')
const settings = fc.record({
  splitArrays: fc.boolean(),
  squareBrackets: fc.boolean(),
  unsigned: fc.boolean(),
  sessionToken: fc.option(fc.constantFrom('FQoGZXIvYXdzEJr//////////wEaDM+t0k3n=', 'tok en'), { nil: undefined }),
})

interface Case {
  readonly method: (typeof METHODS)[number]
  readonly service: string
  readonly path: string
  readonly rawQuery: string | undefined
  readonly params: ReadonlyArray<readonly [string, unknown]>
  readonly headers: ReadonlyArray<readonly [string, string]>
  readonly body: Uint8Array
  readonly settings: {
    splitArrays: boolean
    squareBrackets: boolean
    unsigned: boolean
    sessionToken: string | undefined
  }
}

const caseArb: fc.Arbitrary<Case> = fc.record({
  method: fc.constantFrom(...METHODS),
  service,
  path,
  rawQuery,
  params,
  headers: userHeaders,
  body,
  settings,
})

const withBody = (m: string): boolean => m !== 'GET' && m !== 'HEAD'

const requestOf = (c: Case, origin: string): H.Request =>
  pipe(
    H.newRequest(),
    H.initialize(`${origin}${c.path}${c.rawQuery === undefined ? '' : `?${c.rawQuery}`}`),
    H.splitArraysInUrl(c.settings.splitArrays, c.settings.squareBrackets),
    H.setUrlParams(c.params),
    H.setHeaders(Object.fromEntries(c.headers)),
    (r) => (withBody(c.method) && c.body.byteLength > 0 ? H.setBinaryBody(c.body)(r) : r),
    H.addAws4Authorization(AK, SK, REGION, c.service, {
      ...(c.settings.sessionToken === undefined ? {} : { sessionToken: c.settings.sessionToken }),
      unsignedPayload: c.settings.unsigned,
    }),
  )

/** What a server receives: the path and query of the URL as the transport sends it, headers with lower-case names and trimmed values. */
const received = (p: H.PreparedRequest): { path: string; query: string; headers: Record<string, string> } => {
  const u = new URL(p.url)
  const headers: Record<string, string> = { host: u.host }
  for (const [n, v] of p.headers) headers[n.toLowerCase()] = v.trim()
  return { path: u.pathname, query: u.search.slice(1), headers }
}

const parts = (authz: string): { signedHeaders: string; signature: string; scope: string } => {
  const m = /^AWS4-HMAC-SHA256 Credential=([^,]+), SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(authz)
  assert.ok(m !== null, `not an AWS4 Authorization: ${authz}`)
  return { scope: m[1] ?? '', signedHeaders: m[2] ?? '', signature: m[3] ?? '' }
}

/** smithy's Authorization for the request httpipe prepared, built from what goes on the wire. */
const reference = async (c: Case, p: H.PreparedRequest, signedHeaders: ReadonlyArray<string>): Promise<string> => {
  const r = received(p)
  const headers: Record<string, string> = {}
  for (const name of signedHeaders) {
    const v = r.headers[name]
    assert.ok(v !== undefined, `signed header ${name} is not sent`)
    headers[name] = v
  }
  const sentBody = sentBytes(p.body)
  assert.deepEqual(
    Buffer.from(sentBody),
    Buffer.from(withBody(c.method) ? c.body : new Uint8Array()),
    'the body sent is the body set',
  )
  // smithy takes the payload hash from the signed X-Amz-Content-Sha256 header: check it independently
  assert.equal(r.headers['x-amz-content-sha256'], c.settings.unsigned ? 'UNSIGNED-PAYLOAD' : sha256(sentBody))
  return smithyAuthorization({
    accessKey: AK,
    secretKey: SK,
    sessionToken: c.settings.sessionToken,
    region: REGION,
    service: c.service,
    method: p.method,
    path: c.service === 's3' ? s3CanonicalPath(r.path) : r.path,
    query: queryObject(r.query, c.service),
    headers,
    payloadHash: c.settings.unsigned ? 'UNSIGNED-PAYLOAD' : sha256(sentBody),
    signedHeaders,
    signingDate: new Date(NOW),
  })
}

const prepared = async (c: Case, origin = 'https://bucket.s3.example.com'): Promise<H.PreparedRequest> => {
  const e = await pipe(requestOf(c, origin), H.prepareRequest(c.method, { now: () => NOW }))()
  if (E.isLeft(e)) assert.fail(`prepareRequest failed: ${e.left.message}\n${H.getLog(e.left, true)}`)
  return e.right
}

describe('AWS4 property: httpipe (aws4) and @smithy/signature-v4 sign the same request the same way', () => {
  test(`generated methods, paths, queries, headers, bodies, s3 and execute-api (${RUNS} runs)`, async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        const p = await prepared(c)
        const authz = p.headers.find(([n]) => n.toLowerCase() === 'authorization')?.[1] ?? ''
        const mine = parts(authz)
        const signed = mine.signedHeaders.split(';')
        // what must be signed is signed
        for (const h of ['host', 'x-amz-date', 'x-amz-content-sha256', ...c.headers.map(([n]) => n.toLowerCase())])
          assert.ok(signed.includes(h), `${h} not signed in ${mine.signedHeaders}`)
        if (c.settings.sessionToken !== undefined) assert.ok(signed.includes('x-amz-security-token'))
        assert.equal(mine.scope, `${AK}/20240229/${REGION}/${c.service}/aws4_request`)
        const theirs = parts(await reference(c, p, signed))
        assert.equal(theirs.signedHeaders, mine.signedHeaders)
        assert.equal(mine.signature, theirs.signature, `signatures differ for ${p.method} ${p.url}`)
      }),
      { numRuns: RUNS },
    )
  })

  test('signAws4 directly, with the payload hash sent or only signed, equals smithy (100 runs)', () => {
    return fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...METHODS),
        service,
        path,
        fc.array(fc.tuple(queryName, QUERY_TEXT), { maxLength: 4 }),
        userHeaders,
        body,
        fc.boolean(),
        async (method, svc, pth, qs, hs, bytes, header) => {
          const q = qs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')
          const url = new URL(
            `https://h.example.com${pth.replace(/[^\x21-\x7e]/gu, (ch) => encodeURIComponent(ch))}${q === '' ? '' : `?${q}`}`,
          ).toString()
          const auth: Aws4Auth<string> = {
            _tag: 'Aws4',
            accessKey: AK,
            secretKey: SK,
            region: REGION,
            service: svc,
            sessionToken: null,
            unsignedPayload: false,
          }
          const out = signAws4(auth, {
            method,
            url,
            headers: hs,
            payloadHash: sha256(bytes),
            now: NOW,
            payloadHeader: header,
          })
          if (E.isLeft(out)) return assert.fail(out.left)
          const sent = new Map(out.right.map(([n, v]) => [n.toLowerCase(), v.trim()]))
          assert.equal(sent.has('x-amz-content-sha256'), header)
          const mine = parts(sent.get('authorization') ?? '')
          const u = new URL(url)
          const headers: Record<string, string> = {}
          for (const name of mine.signedHeaders.split(';'))
            headers[name] = name === 'host' ? u.host : (sent.get(name) ?? assert.fail(`${name} signed, not sent`))
          const theirs = parts(
            await smithyAuthorization({
              accessKey: AK,
              secretKey: SK,
              region: REGION,
              service: svc,
              method,
              path: svc === 's3' ? s3CanonicalPath(u.pathname) : u.pathname,
              query: queryObject(u.search.slice(1), svc),
              headers,
              payloadHash: sha256(bytes),
              signedHeaders: mine.signedHeaders.split(';'),
              signingDate: new Date(NOW),
            }),
          )
          assert.equal(mine.signedHeaders, theirs.signedHeaders)
          assert.equal(mine.signature, theirs.signature, `signatures differ for ${method} ${url}`)
        },
      ),
      { numRuns: 100 },
    )
  })

  test('over the wire: the verifier accepts generated requests (40 runs per service)', async () => {
    for (const svc of ['s3', 'execute-api']) {
      const v = await startSigV4Verifier({ accessKey: AK, secretKey: SK, region: REGION, service: svc })
      try {
        await fc.assert(
          fc.asyncProperty(
            caseArb.map((c) => ({ ...c, service: svc, method: c.method === 'HEAD' ? ('GET' as const) : c.method })),
            async (c) => {
              const before = v.requests.length
              const r = await pipe(requestOf(c, v.url), H.processRequest(c.method, { now: () => NOW }))()
              if (E.isLeft(r)) return assert.fail(`${r.left._tag}: ${r.left.message}`)
              const got = v.requests[before]
              assert.equal(v.requests.length, before + 1, 'one request per run')
              assert.equal(
                r.right.status,
                200,
                `${c.method} ${got?.path ?? ''}?${got?.query ?? ''}: ${Buffer.from(r.right.body).toString('utf8')}`,
              )
              assert.equal(got?.ok, true)
              assert.equal(got?.bodyBytes, withBody(c.method) ? c.body.byteLength : 0)
            },
          ),
          { numRuns: 40 },
        )
      } finally {
        await v.close()
      }
    }
  })
})
