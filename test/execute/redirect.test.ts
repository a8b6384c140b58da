import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { pipe } from 'fp-ts/function'
import * as H from '../../src/index.js'
import type { EchoServer, RecordedRequest } from '../../src/testing/index.js'
import { echoOf, lines, ok, onTestTransport } from './helpers.js'
import { useEchoServer } from '../support/fixtures.js'

const echo = useEchoServer()
const other = useEchoServer()

const at = (path: string): H.Request => pipe(H.newRequest(), H.initialize(`${echo.url}${path}`))

/** A request to /redirect-to answering `status` with `Location: location`. */
const redirectTo = (location: string, status = 302): H.Request =>
  pipe(at('/redirect-to'), H.setUrlParams({ url: location, status_code: status }))

const send = (req: H.Request, method: string, env?: H.Env): Promise<H.HttpResponse> =>
  ok(H.processRequest(method, onTestTransport(env))(req))

const receivedBy = (s: EchoServer, path: string): RecordedRequest[] =>
  s.requests.filter((r) => r.url.split('?')[0] === path)

const lastAt = (s: EchoServer, path: string): RecordedRequest => {
  const r = receivedBy(s, path).at(-1)
  assert.ok(r !== undefined, `nothing received at ${path}`)
  return r
}

describe('method and body per status (POST with a JSON body)', () => {
  const body = { field1: 10, field2: 'Text' }
  const cases = [
    [301, 'GET', false],
    [302, 'GET', false],
    [303, 'GET', false],
    [307, 'POST', true],
    [308, 'POST', true],
  ] as const
  for (const [status, method, keepsBody] of cases) {
    test(`${status}: ${keepsBody ? 'keeps POST and the body' : 'becomes GET without body and without Content-Type'}`, async () => {
      const target = `/anything/after-${status}`
      const res = await send(pipe(redirectTo(target, status), H.setJsonBody(body)), 'POST')
      assert.equal(res.status, 200)
      assert.equal(res.redirects, 1)
      assert.equal(res.url, `${echo.url}${target}`)
      const first = lastAt(echo.server, '/redirect-to')
      assert.equal(first.method, 'POST')
      assert.equal(Buffer.from(first.body).toString(), JSON.stringify(body))
      const second = lastAt(echo.server, target)
      assert.equal(second.method, method)
      if (keepsBody) {
        assert.equal(Buffer.from(second.body).toString(), JSON.stringify(body))
        assert.equal(second.headers['content-type'], 'application/json; charset=utf-8')
        assert.equal(second.headers['content-length'], String(JSON.stringify(body).length))
      } else {
        assert.equal(second.body.byteLength, 0)
        assert.equal(second.headers['content-type'], undefined)
        assert.ok(second.headers['content-length'] === undefined || second.headers['content-length'] === '0')
      }
      const line = `executeRequest: redirection 1/5, moving to ${echo.url}${target}${keepsBody ? '' : ' as GET'}`
      assert.ok(lines(res).includes(line), `${line}\nnot in\n${lines(res).join('\n')}`)
    })
  }

  test('301/302 keep a PUT and its body', async () => {
    for (const status of [301, 302]) {
      const target = `/anything/put-after-${status}`
      await send(pipe(redirectTo(target, status), H.setStringBody('payload')), 'PUT')
      const second = lastAt(echo.server, target)
      assert.equal(second.method, 'PUT')
      assert.equal(Buffer.from(second.body).toString(), 'payload')
    }
  })

  test('303 turns a PUT into GET and drops the body', async () => {
    await send(pipe(redirectTo('/anything/put-after-303', 303), H.setStringBody('payload')), 'PUT')
    const second = lastAt(echo.server, '/anything/put-after-303')
    assert.equal(second.method, 'GET')
    assert.equal(second.body.byteLength, 0)
  })

  test('HEAD on 303 stays HEAD', async () => {
    const res = await send(redirectTo('/anything/head-after-303', 303), 'HEAD')
    assert.equal(res.status, 200)
    assert.equal(res.redirects, 1)
    assert.equal(lastAt(echo.server, '/anything/head-after-303').method, 'HEAD')
    assert.equal(res.body.byteLength, 0)
  })
})

