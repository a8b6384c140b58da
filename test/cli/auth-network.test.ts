/**
 * The built `httpipe` command's authorization, limit, network and TLS flags against real
 * peers: the echo server, the Digest, SigV4 and OAuth1 verifiers of test/support, tinyproxy,
 * and a node:https server with openssl-made certificates.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:https'
import type { TLSSocket } from 'node:tls'
import { join } from 'node:path'
import { startDigestServer } from '../support/digest-server.js'
import { startBlockedListener } from '../support/faulty.js'
import { startOAuth1Verifier } from '../support/oauth1-verifier.js'
import { makePki, startTinyproxy, type Pki } from '../support/peers.js'
import { startSigV4Verifier } from '../support/sigv4-verifier.js'
import { echo, httpipe } from './helpers.js'
import { useEchoServer } from '../support/fixtures.js'

const srv = useEchoServer()

describe('authorization flags', () => {
  test('--basic user:password, the password also as env:NAME', async () => {
    assert.equal((await httpipe([`${srv.url}/basic-auth/ann/pw1`, '--basic', 'ann:pw1', '--fail'])).code, 0)
    assert.equal(
      (
        await httpipe([`${srv.url}/basic-auth/ann/pw1`, '--basic', 'ann:env:CLI_PW', '--fail'], {
          env: { CLI_PW: 'pw1' },
        })
      ).code,
      0,
    )
    assert.equal((await httpipe([`${srv.url}/basic-auth/ann/pw1`, '--basic', 'ann:wrong', '--fail'])).code, 22)
    const bad = await httpipe([`${srv.url}/get`, '--basic', 'nocolon'])
    assert.equal(bad.code, 2)
    assert.match(bad.err, /expected user:password/)
  })
  test('--bearer token and env:NAME; a missing variable is exit 1 naming it, not its value', async () => {
    assert.deepEqual(
      JSON.parse(
        (await httpipe([`${srv.url}/bearer`, '--bearer', 'env:CLI_TOKEN'], { env: { CLI_TOKEN: 't0k' } })).out,
      ),
      { authenticated: true, token: 't0k' },
    )
    const missing = await httpipe([`${srv.url}/bearer`, '--bearer', 'env:CLI_TOKEN_UNSET'])
    assert.equal(missing.code, 1)
    assert.match(missing.err, /the environment variable CLI_TOKEN_UNSET is not set/)
  })
  test('--digest answers the challenge', async () => {
    const d = await startDigestServer({ user: 'ann', password: 'd1g' })
    try {
      const r = await httpipe([`${d.url}/x`, '--digest', 'ann:env:CLI_DIGEST'], { env: { CLI_DIGEST: 'd1g' } })
      assert.equal(r.code, 0, r.err)
      assert.equal((JSON.parse(r.out) as { user: string }).user, 'ann')
    } finally {
      await d.close()
    }
  })
  test('--aws4 key=…,secret=env:…,region=…,service=… signs as the verifier checks', async () => {
    const v = await startSigV4Verifier({
      accessKey: 'AKIDCLI',
      secretKey: 'cliSecret',
      region: 'eu-west-1',
      service: 'execute-api',
    })
    try {
      const r = await httpipe(
        [
          `${v.url}/items?b=2&a=1`,
          '--json',
          '{"a":1}',
          '--aws4',
          'key=AKIDCLI,secret=env:CLI_AWS,region=eu-west-1,service=execute-api',
        ],
        { env: { CLI_AWS: 'cliSecret' } },
      )
      assert.equal(r.code, 0, r.err)
      assert.equal(v.requests.at(-1)?.ok, true, v.requests.at(-1)?.reason ?? '')
      const bad = await httpipe([`${v.url}/x`, '--aws4', 'key=AKIDCLI,region=eu-west-1'])
      assert.equal(bad.code, 2)
      assert.match(bad.err, /missing secret/)
    } finally {
      await v.close()
    }
  })
  test('--oauth1 with a method, as the verifier checks; an unknown method is a usage error', async () => {
    const v = await startOAuth1Verifier({ consumers: { ck: { secret: 'cs' } }, tokens: { tok: 'ts' } })
    try {
      const r = await httpipe(
        [
          `${v.url}/r?x=1`,
          '--oauth1',
          'consumer-key=ck,consumer-secret=cs,token=tok,token-secret=env:CLI_TS,method=HMAC-SHA1',
        ],
        { env: { CLI_TS: 'ts' } },
      )
      assert.equal(r.code, 0, r.err)
      const last = v.verifications.at(-1)
      assert.equal(last?.status, 200, last?.reason)
      assert.equal(last?.oauth['oauth_signature_method'], 'HMAC-SHA1')
      const bad = await httpipe([`${v.url}/r`, '--oauth1', 'consumer-key=ck,consumer-secret=cs,method=MD5'])
      assert.equal(bad.code, 2)
      assert.match(bad.err, /unknown method "MD5"/)
    } finally {
      await v.close()
    }
  })
  test('two schemes at once are a usage error', async () => {
    const r = await httpipe([`${srv.url}/get`, '--basic', 'a:b', '--bearer', 't'])
    assert.equal(r.code, 2)
    assert.match(r.err, /'--basic <user:password>' cannot be used with option '--bearer <token>'/)
  })
})

describe('limits', () => {
  test('--timeout, --idle-timeout and --deadline end the run with exit 1 naming the limit', async () => {
    for (const [path, flag, limit] of [
      ['/delay/5000', '--timeout', /attempt: no complete response within 300 ms/],
      ['/hang', '--idle-timeout', /idle: no byte received for 300 ms/],
      ['/delay/5000', '--deadline', /deadline: the run did not end within 300 ms/],
    ] as const) {
      // a bare number is seconds (HTTPie's and curl's --timeout 0.3)
      const r = await httpipe([`${srv.url}${path}`, flag, flag === '--timeout' ? '0.3' : '0.3s'])
      assert.equal(r.code, 1)
      assert.match(r.err, limit)
    }
  })
  test('--connect-timeout is the connect limit (in the log, and on a listener that never accepts when the kernel allows one)', async () => {
    const r = await httpipe([`${srv.url}/get`, '--connect-timeout', '250ms', '--log'])
    assert.match(r.err, /setConnectTimeout: connect timeout set to 250 ms/)
    const blocked = await startBlockedListener()
    try {
      if (blocked.reliable) {
        const hung = await httpipe([`http://127.0.0.1:${blocked.port}/`, '--connect-timeout', '250ms'])
        assert.equal(hung.code, 1)
        assert.match(hung.err, /connect/)
      }
    } finally {
      await blocked.close()
    }
    const bad = await httpipe([`${srv.url}/get`, '--connect-timeout', '0'])
    assert.equal(bad.code, 2)
    assert.match(bad.err, /expected a duration above 0/)
  })
  test('--retries retries a flaky answer; --max-redirects stops following', async () => {
    const flaky = await httpipe([`${srv.url}/flaky/cli-retries?failures=2`, '--retries', '2', '--fail'])
    assert.equal(flaky.code, 0, flaky.err)
    assert.equal(srv.server.hits('cli-retries'), 3)
    const noRetry = await httpipe([`${srv.url}/flaky/cli-none?failures=1`, '--fail'])
    assert.equal(noRetry.code, 22)
    const moved = await httpipe([`${srv.url}/redirect/3`, '--max-redirects', '1', '-v'])
    assert.equal(moved.code, 0)
    assert.match(
      moved.err,
      /\n\nHTTP\/1\.1 302 Found {2}\(.*\/redirect\/2 after 1 redirect\)\nlocation: \/redirect\/1\n/i,
    )
    assert.equal((await httpipe([`${srv.url}/get`, '--retries', '1001'])).code, 2)
  })
  test('--max-size refuses a larger answer; --no-gzip asks for none and keeps the bytes as sent', async () => {
    const big = await httpipe([`${srv.url}/bytes/1000`, '--max-size', '100'])
    assert.equal(big.code, 1)
    assert.match(big.err, /over the limit of 100 bytes/)
    assert.equal((await httpipe([`${srv.url}/bytes/1000`, '--max-size', '1k'])).stdout.byteLength, 1000)
    assert.equal((JSON.parse((await httpipe([`${srv.url}/gzip`])).out) as { gzipped: boolean }).gzipped, true)
    const raw = await httpipe([`${srv.url}/gzip`, '--no-gzip'])
    assert.deepEqual([...raw.stdout.subarray(0, 2)], [0x1f, 0x8b])
    assert.equal(srv.server.requests.at(-1)?.headers['accept-encoding'], undefined)
  })
  test('--out streams the body to a file, nothing on stdout', async () => {
    const path = join(await import('node:os').then((os) => os.tmpdir()), `httpipe-cli-out-${process.pid}.bin`)
    const r = await httpipe([`${srv.url}/bytes/4096`, '-o', path])
    assert.equal(r.code, 0)
    assert.equal(r.stdout.byteLength, 0)
    assert.equal((await readFile(path)).byteLength, 4096)
  })
})

describe('network: proxy and TLS', () => {
  let pki: Pki
  let tls: Server
  let tlsUrl = ''
  before(async () => {
    pki = makePki()
    tls = createServer(
      { key: pki.serverKey, cert: pki.serverCert, ca: pki.ca, requestCert: true, rejectUnauthorized: false },
      (req, res) => {
        const socket = req.socket as TLSSocket
        res.setHeader('content-type', 'application/json')
        res.end(
          JSON.stringify({
            clientAuthorized: socket.authorized,
            clientCn: socket.getPeerCertificate()?.subject?.CN ?? null,
          }),
        )
      },
    )
    await new Promise<void>((resolve) => tls.listen(0, '127.0.0.1', resolve))
    const a = tls.address()
    tlsUrl = `https://127.0.0.1:${typeof a === 'object' && a !== null ? a.port : 0}`
  })
  after(async () => {
    tls.closeAllConnections()
    await new Promise((r) => tls.close(r))
    pki.cleanup()
  })

  test('HTTP_PROXY and NO_PROXY of the environment are honoured; --proxy comes first', async () => {
    const proxy = await startTinyproxy('eu', 'epw')
    try {
      const via = `http://eu:epw@127.0.0.1:${proxy.port}`
      const e = await echo([`${srv.url}/get?env=proxy`], { env: { HTTP_PROXY: via } })
      assert.match(e.headers['via'] ?? '', /tinyproxy/)
      const straight = await echo([`${srv.url}/get?env=noproxy`], { env: { HTTP_PROXY: via, NO_PROXY: '127.0.0.1' } })
      assert.equal(straight.headers['via'], undefined)
      const own = await echo([`${srv.url}/get?env=own`, '--proxy', via], { env: { HTTP_PROXY: 'http://127.0.0.1:1' } })
      assert.match(own.headers['via'] ?? '', /tinyproxy/)
      const bad = await httpipe([`https://127.0.0.1:1/x`], { env: { HTTPS_PROXY: 'socks5://u:s3cr3t@p:1' } })
      assert.notEqual(bad.code, 0)
      assert.match(bad.err, /HTTPS_PROXY/)
      assert.doesNotMatch(bad.err, /s3cr3t/)
    } finally {
      await proxy.stop()
    }
  })

  test('--proxy sends through an authenticating proxy', async () => {
    const proxy = await startTinyproxy('pu', 'ppw')
    try {
      const e = await echo([`${srv.url}/get?via=proxy`, '--proxy', `http://pu:ppw@127.0.0.1:${proxy.port}`])
      assert.deepEqual(e.args, { via: 'proxy' })
      assert.match(e.headers['via'] ?? '', /tinyproxy/)
      const refused = await httpipe([`${srv.url}/get`, '--proxy', `http://pu:wrong@127.0.0.1:${proxy.port}`, '--fail'])
      assert.equal(refused.code, 22)
    } finally {
      await proxy.stop()
    }
  })
  test('--ca trusts a private CA; --cert and --key present a client certificate; without them the check fails', async () => {
    const untrusted = await httpipe([tlsUrl])
    assert.equal(untrusted.code, 1)
    assert.match(untrusted.err, /certificate/i)
    assert.deepEqual(JSON.parse((await httpipe([tlsUrl, '--ca', pki.caPath])).out), {
      clientAuthorized: false,
      clientCn: null,
    })
    assert.deepEqual(
      JSON.parse(
        (await httpipe([tlsUrl, '--ca', pki.caPath, '--cert', pki.clientCertPath, '--key', pki.clientKeyPath])).out,
      ),
      { clientAuthorized: true, clientCn: 'httpipe client' },
    )
    const half = await httpipe([tlsUrl, '--cert', pki.clientCertPath])
    assert.equal(half.code, 2)
    assert.match(half.err, /setTls: cert and key go together/)
  })
  test('-k/--insecure skips the certificate check', async () => {
    const r = await httpipe([tlsUrl, '-k'])
    assert.equal(r.code, 0, r.err)
    assert.equal((JSON.parse(r.out) as { clientAuthorized: boolean }).clientAuthorized, false)
  })
})
