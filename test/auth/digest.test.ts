/**
 * HTTP Digest authorization: the builder step, the WWW-Authenticate parser, the choice of a
 * challenge, the RFC 2617 / RFC 7616 known answers, and whole runs against a node:http server
 * that checks every answer itself (test/support/digest-server.ts). The live apache2 tests are
 * in digest-apache.test.ts.
 */
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { after, describe, test } from 'node:test'
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import fc from 'fast-check'

import * as H from '../../src/index.js'
import { chooseDigest, digestAuthorization, type DigestChallenge } from '../../src/auth/digest.js'
import { parseChallenges, type Challenge } from '../../src/auth/challenge.js'
import { assertInvalid, assertOk, base, lastLine } from '../helpers.js'
import { asTag, ko, ok } from '../execute/helpers.js'
import {
  parseDigestAuthorization,
  startDigestServer,
  type DigestServer,
  type DigestServerOptions,
  type OfferedChallenge,
} from '../support/digest-server.js'
import { useTempDir } from '../support/fixtures.js'

const USER = 'Mufasa'
const PASSWORD = 'Circle of Life'

const right = <A>(e: E.Either<string, A>): A => {
  if (E.isLeft(e)) assert.fail(`expected Right, got Left: ${e.left}`)
  return e.right
}
const left = <A>(e: E.Either<string, A>): string => {
  if (E.isRight(e)) assert.fail(`expected Left, got Right: ${JSON.stringify(e.right)}`)
  return e.left
}

/** The text of a log, and the error's message, hold no password. */
const assertNoSecret = (x: H.HttpResponse | H.ClientError | H.Request, secret: string): void => {
  const text = H.getLog(x, true)
  assert.ok(text.length > 0, 'the log is not empty')
  assert.ok(!text.includes(secret), `the log leaks the secret:\n${text}`)
  if ('message' in x) assert.ok(!x.message.includes(secret), `the message leaks the secret: ${x.message}`)
  assert.ok(!JSON.stringify(x.log).includes(secret))
}

describe('addDigestAuthorization', () => {
  test('records the scheme; the log names the user and hides the password; no header is added', () => {
    const before = base()
    const r = pipe(before, H.addDigestAuthorization(USER, PASSWORD))
    assertOk(before, r, 'addDigestAuthorization')
    assert.deepStrictEqual(r.auth, { _tag: 'Digest', user: USER, password: PASSWORD })
    assert.deepStrictEqual(r.headers, [])
    assert.match(lastLine(r), /Mufasa/)
    assert.match(lastLine(r), /\*\*\*/)
    assertNoSecret(r, PASSWORD)
  })

  test('replaces another scheme (the last one set wins)', () => {
    const r = pipe(base(), H.addBearerAuthorization('tok'), H.addDigestAuthorization(USER, PASSWORD))
    assert.equal(r.auth._tag, 'Digest')
    const r2 = pipe(base(), H.addDigestAuthorization(USER, PASSWORD), H.addBasicAuthorization('ann', 'pw'))
    assert.equal(r2.auth._tag, 'Basic')
  })

  test('non-string user or password is InvalidInput, without leaking the password', () => {
    for (const [u, p] of [
      [1, PASSWORD],
      [null, PASSWORD],
      [undefined, PASSWORD],
      [USER, 1234],
      [USER, null],
      [USER, { password: PASSWORD }],
    ] as const) {
      const before = base()
      const r = pipe(before, H.addDigestAuthorization(u as never, p as never))
      assertInvalid(before, r, 'addDigestAuthorization', /string/)
      assert.ok(!H.getLog(r, true).includes(PASSWORD))
      assert.ok(!JSON.stringify(r.error).includes(PASSWORD))
    }
  })

  test('a user with a double quote, CR, LF or NUL is InvalidInput, without leaking the password', () => {
    for (const u of ['Mu"fasa', 'Mu\rfasa', 'Mu\nfasa', 'Mu\0fasa']) {
      const before = base()
      const r = pipe(before, H.addDigestAuthorization(u, PASSWORD))
      assertInvalid(before, r, 'addDigestAuthorization', /quote|CR|LF|NUL/)
      assert.ok(!H.getLog(r, true).includes(PASSWORD))
      assert.ok(!JSON.stringify(r.error).includes(PASSWORD))
    }
  })

  test('an InvalidInput step makes processRequest a Left without sending', async () => {
    const server = await startDigestServer()
    try {
      const e = await ko(
        pipe(
          H.newRequest(),
          H.initialize(`${server.url}/x`),
          H.addDigestAuthorization('a"b', PASSWORD),
          H.processRequest('GET'),
        ),
      )
      assert.equal(asTag(e, 'InvalidInput').step, 'addDigestAuthorization')
      assert.equal(server.requests.length, 0)
    } finally {
      await server.close()
    }
  })
})

