/**
 * OAuth 1.0a (RFC 5849): the two builder steps, percent-encoding, known answers from the RFC,
 * every signature method, determinism through env.now/env.random, body fields, and secrets.
 *
 * Sources (RFC 5849 text: https://www.rfc-editor.org/rfc/rfc5849, a copy is in the
 * thephpleague/oauth1-client repository as rfc5849.txt):
 * - §3.4.1.1 prints the signature base string of the request
 *     POST /request?b5=%3D%253D&a3=a&c%40=&a2=r%20b   Host: example.com
 *     Content-Type: application/x-www-form-urlencoded     body: c2&a3=2+q
 *   with oauth_consumer_key 9djdj82h48djs9d2, oauth_token kkk9d7dh3k39sjv7, HMAC-SHA1,
 *   timestamp 137131201, nonce 7d8f3e4a (no oauth_version), and §3.1 gives the secrets
 *   (client j49sk3j29djd, token dh893hdasih9) and prints oauth_signature="bYT5CMsGcbgUdFHObYMEfcx6bsw%3D".
 * - Verified erratum 2550 (https://www.rfc-editor.org/errata/eid2550) corrects that example:
 *   the printed signature was computed over the base string with "GET" instead of "POST"; the
 *   correct signature of the printed (POST) base string is r6/TJjbCOr97/+UU0NsvSne7s5g=. The
 *   printed base string itself is the POST one and stands. (The erratum page itself could not be
 *   retrieved here; the statement is corroborated by several independent implementations' test
 *   suites, and the test below checks it mechanically: HMAC-SHA1 over the GET variant gives
 *   exactly the printed bYT5… value.)
 * - §1.2 ends with GET /photos?file=vacation.jpg&size=original (Host photos.example.net),
 *   consumer dpf43f3p2l4k3l03/kd94hf93k423kf44, token nnch734d00sl2jdk/pfkkdhi9sl3r4s00,
 *   timestamp 137131202, nonce chapoH, printed oauth_signature="MdpQcU8iPSUjWoN%2FUDMsK2sui9I%3D".
 *   No erratum was found that changes this value; note the RFC does not print the scheme of this
 *   request (the token requests before it are said to use TLS): the printed value is the one for
 *   http://photos.example.net/photos (https gives a different signature, checked below).
 * - §3.4.1.2 base string URI examples; §3.4.2-§3.4.4 methods; §3.6 percent-encoding.
 */
import assert from 'node:assert/strict'
import { createHmac, generateKeyPairSync, sign as cryptoSign, verify as cryptoVerify } from 'node:crypto'
import { describe, test } from 'node:test'
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'

import * as H from '../../src/index.js'
import type { PreparedBody } from '../../src/model/prepared.js'
import type { OAuth1Auth } from '../../src/model/request.js'
import { baseString, oauth1Header, oauthEncode, oauthParams, signature } from '../../src/auth/oauth1.js'
import { oauthBodyFields } from '../../src/auth/oauth1-fields.js'
import { freePort, ko, ok } from '../execute/helpers.js'
import { assertInvalid, assertOk, base, lastLine } from '../helpers.js'

// ---------------------------------------------------------------------------
// helpers
// ---------------------------------------------------------------------------

type Auth = OAuth1Auth<string>

const rfcAuth = (over: Partial<Auth> = {}): Auth => ({
  _tag: 'OAuth1',
  token: 'kkk9d7dh3k39sjv7',
  tokenSecret: 'dh893hdasih9',
  consumerKey: '9djdj82h48djs9d2',
  consumerSecret: 'j49sk3j29djd',
  version: '',
  algorithm: 'HMAC',
  hash: 'SHA1',
  ...over,
})

/** RFC 5849 §3.4.1.1, joined (the RFC breaks the line for display only). */
const RFC_BASE =
  'POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q' +
  '%26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D%26c2%3D%26oauth_consumer_' +
  'key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26oauth_signature_m' +
  'ethod%3DHMAC-SHA1%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk' +
  '9d7dh3k39sjv7'
const RFC_URL = 'http://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b'
const FORM_TYPE: H.HeaderList = [['Content-Type', 'application/x-www-form-urlencoded']]
const bytes = (s: string): PreparedBody => ({
  _tag: 'Segments',
  segments: [{ _tag: 'Bytes', bytes: Buffer.from(s, 'utf8') }],
  length: Buffer.byteLength(s),
})

const hmac = (alg: 'sha1' | 'sha256', key: string, text: string): string =>
  createHmac(alg, key).update(text).digest('base64')

/** The `OAuth …` header's parameters, percent-decoded; fails on a malformed header or a repeated name. */
const parseOAuth = (value: string): Map<string, string> => {
  assert.ok(value.startsWith('OAuth '), `not an OAuth header: ${value}`)
  const parts = value.slice('OAuth '.length).split(', ')
  const out = new Map<string, string>()
  for (const part of parts) {
    const m = /^([A-Za-z0-9_.~%-]+)="([A-Za-z0-9_.~%-]*)"$/.exec(part)
    assert.ok(m !== null, `malformed header parameter ${JSON.stringify(part)} in ${value}`)
    const name = decodeURIComponent(m[1] ?? '')
    assert.ok(!out.has(name), `parameter ${name} repeated`)
    out.set(name, decodeURIComponent(m[2] ?? ''))
  }
  return out
}

const authorizationOf = (p: H.PreparedRequest): string => {
  const found = p.headers.filter(([n]) => n.toLowerCase() === 'authorization')
  assert.equal(found.length, 1, 'exactly one Authorization header')
  return found[0]?.[1] ?? ''
}

