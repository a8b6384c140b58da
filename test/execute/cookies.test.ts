import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, test } from 'node:test'
import { pipe } from 'fp-ts/function'
import { CookieJar } from 'tough-cookie'
import * as H from '../../src/index.js'
import type { EchoServer } from '../../src/testing/index.js'
import { ko, ok, onTestTransport } from './helpers.js'
import { useEchoServer } from '../support/fixtures.js'
import { withSigV4Verifier } from '../support/sigv4-verifier.js'

const echo = useEchoServer()
const other = useEchoServer()

/** The value the cookie server sets (never in a URL, so never in a log line unless leaked). */
const SECRET_VALUE = 'v4lue5ecret'

/**
 * A server that answers `/hop?to=URL&cookie=LINE` with a 302 to URL and that Set-Cookie line,
 * `/set/NAME` with a 200 setting NAME to {@link SECRET_VALUE}, `/set-other/NAME` the same for
 * the domain example.com.
 */
let hops: Server
let hopsUrl = ''
before(async () => {
  hops = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x')
    const q = u.searchParams
    const [, route, name] = u.pathname.split('/')
    if (route === 'set' || route === 'set-other') {
      const domain = route === 'set-other' ? '; Domain=example.com' : ''
      res.writeHead(200, { 'Set-Cookie': `${name ?? 'x'}=${SECRET_VALUE}; Path=/${domain}` })
      return void res.end('set')
    }
    if (route === 'unnamed') {
      // a pair without `=` is all value (RFC 6265bis, browsers): no name to log
      res.writeHead(200, { 'Set-Cookie': `${SECRET_VALUE}; Path=/` })
      return void res.end('set')
    }
    res.writeHead(302, { Location: q.get('to') ?? '/', 'Set-Cookie': q.get('cookie') ?? 'none=1' })
    res.end()
  })
  await new Promise<void>((resolve) => hops.listen(0, '127.0.0.1', resolve))
  hopsUrl = `http://127.0.0.1:${(hops.address() as AddressInfo).port}`
})
after(() => new Promise<void>((resolve) => hops.close(() => resolve())))

const get = (url: string, env: H.Env, steps: H.Step = (r) => r): Promise<H.HttpResponse> =>
  ok(pipe(H.newRequest(), H.initialize(url), steps, H.processRequest('GET', onTestTransport(env))))

/** The Cookie header the server got with its last request to `path` (undefined: none). */
const cookieAt = (s: EchoServer, path: string): string | undefined =>
  s.requests.filter((r) => r.url.split('?')[0] === path).at(-1)?.headers['cookie']

const logText = (res: H.HttpResponse): string => res.log.map((e) => e.message).join('\n')

