import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'

import * as H from '../../src/index.js'
import { renderUrl } from '../../src/encoding/url.js'
import { targetUrl } from '../../src/steps/init.js'
import { assertInvalid, assertOk, base, lastLine, PEM_CERT, PEM_KEY } from '../helpers.js'

const roundTrips = (r: H.Request): boolean => {
  const back = H.RequestCodec.decode(JSON.parse(JSON.stringify(H.RequestCodec.encode(r))))
  return E.isRight(back)
}

describe('setUrl', () => {
  test('keeps an http or https URL as given', () => {
    for (const u of ['http://127.0.0.1:8080/a', 'https://example.com/a?b=c#d', 'HTTP://EXAMPLE.com/']) {
      const before = base()
      const r = pipe(before, H.setUrl(u))
      assertOk(before, r, 'setUrl')
      assert.equal(r.url, u)
    }
  })

  test('no scheme means https:// (without a base): kept as given, decided when prepared', async () => {
    for (const [given, sent] of [
      ['127.0.0.1:8443/api', 'https://127.0.0.1:8443/api'],
      ['example.com', 'https://example.com'],
      ['localhost:3000/x?y=1', 'https://localhost:3000/x?y=1'],
    ] as const) {
      const r = pipe(base(), H.setUrl(given))
      assert.equal(r.url, given)
      const p = await H.prepareRequest('GET')(r)()
      assert.ok(E.isRight(p) && p.right.url === sent, JSON.stringify(p))
    }
  })

  test('keeps characters that are encoded only at send time', () => {
    const u = 'http://127.0.0.1/a b/é?q=x y'
    assert.equal(pipe(base(), H.setUrl(u)).url, u)
  })

  test('works on a request that was never initialized', () => {
    const r = pipe(H.newRequest(), H.setUrl('http://127.0.0.1/'))
    assert.equal(r.url, 'http://127.0.0.1/')
    assert.equal(r.error, null)
  })

  test('empty string is logged and ignored', () => {
    const before = base()
    const r = pipe(before, H.setUrl(''))
    assert.equal(r.error, null)
    assert.equal(r.url, before.url)
    assert.equal(r.log.length, before.log.length + 1)
    assert.match(lastLine(r), /^setUrl: .*(empty|ignored)/i)
  })

  test('the log hides the password and secret-looking query values', () => {
    const r = pipe(base(), H.setUrl('https://ann:hunter2pw@127.0.0.1/x?access_token=tok123&a=1'))
    const log = H.getLog(r, true)
    assert.ok(!log.includes('hunter2pw'), log)
    assert.ok(!log.includes('tok123'), log)
    assert.match(lastLine(r), /\*\*\*/)
    assert.match(lastLine(r), /a=1/)
  })

  test('non-string URL is InvalidInput', () => {
    for (const u of [42, null, undefined, {}, ['http://x']]) {
      const before = base()
      assertInvalid(before, pipe(before, H.setUrl(u as never)), 'setUrl', /string/)
    }
  })

  test('an unparseable URL is InvalidInput', () => {
    for (const u of [
      'http://',
      'https://exa mple.com/',
      'http://127.0.0.1:99999/',
      'http://[::1/',
      'javascript:alert(1)',
    ]) {
      const before = base()
      assertInvalid(before, pipe(before, H.setUrl(u)), 'setUrl')
    }
  })

  test('a URL without a scheme that reads only as a path (a base may come later) is refused when prepared without one', async () => {
    for (const u of ['::::', 'v1.0/users', 'a b/c']) {
      const r = pipe(base(), H.setUrl(u))
      assert.equal(r.error, null)
      const p = await H.prepareRequest('GET')(r)()
      assert.ok(E.isLeft(p) && p.left._tag === 'InvalidInput' && p.left.step === 'prepareRequest', u)
      const joined = await H.prepareRequest('GET')(pipe(r, H.setBaseUrl('http://127.0.0.1:9/api')))()
      assert.ok(E.isRight(joined) && joined.right.url.startsWith('http://127.0.0.1:9/api/'), u)
    }
  })

  test('a scheme other than http/https is InvalidInput naming the scheme', () => {
    for (const [u, scheme] of [
      ['ftp://127.0.0.1/file', 'ftp:'],
      ['file:///etc/passwd', 'file:'],
      ['ws://127.0.0.1/', 'ws:'],
    ] as const) {
      const before = base()
      const r = pipe(before, H.setUrl(u))
      assertInvalid(before, r, 'setUrl')
      assert.ok(r.error?.message.includes(scheme), r.error?.message)
    }
  })

  test('the error message of an invalid URL does not contain its password', () => {
    const r = pipe(base(), H.setUrl('http://ann:topsecret@127.0.0.1:99999/'))
    assert.notEqual(r.error, null)
    assert.ok(!JSON.stringify(r.error).includes('topsecret'), r.error?.message)
    assert.ok(!H.getLog(r, true).includes('topsecret'))
  })

  // Was a bug (fixed): redactUrl stops at '/', so a password containing '/' leaks into the error
  test('the error message of an invalid URL does not contain a password holding "/"', () => {
    const r = pipe(base(), H.setUrl('http://ann:top/secret@127.0.0.1:99999/'))
    assert.notEqual(r.error, null)
    assert.ok(!JSON.stringify(r.error).includes('top/secret'), r.error?.message)
    assert.ok(!H.getLog(r, true).includes('top/secret'), H.getLog(r, true))
  })
})