const NOW = 1_700_000_000_999 // → oauth_timestamp 1700000000 (whole seconds, floored)
const ZERO = (): number => 0 // → nonce 'A' × 32
const env = { now: () => NOW, random: ZERO }
const NONCE_A = 'A'.repeat(32)

const prepare = async (req: H.Request, method = 'GET', e: H.Env = env): Promise<H.PreparedRequest> =>
  ok(H.prepareRequest(method, e)(req))
const paramsOf = async (req: H.Request, method = 'GET', e: H.Env = env): Promise<Map<string, string>> =>
  parseOAuth(authorizationOf(await prepare(req, method, e)))
const sigOf = async (req: H.Request, method = 'GET', e: H.Env = env): Promise<string> =>
  (await paramsOf(req, method, e)).get('oauth_signature') ?? ''

/** A request to http://127.0.0.1:8080/api/items with OAuth1 credentials ck/cs and tok/ts. */
const signed = (...steps: ReadonlyArray<(r: H.Request) => H.Request>): H.Request =>
  steps.reduce(
    (r, f) => f(r),
    pipe(
      H.newRequest(),
      H.initialize('http://127.0.0.1:8080/api/items'),
      H.addOAuthV1Authorization('tok', 'ts', 'ck', 'cs'),
    ),
  )

/** The oauth_* part of a hand-written base string for `signed` (HMAC-SHA256 unless told). */
const oauthPart = (
  o: { method?: string; token?: boolean; version?: boolean; nonce?: string } = {},
): ReadonlyArray<string> => [
  'oauth_consumer_key=ck',
  `oauth_nonce=${o.nonce ?? NONCE_A}`,
  `oauth_signature_method=${o.method ?? 'HMAC-SHA256'}`,
  'oauth_timestamp=1700000000',
  ...(o.token === false ? [] : ['oauth_token=tok']),
  ...(o.version === false ? [] : ['oauth_version=1.0']),
]
/** A base string from already-encoded, already-sorted `name=value` pairs (written by hand in the tests). */
const manualBase = (method: string, uri: string, sortedPairs: ReadonlyArray<string>): string =>
  `${method}&${encodeURIComponent(uri)}&${encodeURIComponent(sortedPairs.join('&'))}`
const ITEMS = 'http://127.0.0.1:8080/api/items'

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
const RSA_PEM = rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
const RSA_PKCS1_PEM = rsa.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString()
const EC_PEM = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  .privateKey.export({ type: 'pkcs8', format: 'pem' })
  .toString()
const ENCRYPTED_PEM = rsa.privateKey
  .export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pw-for-test' })
  .toString()
const PUBLIC_PEM = rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString()

// ---------------------------------------------------------------------------
// the builder steps
// ---------------------------------------------------------------------------

describe('addOAuthV1Authorization', () => {
  test('records the credentials with HMAC-SHA256 and version 1.0 by default; the log hides token and secrets', () => {
    const before = base()
    const r = pipe(
      before,
      H.addOAuthV1Authorization('T0KEN-value', 'token-SECRET-1', 'consumer-KEY', 'consumer-SECRET-2'),
    )
    assertOk(before, r, 'addOAuthV1Authorization')
    assert.deepStrictEqual(r.auth, {
      _tag: 'OAuth1',
      token: 'T0KEN-value',
      tokenSecret: 'token-SECRET-1',
      consumerKey: 'consumer-KEY',
      consumerSecret: 'consumer-SECRET-2',
      version: '1.0',
      algorithm: 'HMAC',
      hash: 'SHA256',
    })
    assert.match(lastLine(r), /consumer-KEY/)
    assert.match(lastLine(r), /HMAC-SHA256/)
    for (const s of ['T0KEN-value', 'token-SECRET-1', 'consumer-SECRET-2']) assert.ok(!H.getLog(r, true).includes(s), s)
    assert.deepStrictEqual(r.headers, [], 'no header is added by the step: OAuth1 signs at send time')
  })

  test('adding again keeps the chosen signature method', () => {
    const r = pipe(
      base(),
      H.addOAuthV1Authorization('t', 's', 'k', 'c'),
      H.setOAuthV1Algorithm('HMAC', 'SHA1'),
      H.addOAuthV1Authorization('t2', 's2', 'k2', 'c2', ''),
    )
    assert.equal(r.error, null)
    assert.deepStrictEqual(r.auth, {
      _tag: 'OAuth1',
      token: 't2',
      tokenSecret: 's2',
      consumerKey: 'k2',
      consumerSecret: 'c2',
      version: '',
      algorithm: 'HMAC',
      hash: 'SHA1',
    })
  })

  test('non-string arguments are InvalidInput, naming the step, without leaking secrets', () => {
    const good = ['tok', 'tokSecret-xyz', 'ck', 'consSecret-xyz', '1.0'] as const
    for (let i = 0; i < good.length; i++) {
      // (an undefined version is the default parameter, '1.0')
      for (const bad of i === 4 ? [null, 1, {}, ['a']] : [undefined, null, 1, {}, ['a']]) {
        const args = [...good] as unknown[]
        args[i] = bad
        const before = base()
        const r = pipe(before, (H.addOAuthV1Authorization as (...a: unknown[]) => (q: H.Request) => H.Request)(...args))
        assertInvalid(before, r, 'addOAuthV1Authorization', /string/)
        assert.ok(!JSON.stringify(r).includes('Secret-xyz'), 'no secret in the request record')
      }
    }
  })

  test('CR, LF or NUL in the token, token secret, consumer key or version is InvalidInput', () => {
    for (const i of [0, 1, 2, 4]) {
      for (const evil of ['a\r\nX-Evil: 1', 'a\n', 'a\r', 'a\0b']) {
        const args = ['tok', 'ts', 'ck', 'cs', '1.0']
        args[i] = evil
        const before = base()
        const r = pipe(
          before,
          H.addOAuthV1Authorization(args[0] ?? '', args[1] ?? '', args[2] ?? '', args[3] ?? '', args[4]),
        )
        assertInvalid(before, r, 'addOAuthV1Authorization', /CR, LF or NUL/)
      }
    }
  })

  test('the consumer secret may span lines (a PEM key for RSA) but not hold NUL', () => {
    assert.equal(pipe(base(), H.addOAuthV1Authorization('t', 's', 'k', RSA_PEM)).error, null)
    const before = base()
    assertInvalid(
      before,
      pipe(before, H.addOAuthV1Authorization('t', 's', 'k', 'c\0s')),
      'addOAuthV1Authorization',
      /NUL/,
    )
  })

  test('an empty consumer key is InvalidInput', () => {
    const before = base()
    assertInvalid(
      before,
      pipe(before, H.addOAuthV1Authorization('t', 's', '', 'c')),
      'addOAuthV1Authorization',
      /consumer key/,
    )
  })

  test('with RSA already chosen, a consumer secret that is not a PEM private key is InvalidInput', () => {
    const before = pipe(
      base(),
      H.addOAuthV1Authorization('t', 's', 'k', RSA_PEM),
      H.setOAuthV1Algorithm('RSA', 'SHA256'),
    )
    assert.equal(before.error, null)
    const r = pipe(before, H.addOAuthV1Authorization('t', 's', 'k', 'plain-secret-123'))
    assertInvalid(before, r, 'addOAuthV1Authorization', /RSA-SHA256.*PEM/)
    assert.ok(!JSON.stringify(r).includes('plain-secret-123'))
  })
})