describe('Location handling', () => {
  test('relative Location (path-absolute) chain', async () => {
    const res = await send(at('/redirect/3'), 'GET')
    assert.equal(res.status, 200)
    assert.equal(res.redirects, 3)
    assert.equal(res.url, `${echo.url}/get`)
    assert.equal(echoOf(res).path, '/get')
  })

  test('relative Location (path-relative) is resolved against the current URL', async () => {
    const res = await send(redirectTo('anything/rel?x=1'), 'GET')
    assert.equal(res.status, 200)
    assert.equal(res.redirects, 1)
    assert.equal(res.url, `${echo.url}/anything/rel?x=1`)
    assert.equal(echoOf(res).path, '/anything/rel')
  })

  test('relative Location with dot segments', async () => {
    const res = await send(redirectTo('./anything/../anything/dots'), 'GET')
    assert.equal(res.url, `${echo.url}/anything/dots`)
    assert.equal(res.status, 200)
  })

  test('absolute Location chain', async () => {
    const res = await send(at('/absolute-redirect/2'), 'GET')
    assert.equal(res.status, 200)
    assert.equal(res.redirects, 2)
    assert.equal(res.url, `${echo.url}/get`)
    const l = lines(res)
    assert.ok(l.includes(`executeRequest: redirection 1/5, moving to ${echo.url}/absolute-redirect/1`), l.join('\n'))
    assert.ok(l.includes(`executeRequest: redirection 2/5, moving to ${echo.url}/get`), l.join('\n'))
  })

  test('log lines: redirection n/5, moving to …', async () => {
    const res = await send(at('/redirect/3'), 'GET')
    const moves = lines(res).filter((l) => l.startsWith('executeRequest: redirection '))
    assert.deepEqual(moves, [
      `executeRequest: redirection 1/5, moving to ${echo.url}/redirect/2`,
      `executeRequest: redirection 2/5, moving to ${echo.url}/redirect/1`,
      `executeRequest: redirection 3/5, moving to ${echo.url}/get`,
    ])
  })

  test('the fragment of a Location is removed', async () => {
    const res = await send(redirectTo('/anything/frag?a=1#section-2'), 'GET')
    assert.equal(res.status, 200)
    assert.equal(res.url, `${echo.url}/anything/frag?a=1`)
    assert.equal(lastAt(echo.server, '/anything/frag').url, '/anything/frag?a=1')
  })

  test('a 3xx without Location is returned as is', async () => {
    const res = await send(at('/status/302'), 'GET')
    assert.equal(res.status, 302)
    assert.equal(res.redirects, 0)
  })

  test('304 is not followed', async () => {
    const res = await send(redirectTo('/anything/never-304', 304), 'GET')
    assert.equal(res.status, 304)
    assert.equal(res.redirects, 0)
    assert.equal(receivedBy(echo.server, '/anything/never-304').length, 0)
  })

  for (const location of ['ftp://127.0.0.1/file', 'file:///etc/passwd', 'javascript:alert(1)']) {
    test(`a redirect to a non-http scheme is not followed (${location.split(':')[0]})`, async () => {
      const res = await send(redirectTo(location), 'GET')
      assert.equal(res.status, 302)
      assert.equal(res.redirects, 0)
      assert.equal(res.headers['location'], location)
      assert.equal(
        res.url,
        `${echo.url}/redirect-to?url=${encodeURIComponent(location).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}&status_code=302`,
      )
      assert.ok(
        lines(res).some((l) => /redirect to .* not followed/.test(l)),
        lines(res).join('\n'),
      )
    })
  }
})

describe('relative Location resolved by httpipe itself (native fetch leaves Location as sent)', () => {
  const env: H.Env = { fetch: globalThis.fetch }

  test('path-absolute chain', async () => {
    const res = await send(at('/redirect/3'), 'GET', env)
    assert.equal(res.status, 200)
    assert.equal(res.redirects, 3)
    assert.equal(res.url, `${echo.url}/get`)
    assert.ok(lines(res).includes(`executeRequest: redirection 1/5, moving to ${echo.url}/redirect/2`))
  })

  test('path-relative, with dot segments, with a fragment', async () => {
    const rel = await send(redirectTo('anything/rel2?x=1'), 'GET', env)
    assert.equal(rel.url, `${echo.url}/anything/rel2?x=1`)
    const dots = await send(redirectTo('./anything/../anything/dots2'), 'GET', env)
    assert.equal(dots.url, `${echo.url}/anything/dots2`)
    const frag = await send(redirectTo('/anything/frag2#top'), 'GET', env)
    assert.equal(frag.url, `${echo.url}/anything/frag2`)
    assert.equal(lastAt(echo.server, '/anything/frag2').url, '/anything/frag2')
  })

  test('a returned 3xx keeps the relative Location', async () => {
    const res = await send(pipe(at('/redirect/1'), H.maxRedirects(0)), 'GET', env)
    assert.equal(res.status, 302)
    assert.equal(res.headers['location'], '/get')
  })

  test('307 keeps method and body; 303 drops them', async () => {
    await send(pipe(redirectTo('/anything/n307', 307), H.setStringBody('keep me')), 'POST', env)
    const kept = lastAt(echo.server, '/anything/n307')
    assert.equal(kept.method, 'POST')
    assert.equal(Buffer.from(kept.body).toString(), 'keep me')
    await send(pipe(redirectTo('/anything/n303', 303), H.setStringBody('drop me')), 'POST', env)
    const dropped = lastAt(echo.server, '/anything/n303')
    assert.equal(dropped.method, 'GET')
    assert.equal(dropped.body.byteLength, 0)
    assert.equal(dropped.headers['content-type'], undefined)
  })
})