describe('parseChallenges', () => {
  test('several challenges in one header (RFC 7235 §4.1 example)', () => {
    assert.deepStrictEqual(
      right(parseChallenges('Newauth realm="apps", type=1, title="Login to \\"apps\\"", Basic realm="simple"')),
      [
        { scheme: 'newauth', params: { realm: 'apps', type: '1', title: 'Login to "apps"' } },
        { scheme: 'basic', params: { realm: 'simple' } },
      ],
    )
  })

  test('quoted strings with commas, equals signs and escapes; names lower-cased; spaces and tabs around =', () => {
    assert.deepStrictEqual(
      right(parseChallenges('DIGEST Realm = "a, b=c \\"q\\" \\\\ d",\tNONCE="n,1" ,qop="auth,auth-int"')),
      [{ scheme: 'digest', params: { realm: 'a, b=c "q" \\ d', nonce: 'n,1', qop: 'auth,auth-int' } }],
    )
  })

  test('bare schemes, token68 credentials and empty list elements are skipped over correctly', () => {
    const cs = right(
      parseChallenges(
        ', Negotiate, NTLM TlRMTVNTUAABAAAAB4IIog==, Digest realm="r", nonce="n", Bearer abc.def-ghi, Basic realm="x",',
      ),
    )
    assert.deepStrictEqual(
      cs.map((c) => c.scheme),
      ['negotiate', 'ntlm', 'digest', 'bearer', 'basic'],
    )
    assert.deepStrictEqual(cs[2]?.params, { realm: 'r', nonce: 'n' })
    assert.deepStrictEqual(cs[4]?.params, { realm: 'x' })
  })

  test('an empty header has no challenges', () => {
    assert.deepStrictEqual(right(parseChallenges('')), [])
    assert.deepStrictEqual(right(parseChallenges('  ,  ')), [])
  })

  test('malformed headers are a Left saying where', () => {
    for (const h of [
      'Digest realm="open', // unterminated quoted string
      'Digest realm="a" nonce="b"', // no comma between parameters
      'Digest realm=, nonce="b"', // no value
      'Digest realm=@x', // not a token
      '"quoted" realm="x"', // no scheme
      'Digest realm="a"; nonce="b"',
    ]) {
      const why = left(parseChallenges(h))
      assert.ok(why.length > 0)
      assert.match(why, /malformed|unexpected/, h)
    }
  })

  test('property: rendered challenges parse back to what was rendered', () => {
    const tokenArb = fc.stringMatching(/^[a-z][a-z0-9-]{0,7}$/)
    const challengeArb = fc.record({
      scheme: tokenArb,
      params: fc.uniqueArray(fc.tuple(tokenArb, fc.string({ maxLength: 12 }), fc.boolean()), {
        maxLength: 4,
        selector: (p) => p[0],
      }),
    })
    const quoteIt = (v: string): string => `"${v.replace(/(["\\])/g, '\\$1')}"`
    const isToken = (v: string): boolean => /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(v)
    fc.assert(
      fc.property(fc.array(challengeArb, { minLength: 1, maxLength: 4 }), (cs) => {
        const header = cs
          .map((c) =>
            [c.scheme, c.params.map(([k, v, bare]) => `${k}=${bare && isToken(v) ? v : quoteIt(v)}`).join(', ')]
              .filter((x) => x !== '')
              .join(' '),
          )
          .join(', ')
        const expected: Challenge[] = cs.map((c) => ({
          scheme: c.scheme,
          params: Object.fromEntries(c.params.map(([k, v]) => [k, v])),
        }))
        assert.deepStrictEqual(right(parseChallenges(header)), expected, header)
      }),
    )
  })
})