describe('setOAuthV1Algorithm', () => {
  const withOAuth = (secret = 'cs-secret-value'): H.Request =>
    pipe(base(), H.addOAuthV1Authorization('tok', 'ts', 'ck', secret))

  test('chooses each method and logs its name', () => {
    for (const [alg, hash, name] of [
      ['HMAC', 'SHA1', 'HMAC-SHA1'],
      ['HMAC', 'SHA256', 'HMAC-SHA256'],
      ['PLAINTEXT', 'SHA1', 'PLAINTEXT'],
      ['PLAINTEXT', 'SHA256', 'PLAINTEXT'],
    ] as const) {
      const before = withOAuth()
      const r = pipe(before, H.setOAuthV1Algorithm(alg, hash))
      assertOk(before, r, 'setOAuthV1Algorithm')
      assert.equal(r.auth._tag === 'OAuth1' && r.auth.algorithm, alg)
      assert.equal(r.auth._tag === 'OAuth1' && r.auth.hash, hash)
      assert.ok(lastLine(r).endsWith(name), lastLine(r))
    }
    for (const [pem, hash] of [
      [RSA_PEM, 'SHA1'],
      [RSA_PKCS1_PEM, 'SHA256'],
    ] as const) {
      const before = withOAuth(pem)
      const r = pipe(before, H.setOAuthV1Algorithm('RSA', hash))
      assertOk(before, r, 'setOAuthV1Algorithm')
      assert.ok(lastLine(r).endsWith(`RSA-${hash}`))
      assert.ok(!H.getLog(r, true).includes('PRIVATE KEY'), 'the PEM never reaches the log')
    }
  })

  test('before addOAuthV1Authorization (nothing, or another scheme) is InvalidInput', () => {
    for (const before of [
      base(),
      pipe(base(), H.addBearerAuthorization('tok')),
      pipe(base(), H.addBasicAuthorization('u', 'p')),
    ]) {
      assertInvalid(
        before,
        pipe(before, H.setOAuthV1Algorithm('HMAC', 'SHA1')),
        'setOAuthV1Algorithm',
        /addOAuthV1Authorization/,
      )
    }
  })

  test('an unknown algorithm or hash is InvalidInput', () => {
    for (const alg of ['HMAC-SHA1', 'hmac', 'ECDSA', '', 1, null, undefined]) {
      const before = withOAuth()
      assertInvalid(
        before,
        pipe(before, H.setOAuthV1Algorithm(alg as never, 'SHA1')),
        'setOAuthV1Algorithm',
        /algorithm/,
      )
    }
    for (const hash of ['SHA512', 'sha1', 'MD5', '', 256, null, undefined]) {
      const before = withOAuth()
      assertInvalid(before, pipe(before, H.setOAuthV1Algorithm('HMAC', hash as never)), 'setOAuthV1Algorithm', /hash/)
    }
  })

  test('RSA with a consumer secret that is not an unencrypted PEM RSA private key is InvalidInput, without the secret', () => {
    for (const secret of [
      'not-a-pem-secret',
      PUBLIC_PEM,
      ENCRYPTED_PEM,
      EC_PEM,
      '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n',
    ]) {
      const before = withOAuth(secret)
      const r = pipe(before, H.setOAuthV1Algorithm('RSA', 'SHA1'))
      assertInvalid(before, r, 'setOAuthV1Algorithm', /RSA/)
      const errorText = `${r.error?.message ?? ''}\n${H.getLog(r, true)}\n${JSON.stringify(r.error)}`
      for (const line of secret.split('\n').filter((l) => l.length > 0 && !l.startsWith('-----')))
        assert.ok(!errorText.includes(line), `${line} leaked: ${errorText}`)
    }
  })

  test('a PEM key that cannot sign at send time (a loaded template) is an AuthError naming the step, without the key', async () => {
    const good = pipe(
      base(),
      H.addOAuthV1Authorization('tok', 'ts', 'ck', RSA_PEM),
      H.setOAuthV1Algorithm('RSA', 'SHA1'),
    )
    assert.ok(good.auth._tag === 'OAuth1')
    const broken: H.Request = { ...good, auth: { ...good.auth, consumerSecret: 'garbage-key-material-42' } }
    for (const [step, e] of [
      ['prepareRequest', await ko(H.prepareRequest('GET', env)(broken))],
      ['processRequest', await ko(H.processRequest('GET', env)(broken))],
    ] as const) {
      assert.equal(e._tag, 'AuthError')
      assert.ok(e.message.startsWith(`${step}: RSA-SHA1 signing failed`), e.message)
      assert.ok(!e.message.includes('garbage-key-material-42'))
      assert.ok(!H.getLog(e, true).includes('garbage-key-material-42'))
    }
  })
})

