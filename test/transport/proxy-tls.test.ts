/**
 * setProxy and setTls against real peers: Debian's tinyproxy (Basic auth, plain forwarding and
 * CONNECT) and a node:https server with certificates made by openssl for this run, on both
 * Node transports (undici, the default, and cross-fetch).
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:https'
import type { TLSSocket } from 'node:tls'
import { pipe } from 'fp-ts/function'
import * as H from '../../src/index.js'
import { startEchoServer, type EchoServer } from '../../src/testing/index.js'
import { makePki, startTinyproxy, type Pki, type Tinyproxy } from '../support/peers.js'

const PROXY_USER = 'ann'
const PROXY_PASSWORD = 'pr0xy-Pa55word'

let echo: EchoServer
let proxy: Tinyproxy
let pki: Pki
let tlsServer: Server
let tlsUrl = ''
let otherServer: Server
let otherUrl = ''
const undici = H.undiciTransport()
const TRANSPORTS: ReadonlyArray<readonly [string, H.Transport]> = [
  ['undici', undici],
  ['cross-fetch', H.crossFetchTransport],
]

before(async () => {
  echo = await startEchoServer()
  proxy = await startTinyproxy(PROXY_USER, PROXY_PASSWORD)
  pki = makePki()
  tlsServer = createServer(
    { key: pki.serverKey, cert: pki.serverCert, ca: pki.ca, requestCert: true, rejectUnauthorized: false },
    (req, res) => {
      const socket = req.socket as TLSSocket
      const peer = socket.getPeerCertificate()
      res.setHeader('content-type', 'application/json')
      res.end(
        JSON.stringify({
          path: req.url,
          clientAuthorized: socket.authorized,
          clientCn: peer?.subject?.CN ?? null,
          proxyAuthorization: req.headers['proxy-authorization'] ?? null,
        }),
      )
    },
  )
  await new Promise<void>((resolve) => tlsServer.listen(0, '127.0.0.1', () => resolve()))
  const a = tlsServer.address()
  tlsUrl = `https://127.0.0.1:${typeof a === 'object' && a !== null ? a.port : 0}`
  // the same certificate (IP:127.0.0.1, DNS:localhost) on another loopback address it does not name
  otherServer = createServer({ key: pki.serverKey, cert: pki.serverCert }, (_req, res) => res.end('should not be read'))
  await new Promise<void>((resolve) => otherServer.listen(0, '127.0.0.2', () => resolve()))
  const o = otherServer.address()
  otherUrl = `https://127.0.0.2:${typeof o === 'object' && o !== null ? o.port : 0}`
})

after(async () => {
  await echo.close()
  await proxy.stop()
  tlsServer.closeAllConnections()
  await new Promise((r) => tlsServer.close(r))
  otherServer.closeAllConnections()
  await new Promise((r) => otherServer.close(r))
  pki.cleanup()
  await undici.close()
})

const proxyUrl = (password = PROXY_PASSWORD) => `http://${PROXY_USER}:${password}@127.0.0.1:${proxy.port}`

for (const [name, transport] of TRANSPORTS) {
  const run = (req: H.Request, method = 'GET') => pipe(req, H.processRequest(method, { transport }))()

  describe(`setProxy through tinyproxy (${name})`, () => {
    test('an http target is forwarded by the proxy, with proxy Basic auth', async () => {
      const r = await run(pipe(H.newRequest(), H.initialize(`${echo.url}/get?via=proxy`), H.setProxy(proxyUrl())))
      assert.equal(r._tag, 'Right')
      if (r._tag !== 'Right') return
      assert.equal(r.right.status, 200)
      const body = JSON.parse(Buffer.from(r.right.body).toString()) as {
        headers: Record<string, string>
        args: Record<string, string>
      }
      assert.match(body.headers['via'] ?? '', /tinyproxy/)
      assert.equal(body.args['via'], 'proxy')
      assert.match(proxy.log(), new RegExp(`GET http://127\\.0\\.0\\.1:${echo.port}/get\\?via=proxy`))
    })

    test('the proxy given as parts works the same', async () => {
      const r = await run(
        pipe(
          H.newRequest(),
          H.initialize(`${echo.url}/get`),
          H.setProxy({ host: '127.0.0.1', port: proxy.port, user: PROXY_USER, password: PROXY_PASSWORD }),
        ),
      )
      assert.equal(r._tag === 'Right' ? r.right.status : r.left.message, 200)
    })

    test("a wrong proxy password comes back as the proxy's refusal (tinyproxy answers 401), and no password is logged", async () => {
      const r = await run(pipe(H.newRequest(), H.initialize(`${echo.url}/get`), H.setProxy(proxyUrl('wrong-pw-123'))))
      assert.equal(r._tag, 'Right')
      if (r._tag !== 'Right') return
      assert.ok([401, 407].includes(r.right.status), `status ${r.right.status}`)
      assert.match(r.right.headers['server'] ?? '', /tinyproxy/)
      const log = H.getLog(r.right, true)
      assert.ok(!log.includes('wrong-pw-123'), log)
      assert.match(log, /proxy set to http:\/\/ann:\*\*\*@127\.0\.0\.1/)
    })

    test("a caller's Proxy-Authorization header authenticates the CONNECT and never reaches the https target", async () => {
      const token = `Basic ${Buffer.from(`${PROXY_USER}:${PROXY_PASSWORD}`).toString('base64')}`
      const r = await run(
        pipe(
          H.newRequest(),
          H.initialize(`${tlsUrl}/pa`),
          H.setProxy(`http://127.0.0.1:${proxy.port}`),
          H.addHeader('Proxy-Authorization', token),
          H.setTls({ ca: pki.ca }),
        ),
      )
      assert.equal(r._tag, 'Right', r._tag === 'Left' ? r.left.message : '')
      if (r._tag !== 'Right') return
      const seen = JSON.parse(Buffer.from(r.right.body).toString()) as {
        path: string
        proxyAuthorization: string | null
      }
      assert.equal(seen.path, '/pa')
      assert.equal(seen.proxyAuthorization, null)
    })

    test('an https target goes through CONNECT and trusts the CA given to setTls', async () => {
      const r = await run(
        pipe(
          H.newRequest(),
          H.initialize(`${tlsUrl}/secure`),
          H.setProxy(proxyUrl()),
          H.setTls({ ca: H.fromFile(pki.caPath) }),
        ),
      )
      assert.equal(r._tag, 'Right', r._tag === 'Left' ? r.left.message : '')
      if (r._tag !== 'Right') return
      assert.deepEqual(JSON.parse(Buffer.from(r.right.body).toString()).path, '/secure')
      assert.match(proxy.log(), new RegExp(`CONNECT 127\\.0\\.0\\.1:${new URL(tlsUrl).port}`))
      assert.ok(!H.getLog(r.right, true).includes(PROXY_PASSWORD))
    })

    test('through the tunnel, an IP target is checked against its own address: a certificate that does not name it is refused', async () => {
      const r = await run(
        pipe(
          H.newRequest(),
          H.initialize(`${otherUrl}/x`),
          H.setProxy(proxyUrl()),
          H.setTls({ ca: H.fromFile(pki.caPath) }),
        ),
      )
      assert.equal(r._tag, 'Left', 'a certificate for 127.0.0.1 and localhost must not pass for 127.0.0.2')
      if (r._tag !== 'Left') return
      assert.equal(r.left._tag, 'TransportError')
      assert.match(r.left.message, /altnames|ALTNAME|127\.0\.0\.2/i)
    })

    test('an unreachable proxy is a TransportError without the proxy password in it', async () => {
      const r = await run(
        pipe(
          H.newRequest(),
          H.initialize(`${echo.url}/get`),
          H.setProxy(`http://${PROXY_USER}:${PROXY_PASSWORD}@127.0.0.1:1`),
        ),
      )
      assert.equal(r._tag, 'Left')
      if (r._tag !== 'Left') return
      assert.equal(r.left._tag, 'TransportError')
      assert.match(r.left.message, /executeRequest/)
      assert.ok(!r.left.message.includes(PROXY_PASSWORD))
      assert.ok(!H.getLog(r.left, true).includes(PROXY_PASSWORD))
    })
  })

  describe(`setTls against node:https (${name})`, () => {
    test('without the CA the self-made certificate is refused', async () => {
      const r = await run(pipe(H.newRequest(), H.initialize(`${tlsUrl}/x`)))
      assert.equal(r._tag === 'Left' && r.left._tag, 'TransportError')
    })

    test('a CA as PEM text is trusted', async () => {
      const r = await run(pipe(H.newRequest(), H.initialize(`${tlsUrl}/x`), H.setTls({ ca: pki.ca })))
      assert.equal(r._tag === 'Right' && r.right.status, 200)
    })

    test('rejectUnauthorized: false accepts the certificate without a CA', async () => {
      const r = await run(pipe(H.newRequest(), H.initialize(`${tlsUrl}/x`), H.setTls({ rejectUnauthorized: false })))
      assert.equal(r._tag === 'Right' && r.right.status, 200)
    })

    test('a client certificate from files is presented and verified by the server', async () => {
      const r = await run(
        pipe(
          H.newRequest(),
          H.initialize(`${tlsUrl}/mtls`),
          H.setTls({ ca: pki.ca, cert: H.fromFile(pki.clientCertPath), key: H.fromFile(pki.clientKeyPath) }),
        ),
      )
      assert.equal(r._tag, 'Right')
      if (r._tag !== 'Right') return
      const body = JSON.parse(Buffer.from(r.right.body).toString()) as {
        clientAuthorized: boolean
        clientCn: string | null
      }
      assert.equal(body.clientAuthorized, true)
      assert.equal(body.clientCn, 'httpipe client')
    })

    test('without a client certificate the server sees none', async () => {
      const r = await run(pipe(H.newRequest(), H.initialize(`${tlsUrl}/mtls`), H.setTls({ ca: pki.ca })))
      assert.equal(r._tag === 'Right' && JSON.parse(Buffer.from(r.right.body).toString()).clientAuthorized, false)
    })

    test('a missing PEM file is a FileError naming the file', async () => {
      const r = await run(
        pipe(H.newRequest(), H.initialize(`${tlsUrl}/x`), H.setTls({ ca: H.fromFile(`${pki.dir}/missing.pem`) })),
      )
      assert.equal(r._tag, 'Left')
      if (r._tag !== 'Left') return
      assert.equal(r.left._tag, 'FileError')
      assert.match(r.left.message, /missing\.pem/)
    })
  })
}
