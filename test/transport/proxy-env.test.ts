/**
 * The proxy environment variables (`env.proxyEnv`; by default the process environment's) against
 * Debian's tinyproxy, on both Node transports that take a proxy: plain forwarding (tinyproxy adds
 * `Via` to what it forwards), CONNECT for an https target (tinyproxy logs it), `NO_PROXY` as
 * undici's EnvHttpProxyAgent reads it, a request's own proxy first, a bad variable refused.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:https'
import { execFile } from 'node:child_process'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import { pipe } from 'fp-ts/function'
import * as H from '../../src/index.js'
import { startEchoServer, type EchoServer } from '../../src/testing/index.js'
import { proxyRoute } from '../../src/transport/env-proxy.js'
import { resolveEnvProxies } from '../../src/execute/proxy-env.js'
import { makePki, startTinyproxy, type Pki, type Tinyproxy } from '../support/peers.js'

const run = promisify(execFile)
const ROOT = resolve(import.meta.dirname, '../..')
const USER = 'ann'
const PASSWORD = 'env-Pr0xy-pw'

let echo: EchoServer
let proxy: Tinyproxy
let pki: Pki
let tlsServer: Server
let tlsUrl = ''
const undici = H.undiciTransport()

before(async () => {
  echo = await startEchoServer()
  proxy = await startTinyproxy(USER, PASSWORD)
  pki = makePki()
  tlsServer = createServer({ key: pki.serverKey, cert: pki.serverCert }, (_req, res) => res.end('tls ok'))
  await new Promise<void>((resolve) => tlsServer.listen(0, '127.0.0.1', () => resolve()))
  const a = tlsServer.address()
  tlsUrl = `https://127.0.0.1:${typeof a === 'object' && a !== null ? a.port : 0}`
})

after(async () => {
  await echo.close()
  await proxy.stop()
  tlsServer.closeAllConnections()
  await new Promise((r) => tlsServer.close(r))
  pki.cleanup()
  await undici.close()
})

const proxyUrl = (password = PASSWORD): string => `http://${USER}:${password}@127.0.0.1:${proxy.port}`
const echoPort = (): string => new URL(echo.url).port
/** Whether the echo server's last request at `path` came through tinyproxy. */
const viaProxy = (path: string): boolean => {
  const r = echo.requests.filter((x) => x.url === path).at(-1)
  assert.ok(r !== undefined, `nothing received at ${path}`)
  return (r.headers['via'] ?? '').includes('tinyproxy')
}
const logText = (x: { readonly log: H.Log }): string => x.log.map((e) => e.message).join('\n')