// ---------------------------------------------------------------------------
// percent-encoding (§3.6)
// ---------------------------------------------------------------------------

describe('oauthEncode (RFC 5849 §3.6)', () => {
  test('keeps exactly the unreserved characters, encodes everything else as uppercase %XX of UTF-8', () => {
    const cases: ReadonlyArray<readonly [string, string]> = [
      ['ABCXYZabcxyz0123456789', 'ABCXYZabcxyz0123456789'],
      ['-._~', '-._~'],
      [' ', '%20'],
      ['+', '%2B'],
      ['*', '%2A'],
      ['a b+c', 'a%20b%2Bc'],
      [':/?#[]@', '%3A%2F%3F%23%5B%5D%40'],
      ["!$&'()*+,;=", '%21%24%26%27%28%29%2A%2B%2C%3B%3D'],
      ['%', '%25'],
      ['%3D', '%253D'],
      ['"<>\\^`{|}', '%22%3C%3E%5C%5E%60%7B%7C%7D'],
      ['\u0000\u001f\u007f', '%00%1F%7F'],
      ['é', '%C3%A9'],
      ['€', '%E2%82%AC'],
      ['😀', '%F0%9F%98%80'],
      ['日本', '%E6%97%A5%E6%9C%AC'],
      ['', ''],
    ]
    for (const [input, expected] of cases) assert.equal(oauthEncode(input), expected, JSON.stringify(input))
  })

  test('every printable ASCII character: unreserved kept, the rest %XX uppercase', () => {
    for (let c = 0x20; c < 0x7f; c++) {
      const ch = String.fromCharCode(c)
      const expected = /[A-Za-z0-9\-._~]/.test(ch) ? ch : `%${c.toString(16).toUpperCase().padStart(2, '0')}`
      assert.equal(oauthEncode(ch), expected, ch)
    }
  })
})

// ---------------------------------------------------------------------------
// known answers
// ---------------------------------------------------------------------------