describe('chooseDigest', () => {
  const D = (alg: string | null, extra = ''): string =>
    `Digest realm="r", nonce="n-${alg ?? 'none'}"${alg === null ? '' : `, algorithm=${alg}`}, qop="auth"${extra}`

  test('picks the strongest algorithm offered, whatever the order', () => {
    for (const h of [
      `${D('MD5')}, ${D('SHA-256')}, ${D('SHA-512-256')}`,
      `${D('SHA-512-256')}, ${D('MD5')}, ${D('SHA-256')}`,
      `Basic realm="b", ${D('SHA-256')}, ${D('SHA-512-256')}, Bearer realm="x"`,
    ]) {
      const c = right(chooseDigest(h))
      assert.equal(c.algorithm, 'SHA-512-256', h)
      assert.equal(c.nonce, 'n-SHA-512-256')
    }
    assert.equal(right(chooseDigest(`${D('MD5-sess')}, ${D('SHA-256')}`)).algorithm, 'SHA-256')
  })

  test('no algorithm parameter means MD5', () => {
    const c = right(chooseDigest(D(null)))
    assert.deepStrictEqual(c, {
      realm: 'r',
      nonce: 'n-none',
      opaque: null,
      algorithm: 'MD5',
      sess: false,
      qop: 'auth',
      stale: false,
    })
  })

  test('-sess variants, case-insensitively', () => {
    for (const [alg, base] of [
      ['MD5-sess', 'MD5'],
      ['md5-SESS', 'MD5'],
      ['SHA-256-sess', 'SHA-256'],
      ['sha-512-256-sess', 'SHA-512-256'],
    ] as const) {
      const c = right(chooseDigest(D(alg)))
      assert.equal(c.algorithm, base)
      assert.equal(c.sess, true)
    }
    assert.equal(right(chooseDigest(D('SHA-256'))).sess, false)
  })

  test('qop: auth preferred, auth-int when it is the only one, null for RFC 2069; opaque and stale read', () => {
    assert.equal(right(chooseDigest('Digest realm="r", nonce="n", qop="auth-int,auth"')).qop, 'auth')
    assert.equal(right(chooseDigest('Digest realm="r", nonce="n", qop="auth-int"')).qop, 'auth-int')
    assert.equal(right(chooseDigest('Digest realm="r", nonce="n", qop=auth-int')).qop, 'auth-int')
    assert.equal(right(chooseDigest('Digest realm="r", nonce="n"')).qop, null)
    const c = right(chooseDigest('Digest realm="r", nonce="n", opaque="o,p", stale=TRUE'))
    assert.equal(c.opaque, 'o,p')
    assert.equal(c.stale, true)
    assert.equal(right(chooseDigest('Digest realm="r", nonce="n", stale=false')).stale, false)
  })

  test('an unknown algorithm or qop is skipped when another challenge is answerable, else a Left', () => {
    assert.equal(right(chooseDigest(`${D('SHA-1')}, ${D('MD5')}`)).algorithm, 'MD5')
    assert.match(left(chooseDigest(D('SHA-1'))), /algorithm SHA-1/)
    assert.match(left(chooseDigest(D('SHA-256-foo'))), /algorithm/)
    assert.match(left(chooseDigest('Digest realm="r", nonce="n", qop="auth-conf"')), /qop auth-conf/)
    assert.match(left(chooseDigest('Digest realm="r", nonce="n", qop=""')), /qop/)
    // -sess hashes a cnonce that is only sent with a qop
    assert.match(left(chooseDigest('Digest realm="r", nonce="n", algorithm=SHA-256-sess')), /SHA-256-sess needs a qop/)
    assert.equal(
      right(chooseDigest('Digest realm="r", nonce="n", algorithm=SHA-256-sess, Digest realm="r", nonce="m"')).algorithm,
      'MD5',
    )
  })

  test('missing realm or nonce, no Digest challenge, or a malformed header is a Left', () => {
    assert.match(left(chooseDigest('Digest realm="r"')), /realm and nonce/)
    assert.match(left(chooseDigest('Digest nonce="n"')), /realm and nonce/)
    assert.match(left(chooseDigest('Basic realm="x", Bearer realm="y"')), /no Digest challenge.*basic, bearer/)
    assert.match(left(chooseDigest('')), /no Digest challenge.*none/)
    assert.match(left(chooseDigest('Digest realm="r, nonce="n"')), /malformed/)
  })
})

