import assert from 'node:assert/strict'
import { before, describe, test } from 'node:test'
import * as TE from 'fp-ts/TaskEither'
import { pipe } from 'fp-ts/function'
import * as H from '../../../src/index.js'
import { freePort, ko, ok } from '../helpers.js'
import { useEchoServer } from '../../support/fixtures.js'

const echo = useEchoServer()
let deadPort: number

before(async () => {
  deadPort = await freePort()
})

const BASIC_PW = 'basicPW-s3cr3t-111'
const BEARER = 'bearerTOKEN-s3cr3t-222'
const PROXY_PW = 'proxyPW-s3cr3t-333'
const API_KEY = 'apiKEY-s3cr3t-444'
const ACCESS_TOKEN = 'qpTOKEN-s3cr3t-555'
const URL_PW = 'urlPW-s3cr3t-666'

const b64 = (s: string): string => Buffer.from(s).toString('base64')

interface Variant {
  readonly name: string
  /** builds the request against `port` (target) and `proxyPort` */
  readonly build: (port: number, proxyPort: number) => H.Request
  /** every text that must not appear */
  readonly secrets: ReadonlyArray<string>
}

const target = (port: number, creds = false): string =>
  `http://${creds ? `bob:${URL_PW}@` : ''}127.0.0.1:${port}/redirect/1`

const variants: ReadonlyArray<Variant> = [
  {
    name: 'Basic password',
    build: (port) => pipe(H.newRequest(), H.initialize(target(port)), H.addBasicAuthorization('ann', BASIC_PW)),
    secrets: [BASIC_PW, b64(`ann:${BASIC_PW}`)],
  },
  {
    name: 'Bearer token',
    build: (port) => pipe(H.newRequest(), H.initialize(target(port)), H.addBearerAuthorization(BEARER)),
    secrets: [BEARER],
  },
  {
    name: 'proxy password',
    build: (port, proxyPort) =>
      pipe(H.newRequest(), H.initialize(target(port)), H.setProxy(`http://puser:${PROXY_PW}@127.0.0.1:${proxyPort}`)),
    secrets: [PROXY_PW, b64(`puser:${PROXY_PW}`)],
  },
  {
    name: 'proxy password given as parts',
    build: (port, proxyPort) =>
      pipe(
        H.newRequest(),
        H.initialize(target(port)),
        H.setProxy({ protocol: 'http', host: '127.0.0.1', port: proxyPort, user: 'puser', password: PROXY_PW }),
      ),
    secrets: [PROXY_PW, b64(`puser:${PROXY_PW}`)],
  },
  {
    name: 'X-Api-Key header',
    build: (port) => pipe(H.newRequest(), H.initialize(target(port)), H.addHeader('X-Api-Key', API_KEY)),
    secrets: [API_KEY],
  },
  {
    name: 'X-Api-Key header through setHeaders',
    build: (port) => pipe(H.newRequest(), H.initialize(target(port)), H.setHeaders({ 'X-Api-Key': API_KEY })),
    secrets: [API_KEY],
  },
  {
    name: 'access_token query param',
    build: (port) => pipe(H.newRequest(), H.initialize(target(port)), H.addUrlParameter('access_token', ACCESS_TOKEN)),
    secrets: [ACCESS_TOKEN],
  },
  {
    name: 'access_token already in the URL',
    build: (port) => pipe(H.newRequest(), H.initialize(`${target(port)}?access_token=${ACCESS_TOKEN}`)),
    secrets: [ACCESS_TOKEN],
  },
  {
    name: 'user:pass@ in the URL',
    build: (port) => pipe(H.newRequest(), H.initialize(target(port, true))),
    secrets: [URL_PW, b64(`bob:${URL_PW}`)],
  },
  {
    name: 'all at once',
    build: (port, proxyPort) =>
      pipe(
        H.newRequest(),
        H.initialize(target(port, true)),
        H.addUrlParameter('access_token', ACCESS_TOKEN),
        H.addHeader('X-Api-Key', API_KEY),
        H.addBasicAuthorization('ann', BASIC_PW),
        H.setProxy(`http://puser:${PROXY_PW}@127.0.0.1:${proxyPort}`),
      ),
    secrets: [BASIC_PW, b64(`ann:${BASIC_PW}`), PROXY_PW, b64(`puser:${PROXY_PW}`), API_KEY, ACCESS_TOKEN, URL_PW],
  },
]