describe('known answers', () => {
  test('RFC 5849 §3.4.1.1: the base string, byte for byte', () => {
    const fields = oauthBodyFields(FORM_TYPE, bytes('c2&a3=2+q'))
    assert.deepStrictEqual(fields, [
      ['c2', ''],
      ['a3', '2 q'],
    ])
    assert.equal(baseString('POST', RFC_URL, fields, oauthParams(rfcAuth(), '137131201', '7d8f3e4a')), RFC_BASE)
  })

  test('RFC 5849 §3.4.1.1 / §3.1 with erratum 2550: signature r6/TJjbCOr97/+UU0NsvSne7s5g=', () => {
    assert.deepStrictEqual(signature(rfcAuth(), RFC_BASE), E.right('r6/TJjbCOr97/+UU0NsvSne7s5g='))
    const header = oauth1Header(rfcAuth(), {
      method: 'POST',
      url: RFC_URL,
      bodyFields: [
        ['c2', ''],
        ['a3', '2 q'],
      ],
      timestamp: '137131201',
      nonce: '7d8f3e4a',
    })
    assert.ok(E.isRight(header))
    assert.ok(header.right.includes('oauth_signature="r6%2FTJjbCOr97%2F%2BUU0NsvSne7s5g%3D"'), header.right)
    assert.ok(!header.right.includes('oauth_version'), 'the RFC example sends no oauth_version')
  })

  test('erratum 2550, checked: the value printed in the RFC (bYT5…) is the signature of the GET base string', () => {
    const getBase = RFC_BASE.replace(/^POST&/, 'GET&')
    assert.equal(hmac('sha1', 'j49sk3j29djd&dh893hdasih9', getBase), 'bYT5CMsGcbgUdFHObYMEfcx6bsw=')
    const asGet = oauth1Header(rfcAuth(), {
      method: 'GET',
      url: RFC_URL,
      bodyFields: oauthBodyFields(FORM_TYPE, bytes('c2&a3=2+q')),
      timestamp: '137131201',
      nonce: '7d8f3e4a',
    })
    assert.ok(E.isRight(asGet) && parseOAuth(asGet.right).get('oauth_signature') === 'bYT5CMsGcbgUdFHObYMEfcx6bsw=')
  })

  test('RFC 5849 §3.4.1.1 end to end through prepareRequest (setFormBody, the RFC URL, env.now, env.random)', async () => {
    const req = pipe(
      H.newRequest(),
      H.initialize(RFC_URL),
      H.setFormBody('c2&a3=2+q'),
      H.addOAuthV1Authorization('kkk9d7dh3k39sjv7', 'dh893hdasih9', '9djdj82h48djs9d2', 'j49sk3j29djd', ''),
      H.setOAuthV1Algorithm('HMAC', 'SHA1'),
    )
    const p = await prepare(req, 'post', { now: () => 137_131_201_500, random: ZERO })
    assert.equal(p.url, RFC_URL, 'the URL is sent as given')
    const params = parseOAuth(authorizationOf(p))
    assert.equal(params.get('oauth_timestamp'), '137131201')
    assert.equal(params.get('oauth_nonce'), NONCE_A)
    const expectedBase = RFC_BASE.replace('oauth_nonce%3D7d8f3e4a', `oauth_nonce%3D${NONCE_A}`)
    assert.equal(params.get('oauth_signature'), hmac('sha1', 'j49sk3j29djd&dh893hdasih9', expectedBase))
  })

  test('RFC 5849 §3.4.1.2: base string URIs (scheme and host lowercase, default port dropped, other ports kept)', () => {
    const p: ReadonlyArray<readonly [string, string]> = []
    assert.equal(
      baseString('GET', 'http://EXAMPLE.COM:80/r%20v/X?id=123', [], p),
      'GET&http%3A%2F%2Fexample.com%2Fr%2520v%2FX&id%3D123',
    )
    assert.equal(
      baseString('GET', 'https://www.example.net:8080/?q=1', [], p),
      'GET&https%3A%2F%2Fwww.example.net%3A8080%2F&q%3D1',
    )
    assert.equal(baseString('GET', 'https://www.example.net:443/', [], p), 'GET&https%3A%2F%2Fwww.example.net%2F&')
  })

  test('RFC 5849 §1.2: the photo request signs as MdpQcU8iPSUjWoN/UDMsK2sui9I= (http)', () => {
    const auth = rfcAuth({
      token: 'nnch734d00sl2jdk',
      tokenSecret: 'pfkkdhi9sl3r4s00',
      consumerKey: 'dpf43f3p2l4k3l03',
      consumerSecret: 'kd94hf93k423kf44',
    })
    const input = {
      method: 'GET',
      url: 'http://photos.example.net/photos?file=vacation.jpg&size=original',
      bodyFields: [],
      timestamp: '137131202',
      nonce: 'chapoH',
    }
    const header = oauth1Header(auth, input)
    assert.ok(E.isRight(header))
    assert.ok(header.right.includes('oauth_signature="MdpQcU8iPSUjWoN%2FUDMsK2sui9I%3D"'), header.right)
    assert.deepStrictEqual([...parseOAuth(header.right).keys()].sort(), [
      'oauth_consumer_key',
      'oauth_nonce',
      'oauth_signature',
      'oauth_signature_method',
      'oauth_timestamp',
      'oauth_token',
    ])
    const overTls = oauth1Header(auth, { ...input, url: input.url.replace('http:', 'https:') })
    assert.ok(E.isRight(overTls) && !overTls.right.includes('MdpQcU8iPSUjWoN'), 'the scheme is part of the base string')
  })

  test('OAuth Core 1.0a Appendix A.5 (with oauth_version 1.0): tR3+Ty81lMeYAr/Fid0kMTYa/WM=', async () => {
    const auth = rfcAuth({
      token: 'nnch734d00sl2jdk',
      tokenSecret: 'pfkkdhi9sl3r4s00',
      consumerKey: 'dpf43f3p2l4k3l03',
      consumerSecret: 'kd94hf93k423kf44',
      version: '1.0',
    })
    const header = oauth1Header(auth, {
      method: 'GET',
      url: 'http://photos.example.net/photos?file=vacation.jpg&size=original',
      bodyFields: [],
      timestamp: '1191242096',
      nonce: 'kllo9940pd9333jh',
    })
    assert.ok(E.isRight(header) && parseOAuth(header.right).get('oauth_signature') === 'tR3+Ty81lMeYAr/Fid0kMTYa/WM=')
  })

  test('a custom method is encoded in the base string (§3.4.1.1 item 1)', () => {
    assert.ok(baseString('m!x', 'http://h/', [], []).startsWith('M%21X&'))
  })
})

// ---------------------------------------------------------------------------
// signature methods
// ---------------------------------------------------------------------------