describe('digestAuthorization: known answers', () => {
  const field = (header: string, name: string): string | undefined => {
    const p = parseDigestAuthorization(header)
    assert.notEqual(p, null, `the server's parser reads ${header}`)
    return p?.[name]
  }

  test('RFC 2617 §3.5 (MD5, qop auth)', () => {
    // the challenge as RFC 2617 §3.5 prints it
    const c = right(
      chooseDigest(
        'Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"',
      ),
    )
    const h = digestAuthorization(c, {
      user: 'Mufasa',
      password: 'Circle Of Life',
      method: 'GET',
      uri: '/dir/index.html',
      nc: 1,
      cnonce: '0a4f113b',
      bodyHash: null,
    })
    assert.ok(h.startsWith('Digest '))
    assert.equal(field(h, 'response'), '6629fae49393a05397450978507c4ef1')
    assert.equal(field(h, 'username'), 'Mufasa')
    assert.equal(field(h, 'realm'), 'testrealm@host.com')
    assert.equal(field(h, 'nonce'), 'dcd98b7102dd2f0e8b11d0f600bfb0c093')
    assert.equal(field(h, 'uri'), '/dir/index.html')
    assert.equal(field(h, 'opaque'), '5ccc069c403ebaf9f0171e9517f40e41')
    assert.equal(field(h, 'cnonce'), '0a4f113b')
    // qop, nc and algorithm are tokens, never quoted (RFC 7616 §3.4)
    assert.match(h, /(^|, )qop=auth(,|$)/)
    assert.match(h, /(^|, )nc=00000001(,|$)/)
    assert.match(h, /(^|, )algorithm=MD5(,|$)/)
  })

  test('RFC 7616 §3.9.1 (MD5 and SHA-256, qop auth, opaque)', () => {
    for (const [alg, expected] of [
      ['MD5', '8ca523f5e9506fed4657c9700eebdbec'],
      ['SHA-256', '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1'],
    ] as const) {
      const c = right(
        chooseDigest(
          `Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=${alg}, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"`,
        ),
      )
      assert.equal(c.algorithm, alg)
      assert.equal(c.qop, 'auth')
      const h = digestAuthorization(c, {
        user: 'Mufasa',
        password: 'Circle of Life',
        method: 'GET',
        uri: '/dir/index.html',
        nc: 1,
        cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
        bodyHash: null,
      })
      assert.equal(field(h, 'response'), expected, alg)
      assert.equal(field(h, 'opaque'), 'FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS')
      assert.equal(field(h, 'algorithm'), alg)
      assert.equal(field(h, 'nc'), '00000001')
    }
  })

  test('nc is 8 lower-case hex digits', () => {
    const c: DigestChallenge = {
      realm: 'r',
      nonce: 'n',
      opaque: null,
      algorithm: 'MD5',
      sess: false,
      qop: 'auth',
      stale: false,
    }
    const a = { user: 'u', password: 'p', method: 'GET', uri: '/', cnonce: 'c', bodyHash: null }
    assert.equal(field(digestAuthorization(c, { ...a, nc: 10 }), 'nc'), '0000000a')
    assert.equal(field(digestAuthorization(c, { ...a, nc: 255 }), 'nc'), '000000ff')
    assert.equal(field(digestAuthorization(c, { ...a, nc: 0x1234abcd }), 'nc'), '1234abcd')
  })

  test('-sess, auth-int and RFC 2069 answers follow RFC 7616 §3.4.1-3.4.3 (computed independently)', () => {
    const h = (alg: string, s: string): string => createHash(alg).update(s).digest('hex')
    const a = { user: 'u', password: 'p w', method: 'POST', uri: '/a?b=c', nc: 3, cnonce: 'cn' }
    const bodyHash = h('sha512-256', 'the body')
    const c1: DigestChallenge = {
      realm: 'r',
      nonce: 'n',
      opaque: null,
      algorithm: 'SHA-512-256',
      sess: true,
      qop: 'auth-int',
      stale: false,
    }
    const ha1 = h('sha512-256', `${h('sha512-256', 'u:r:p w')}:n:cn`)
    const ha2 = h('sha512-256', `POST:/a?b=c:${bodyHash}`)
    const v1 = digestAuthorization(c1, { ...a, bodyHash })
    assert.equal(field(v1, 'response'), h('sha512-256', `${ha1}:n:00000003:cn:auth-int:${ha2}`))
    assert.equal(field(v1, 'algorithm'), 'SHA-512-256-sess')
    assert.equal(field(v1, 'qop'), 'auth-int')
    // RFC 2069: no qop, so no nc and no cnonce
    const c2: DigestChallenge = { ...c1, algorithm: 'MD5', sess: false, qop: null }
    const v2 = digestAuthorization(c2, { ...a, bodyHash: null })
    assert.equal(field(v2, 'response'), h('md5', `${h('md5', 'u:r:p w')}:n:${h('md5', 'POST:/a?b=c')}`))
    assert.equal(field(v2, 'nc'), undefined)
    assert.equal(field(v2, 'cnonce'), undefined)
    assert.equal(field(v2, 'qop'), undefined)
  })

  test('quotes and backslashes in server values are escaped, and the password is never in the header', () => {
    const c: DigestChallenge = {
      realm: 'a "q" \\ b',
      nonce: 'n"\\',
      opaque: 'o"',
      algorithm: 'SHA-256',
      sess: false,
      qop: 'auth',
      stale: false,
    }
    const v = digestAuthorization(c, {
      user: 'back\\slash',
      password: PASSWORD,
      method: 'GET',
      uri: '/',
      nc: 1,
      cnonce: 'c',
      bodyHash: null,
    })
    assert.equal(field(v, 'realm'), 'a "q" \\ b')
    assert.equal(field(v, 'nonce'), 'n"\\')
    assert.equal(field(v, 'opaque'), 'o"')
    assert.equal(field(v, 'username'), 'back\\slash')
    assert.ok(!v.includes(PASSWORD))
  })
})

