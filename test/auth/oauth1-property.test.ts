/**
 * Property tests: httpipe's OAuth1 Authorization header against the `oauth-1.0a` package (and
 * against the independent RFC 5849 implementation of test/support/oauth1-verifier.ts) for
 * generated methods, paths, query pairs, headers, bodies and every signature method, with the
 * same timestamp and nonce.
 *
 * httpipe is driven through `prepareRequest(method, { now, random })`, its header parsed, and
 * oauth-1.0a is given the request as it goes on the wire (the prepared URL as the WHATWG URL
 * parser, hence fetch, serializes it) with the body fields httpipe should sign.
 *
 * Where the generators stay inside what oauth-1.0a 2.2.6 gets right (each limit is checked against
 * RFC 5849 by oauth1.test.ts or by the verifier comparison here instead):
 * - query *names* are unreserved characters: oauth-1.0a does not percent-decode query names, so it
 *   double-encodes an escaped one (RFC 5849 §3.4.1.3.1 decodes names and values);
 * - a repeated query name never has an empty value first: oauth-1.0a tests `if (data[key])`, so an
 *   earlier empty value is overwritten instead of kept;
 * - query names differ from body names and from names inherited by plain objects (`constructor`,
 *   …): oauth-1.0a merges query and body into one object, the query winning;
 * - the method is letters only: oauth-1.0a does not encode a custom method (§3.4.1.1 item 1);
 * - oauth_version is always "1.0": oauth-1.0a cannot leave it out.
 */
import assert from 'node:assert/strict'
import { createHmac, generateKeyPairSync, sign as cryptoSign } from 'node:crypto'
import { describe, test } from 'node:test'
import fc from 'fast-check'
import OAuth from 'oauth-1.0a'

import * as H from '../../src/index.js'
import { oauthEncode } from '../../src/auth/oauth1.js'
import { ok } from '../execute/helpers.js'
import { sentBytes } from '../helpers.js'
import {
  baseStringUri,
  parseAuthorization,
  parseFormEncoded,
  rfcBaseString,
  rfcEncode,
} from '../support/oauth1-verifier.js'

const RUNS = 100
const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 })
const RSA_PEM = rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()

type Scheme = readonly ['HMAC' | 'RSA' | 'PLAINTEXT', 'SHA1' | 'SHA256']
const schemeName = ([alg, hash]: Scheme): string => (alg === 'PLAINTEXT' ? 'PLAINTEXT' : `${alg}-${hash}`)

// ---------------------------------------------------------------------------
// generators
// ---------------------------------------------------------------------------

/** Any text without lone surrogates (oauth-1.0a's encodeURIComponent throws on them). */
const text = (maxLength = 12): fc.Arbitrary<string> => fc.string({ unit: 'binary', maxLength })
/** Text for credentials: no CR, LF or NUL (httpipe refuses them). */
const credential = (minLength = 0): fc.Arbitrary<string> =>
  fc.string({ unit: 'binary', minLength, maxLength: 12 }).filter((s) => !/[\r\n\0]/.test(s))
/** Names from a small pool half of the time, so that repeated names (sorted by value) are common. */
const unreservedName = fc.oneof(
  fc.constantFrom('a', 'b', 'A', 'a.b', '~'),
  fc.stringMatching(/^[A-Za-z0-9\-._~]{1,8}$/),
)
const safeName = (n: string): boolean => !n.startsWith('oauth_') && !(n in Object.prototype)