describe('signature methods', () => {
  const uri = ITEMS
  const plainBase = (method: string): string => manualBase('GET', uri, oauthPart({ method }))

  test('HMAC-SHA256 is the default; HMAC-SHA1 on request', async () => {
    const p256 = await paramsOf(signed())
    assert.equal(p256.get('oauth_signature_method'), 'HMAC-SHA256')
    assert.equal(p256.get('oauth_signature'), hmac('sha256', 'cs&ts', plainBase('HMAC-SHA256')))
    const p1 = await paramsOf(signed(H.setOAuthV1Algorithm('HMAC', 'SHA1')))
    assert.equal(p1.get('oauth_signature_method'), 'HMAC-SHA1')
    assert.equal(p1.get('oauth_signature'), hmac('sha1', 'cs&ts', plainBase('HMAC-SHA1')))
  })

  test('the HMAC key is the encoded consumer secret & encoded token secret', async () => {
    const req = pipe(H.newRequest(), H.initialize(uri), H.addOAuthV1Authorization('tok', 't s/é', 'ck', 'c+s&x'))
    assert.equal(await sigOf(req), hmac('sha256', 'c%2Bs%26x&t%20s%2F%C3%A9', plainBase('HMAC-SHA256')))
  })

  for (const hash of ['SHA1', 'SHA256'] as const) {
    test(`RSA-${hash}: PKCS#1 v1.5 over the base string, verified with the public key`, async () => {
      for (const pem of [RSA_PEM, RSA_PKCS1_PEM]) {
        const req = pipe(
          H.newRequest(),
          H.initialize(uri),
          H.addOAuthV1Authorization('tok', 'ts', 'ck', pem),
          H.setOAuthV1Algorithm('RSA', hash),
        )
        const params = await paramsOf(req)
        assert.equal(params.get('oauth_signature_method'), `RSA-${hash}`)
        const sig = Buffer.from(params.get('oauth_signature') ?? '', 'base64')
        const b = Buffer.from(plainBase(`RSA-${hash}`))
        const alg = hash === 'SHA1' ? 'sha1' : 'sha256'
        assert.ok(cryptoVerify(alg, b, rsa.publicKey, sig), 'verifies with the public key')
        assert.ok(
          !cryptoVerify(alg === 'sha1' ? 'sha256' : 'sha1', b, rsa.publicKey, sig),
          'and not with the other hash',
        )
        assert.ok(
          !cryptoVerify(alg, Buffer.from(plainBase(`RSA-${hash}`).replace('GET&', 'PUT&')), rsa.publicKey, sig),
          'and not for another base string',
        )
        assert.equal(
          sig.toString('base64'),
          cryptoSign(alg, b, rsa.privateKey).toString('base64'),
          'deterministic PKCS#1 v1.5',
        )
      }
    })
  }

  test('PLAINTEXT: the signature is encoded consumer secret & encoded token secret, whatever the hash', async () => {
    for (const hash of ['SHA1', 'SHA256'] as const) {
      const req = pipe(
        H.newRequest(),
        H.initialize(uri),
        H.addOAuthV1Authorization('tok', 't~s*', 'ck', 'c s+&/é'),
        H.setOAuthV1Algorithm('PLAINTEXT', hash),
      )
      const header = authorizationOf(await prepare(req))
      const params = parseOAuth(header)
      assert.equal(params.get('oauth_signature_method'), 'PLAINTEXT')
      assert.equal(params.get('oauth_signature'), 'c%20s%2B%26%2F%C3%A9&t~s%2A')
      assert.ok(
        header.includes('oauth_signature="c%2520s%252B%2526%252F%25C3%25A9%26t~s%252A"'),
        'encoded again in the header (§3.5.1)',
      )
    }
    const twoLegged = pipe(
      H.newRequest(),
      H.initialize(uri),
      H.addOAuthV1Authorization('', '', 'ck', 'cs'),
      H.setOAuthV1Algorithm('PLAINTEXT', 'SHA1'),
    )
    assert.equal(
      (await paramsOf(twoLegged)).get('oauth_signature'),
      'cs&',
      'the "&" stays when the token secret is empty',
    )
  })
})

// ---------------------------------------------------------------------------
// determinism, protocol parameters
// ---------------------------------------------------------------------------