describe('Digest runs against a node:http Digest server', () => {
  const servers: DigestServer[] = []
  const tmp = useTempDir('digest')
  after(async () => {
    await Promise.all(servers.map((s) => s.close()))
  })
  const start = async (o: DigestServerOptions = {}): Promise<DigestServer> => {
    const s = await startDigestServer(o)
    servers.push(s)
    return s
  }
  const req = (url: string, password = PASSWORD): H.Request =>
    pipe(H.newRequest(), H.initialize(url), H.addDigestAuthorization(USER, password))
  const json = (res: H.HttpResponse): Record<string, unknown> =>
    JSON.parse(Buffer.from(res.body).toString('utf8')) as Record<string, unknown>
  /** no request carried the password anywhere in its headers */
  const assertNotSent = (s: DigestServer, secret: string): void => {
    for (const r of s.requests) assert.ok(!JSON.stringify(r.headers).includes(secret))
  }

  test('nothing is sent pre-emptively: the first request has no Authorization, and prepareRequest adds none', async () => {
    const s = await start()
    const prepared = await ok(pipe(req(`${s.url}/x`), H.prepareRequest('GET')))
    assert.ok(!prepared.headers.some(([n]) => n.toLowerCase() === 'authorization'))
    const res = await ok(pipe(req(`${s.url}/x`), H.processRequest('GET')))
    assert.equal(res.status, 200)
    assert.equal(s.requests.length, 2)
    assert.equal(s.requests[0]?.headers['authorization'], undefined)
    assert.equal(s.requests[0]?.verdict.kind, 'none')
    assert.equal(s.requests[1]?.verdict.kind, 'ok')
    assert.equal(res.attempts, 2)
    assertNoSecret(res, PASSWORD)
    assertNotSent(s, PASSWORD)
  })

  test('every algorithm (and none) × qop auth / auth-int / none answers a POST with a string body', async () => {
    const algorithms: ReadonlyArray<OfferedChallenge['algorithm']> = [
      null,
      'MD5',
      'MD5-sess',
      'SHA-256',
      'SHA-256-sess',
      'SHA-512-256',
      'SHA-512-256-sess',
    ]
    const body = 'field=1&text=Привет, "мир"'
    for (const algorithm of algorithms)
      for (const qop of ['auth', 'auth-int', null]) {
        const what = `${algorithm ?? 'no algorithm'} / qop ${qop ?? 'none'}`
        const s = await start({ challenges: [{ algorithm, qop }] })
        const run = pipe(req(`${s.url}/post?a=1&b=%20x`), H.setStringBody(body), H.processRequest('POST'))
        if (qop === null && algorithm?.endsWith('-sess') === true) {
          // -sess needs the cnonce, which is only sent with a qop: not answerable
          const e = asTag(await ko(run), 'AuthError')
          assert.match(e.message, /needs a qop/, what)
          assert.equal(s.requests.length, 1, what)
          continue
        }
        const res = await ok(run)
        assert.equal(res.status, 200, `${what}: ${s.requests.map((r) => r.verdict.why).join('; ')}`)
        assert.equal(s.requests.length, 2, what)
        const [first, second] = s.requests
        assert.equal(first?.auth, null, what)
        assert.equal(second?.verdict.kind, 'ok', what)
        assert.equal(second?.auth?.['algorithm'], algorithm ?? 'MD5', `${what}: no algorithm answers as MD5`)
        assert.equal(second?.auth?.['qop'], qop ?? undefined, what)
        assert.equal(second?.auth?.['nc'], qop === null ? undefined : '00000001', what)
        assert.equal(second?.auth?.['opaque'], s.opaque, `${what}: opaque echoed`)
        assert.equal(second?.auth?.['uri'], '/post?a=1&b=%20x', what)
        // the body was sent both times, in full
        assert.equal(first?.body.toString('utf8'), body, what)
        assert.equal(second?.body.toString('utf8'), body, what)
        assert.equal(json(res)['body'], body)
        assertNoSecret(res, PASSWORD)
        assertNotSent(s, PASSWORD)
      }
  })

  test('auth-int with a fromFile body: the file is re-opened and arrives complete on the second send', async () => {
    const path = tmp.file('upload.bin')
    const bytes = Buffer.alloc(300_000)
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 131 + 7) & 255
    writeFileSync(path, bytes)
    for (const algorithm of ['SHA-256', 'MD5-sess'] as const) {
      const s = await start({ challenges: [{ algorithm, qop: 'auth-int' }] })
      const res = await ok(pipe(req(`${s.url}/upload`), H.setBinaryBody(H.fromFile(path)), H.processRequest('PUT')))
      assert.equal(res.status, 200, s.requests.map((r) => r.verdict.why).join('; '))
      assert.equal(s.requests.length, 2)
      assert.equal(s.requests[1]?.auth?.['qop'], 'auth-int')
      assert.equal(s.requests[1]?.verdict.kind, 'ok')
      assert.ok(s.requests[1]?.body.equals(bytes), 'the second send carries the whole file')
      assert.ok(s.requests[0]?.body.equals(bytes), 'the first send carried the whole file too')
      assert.equal(json(res)['bodyLength'], bytes.length)
    }
  })

  test('several challenges (Basic, token68, three Digest algorithms) in one header or one line each: the strongest is answered', async () => {
    for (const headerStyle of ['one', 'many'] as const) {
      const s = await start({
        headerStyle,
        extra: ['Basic realm="basic, \\"realm\\""', 'Negotiate', 'NTLM TlRMTVNTUAABAAAAB4IIog=='],
        challenges: [
          { algorithm: 'MD5', qop: 'auth' },
          { algorithm: 'SHA-256', qop: 'auth,auth-int' },
          { algorithm: 'SHA-512-256', qop: 'auth' },
        ],
      })
      const res = await ok(pipe(req(`${s.url}/x`), H.processRequest('GET')))
      assert.equal(res.status, 200, `${headerStyle}: ${s.requests.map((r) => r.verdict.why).join('; ')}`)
      assert.equal(s.requests[1]?.auth?.['algorithm'], 'SHA-512-256', headerStyle)
    }
  })

  test('nc counts per nonce: 00000001 then 00000002 on a same-origin redirect, with a new cnonce', async () => {
    const s = await start()
    const res = await ok(pipe(req(`${s.url}/redirect?to=/next`), H.processRequest('GET')))
    assert.equal(res.status, 200)
    assert.equal(res.redirects, 1)
    assert.deepStrictEqual(
      s.requests.map((r) => [r.url, r.status, r.auth?.['nc'] ?? null]),
      [
        ['/redirect?to=/next', 401, null],
        ['/redirect?to=/next', 302, '00000001'],
        ['/next', 200, '00000002'],
      ],
    )
    assert.equal(s.requests[1]?.auth?.['nonce'], s.requests[2]?.auth?.['nonce'])
    assert.equal(s.requests[2]?.auth?.['uri'], '/next')
    assert.notEqual(s.requests[1]?.auth?.['cnonce'], s.requests[2]?.auth?.['cnonce'])
  })

  test('nc counts per nonce: a new challenge with the same nonce continues the count', async () => {
    const s = await start()
    const res = await ok(pipe(req(`${s.url}/redirect?to=/rechallenge`), H.processRequest('GET')))
    assert.equal(res.status, 200, s.requests.map((r) => r.verdict.why).join('; '))
    assert.deepStrictEqual(
      s.requests.map((r) => [r.url, r.status, r.auth?.['nc'] ?? null]),
      [
        ['/redirect?to=/rechallenge', 401, null],
        ['/redirect?to=/rechallenge', 302, '00000001'],
        ['/rechallenge', 401, '00000002'],
        ['/rechallenge', 200, '00000003'],
      ],
    )
    assert.equal(new Set(s.requests.slice(1).map((r) => r.auth?.['nonce'])).size, 1, 'one nonce throughout')
  })

  test('nc counts per nonce: 00000002 on a retry after a 503', async () => {
    const s = await start()
    const waits: number[] = []
    const res = await ok(
      pipe(
        req(`${s.url}/flaky`),
        H.setStringBody('again'),
        H.maxAttempts(1),
        H.setRetryPolicy({ methods: ['POST'] }), // a POST is not retried by default
        H.processRequest('POST', { sleep: async (ms) => void waits.push(ms) }),
      ),
    )
    assert.equal(res.status, 200)
    assert.deepStrictEqual(
      s.requests.map((r) => [r.status, r.auth?.['nc'] ?? null, r.body.toString()]),
      [
        [401, null, 'again'],
        [503, '00000001', 'again'],
        [200, '00000002', 'again'],
      ],
    )
    assert.deepStrictEqual(waits, [0])
  })

  test('a cross-origin redirect drops Digest credentials', async () => {
    const other = await start()
    const s = await start()
    const res = await ok(
      pipe(req(`${s.url}/redirect?to=${encodeURIComponent(`${other.url}/elsewhere`)}`), H.processRequest('GET')),
    )
    assert.equal(res.status, 401, 'the other origin is not answered')
    assert.equal(other.requests.length, 1)
    assert.equal(other.requests[0]?.headers['authorization'], undefined)
  })

  test('stale=true: the challenge is answered again with the new nonce', async () => {
    const s = await start({ staleNonces: 1, challenges: [{ algorithm: 'SHA-256', qop: 'auth' }] })
    const res = await ok(pipe(req(`${s.url}/x`), H.processRequest('GET')))
    assert.equal(res.status, 200, s.requests.map((r) => r.verdict.why).join('; '))
    assert.equal(s.nonces.length, 2)
    assert.deepStrictEqual(
      s.requests.map((r) => [r.verdict.kind, r.auth?.['nonce'] ?? null, r.auth?.['nc'] ?? null]),
      [
        ['none', null, null],
        ['stale', s.nonces[0], '00000001'],
        ['ok', s.nonces[1], '00000001'],
      ],
    )
    assert.match(H.getLog(res, true), /stale nonce/)
    assertNoSecret(res, PASSWORD)
  })

  test('a wrong password ends with the final 401 as a Right (one answer, no loop)', async () => {
    const wrong = 'not the password'
    const s = await start()
    const res = await ok(pipe(req(`${s.url}/x`, wrong), H.processRequest('GET')))
    assert.equal(res.status, 401)
    assert.equal(s.requests.length, 2)
    assert.equal(s.requests[1]?.verdict.kind, 'bad')
    assert.match(s.requests[1]?.verdict.why ?? '', /wrong response/)
    assert.match(H.getLog(res, true), /Digest credentials refused/)
    assertNoSecret(res, wrong)
    assertNotSent(s, wrong)
    // ensureStatus turns it into a StatusError that still hides the password
    const e = H.ensureStatus()(res)
    assert.ok(E.isLeft(e))
    if (E.isLeft(e)) assertNoSecret(e.left, wrong)
  })

  test('unanswerable challenges are an AuthError with the response attached, after one request', async () => {
    for (const [raw, why] of [
      ['Digest realm="open, nonce="abc"', /malformed/],
      ['Digest realm="r" nonce="n"', /malformed/],
      ['Basic realm="only basic"', /no Digest challenge/],
      ['Digest realm="r", nonce="n", algorithm=SHA-1, qop="auth"', /unsupported Digest algorithm SHA-1/],
      ['Digest realm="r", nonce="n", qop="auth-conf"', /unsupported Digest qop/],
      ['Digest realm="r"', /realm and nonce/],
    ] as const) {
      const s = await start({ raw })
      const e = asTag(await ko(pipe(req(`${s.url}/x`), H.processRequest('GET'))), 'AuthError')
      assert.match(e.message, why, raw)
      assert.ok(e.message.startsWith('executeRequest: '), e.message)
      assert.equal(e.response?.status, 401, raw)
      assert.match(Buffer.from(e.response?.body ?? new Uint8Array()).toString(), /unauthorized/)
      assert.equal(s.requests.length, 1, raw)
      assertNoSecret(e, PASSWORD)
    }
  })

  test('a 401 without any WWW-Authenticate is an AuthError too', async () => {
    const s = await start({ raw: '' })
    const e = asTag(await ko(pipe(req(`${s.url}/x`), H.processRequest('GET'))), 'AuthError')
    assert.match(e.message, /no Digest challenge/)
    assert.equal(e.response?.status, 401)
  })

  test('the cnonce comes from env.random', async () => {
    const cnonceWith = async (random: () => number): Promise<string | undefined> => {
      const s = await start()
      const res = await ok(pipe(req(`${s.url}/x`), H.processRequest('GET', { random })))
      assert.equal(res.status, 200)
      return s.requests[1]?.auth?.['cnonce']
    }
    assert.equal(await cnonceWith(() => 0), 'AAAAAAAAAAAAAAAA')
    assert.equal(await cnonceWith(() => 0.9999), '9999999999999999')
    const a = await cnonceWith(Math.random)
    const b = await cnonceWith(Math.random)
    assert.match(a ?? '', /^[A-Za-z0-9]{16}$/)
    assert.notEqual(a, b)
  })

  test('the log says what happened, with user and realm but no password', async () => {
    const s = await start({ realm: 'log-realm', challenges: [{ algorithm: 'SHA-256-sess', qop: 'auth-int' }] })
    const res = await ok(pipe(req(`${s.url}/x`), H.setJsonBody({ password: 'field value' }), H.processRequest('POST')))
    assert.equal(res.status, 200)
    const text = H.getLog(res, true)
    assert.match(text, /addDigestAuthorization: .*Mufasa.*\*\*\*/)
    assert.match(text, /Digest challenge: SHA-256-sess, qop auth-int, realm log-realm - answering/)
    assert.match(text, /response received, code 401/)
    assert.match(text, /response received, code 200/)
    assertNoSecret(res, PASSWORD)
  })
})