describe('maxRedirects', () => {
  test('a chain longer than the limit stops: the 3xx is a Right, with the log line', async () => {
    const sentBefore = echo.server.requests.length
    const res = await send(at('/redirect/10'), 'GET')
    assert.equal(res.status, 302)
    assert.equal(res.redirects, 5)
    assert.equal(res.url, `${echo.url}/redirect/5`)
    assert.equal(new URL(res.headers['location'] ?? '', res.url).href, `${echo.url}/redirect/4`)
    assert.equal(echo.server.requests.length - sentBefore, 6)
    assert.ok(
      lines(res).some((l) => l.includes('maximum number of redirections reached')),
      lines(res).join('\n'),
    )
  })

  test('maxRedirects(0): the first 3xx is returned', async () => {
    const sentBefore = echo.server.requests.length
    const res = await send(pipe(at('/redirect/1'), H.maxRedirects(0)), 'GET')
    assert.equal(res.status, 302)
    assert.equal(res.redirects, 0)
    assert.equal(new URL(res.headers['location'] ?? '', res.url).href, `${echo.url}/get`)
    assert.equal(echo.server.requests.length - sentBefore, 1)
    assert.ok(lines(res).some((l) => l.includes('maximum number of redirections reached')))
  })

  test('a returned 3xx keeps its Location as sent with the default (undici) transport and a WHATWG fetch; absolute with crossFetchTransport (node-fetch resolves it)', async () => {
    // the echo server sends `Location: /get`
    const viaDefault = await send(pipe(at('/redirect/1'), H.maxRedirects(0)), 'GET', { transport: H.defaultTransport })
    assert.equal(viaDefault.headers['location'], '/get')
    const viaCrossFetch = await send(pipe(at('/redirect/1'), H.maxRedirects(0)), 'GET', {
      transport: H.crossFetchTransport,
    })
    assert.equal(viaCrossFetch.headers['location'], `${echo.url}/get`)
    const r = await pipe(at('/redirect/1'), H.maxRedirects(0), H.processRequest('GET', { fetch: globalThis.fetch }))()
    assert.equal(r._tag, 'Right')
    if (r._tag !== 'Right') return
    assert.equal(r.right.rawHeaders.find(([n]) => n.toLowerCase() === 'location')?.[1], '/get')
    assert.equal(r.right.headers['location'], '/get')
  })

  test('maxRedirects(2) follows exactly two', async () => {
    const res = await send(pipe(at('/redirect/2'), H.maxRedirects(2)), 'GET')
    assert.equal(res.status, 200)
    assert.equal(res.redirects, 2)
    assert.ok(lines(res).includes(`executeRequest: redirection 2/2, moving to ${echo.url}/get`))
  })
})