describe('setUrl: robustness', () => {
  // Was a bug (fixed): redactUrl's userinfo pattern stops at the first '@', so a password holding
  // an unescaped '@' (accepted by the WHATWG parser, which splits at the last '@') is only
  // partly hidden in the success log line.
  test('a password with an unescaped "@" is hidden completely in the log', () => {
    const r = pipe(base(), H.setUrl('https://ann:p@ssw0rd@127.0.0.1/'))
    assert.equal(r.error, null)
    assert.ok(!H.getLog(r, true).includes('ssw0rd'), lastLine(r))
  })

  // Was a bug: checkUrl validated a copy with illegal characters encoded but then called
  // `new URL(full)` on the raw text, so a TypeError escaped from the step.
  test('never throws: inputs that only parse once encoded are InvalidInput', () => {
    // a backslash in the authority: the URL parser (which reads `\` as `/`) and its encoded form
    // (user info `%3C%5C`) disagree on the host, so it is refused rather than sent to either
    const b0 = base()
    assertInvalid(b0, pipe(b0, H.setUrl('http://<\\@127.0.0.1/')), 'setUrl', /space or a backslash|ambiguous/)
    for (const u of ['foo://a b', 'git://host name/x']) {
      const before = base()
      let after: H.Request | undefined
      assert.doesNotThrow(() => {
        after = pipe(before, H.setUrl(u))
      }, JSON.stringify(u))
      if (after !== undefined) assertInvalid(before, after, 'setUrl')
    }
    assert.doesNotThrow(() => pipe(H.newRequest(), H.initialize('foo://a b')))
  })

  // Was a bug (fixed): the WHATWG parser strips leading/trailing C0 controls, so checkUrl accepts
  // them, but the URL that is sent has them percent-encoded into the host and no longer parses
  // (the failure only shows up later, in prepareRequest).
  // A URL without a scheme may be a path for a base set later: one that is no host is refused
  // when prepared without a base (InvalidInput naming prepareRequest), never sent.
  test('a URL setUrl accepts renders to a URL that parses, or is InvalidInput when prepared', async () => {
    for (const u of ['http://127.0.0.1\u0000', '127.0.0.1\u0001', 'http://127.0.0.1:8080\u001f']) {
      const r = pipe(base(), H.setUrl(u))
      if (r.error !== null) continue // rejecting it at the step is fine too
      const p = await H.prepareRequest('GET')(r)()
      if (E.isLeft(p)) {
        assert.equal(p.left._tag, 'InvalidInput')
        continue
      }
      const sent = renderUrl(targetUrl(r) ?? '', [], { encode: true, splitArrays: false, squareBrackets: false })
      assert.ok(URL.canParse(sent), `${JSON.stringify(u)} accepted but sent as unparseable ${JSON.stringify(sent)}`)
    }
  })
})