describe('onDigest401 (the decision the executor applies)', () => {
  test('answers the first challenge, refuses to answer twice on a hop, renews on a stale nonce, fails without a usable one', async () => {
    const { onDigest401 } = await import('../../src/auth/digest.js')
    const first = onDigest401('Digest realm="r", nonce="n1", qop="auth"', null, false, 0)
    assert.equal(first._tag, 'Answer')
    if (first._tag !== 'Answer') return
    assert.equal(first.state.nc, 0)
    const used = { ...first.state, nc: 2 }
    assert.deepEqual(onDigest401('Digest realm="r", nonce="n1", qop="auth"', used, true, 1), { _tag: 'Final' })
    const stale = onDigest401('Digest realm="r", nonce="n2", qop="auth", stale=true', used, true, 1)
    assert.equal(stale._tag === 'Answer' && stale.stale && stale.state.nc, 0)
    const again = onDigest401('Digest realm="r", nonce="n1", qop="auth"', used, false, 1)
    assert.equal(again._tag === 'Answer' && again.state.nc, 2)
    assert.deepEqual(onDigest401('Digest realm="r", nonce="n3", stale=true', used, true, 4), { _tag: 'Final' })
    assert.equal(onDigest401('Basic realm="x"', null, false, 0)._tag, 'Unanswerable')
    assert.deepEqual(onDigest401('Basic realm="x"', used, true, 1), { _tag: 'Final' })
  })
})