describe('env.cookieJar', () => {
  test('a cookie set by an answer is sent back with the next request; the log names it, never its value', async () => {
    const jar = new CookieJar()
    const set = await get(`${hopsUrl}/set/sid`, { cookieJar: jar })
    assert.match(logText(set), /cookie sid stored in the jar/)
    const res = await get(`${echo.url}/get`, { cookieJar: jar })
    assert.equal(cookieAt(echo.server, '/get'), `sid=${SECRET_VALUE}`)
    assert.match(logText(res), /cookies from the jar: sid/)
    assert.doesNotMatch(JSON.stringify([set.log, res.log]), new RegExp(SECRET_VALUE))
  })

  test('without a jar no cookie is kept', async () => {
    await get(`${echo.url}/cookies/set?nojar=1`, {})
    await get(`${echo.url}/anything/nojar`, {})
    assert.equal(cookieAt(echo.server, '/anything/nojar'), undefined)
  })

  test('the path rule: a cookie for /anything goes to /anything/x, not to /headers', async () => {
    const jar = new CookieJar()
    await get(`${echo.url}/response-headers?Set-Cookie=${encodeURIComponent('p=1; Path=/anything')}`, {
      cookieJar: jar,
    })
    await get(`${echo.url}/anything/x`, { cookieJar: jar })
    await get(`${echo.url}/headers`, { cookieJar: jar })
    assert.equal(cookieAt(echo.server, '/anything/x'), 'p=1')
    assert.equal(cookieAt(echo.server, '/headers'), undefined)
  })

  test('the domain rule: a cookie for another domain is refused (logged by name) and never sent', async () => {
    const jar = new CookieJar()
    const res = await get(`${hopsUrl}/set-other/d`, { cookieJar: jar })
    assert.match(logText(res), /cookie d refused by the jar/)
    assert.doesNotMatch(logText(res), new RegExp(SECRET_VALUE))
    await get(`${echo.url}/anything/domain`, { cookieJar: jar })
    assert.equal(cookieAt(echo.server, '/anything/domain'), undefined)
  })

  test('a Secure cookie is not sent over http (loopback not taken as secure)', async () => {
    const jar = new CookieJar(undefined, { allowSecureOnLocal: false })
    await get(`${echo.url}/response-headers?Set-Cookie=${encodeURIComponent('s=1; Secure')}`, { cookieJar: jar })
    await get(`${echo.url}/cookies/set?plain=1`, { cookieJar: jar })
    await get(`${echo.url}/anything/secure`, { cookieJar: jar })
    assert.equal(cookieAt(echo.server, '/anything/secure'), 'plain=1')
  })

  test('expiry: a cookie the server expires (Max-Age=0) is no longer sent', async () => {
    const jar = new CookieJar()
    await get(`${echo.url}/cookies/set?gone=1&kept=2`, { cookieJar: jar })
    await get(`${echo.url}/response-headers?Set-Cookie=${encodeURIComponent('gone=1; Path=/; Max-Age=0')}`, {
      cookieJar: jar,
    })
    await get(`${echo.url}/anything/expiry`, { cookieJar: jar })
    assert.equal(cookieAt(echo.server, '/anything/expiry'), 'kept=2')
  })

  test('redirects: a cookie set by a 302 goes with the next hop on the same host, never to another site', async () => {
    const jar = new CookieJar()
    // 127.0.0.1 (any port: cookies are per host) and localhost are two sites
    const same = `${other.url}/anything/same`
    await get(`${hopsUrl}/hop?to=${encodeURIComponent(same)}&cookie=${encodeURIComponent('hop=1; Path=/')}`, {
      cookieJar: jar,
    })
    assert.equal(cookieAt(other.server, '/anything/same'), 'hop=1')
    const elsewhere = other.url.replace('127.0.0.1', 'localhost') + '/anything/elsewhere'
    const res = await get(
      `${hopsUrl}/hop?to=${encodeURIComponent(elsewhere)}&cookie=${encodeURIComponent('hop2=1; Path=/')}`,
      { cookieJar: jar },
      H.addHeader('Cookie', 'mine=1'),
    )
    assert.equal(res.redirects, 1)
    assert.equal(cookieAt(other.server, '/anything/elsewhere'), undefined)
    // and the jar still sends both to the first site
    await get(`${echo.url}/anything/after`, { cookieJar: jar })
    assert.equal(cookieAt(echo.server, '/anything/after'), 'hop=1; hop2=1')
  })

  test("the request's own Cookie header comes first, the jar's cookies after it", async () => {
    const jar = new CookieJar()
    await jar.setCookie('fromjar=1; Path=/', echo.url)
    await get(`${echo.url}/anything/merge`, { cookieJar: jar }, H.addHeader('Cookie', 'mine=1'))
    assert.equal(cookieAt(echo.server, '/anything/merge'), 'mine=1; fromjar=1')
  })

  test('every attempt asks the jar: a retried request carries the cookie its failed answer set', async () => {
    let calls = 0
    const jar = new CookieJar()
    const counting: H.CookieJarLike = {
      getCookieString: (url) => (calls++, jar.getCookieString(url)),
      setCookie: (c, url) => jar.setCookie(c, url),
    }
    const path = `/flaky/cookie-${Date.now()}`
    // /flaky/:key answers 503 once, then 200; the 503 sets no cookie, so seed one first
    await jar.setCookie('seed=1; Path=/', echo.url)
    const res = await get(
      `${echo.url}${path}?failures=1`,
      { cookieJar: counting, sleep: async () => undefined },
      H.maxAttempts(2),
    )
    assert.equal(res.attempts, 2)
    assert.equal(calls, 2)
    const seen = echo.server.requests.filter((r) => r.url.startsWith(path)).map((r) => r.headers['cookie'])
    assert.deepEqual(seen, ['seed=1', 'seed=1'])
  })
})