describe('setResponseFile', () => {
  test('records the path and logs it', () => {
    const before = base()
    const r = pipe(before, H.setResponseFile('/tmp/download.bin'))
    assertOk(before, r, 'setResponseFile')
    assert.equal(r.responseFile, '/tmp/download.bin')
    assert.match(lastLine(r), /\/tmp\/download\.bin/)
  })

  test('the last one wins', () => {
    assert.equal(pipe(base(), H.setResponseFile('/tmp/a'), H.setResponseFile('/tmp/b')).responseFile, '/tmp/b')
  })

  test('an empty or non-string path is InvalidInput', () => {
    for (const p of ['', 42, null, undefined]) {
      const before = base()
      assertInvalid(before, pipe(before, H.setResponseFile(p as never)), 'setResponseFile', /path/)
    }
  })
})

describe('setDataType', () => {
  test('accepts media types, with parameters', () => {
    for (const m of [
      'application/json',
      'application/vnd.api+json',
      'text/plain; charset=utf-8',
      'multipart/form-data; boundary=x',
    ]) {
      const before = base()
      const r = pipe(before, H.setDataType(m))
      assertOk(before, r, 'setDataType')
      assert.equal(r.dataType, m)
    }
  })

  test('the data type survives body setters', () => {
    const r = pipe(
      base(),
      H.setDataType('application/vnd.x+json'),
      H.setJsonBody({ a: 1 }),
      H.setStringBody('x'),
      H.setFormBody({ a: 1 }),
    )
    assert.equal(r.dataType, 'application/vnd.x+json')
  })

  test('a bad mime is InvalidInput', () => {
    for (const m of [
      'json',
      '',
      'text/',
      '/plain',
      'text plain',
      'text/plain\r\nX-Evil: 1',
      'text/plain\0',
      42,
      null,
    ]) {
      const before = base()
      assertInvalid(before, pipe(before, H.setDataType(m as never)), 'setDataType')
    }
  })
})