describe('timestamp, nonce and protocol parameters', () => {
  test('oauth_timestamp is env.now in whole seconds (floored)', async () => {
    for (const [now, ts] of [
      [1_700_000_000_999, '1700000000'],
      [1_700_000_001_000, '1700000001'],
      [137_131_201_001, '137131201'],
    ] as const) {
      assert.equal((await paramsOf(signed(), 'GET', { now: () => now, random: ZERO })).get('oauth_timestamp'), ts)
    }
  })

  test('oauth_nonce is 32 alphanumerics drawn from env.random', async () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
    let i = 0
    const counting = (): number => (i++ % 62) / 62 + 1e-9
    assert.equal(
      (await paramsOf(signed(), 'GET', { now: () => NOW, random: counting })).get('oauth_nonce'),
      alphabet.slice(0, 32),
    )
    assert.equal(
      (await paramsOf(signed(), 'GET', { now: () => NOW, random: () => 0.999999 })).get('oauth_nonce'),
      '9'.repeat(32),
    )
    const a = await paramsOf(signed(), 'GET', { now: () => NOW, random: () => 0.25 })
    const b = await paramsOf(signed(), 'GET', { now: () => NOW, random: () => 0.25 })
    assert.deepStrictEqual(a, b, 'same env, same header')
    const r1 = await paramsOf(signed(), 'GET', { now: () => NOW })
    const r2 = await paramsOf(signed(), 'GET', { now: () => NOW })
    assert.match(r1.get('oauth_nonce') ?? '', /^[A-Za-z0-9]{32}$/)
    assert.notEqual(r1.get('oauth_nonce'), r2.get('oauth_nonce'), 'Math.random by default: fresh nonces')
    assert.notEqual(r1.get('oauth_signature'), r2.get('oauth_signature'))
  })

  test('the header: "OAuth ", every oauth_* parameter once, quoted and encoded, no realm', async () => {
    const header = authorizationOf(await prepare(signed()))
    assert.match(header, /^OAuth oauth_[a-z_]+="[^"]*"(, oauth_[a-z_]+="[^"]*")*$/)
    assert.deepStrictEqual([...parseOAuth(header).keys()].sort(), [
      'oauth_consumer_key',
      'oauth_nonce',
      'oauth_signature',
      'oauth_signature_method',
      'oauth_timestamp',
      'oauth_token',
      'oauth_version',
    ])
    const withOddToken = parseOAuth(
      authorizationOf(
        await prepare(
          pipe(H.newRequest(), H.initialize(ITEMS), H.addOAuthV1Authorization('t k/é"', 'ts', 'c"k', 'cs')),
        ),
      ),
    )
    assert.equal(withOddToken.get('oauth_token'), 't k/é"')
    assert.equal(withOddToken.get('oauth_consumer_key'), 'c"k')
  })

  test('two-legged: an empty token sends no oauth_token and signs with "consumerSecret&"', async () => {
    const req = pipe(H.newRequest(), H.initialize(ITEMS), H.addOAuthV1Authorization('', '', 'ck', 'cs'))
    const params = await paramsOf(req)
    assert.equal(params.has('oauth_token'), false)
    assert.equal(
      params.get('oauth_signature'),
      hmac('sha256', 'cs&', manualBase('GET', ITEMS, oauthPart({ token: false }))),
    )
  })

  test('an empty version sends no oauth_version and leaves it out of the base string', async () => {
    const req = pipe(H.newRequest(), H.initialize(ITEMS), H.addOAuthV1Authorization('tok', 'ts', 'ck', 'cs', ''))
    const params = await paramsOf(req)
    assert.equal(params.has('oauth_version'), false)
    assert.equal(
      params.get('oauth_signature'),
      hmac('sha256', 'cs&ts', manualBase('GET', ITEMS, oauthPart({ version: false }))),
    )
  })

  test('query parameters are in the base string: decoded, re-encoded, sorted by name then value', async () => {
    const req = signed(
      H.setUrlParams([
        ['z', 'last'],
        ['q', 'a b+c'],
        ['tag', ['x', 'y']],
        ['a', '2'],
        ['a', '10'],
        ['é', '€'],
      ]),
    )
    const p = await prepare(req, 'DELETE')
    assert.equal(p.url, `${ITEMS}?z=last&q=a%20b%2Bc&tag=[x,y]&a=2&a=10&%C3%A9=%E2%82%AC`)
    const expected = manualBase('DELETE', ITEMS, [
      '%C3%A9=%E2%82%AC',
      'a=10',
      'a=2',
      ...oauthPart(),
      'q=a%20b%2Bc',
      'tag=%5Bx%2Cy%5D',
      'z=last',
    ])
    assert.equal(parseOAuth(authorizationOf(p)).get('oauth_signature'), hmac('sha256', 'cs&ts', expected))
  })

  test('a "+" in a query given with setUrl means a space (the query is form-urlencoded, §3.4.1.3.1)', async () => {
    const req = pipe(
      H.newRequest(),
      H.initialize(`${ITEMS}?q=a+b&r=a%2Bb`),
      H.addOAuthV1Authorization('tok', 'ts', 'ck', 'cs'),
    )
    const expected = manualBase('GET', ITEMS, [...oauthPart(), 'q=a%20b', 'r=a%2Bb'])
    assert.equal(await sigOf(req), hmac('sha256', 'cs&ts', expected))
  })

  test('the fragment and user info are never signed', async () => {
    const req = pipe(
      H.newRequest(),
      H.initialize('http://ann:pw@127.0.0.1:8080/api/items?x=1#frag'),
      H.addOAuthV1Authorization('tok', 'ts', 'ck', 'cs'),
    )
    assert.equal(await sigOf(req), hmac('sha256', 'cs&ts', manualBase('GET', ITEMS, [...oauthPart(), 'x=1'])))
  })
})

// ---------------------------------------------------------------------------
// body fields (useBodyFieldsAtOAuth)
// ---------------------------------------------------------------------------

describe('useBodyFieldsAtOAuth', () => {
  const bare = async (method: string): Promise<string> => sigOf(signed(), method)

  test('setFormBody turns it on: form fields join the base string', async () => {
    const req = signed(H.setFormBody({ b: 'x y', a: '1', plus: '1+1' }))
    assert.equal(req.settings.bodyFieldsAtOAuth, true)
    const expected = manualBase('POST', ITEMS, ['a=1', 'b=x%20y', ...oauthPart(), 'plus=1%2B1'])
    assert.equal(await sigOf(req, 'POST'), hmac('sha256', 'cs&ts', expected))
    assert.notEqual(await sigOf(req, 'POST'), await bare('POST'))
  })

  test('a form string set with setFormBody is parsed as form-urlencoded ("+" is a space)', async () => {
    const req = signed(H.setFormBody('b=x+y&a=%31&c'))
    const expected = manualBase('POST', ITEMS, ['a=1', 'b=x%20y', 'c=', ...oauthPart()])
    assert.equal(await sigOf(req, 'POST'), hmac('sha256', 'cs&ts', expected))
  })

  test('turned off after setFormBody: the form fields are left out', async () => {
    const req = signed(H.setFormBody({ a: '1' }), H.useBodyFieldsAtOAuth(false))
    assert.equal(await sigOf(req, 'POST'), await bare('POST'))
  })

  test('JSON bodies: left out by default, top-level fields included when turned on', async () => {
    const json = { s: 'text é', n: 42, o: { x: [1, 2] }, t: true, z: null }
    assert.equal(await sigOf(signed(H.setJsonBody(json)), 'PUT'), await bare('PUT'))
    const on = signed(H.setJsonBody(json), H.useBodyFieldsAtOAuth(true))
    const expected = manualBase('PUT', ITEMS, [
      'n=42',
      'o=%7B%22x%22%3A%5B1%2C2%5D%7D',
      ...oauthPart(),
      's=text%20%C3%A9',
      't=true',
      'z=null',
    ])
    assert.equal(await sigOf(on, 'PUT'), hmac('sha256', 'cs&ts', expected))
    assert.equal(
      await sigOf(signed(H.setJsonBody([1, 2]), H.useBodyFieldsAtOAuth(true)), 'PUT'),
      await bare('PUT'),
      'a JSON array has no fields',
    )
  })

  test('a form collection (initializeFormBody) turns the setting on, like setFormBody; turned off, its fields are left out', async () => {
    const on = signed(H.initializeFormBody(), H.insertBodyField('k', 'v'))
    assert.equal(on.settings.bodyFieldsAtOAuth, true)
    assert.equal(await sigOf(on, 'POST'), hmac('sha256', 'cs&ts', manualBase('POST', ITEMS, ['k=v', ...oauthPart()])))
    const off = signed(H.initializeFormBody(), H.insertBodyField('k', 'v'), H.useBodyFieldsAtOAuth(false))
    assert.equal(await sigOf(off, 'POST'), await bare('POST'))
  })

  test('text, binary and non-form Content-Type bodies never contribute, even when on', async () => {
    for (const req of [
      signed(H.setStringBody('a=1&b=2'), H.useBodyFieldsAtOAuth(true)),
      signed(H.setBinaryBody(new TextEncoder().encode('a=1')), H.useBodyFieldsAtOAuth(true)),
      signed(H.setFormBody({ a: '1' }), H.addHeader('Content-Type', 'text/plain')),
    ]) {
      assert.equal(await sigOf(req, 'POST'), await bare('POST'))
    }
  })
})