describe('env.cookieJar, review', () => {
  test('a cookie without a name is logged as unnamed: its value reaches no line, stored or refused', async () => {
    for (const jar of [new CookieJar(), new CookieJar(undefined, { looseMode: true })]) {
      const set = await get(`${hopsUrl}/unnamed`, { cookieJar: jar })
      await jar.setCookie('x=1; Path=/', hopsUrl)
      const next = await get(`${hopsUrl}/set/y`, { cookieJar: jar })
      const text = JSON.stringify([H.getLog(set, true), H.getLog(next, true)])
      assert.doesNotMatch(text, new RegExp(SECRET_VALUE))
      assert.match(text, /unnamed cookie/)
    }
  })

  test('a jar that never answers ends the run at the attempt limit (Timeout), and at env.signal (aborted)', async () => {
    const stuck: H.CookieJarLike = {
      getCookieString: () => new Promise<string>(() => undefined),
      setCookie: () => undefined,
    }
    const t = await ko(
      pipe(
        H.newRequest(),
        H.initialize(`${echo.url}/anything/stuck`),
        H.setTimeout(300),
        H.processRequest('GET', { cookieJar: stuck }),
      ),
    )
    assert.equal(t._tag, 'Timeout')
    assert.match(t.message, /env\.cookieJar\.getCookieString timed out/)
    const c = new AbortController()
    setTimeout(() => c.abort(), 100)
    const a = await ko(
      pipe(
        H.newRequest(),
        H.initialize(`${echo.url}/anything/stuck`),
        H.processRequest('GET', { cookieJar: stuck, signal: c.signal }),
      ),
    )
    assert.equal(a._tag, 'TransportError')
    assert.match(a.message, /aborted by env\.signal/)
    const stuckSet: H.CookieJarLike = { getCookieString: () => '', setCookie: () => new Promise(() => undefined) }
    const s2 = await ko(
      pipe(
        H.newRequest(),
        H.initialize(`${echo.url}/cookies/set?z=1`),
        H.setTimeout(300),
        H.processRequest('GET', { cookieJar: stuckSet }),
      ),
    )
    assert.equal(s2._tag, 'Timeout')
    assert.equal(echo.server.requests.filter((r) => r.url === '/anything/stuck').length, 0)
  })

  test("AWS4 signs the cookies sent: a request's own Cookie header and the jar's cookies verify", async () => {
    await withSigV4Verifier(
      { accessKey: 'AKIDCOOKIE', secretKey: 'c00kie/S3cret', region: 'us-east-1', service: 's3' },
      async (v) => {
        const jar = new CookieJar()
        await jar.setCookie('fromjar=2; Path=/', v.url)
        await ok(
          pipe(
            H.newRequest(),
            H.initialize(`${v.url}/b/cookie`),
            H.addHeader('Cookie', 'mine=1'),
            H.addAws4Authorization('AKIDCOOKIE', 'c00kie/S3cret', 'us-east-1'),
            H.processRequest('GET', { cookieJar: jar }),
          ),
        )
        const r = v.requests.at(-1)
        assert.equal(r?.headers['cookie'], 'mine=1; fromjar=2')
        assert.equal(r?.ok, true, r?.reason ?? '')
      },
    )
  })

  test('an error whose message cannot be read, thrown by the jar, is still a ClientError', async () => {
    const hostile = Object.create(null) as object
    const bad = Object.defineProperty(new Error('x'), 'message', {
      get: () => {
        throw new Error('no')
      },
    })
    for (const thrown of [hostile, bad]) {
      const e = await ko(
        pipe(
          H.newRequest(),
          H.initialize(`${echo.url}/anything/unreadable`),
          H.processRequest('GET', {
            cookieJar: {
              getCookieString: () => {
                throw thrown
              },
              setCookie: () => undefined,
            },
          }),
        ),
      )
      assert.equal(e._tag, 'InvalidInput')
      assert.match(e.message, /getCookieString failed/)
    }
  })
})

describe('env.cookieJar, hostile', () => {
  test('a jar without the methods is InvalidInput naming env.cookieJar; nothing is sent', async () => {
    const before = echo.server.requests.length
    for (const bad of [{}, 'jar', { getCookieString: () => '', setCookie: 1 }]) {
      const e = await ko(
        pipe(
          H.newRequest(),
          H.initialize(`${echo.url}/get`),
          H.processRequest('GET', { cookieJar: bad as unknown as H.CookieJarLike }),
        ),
      )
      assert.equal(e._tag, 'InvalidInput')
      assert.match(e.message, /env\.cookieJar must be a cookie jar/)
    }
    assert.equal(echo.server.requests.length, before)
  })

  for (const [label, jar, pattern] of [
    [
      'throws',
      {
        getCookieString: () => {
          throw new Error('jar broke')
        },
        setCookie: () => undefined,
      },
      /getCookieString failed: jar broke/,
    ],
    [
      'rejects',
      { getCookieString: () => Promise.reject(new Error('async broke')), setCookie: () => undefined },
      /getCookieString failed: async broke/,
    ],
    ['gives a number', { getCookieString: () => 5, setCookie: () => undefined }, /must give a string, not number/],
    [
      'gives a header injection',
      { getCookieString: () => 'a=1\r\nX-Evil: 1', setCookie: () => undefined },
      /a value a header cannot carry/,
    ],
  ] as const) {
    test(`a jar whose getCookieString ${label} is InvalidInput of executeRequest; nothing is sent`, async () => {
      const path = `/anything/hostile-${label.replace(/\W/g, '')}`
      const e = await ko(
        pipe(
          H.newRequest(),
          H.initialize(`${echo.url}${path}`),
          H.processRequest('GET', onTestTransport({ cookieJar: jar as unknown as H.CookieJarLike })),
        ),
      )
      assert.equal(e._tag, 'InvalidInput')
      assert.match(e.message, pattern)
      assert.equal(echo.server.requests.filter((r) => r.url === path).length, 0)
    })
  }

  test('a jar whose setCookie throws drops that cookie (logged) and the run goes on', async () => {
    const res = await get(`${echo.url}/cookies/set?x=1`, {
      cookieJar: {
        getCookieString: () => '',
        setCookie: () => {
          throw new Error('full')
        },
      },
    })
    assert.equal(res.status, 200)
    assert.match(logText(res), /cookie x refused by the jar: full/)
  })
})