for (const [name, transport] of [
  ['undici', undici],
  ['cross-fetch', H.crossFetchTransport],
] as const) {
  const get = (url: string, proxyEnv: H.Env['proxyEnv'], steps: H.Step = (r) => r) =>
    pipe(H.newRequest(), H.initialize(url), steps, H.processRequest('GET', { transport, proxyEnv }))()

  describe(`proxy environment variables (${name})`, () => {
    test('HTTP_PROXY forwards an http request through the proxy, its password masked in the log', async () => {
      const path = `/anything/env-http-${name}`
      const r = await get(`${echo.url}${path}`, { HTTP_PROXY: proxyUrl() })
      assert.ok(r._tag === 'Right', JSON.stringify(r))
      assert.equal(viaProxy(path), true)
      assert.match(
        logText(r.right),
        new RegExp(`through the proxy http://${USER}:\\*\\*\\*@127\\.0\\.0\\.1:${proxy.port} \\(HTTP_PROXY\\)`),
      )
      assert.doesNotMatch(JSON.stringify(r.right.log), new RegExp(PASSWORD))
    })

    test('the lower-case http_proxy is read too', async () => {
      const path = `/anything/env-lower-${name}`
      const r = await get(`${echo.url}${path}`, { http_proxy: proxyUrl() })
      assert.equal(r._tag, 'Right')
      assert.equal(viaProxy(path), true)
    })

    test('NO_PROXY naming the host, or the host and its port, or *, goes straight (no log line)', async () => {
      for (const noProxy of ['127.0.0.1', `127.0.0.1:${echoPort()}`, '*', 'example.com, 127.0.0.1']) {
        const path = `/anything/env-no-${name}-${encodeURIComponent(noProxy)}`
        const r = await get(`${echo.url}${path}`, { HTTP_PROXY: proxyUrl(), NO_PROXY: noProxy })
        assert.ok(r._tag === 'Right', noProxy)
        assert.equal(viaProxy(path), false, noProxy)
        assert.doesNotMatch(logText(r.right), /through the proxy/, noProxy)
      }
    })

    test('NO_PROXY with another port, or another host, still goes through the proxy', async () => {
      for (const noProxy of ['127.0.0.1:1', 'example.com']) {
        const path = `/anything/env-other-${name}-${encodeURIComponent(noProxy)}`
        const r = await get(`${echo.url}${path}`, { HTTP_PROXY: proxyUrl(), no_proxy: noProxy })
        assert.equal(r._tag, 'Right', noProxy)
        assert.equal(viaProxy(path), true, noProxy)
      }
    })

    test("the request's own proxy comes first: an unusable HTTP_PROXY is not read for it", async () => {
      const path = `/anything/env-own-${name}`
      const r = await get(`${echo.url}${path}`, { HTTP_PROXY: 'http://127.0.0.1:1' }, H.setProxy(proxyUrl()))
      assert.equal(r._tag, 'Right')
      assert.equal(viaProxy(path), true)
    })

    test('an https target goes through HTTPS_PROXY with CONNECT, the TLS options of the request kept', async () => {
      const before = (proxy.log().match(/CONNECT/g) ?? []).length
      const r = await get(`${tlsUrl}/x`, { HTTPS_PROXY: proxyUrl() }, H.setTls({ ca: pki.ca }))
      assert.ok(r._tag === 'Right', JSON.stringify(r._tag === 'Left' ? r.left.message : ''))
      assert.equal(new TextDecoder().decode(r.right.body), 'tls ok')
      assert.ok((proxy.log().match(/CONNECT/g) ?? []).length > before, 'tinyproxy saw a CONNECT')
      assert.match(logText(r.right), /\(HTTPS_PROXY\)/)
    })

    test('a wrong password in HTTP_PROXY is the proxy refusing (407 or 401), the password in no line', async () => {
      const path = `/anything/env-wrong-${name}`
      const r = await get(`${echo.url}${path}`, { HTTP_PROXY: proxyUrl('wr0ng-pw-value') })
      const text = r._tag === 'Right' ? `${r.right.status} ${logText(r.right)}` : `${r.left.message} ${logText(r.left)}`
      if (r._tag === 'Right') assert.ok([401, 407].includes(r.right.status), text)
      assert.doesNotMatch(text, /wr0ng-pw-value/)
    })

    test('a variable that is not a proxy URL is InvalidInput naming it, never its value, for the requests routed to it only', async () => {
      for (const bad of [
        'http://u:s3cret-pw@:99999',
        'u:s3cret-pw@proxy.corp:99999',
        "http://u:it's#s3cret-pw@proxy:3128",
        'socks5://u:s3cret-pw@p:1080',
      ]) {
        const before = echo.requests.length
        // an https URL goes through HTTPS_PROXY: refused, nothing sent
        const r = await get(`https://127.0.0.1:${echoPort()}/anything/env-bad`, { HTTPS_PROXY: bad })
        assert.ok(r._tag === 'Left', bad)
        assert.equal(r.left._tag, 'InvalidInput', bad)
        assert.match(r.left.message, /HTTPS_PROXY/)
        assert.doesNotMatch(JSON.stringify([r.left.message, H.getLog(r.left, true)]), /s3cret-pw/, bad)
        assert.equal(echo.requests.length, before)
        // an http URL is not routed to HTTPS_PROXY (undici: no HTTP_PROXY, straight): it goes on
        const path = `/anything/env-bad-http-${name}`
        const ok = await get(`${echo.url}${path}`, { HTTPS_PROXY: bad })
        assert.equal(ok._tag, 'Right', bad)
        assert.equal(viaProxy(path), false)
      }
    })

    test('on a transport that takes no proxy, the log says so instead of claiming one', async () => {
      const r = await pipe(
        H.newRequest(),
        H.initialize(`${echo.url}/anything/env-fetch`),
        H.processRequest('GET', { fetch: globalThis.fetch, proxyEnv: { HTTP_PROXY: proxyUrl() } }),
      )()
      assert.ok(r._tag === 'Right')
      assert.match(logText(r.right), /HTTP_PROXY names the proxy .* but this transport takes no proxy/)
      assert.doesNotMatch(logText(r.right), /through the proxy/)
    })
  })
}