describe('non-ASCII user names (RFC 7616 §3.4.4)', () => {
  test('go as username*=UTF-8\'\'…, hashed as UTF-8; ASCII names stay username="…"', async () => {
    const { digestAuthorization, digestHex } = await import('../../src/auth/digest.js')
    const c = {
      realm: 'r',
      nonce: 'n',
      opaque: null,
      algorithm: 'SHA-256',
      sess: false,
      qop: 'auth',
      stale: false,
    } as const
    const a = {
      user: 'J\u00e4s\u00f8n Doe',
      password: 'Secret, or not?',
      method: 'GET',
      uri: '/doe.json',
      nc: 1,
      cnonce: 'c',
      bodyHash: null,
    }
    const header = digestAuthorization(c, a)
    assert.match(header, /^Digest username\*=UTF-8''J%C3%A4s%C3%B8n%20Doe, realm="r"/)
    const ha1 = digestHex('SHA-256', `${a.user}:r:${a.password}`)
    const ha2 = digestHex('SHA-256', 'GET:/doe.json')
    assert.match(header, new RegExp(`response="${digestHex('SHA-256', `${ha1}:n:00000001:c:auth:${ha2}`)}"`))
    assert.match(digestAuthorization(c, { ...a, user: 'ann' }), /^Digest username="ann", /)
  })
})