describe('setProxy', () => {
  test('string form without credentials', () => {
    const before = base()
    const r = pipe(before, H.setProxy('http://127.0.0.1:3128'))
    assertOk(before, r, 'setProxy')
    assert.deepStrictEqual(r.proxy, { protocol: 'http', host: '127.0.0.1', port: 3128, user: null, password: null })
  })

  test('string form: default ports', () => {
    assert.equal(pipe(base(), H.setProxy('https://proxy.local')).proxy?.port, 443)
    assert.equal(pipe(base(), H.setProxy('http://proxy.local')).proxy?.port, 80)
    assert.equal(pipe(base(), H.setProxy('https://proxy.local')).proxy?.protocol, 'https')
  })

  test('string form with credentials: decoded, password never logged', () => {
    const r = pipe(base(), H.setProxy('http://bob:p%40ssw0rd!@127.0.0.1:3128'))
    assert.deepStrictEqual(r.proxy, {
      protocol: 'http',
      host: '127.0.0.1',
      port: 3128,
      user: 'bob',
      password: 'p@ssw0rd!',
    })
    const log = H.getLog(r, true)
    assert.ok(!log.includes('p@ssw0rd'), log)
    assert.ok(!log.includes('p%40ssw0rd'), log)
    assert.match(lastLine(r), /bob:\*\*\*@127\.0\.0\.1:3128/)
  })

  test('parts form', () => {
    const r = pipe(base(), H.setProxy({ host: '127.0.0.1', port: 8080 }))
    assert.deepStrictEqual(r.proxy, { protocol: 'http', host: '127.0.0.1', port: 8080, user: null, password: null })
    const r2 = pipe(
      base(),
      H.setProxy({ protocol: 'https', host: 'p.local', port: 443, user: 'u', password: 'Sup3rSecret' }),
    )
    assert.deepStrictEqual(r2.proxy, {
      protocol: 'https',
      host: 'p.local',
      port: 443,
      user: 'u',
      password: 'Sup3rSecret',
    })
    assert.ok(!H.getLog(r2, true).includes('Sup3rSecret'))
    assert.match(lastLine(r2), /u:\*\*\*@p\.local:443/)
  })

  test('the request with a proxy round-trips through RequestCodec', () => {
    assert.ok(roundTrips(pipe(base(), H.setProxy('http://bob:pw@127.0.0.1:3128'))))
  })

  test('a bad port is InvalidInput', () => {
    for (const port of [0, -1, 65536, 1.5, NaN, '8080']) {
      const before = base()
      assertInvalid(before, pipe(before, H.setProxy({ host: '127.0.0.1', port: port as never })), 'setProxy', /port/)
    }
    const before = base()
    assertInvalid(before, pipe(before, H.setProxy('http://127.0.0.1:99999')), 'setProxy')
  })

  // Was a bug (fixed): the string form accepts port 0 although the parts form rejects it
  test('string form with port 0 is InvalidInput, like the parts form', () => {
    const before = base()
    assertInvalid(before, pipe(before, H.setProxy('http://127.0.0.1:0')), 'setProxy')
  })

  test('a bad host, scheme or shape is InvalidInput', () => {
    const bad: ReadonlyArray<unknown> = [
      'not a url',
      '127.0.0.1:3128',
      'socks5://127.0.0.1:1080',
      'ftp://127.0.0.1:21',
      { host: '', port: 80 },
      { port: 80 },
      { protocol: 'socks5', host: 'h', port: 80 },
      null,
      42,
    ]
    for (const p of bad) {
      const before = base()
      assertInvalid(before, pipe(before, H.setProxy(p as never)), 'setProxy')
    }
  })

  // Was a bug (fixed): decodeURIComponent on the user/password of the proxy URL throws URIError
  // for a malformed escape; the exception escapes from the step.
  test('never throws: a malformed %-escape in the proxy credentials is InvalidInput', () => {
    for (const u of [
      'http://a%zz@127.0.0.1:3128',
      'http://bob:pa%zz@127.0.0.1:3128',
      'http://bob:%E0%A4%A@127.0.0.1:3128',
    ]) {
      const before = base()
      let after: H.Request | undefined
      assert.doesNotThrow(() => {
        after = pipe(before, H.setProxy(u))
      }, u)
      if (after !== undefined) assertInvalid(before, after, 'setProxy')
    }
  })

  // Was a bug (fixed): String(port) throws for an object without toString (null prototype)
  test('never throws: a null-prototype port is InvalidInput', () => {
    const before = base()
    let after: H.Request | undefined
    assert.doesNotThrow(() => {
      after = pipe(before, H.setProxy({ host: '127.0.0.1', port: Object.create(null) as never }))
    })
    if (after !== undefined) assertInvalid(before, after, 'setProxy', /port/)
  })

  test('the password of a rejected proxy URL is not in the error or the log', () => {
    const r = pipe(base(), H.setProxy('http://bob:Zq9secretpw@127.0.0.1:99999'))
    assert.equal(r.error?.step, 'setProxy')
    assert.ok(!JSON.stringify(r.error).includes('Zq9secretpw'), r.error?.message)
    assert.ok(!H.getLog(r, true).includes('Zq9secretpw'))
  })

  // Was a bug (fixed): redactUrl mis-handles passwords holding '@' or '/'
  test('a rejected proxy URL with "@" or "/" in the password leaks no part of it', () => {
    for (const [url, secret] of [
      ['http://bob:pa@ssword9@127.0.0.1:99999', 'ssword9'],
      ['http://bob:pa/ssword9@127.0.0.1:99999', 'ssword9'],
    ] as const) {
      const r = pipe(base(), H.setProxy(url))
      assert.equal(r.error?.step, 'setProxy')
      assert.ok(!JSON.stringify(r.error).includes(secret), `${url} -> ${r.error?.message ?? ''}`)
      assert.ok(!H.getLog(r, true).includes(secret), H.getLog(r, true))
    }
  })
})