// ---------------------------------------------------------------------------
// secrets
// ---------------------------------------------------------------------------

describe('secrets never reach the log or error messages', () => {
  const TOKEN = 'tok-VALUE-7781'
  const TOKEN_SECRET = 'tokSecret/é+9931'
  const CONSUMER_SECRET = 'consSecret&ü 4417'
  const schemes = [
    ['HMAC', 'SHA1', CONSUMER_SECRET],
    ['HMAC', 'SHA256', CONSUMER_SECRET],
    ['RSA', 'SHA1', RSA_PEM],
    ['RSA', 'SHA256', RSA_PEM],
    ['PLAINTEXT', 'SHA1', CONSUMER_SECRET],
  ] as const
  /** Every form a secret could take in text: raw, §3.6-encoded, encoded twice, and a line of a PEM. */
  const forms = (secret: string): ReadonlyArray<string> => {
    const raw = secret.includes('PRIVATE KEY')
      ? [secret.split('\n')[1] ?? secret, secret.split('\n')[5] ?? secret]
      : [secret]
    return raw.flatMap((s) => [s, oauthEncode(s), oauthEncode(oauthEncode(s))])
  }
  const assertClean = (text: string, consumerSecret: string): void => {
    for (const s of [TOKEN, TOKEN_SECRET, consumerSecret].flatMap(forms))
      assert.ok(!text.includes(s), `"${s}" leaked into:\n${text}`)
  }

  for (const [alg, hash, cs] of schemes) {
    test(`${alg === 'PLAINTEXT' ? 'PLAINTEXT' : `${alg}-${hash}`}: step log, prepared log, transport error`, async () => {
      const req = pipe(
        base(),
        H.setFormBody({ a: '1' }),
        H.addOAuthV1Authorization(TOKEN, TOKEN_SECRET, 'ck', cs),
        H.setOAuthV1Algorithm(alg, hash),
      )
      assert.equal(req.error, null)
      assertClean(H.getLog(req, true), cs)
      assertClean(JSON.stringify(req.log), cs)

      const p = await prepare(req, 'POST')
      assert.ok(authorizationOf(p).startsWith('OAuth '))
      assertClean(H.getLog(p, true), cs)
      assert.ok(H.getLog(p, true).includes('header Authorization: ***'))

      const port = await freePort()
      const failed = await ko(H.processRequest('POST', env)(pipe(req, H.setUrl(`http://127.0.0.1:${port}/x`))))
      assert.equal(failed._tag, 'TransportError')
      assertClean(failed.message, cs)
      assertClean(H.getLog(failed, true), cs)
    })
  }

  test('invalid-input errors after OAuth1 is set do not carry the secrets', () => {
    const req = pipe(base(), H.addOAuthV1Authorization(TOKEN, TOKEN_SECRET, 'ck', CONSUMER_SECRET))
    for (const r of [
      pipe(req, H.setOAuthV1Algorithm('RSA', 'SHA1')),
      pipe(req, H.setOAuthV1Algorithm('DSA' as never, 'SHA1')),
      pipe(req, H.addOAuthV1Authorization(TOKEN, TOKEN_SECRET, 'ck\n', CONSUMER_SECRET)),
      pipe(base(), H.addOAuthV1Authorization(`${TOKEN}\r\n`, TOKEN_SECRET, 'ck', CONSUMER_SECRET)),
    ]) {
      assert.notEqual(r.error, null)
      assertClean(`${r.error?.message ?? ''}\n${H.getLog(r, true)}`, CONSUMER_SECRET)
    }
  })
})

describe('body fields in a non-UTF-8 form', () => {
  test('decodeForm reads escapes as bytes of the request encoding', async () => {
    const { decodeForm } = await import('../../src/auth/oauth1-fields.js')
    assert.deepEqual(decodeForm('a=%E6&b+c=1&d', 'windows-1251'), [
      ['a', 'ж'],
      ['b c', '1'],
      ['d', ''],
    ])
    assert.deepEqual(decodeForm('a=%C3%A9', 'utf-8'), [['a', 'é']])
  })
})
