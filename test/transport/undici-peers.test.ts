/**
 * undiciTransport against real peers: a node:https server with openssl-made certificates (CA,
 * mTLS), Debian's tinyproxy with Basic auth (forwarding and CONNECT), and a node:http2 server
 * (HTTP/2 with allowH2, HTTP/1.1 without, the same results otherwise).
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:https'
import { createSecureServer, type Http2SecureServer } from 'node:http2'
import type { TLSSocket } from 'node:tls'
import { pipe } from 'fp-ts/function'
import * as H from '../../src/index.js'
import { startEchoServer, type EchoServer } from '../../src/testing/index.js'
import { makePki, startTinyproxy, type Pki, type Tinyproxy } from '../support/peers.js'
import { asTag, ko, ok } from '../execute/helpers.js'

const USER = 'ann'
const PASSWORD = 'Pr0xy-s3cret-pw'
const transport = H.undiciTransport()
const h2Transport = H.undiciTransport({ allowH2: true })
let echo: EchoServer
let proxy: Tinyproxy
let pki: Pki
let tlsServer: Server
let h2Server: Http2SecureServer
let tlsUrl = ''
let h2Url = ''
const h2Versions: string[] = []

const urlOf = (s: Server | Http2SecureServer): string => {
  const a = s.address()
  return `https://127.0.0.1:${typeof a === 'object' && a !== null ? a.port : 0}`
}

before(async () => {
  echo = await startEchoServer()
  proxy = await startTinyproxy(USER, PASSWORD)
  pki = makePki()
  tlsServer = createServer(
    { key: pki.serverKey, cert: pki.serverCert, ca: pki.ca, requestCert: true, rejectUnauthorized: false },
    (req, res) => {
      const socket = req.socket as TLSSocket
      res.setHeader('content-type', 'application/json')
      res.end(
        JSON.stringify({
          path: req.url,
          clientAuthorized: socket.authorized,
          clientCn: socket.getPeerCertificate()?.subject?.CN ?? null,
        }),
      )
    },
  )
  h2Server = createSecureServer({ key: pki.serverKey, cert: pki.serverCert, allowHTTP1: true }, (req, res) => {
    h2Versions.push(req.httpVersion)
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = JSON.stringify({
        method: req.method,
        path: req.url,
        got: Buffer.concat(chunks).toString(),
        ua: req.headers['user-agent'],
      })
      res.writeHead(201, {
        'Content-Type': 'application/json',
        'Set-Cookie': ['a=1; Path=/', 'b=2; Path=/'],
        'X-Custom': 'v',
        'Content-Length': Buffer.byteLength(body),
      })
      res.end(body)
    })
  })
  await new Promise<void>((r) => tlsServer.listen(0, '127.0.0.1', () => r()))
  await new Promise<void>((r) => h2Server.listen(0, '127.0.0.1', () => r()))
  tlsUrl = urlOf(tlsServer)
  h2Url = urlOf(h2Server)
})

after(async () => {
  await Promise.all([transport.close(), h2Transport.close()])
  await Promise.all([echo.close(), proxy.stop()])
  tlsServer.closeAllConnections()
  await new Promise((r) => tlsServer.close(r))
  await new Promise((r) => h2Server.close(r))
  pki.cleanup()
})

const env = { transport }
const jsonOf = <A>(res: H.HttpResponse): A => JSON.parse(Buffer.from(res.body).toString()) as A
const proxyUrl = (password = PASSWORD): string => `http://${USER}:${password}@127.0.0.1:${proxy.port}`

describe('undiciTransport TLS', () => {
  test('the CA given to setTls is trusted', async () => {
    const res = await ok(
      pipe(H.newRequest(), H.initialize(`${tlsUrl}/ca`), H.setTls({ ca: pki.ca }), H.processRequest('GET', env)),
    )
    assert.equal(jsonOf<{ path: string }>(res).path, '/ca')
  })

  test('an unknown CA is a TransportError with the TLS code', async () => {
    const e = asTag(
      await ko(pipe(H.newRequest(), H.initialize(`${tlsUrl}/x`), H.processRequest('GET', env))),
      'TransportError',
    )
    assert.match(e.cause, /^(SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE)$/)
  })

  test('a client certificate is presented (mTLS); without one the server sees none', async () => {
    const withCert = await ok(
      pipe(
        H.newRequest(),
        H.initialize(`${tlsUrl}/mtls`),
        H.setTls({ ca: pki.ca, cert: H.fromFile(pki.clientCertPath), key: pki.clientKey }),
        H.processRequest('GET', env),
      ),
    )
    assert.deepEqual(jsonOf<{ clientAuthorized: boolean; clientCn: string }>(withCert), {
      path: '/mtls',
      clientAuthorized: true,
      clientCn: 'httpipe client',
    })
    const without = await ok(
      pipe(H.newRequest(), H.initialize(`${tlsUrl}/mtls`), H.setTls({ ca: pki.ca }), H.processRequest('GET', env)),
    )
    assert.equal(jsonOf<{ clientAuthorized: boolean }>(without).clientAuthorized, false)
  })
})

describe('undiciTransport through tinyproxy', () => {
  test('an http target is forwarded with proxy Basic auth (no CONNECT)', async () => {
    const res = await ok(
      pipe(
        H.newRequest(),
        H.initialize(`${echo.url}/get?via=proxy`),
        H.setProxy(proxyUrl()),
        H.processRequest('GET', env),
      ),
    )
    assert.equal(res.status, 200)
    assert.match(jsonOf<{ headers: Record<string, string> }>(res).headers['via'] ?? '', /tinyproxy/)
    assert.match(proxy.log(), new RegExp(`GET http://127\\.0\\.0\\.1:${echo.port}/get\\?via=proxy`))
    assert.ok(!H.getLog(res, true).includes(PASSWORD))
  })

  test('an https target goes through CONNECT, with the TLS options applied inside the tunnel', async () => {
    const res = await ok(
      pipe(
        H.newRequest(),
        H.initialize(`${tlsUrl}/tunnel`),
        H.setProxy(proxyUrl()),
        H.setTls({ ca: pki.ca, cert: pki.clientCert, key: pki.clientKey }),
        H.processRequest('GET', env),
      ),
    )
    assert.deepEqual(jsonOf<object>(res), { path: '/tunnel', clientAuthorized: true, clientCn: 'httpipe client' })
    assert.match(proxy.log(), new RegExp(`CONNECT 127\\.0\\.0\\.1:${new URL(tlsUrl).port}`))
    assert.ok(!H.getLog(res, true).includes(PASSWORD))
  })

  test('a Proxy-Authorization header of the caller goes to the proxy when the proxy URL has no user', async () => {
    const token = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`
    const req = pipe(
      H.newRequest(),
      H.initialize(`${echo.url}/get?via=header`),
      H.setProxy(`http://127.0.0.1:${proxy.port}`),
      H.addHeader('Proxy-Authorization', token),
    )
    const res = await ok(H.processRequest('GET', env)(req))
    assert.equal(res.status, 200)
    assert.equal(jsonOf<{ headers: Record<string, string> }>(res).headers['proxy-authorization'], undefined)
  })

  test('a wrong password: tinyproxy answers a forwarded request with 401 (a Right), a CONNECT with 401 (a TransportError); no password anywhere', async () => {
    const wrong = 'wr0ng-pw-4242'
    const forwarded = await ok(
      pipe(H.newRequest(), H.initialize(`${echo.url}/get`), H.setProxy(proxyUrl(wrong)), H.processRequest('GET', env)),
    )
    assert.equal(forwarded.status, 401)
    assert.match(forwarded.headers['server'] ?? '', /tinyproxy/)
    assert.ok(!H.getLog(forwarded, true).includes(wrong))
    const tunnel = asTag(
      await ko(
        pipe(
          H.newRequest(),
          H.initialize(`${tlsUrl}/x`),
          H.setTls({ ca: pki.ca }),
          H.setProxy(proxyUrl(wrong)),
          H.maxAttempts(2),
          H.processRequest('GET', { ...env, sleep: async () => {} }),
        ),
      ),
      'TransportError',
    )
    assert.match(tunnel.message, /Proxy response \(401\)/)
    // a proxy that refused the credentials will refuse them again: no retry
    assert.equal(H.getLog(tunnel).filter((e) => /^sending GET/.test(e.message)).length, 1, H.getLog(tunnel, true))
    for (const text of [tunnel.message, H.getLog(tunnel, true)]) {
      assert.ok(!text.includes(wrong), text)
      assert.ok(!text.includes(Buffer.from(`${USER}:${wrong}`).toString('base64')), text)
    }
  })

  test('an unreachable proxy is a TransportError without the password', async () => {
    const e = asTag(
      await ko(
        pipe(
          H.newRequest(),
          H.initialize(`${echo.url}/get`),
          H.setProxy(`http://${USER}:${PASSWORD}@127.0.0.1:1`),
          H.processRequest('GET', env),
        ),
      ),
      'TransportError',
    )
    assert.equal(e.cause, 'ECONNREFUSED')
    assert.ok(!e.message.includes(PASSWORD) && !H.getLog(e, true).includes(PASSWORD))
  })
})

describe('undiciTransport HTTP/2', () => {
  const post = (t: H.Transport): Promise<H.HttpResponse> =>
    ok(
      pipe(
        H.newRequest(),
        H.initialize(`${h2Url}/h2?x=1`),
        H.setTls({ ca: pki.ca }),
        H.setJsonBody({ a: 1 }),
        H.addHeader('X-Trace', 't'),
        H.processRequest('POST', { transport: t }),
      ),
    )
  const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'date'])
  const comparable = (res: H.HttpResponse) => ({
    status: res.status,
    statusText: res.statusText,
    body: Buffer.from(res.body).toString(),
    headers: res.rawHeaders.filter(([n]) => !HOP_BY_HOP.has(n)),
    log: H.getLog(res, true).replace(/\(\d+ ms\)/g, '(… ms)'),
  })

  test('allowH2 speaks h2; status, reason, body, headers and log are those of the same request over HTTP/1.1', async () => {
    const viaH2 = await post(h2Transport)
    assert.equal(h2Versions.at(-1), '2.0')
    const viaH1 = await post(transport)
    assert.equal(h2Versions.at(-1), '1.1')
    assert.deepEqual(comparable(viaH2), comparable(viaH1))
    assert.equal(viaH2.statusText, 'Created')
    assert.deepEqual(
      viaH2.rawHeaders.filter(([n]) => n === 'set-cookie'),
      [
        ['set-cookie', 'a=1; Path=/'],
        ['set-cookie', 'b=2; Path=/'],
      ],
    )
    assert.deepEqual(JSON.parse(Buffer.from(viaH2.body).toString()), {
      method: 'POST',
      path: '/h2?x=1',
      got: '{"a":1}',
      ua: `httpipe/${H.VERSION}`,
    })
  })

  test('allowH2 still speaks HTTP/1.1 to a server without h2', async () => {
    const res = await ok(
      pipe(
        H.newRequest(),
        H.initialize(`${tlsUrl}/h1`),
        H.setTls({ ca: pki.ca }),
        H.processRequest('GET', { transport: h2Transport }),
      ),
    )
    assert.equal(jsonOf<{ path: string }>(res).path, '/h1')
  })
})