describe('the process environment (the default of env.proxyEnv)', () => {
  test('HTTP_PROXY of the process is read when the first request runs', async () => {
    const path = '/anything/env-process'
    const script = [
      `import * as H from ${JSON.stringify(pathToFileURL(join(ROOT, 'dist/esm/index.js')).href)}`,
      `const r = await H.processRequest('GET')(H.initialize(${JSON.stringify(`${echo.url}${path}`)})(H.newRequest()))()`,
      `console.log(r._tag === 'Right' ? r.right.status : r.left.message)`,
      `await H.defaultTransport.close()`,
    ].join('\n')
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
      env: { ...process.env, HTTP_PROXY: proxyUrl(), NO_PROXY: 'example.com' },
    })
    assert.equal(stdout.trim(), '200')
    assert.equal(viaProxy(path), true)
  })

  test('under CGI (REQUEST_METHOD set) the upper-case HTTP_PROXY is not read (httpoxy); the lower-case one is', async () => {
    const script = (path: string) =>
      [
        `import * as H from ${JSON.stringify(pathToFileURL(join(ROOT, 'dist/esm/index.js')).href)}`,
        `const r = await H.processRequest('GET')(H.initialize(${JSON.stringify(`${echo.url}${path}`)})(H.newRequest()))()`,
        `console.log(r._tag === 'Right' ? r.right.status : r.left.message)`,
        `await H.defaultTransport.close()`,
      ].join('\n')
    const upper = await run(process.execPath, ['--input-type=module', '-e', script('/anything/env-cgi-upper')], {
      env: { ...process.env, REQUEST_METHOD: 'GET', HTTP_PROXY: proxyUrl() },
    })
    assert.equal(upper.stdout.trim(), '200')
    assert.equal(viaProxy('/anything/env-cgi-upper'), false)
    const lower = await run(process.execPath, ['--input-type=module', '-e', script('/anything/env-cgi-lower')], {
      env: { ...process.env, REQUEST_METHOD: 'GET', http_proxy: proxyUrl() },
    })
    assert.equal(lower.stdout.trim(), '200')
    assert.equal(viaProxy('/anything/env-cgi-lower'), true)
  })
})

describe('proxyRoute: NO_PROXY as undici reads it', () => {
  const vars = (noProxy: string) => ({ http: true, https: true, noProxy })
  const cases: ReadonlyArray<readonly [string, string, 'direct' | 'http' | 'https']> = [
    ['', 'http://a.example/', 'http'],
    ['', 'https://a.example/', 'https'],
    ['a.example', 'http://a.example/x', 'direct'],
    ['a.example', 'http://sub.a.example/x', 'direct'],
    ['.a.example', 'http://sub.a.example/x', 'direct'],
    ['*.a.example', 'https://sub.a.example/x', 'direct'],
    ['a.example', 'http://nota.example/', 'http'],
    ['a.example:8080', 'http://a.example:8080/', 'direct'],
    ['a.example:8080', 'http://a.example:9090/', 'http'],
    ['a.example:443', 'https://a.example/', 'direct'],
    ['*', 'https://anything.example/', 'direct'],
    ['A.EXAMPLE', 'http://a.example/', 'direct'],
  ]
  for (const [noProxy, url, expected] of cases)
    test(`NO_PROXY=${JSON.stringify(noProxy)}: ${url} → ${expected}`, () => {
      assert.equal(proxyRoute(vars(noProxy), url), expected)
    })
  test('https goes through the http proxy when no https proxy is set (undici), and straight with none', () => {
    assert.equal(proxyRoute({ http: true, https: false, noProxy: '' }, 'https://a.example/'), 'http')
    assert.equal(proxyRoute({ http: false, https: true, noProxy: '' }, 'http://a.example/'), 'direct')
  })
  test('hostile URLs are routed straight (the attempt says what is wrong with them)', () => {
    for (const url of ['', 'not a url', 'http://', '\u0000']) assert.equal(proxyRoute(vars(''), url), 'direct')
  })
})

describe('resolveEnvProxies', () => {
  test('false and variables without a proxy give none; an object is read once', () => {
    assert.equal(resolveEnvProxies(false, proxyRoute), null)
    assert.equal(resolveEnvProxies({ NO_PROXY: 'x' }, proxyRoute), null)
    const vars: Record<string, string> = { HTTP_PROXY: 'proxy.local:3128' }
    const p = resolveEnvProxies(vars, proxyRoute)
    assert.deepEqual(p?.route('http://x.example/'), {
      from: 'HTTP_PROXY',
      proxy: { protocol: 'http', host: 'proxy.local', port: 3128, user: null, password: null },
    })
    // read at each run: a change to the object is seen
    vars['NO_PROXY'] = 'x.example'
    assert.equal(resolveEnvProxies(vars, proxyRoute)?.route('http://x.example/'), null)
  })

  test('hostile env.proxyEnv is InvalidInput naming the field', async () => {
    for (const bad of ['x', 5, [], new Map([['HTTP_PROXY', 'p:1']])]) {
      const r = await pipe(
        H.newRequest(),
        H.initialize(`${echo.url}/get`),
        H.processRequest('GET', { proxyEnv: bad as unknown as H.Env['proxyEnv'] }),
      )()
      assert.ok(r._tag === 'Left')
      assert.equal(r.left._tag, 'InvalidInput')
      assert.match(r.left.message, /env\.proxyEnv/)
    }
  })
})