describe('setTls', () => {
  test('a private CA as PEM text', () => {
    const before = base()
    const r = pipe(before, H.setTls({ ca: PEM_CERT }))
    assertOk(before, r, 'setTls')
    assert.deepStrictEqual(r.tls, { ca: PEM_CERT, cert: null, key: null, passphrase: null, rejectUnauthorized: true })
    assert.match(lastLine(r), /CA/)
  })

  test('files and a client certificate; the passphrase is not logged', () => {
    const r = pipe(
      base(),
      H.setTls({ ca: H.fromFile('./ca.pem'), cert: PEM_CERT, key: H.fromFile('./key.pem'), passphrase: 'kEyPaSs99' }),
    )
    assert.equal(r.error, null)
    assert.deepStrictEqual(r.tls, {
      ca: { _tag: 'File', path: './ca.pem' },
      cert: PEM_CERT,
      key: { _tag: 'File', path: './key.pem' },
      passphrase: 'kEyPaSs99',
      rejectUnauthorized: true,
    })
    assert.ok(!H.getLog(r, true).includes('kEyPaSs99'))
    assert.match(lastLine(r), /client certificate/)
    assert.ok(roundTrips(r))
  })

  test('turning certificate checks off is logged', () => {
    const r = pipe(base(), H.setTls({ rejectUnauthorized: false }))
    assert.equal(r.tls?.rejectUnauthorized, false)
    assert.match(lastLine(r), /OFF/i)
  })

  test('PEM that is not PEM is InvalidInput naming the field', () => {
    for (const k of ['ca', 'cert', 'key'] as const) {
      const opts =
        k === 'ca'
          ? { ca: 'not a pem' }
          : k === 'cert'
            ? { cert: 'garbage', key: PEM_KEY }
            : { cert: PEM_CERT, key: 'garbage' }
      const before = base()
      assertInvalid(before, pipe(before, H.setTls(opts)), 'setTls', new RegExp(k))
    }
    const before = base()
    assertInvalid(before, pipe(before, H.setTls({ ca: 42 as never })), 'setTls')
    assertInvalid(before, pipe(before, H.setTls({ ca: { _tag: 'Url', url: 'x' } as never })), 'setTls')
  })

  test('a cert without a key (or a key without a cert) is InvalidInput', () => {
    const before = base()
    assertInvalid(before, pipe(before, H.setTls({ cert: PEM_CERT })), 'setTls', /cert.*key|key.*cert/)
    assertInvalid(before, pipe(before, H.setTls({ key: PEM_KEY })), 'setTls', /cert.*key|key.*cert/)
  })

  test('options that are not an object are InvalidInput', () => {
    for (const o of [null, undefined, 'x', 1]) {
      const before = base()
      assertInvalid(before, pipe(before, H.setTls(o as never)), 'setTls')
    }
  })

  // Was a bug (fixed): passphrase / rejectUnauthorized are stored unchecked; the Request then no
  // longer decodes with RequestCodec (SPEC §1) and a truthy string would silently keep checks on.
  test('a non-boolean rejectUnauthorized or non-string passphrase is InvalidInput', () => {
    const before = base()
    assertInvalid(before, pipe(before, H.setTls({ rejectUnauthorized: 'false' as never })), 'setTls')
    assertInvalid(before, pipe(before, H.setTls({ cert: PEM_CERT, key: PEM_KEY, passphrase: 1234 as never })), 'setTls')
  })

  test('whatever setTls accepts still round-trips through RequestCodec', () => {
    for (const o of [
      { rejectUnauthorized: 'no' },
      { passphrase: 5, cert: PEM_CERT, key: PEM_KEY },
      { ca: PEM_CERT, rejectUnauthorized: 0 },
    ]) {
      const r = pipe(base(), H.setTls(o as never))
      if (r.error === null) assert.ok(roundTrips(r), `accepted ${JSON.stringify(o)} but the Request no longer decodes`)
    }
  })
})