const assertClean = (what: string, text: string, secrets: ReadonlyArray<string>): void => {
  for (const s of secrets) assert.ok(!text.includes(s), `${what} contains the secret ${JSON.stringify(s)}:\n${text}`)
}

for (const v of variants) {
  describe(`secret: ${v.name}`, () => {
    test('not in the Request log nor the prepared log', async () => {
      const req = v.build(echo.server.port, echo.server.port)
      assert.equal(req.error, null, req.error?.message)
      assertClean('request log', H.getLog(req, true), v.secrets)
      const prepared = await ok(H.prepareRequest('GET')(req))
      assertClean('prepared log', H.getLog(prepared, true), v.secrets)
      assert.ok(prepared.log.length > req.log.length)
    })

    test('not in the response log (after a redirect)', async () => {
      const res = await ok(H.processRequest('GET')(v.build(echo.server.port, echo.server.port)))
      assert.equal(res.status, 200)
      assert.equal(res.redirects, 1)
      const log = H.getLog(res, true)
      assert.match(log, /redirection 1\/5/)
      assertClean('response log', log, v.secrets)
    })

    test('not in the ClientError log (unreachable port)', async () => {
      const e = await ko(H.processRequest('GET')(v.build(deadPort, deadPort)))
      assert.equal(e._tag, 'TransportError')
      assert.ok(e.log.length > 0)
      assertClean('error log', H.getLog(e, true), v.secrets)
    })

    test('not in the ClientError message (unreachable port)', async () => {
      const e = await ko(H.processRequest('GET')(v.build(deadPort, deadPort)))
      assert.equal(e._tag, 'TransportError')
      assert.match(e.message, /ECONNREFUSED/)
      assertClean('error message', e.message, v.secrets)
    })

    test('not in a StatusError from ensureStatus', async () => {
      const r = await pipe(
        v.build(echo.server.port, echo.server.port),
        H.maxRedirects(0),
        H.processRequest('GET'),
        TE.flatMapEither(H.ensureStatus()),
      )()
      assert.equal(r._tag, 'Left')
      if (r._tag === 'Left') {
        assert.equal(r.left._tag, 'StatusError')
        assertClean('status error message', r.left.message, v.secrets)
        assertClean('status error log', H.getLog(r.left, true), v.secrets)
      }
    })
  })
}

describe('the secret is still sent', () => {
  test('redaction only touches the log: the server receives the real credentials', async () => {
    const res = await ok(
      H.processRequest('GET')(
        variants[variants.length - 1]?.build(echo.server.port, echo.server.port) ?? H.newRequest(),
      ),
    )
    assert.equal(res.status, 200)
    const first = echo.server.requests.filter((r) => r.url.includes('/redirect/1')).at(-1)
    assert.ok(first !== undefined)
    assert.equal(first.headers['authorization'], `Basic ${b64(`ann:${BASIC_PW}`)}`)
    assert.equal(first.headers['x-api-key'], API_KEY)
    assert.equal(first.headers['proxy-authorization'], `Basic ${b64(`puser:${PROXY_PW}`)}`)
    assert.ok(first.url.includes(`access_token=${ACCESS_TOKEN}`))
  })
})

describe('a secret wherever it appears', () => {
  test('a token that a server puts in a Location path is masked in every log line', async () => {
    const token = 'pathTOKEN-s3cr3t-777'
    const res = await ok(
      pipe(
        H.newRequest(),
        H.initialize(`${echo.url}/redirect-to?url=${encodeURIComponent(`/anything/${token}`)}`),
        H.addBearerAuthorization(token),
        H.processRequest('GET'),
      ),
    )
    assert.equal(res.status, 200)
    const log = H.getLog(res, true)
    assert.ok(!log.includes(token), log)
    assert.match(log, /moving to http:\/\/127\.0\.0\.1:\d+\/anything\/\*\*\*/)
    assert.match(log, /sending GET http:\/\/127\.0\.0\.1:\d+\/anything\/\*\*\*/)
  })
})