const method = fc.oneof(
  fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'get', 'Post'),
  fc.stringMatching(/^[A-Za-z]{1,10}$/),
)
/** Path segments: unicode, spaces and reserved characters (not "?" or "#", which would end the path). */
const segment = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 8 }).map((s) => s.replace(/[?#]/g, '')),
  fc.constantFrom("a:b@c!$&'()*+,;=", '%41%zz', '..', '.', 'é ü', '~user', '[x]', 'a%2Fb'),
)
// a `{name}` in a path is a path-parameter placeholder (setPathParam fills it): a raw brace that
// would make one is written %7B, as a user sends a literal brace
const path = fc
  .array(segment, { maxLength: 4 })
  .map((segs) => `/${segs.join('/')}`.replace(/\{(?=[A-Za-z0-9_.-]+\})/g, '%7B'))

const queryPairs = fc.array(fc.tuple(unreservedName.filter(safeName), text()), { maxLength: 5 }).map((pairs) => {
  // oauth-1.0a loses an empty first value of a repeated name (see the header comment)
  const count = new Map<string, number>()
  for (const [k] of pairs) count.set(k, (count.get(k) ?? 0) + 1)
  return pairs.map(([k, val]) => [k, (count.get(k) ?? 0) > 1 && val === '' ? '0' : val] as [string, string])
})

type Body =
  | { readonly kind: 'none' }
  | { readonly kind: 'form'; readonly fields: ReadonlyArray<[string, string]>; readonly off: boolean }
  | { readonly kind: 'json'; readonly fields: ReadonlyArray<[string, string | number]>; readonly on: boolean }
  | { readonly kind: 'text'; readonly text: string }
const bodyName = fc.oneof(fc.constantFrom('a', 'z', 'é', 'a b', 'a+b'), text(8)).filter((n) => n !== '' && safeName(n))
const body: fc.Arbitrary<Body> = fc.oneof(
  fc.constant({ kind: 'none' as const }),
  fc.record({
    kind: fc.constant('form' as const),
    fields: fc.array(fc.tuple(bodyName, text()), { minLength: 1, maxLength: 5 }),
    off: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant('json' as const),
    fields: fc.uniqueArray(fc.tuple(bodyName, fc.oneof(text(), fc.integer())), {
      minLength: 1,
      maxLength: 4,
      selector: ([k]) => k,
    }),
    on: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('text' as const), text: text(20) }),
)
const headers = fc.array(fc.tuple(fc.stringMatching(/^X-[A-Za-z0-9-]{1,10}$/), fc.stringMatching(/^[ -~]{0,20}$/)), {
  maxLength: 3,
})
const scheme: fc.Arbitrary<Scheme> = fc.constantFrom<Scheme>(
  ['HMAC', 'SHA1'],
  ['HMAC', 'SHA256'],
  ['RSA', 'SHA1'],
  ['RSA', 'SHA256'],
  ['PLAINTEXT', 'SHA1'],
)

const testCase = fc.record({
  method,
  path,
  query: queryPairs,
  body,
  headers,
  scheme,
  token: fc.oneof(fc.constant(''), credential(1)),
  tokenSecret: credential(),
  consumerKey: credential(1),
  consumerSecret: credential(),
  now: fc.integer({ min: 1_000_000_000, max: 4_000_000_000_000 }),
  random: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
})
type Case = typeof testCase extends fc.Arbitrary<infer T> ? T : never

// ---------------------------------------------------------------------------
// the three signers
// ---------------------------------------------------------------------------

const bodyStep = (b: Body): ReadonlyArray<(r: H.Request) => H.Request> => {
  switch (b.kind) {
    case 'none':
      return []
    case 'form':
      return [
        H.setFormBody(b.fields.map(([k, v]) => [k, v] as [string, string])),
        ...(b.off ? [H.useBodyFieldsAtOAuth(false)] : []),
      ]
    case 'json':
      return [H.setJsonBody(Object.fromEntries(b.fields)), ...(b.on ? [H.useBodyFieldsAtOAuth(true)] : [])]
    case 'text':
      return [H.setStringBody(b.text), H.useBodyFieldsAtOAuth(true)]
  }
}

/** The body fields an OAuth1 client of httpipe's contract signs: form fields when on, and (an httpipe/OPI extension) the top-level fields of a JSON object when on. */
const signedFields = (b: Body): ReadonlyArray<readonly [string, string]> =>
  b.kind === 'form' && !b.off
    ? b.fields
    : b.kind === 'json' && b.on
      ? b.fields.map(([k, v]) => [k, String(v)] as const)
      : []

const build = (c: Case): H.Request =>
  [
    H.initialize(`http://127.0.0.1:8080${c.path}`),
    H.setUrlParams(c.query.map(([k, v]) => [k, v] as [string, string])),
    ...c.headers.map(([n, v]) => H.addHeader(n, v)),
    ...bodyStep(c.body),
    H.addOAuthV1Authorization(
      c.token,
      c.tokenSecret,
      c.consumerKey,
      c.scheme[0] === 'RSA' ? RSA_PEM : c.consumerSecret,
    ),
    H.setOAuthV1Algorithm(c.scheme[0], c.scheme[1]),
  ].reduce((r, f) => f(r), H.newRequest())

/** The oauth_* parameters oauth-1.0a puts in its header, decoded. */
const withLibrary = (c: Case, wireUrl: string, timestamp: string, nonce: string): Map<string, string> => {
  const [alg, hash] = c.scheme
  const nodeHash = hash === 'SHA1' ? 'sha1' : 'sha256'
  const lib = new OAuth({
    consumer: { key: c.consumerKey, secret: alg === 'RSA' ? RSA_PEM : c.consumerSecret },
    signature_method: schemeName(c.scheme),
    hash_function:
      alg === 'HMAC'
        ? (base, key) => createHmac(nodeHash, key).update(base).digest('base64')
        : alg === 'RSA'
          ? (base) => cryptoSign(nodeHash, Buffer.from(base), rsa.privateKey).toString('base64')
          : (_base, key) => key,
  })
  lib.getNonce = () => nonce
  lib.getTimeStamp = () => Number(timestamp)
  const data: Record<string, string | string[]> = {}
  for (const [k, v] of signedFields(c.body)) {
    const prev = data[k]
    data[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v]
  }
  const token = (c.token === '' ? { secret: c.tokenSecret } : { key: c.token, secret: c.tokenSecret }) as OAuth.Token
  const authorized = lib.authorize({ url: wireUrl, method: c.method, data }, token)
  const header = lib.toHeader(authorized).Authorization
  const parsed = parseAuthorization(header)
  assert.ok(parsed !== null, header)
  return parsed
}

const authorizationOf = (p: H.PreparedRequest): string =>
  p.headers.find(([n]) => n.toLowerCase() === 'authorization')?.[1] ?? ''

/** Body names that are also query names are renamed: oauth-1.0a would let the query value win. */
const disjoint = (c: Case): Case => {
  const names = new Set(c.query.map(([k]) => k))
  const rename = <V>(fields: ReadonlyArray<[string, V]>): Array<[string, V]> =>
    fields.map(([k, v]) => [names.has(k) ? `${k}\u00b7` : k, v])
  const b = c.body
  return {
    ...c,
    body:
      b.kind === 'form'
        ? { ...b, fields: rename(b.fields) }
        : b.kind === 'json'
          ? { ...b, fields: rename(b.fields) }
          : b,
  }
}

const check = async (generated: Case): Promise<void> => {
  const c = disjoint(generated)
  const req = build(c)
  assert.equal(req.error, null, req.error?.message)
  const prepared = await ok(H.prepareRequest(c.method, { now: () => c.now, random: () => c.random })(req))
  const header = authorizationOf(prepared)
  const ours = parseAuthorization(header)
  assert.ok(ours !== null, `unparseable header ${header}`)
  const timestamp = String(Math.floor(c.now / 1000))
  assert.equal(ours.get('oauth_timestamp'), timestamp)
  const nonce = ours.get('oauth_nonce') ?? ''
  assert.match(nonce, /^[A-Za-z0-9]{32}$/)

  // the request as it goes on the wire: fetch serializes the URL with the WHATWG parser
  const u = new URL(prepared.url)
  const wireUrl = `${u.protocol}//${u.host}${u.pathname}${u.search}`

  const theirs = withLibrary(c, wireUrl, timestamp, nonce)
  assert.deepStrictEqual(ours, theirs, `httpipe and oauth-1.0a disagree for ${c.method} ${wireUrl}`)

  // and the verifier's RFC implementation, from the wire form of the request
  const [alg] = c.scheme
  if (alg !== 'RSA') {
    const form =
      c.body.kind === 'form' && !c.body.off
        ? parseFormEncoded(Buffer.from(sentBytes(prepared.body)).toString('utf8'))
        : []
    const json = c.body.kind === 'json' && c.body.on ? signedFields(c.body) : []
    const base = rfcBaseString(prepared.method, baseStringUri('http', u.host, u.pathname), [
      ...parseFormEncoded(u.search.slice(1)),
      ...form,
      ...json,
      ...[...ours].filter(([n]) => n !== 'oauth_signature'),
    ])
    const key = `${rfcEncode(c.consumerSecret)}&${rfcEncode(c.tokenSecret)}`
    const expected =
      alg === 'PLAINTEXT'
        ? key
        : createHmac(c.scheme[1] === 'SHA1' ? 'sha1' : 'sha256', key)
            .update(base)
            .digest('base64')
    assert.equal(ours.get('oauth_signature'), expected, `the RFC verifier disagrees; base string ${base}`)
  }
}

describe('httpipe OAuth1 vs oauth-1.0a', () => {
  test(`generated requests, every signature method (${RUNS} runs)`, async () => {
    await fc.assert(fc.asyncProperty(testCase, check), { numRuns: RUNS })
  })

  for (const s of [
    ['HMAC', 'SHA1'],
    ['HMAC', 'SHA256'],
    ['PLAINTEXT', 'SHA1'],
  ] as const) {
    test(`${schemeName(s)}: form bodies and query strings (${RUNS} runs)`, async () => {
      await fc.assert(
        fc.asyncProperty(
          testCase.map((c): Case => ({ ...c, scheme: s })),
          fc.array(fc.tuple(bodyName, text()), { minLength: 1, maxLength: 6 }),
          async (c, fields) => check({ ...c, body: { kind: 'form', fields, off: false } }),
        ),
        { numRuns: RUNS },
      )
    })
  }

  test('oauthEncode equals oauth-1.0a percentEncode and the verifier rfcEncode on any text', () => {
    const lib = new OAuth({ consumer: { key: 'k', secret: 's' } })
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (s) => {
        const ours = oauthEncode(s)
        assert.equal(ours, lib.percentEncode(s))
        assert.equal(ours, rfcEncode(s))
        assert.match(ours, /^(?:[A-Za-z0-9\-._~]|%[0-9A-F]{2})*$/)
        assert.equal(decodeURIComponent(ours), s)
      }),
      { numRuns: 300 },
    )
  })
})