describe('credentials across origins', () => {
  const credentialed = (req: H.Request): H.Request =>
    pipe(
      req,
      H.addHeader('Cookie', 'session=abc'),
      H.addHeader('Proxy-Authorization', 'Basic cHg6cHk='),
      H.addHeader('X-Keep', 'yes'),
    )

  test('a redirect to another server (other port) drops Basic Authorization, Cookie and Proxy-Authorization', async () => {
    const target = `${other.url}/anything/xo-basic`
    const res = await send(pipe(redirectTo(target), H.addBasicAuthorization('ann', 'secret-pw'), credentialed), 'GET')
    assert.equal(res.status, 200)
    assert.equal(res.url, target)
    const first = lastAt(echo.server, '/redirect-to')
    assert.ok(first.headers['authorization']?.startsWith('Basic '))
    assert.equal(first.headers['cookie'], 'session=abc')
    const second = lastAt(other.server, '/anything/xo-basic')
    assert.equal(second.headers['authorization'], undefined)
    assert.equal(second.headers['cookie'], undefined)
    assert.equal(second.headers['proxy-authorization'], undefined)
    assert.equal(second.headers['x-keep'], 'yes')
    assert.ok(lines(res).some((l) => l.includes('credentials dropped (other origin)')))
  })

  test("a redirect to another server drops addHeader('Authorization', …) and Bearer", async () => {
    await send(
      pipe(
        redirectTo(`${other.url}/anything/xo-header`, 307),
        H.addHeader('Authorization', 'Token abc123'),
        H.setStringBody('b'),
      ),
      'POST',
    )
    const second = lastAt(other.server, '/anything/xo-header')
    assert.equal(second.headers['authorization'], undefined)
    assert.equal(Buffer.from(second.body).toString(), 'b')
    await send(pipe(redirectTo(`${other.url}/anything/xo-bearer`), H.addBearerAuthorization('bearer-tok')), 'GET')
    assert.equal(lastAt(other.server, '/anything/xo-bearer').headers['authorization'], undefined)
  })

  test('a same-origin redirect keeps them', async () => {
    await send(
      pipe(redirectTo('/anything/same-origin'), H.addBasicAuthorization('ann', 'secret-pw'), credentialed),
      'GET',
    )
    const second = lastAt(echo.server, '/anything/same-origin')
    assert.equal(second.headers['authorization'], `Basic ${Buffer.from('ann:secret-pw').toString('base64')}`)
    assert.equal(second.headers['cookie'], 'session=abc')
    assert.equal(second.headers['proxy-authorization'], 'Basic cHg6cHk=')
    assert.equal(second.headers['x-keep'], 'yes')
  })

  test('an absolute same-origin redirect keeps them too', async () => {
    await send(
      pipe(redirectTo(`${echo.url}/anything/same-origin-abs`), H.addHeader('Authorization', 'Token keep')),
      'GET',
    )
    assert.equal(lastAt(echo.server, '/anything/same-origin-abs').headers['authorization'], 'Token keep')
  })

  test('once dropped, credentials do not come back when the chain returns to the first origin', async () => {
    const back = `${echo.url}/anything/back-home`
    const viaOther = `${other.url}/redirect-to?url=${encodeURIComponent(back)}`
    const res = await send(pipe(redirectTo(viaOther), H.addBearerAuthorization('tok-xyz')), 'GET')
    assert.equal(res.status, 200)
    assert.equal(res.redirects, 2)
    assert.equal(lastAt(echo.server, '/anything/back-home').headers['authorization'], undefined)
  })

  test('custom credential headers (X-Api-Key, Private-Token, an SSE-C key) stay with their origin', async () => {
    const target = `${other.url}/anything/xo-custom`
    await send(
      pipe(
        redirectTo(target),
        H.addHeader('X-Api-Key', 'k-123'),
        H.addHeader('Private-Token', 'p-456'),
        H.addHeader('x-amz-server-side-encryption-customer-key', 'c2VjcmV0'),
        H.addHeader('X-Keep', 'yes'),
      ),
      'GET',
    )
    const first = lastAt(echo.server, '/redirect-to')
    assert.equal(first.headers['x-api-key'], 'k-123')
    const second = lastAt(other.server, '/anything/xo-custom')
    assert.equal(second.headers['x-api-key'], undefined)
    assert.equal(second.headers['private-token'], undefined)
    assert.equal(second.headers['x-amz-server-side-encryption-customer-key'], undefined)
    assert.equal(second.headers['x-keep'], 'yes')
  })

  test('user info in a Location is not sent, logged or returned', async () => {
    const target = `${other.url}/anything/xo-userinfo`.replace('http://', 'http://eve:loc-s3cret@')
    const res = await send(redirectTo(target), 'GET')
    assert.equal(res.status, 200)
    assert.equal(res.url, `${other.url}/anything/xo-userinfo`)
    assert.equal(lastAt(other.server, '/anything/xo-userinfo').headers['authorization'], undefined)
    // the request's own URL carries the Location in its query (so its first lines do); from the
    // redirect on, no line has it
    const log = lines(res)
    const from = log.findIndex((l) => l.includes('redirection 1/5'))
    assert.ok(from > 0)
    assert.ok(
      log.slice(from).every((l) => !l.includes('loc-s3cret')),
      log.join('\n'),
    )
  })
})
