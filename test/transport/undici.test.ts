/**
 * undiciTransport against loopback servers: the embedded echo server (bodies, headers, gzip,
 * HEAD/204, redirects left alone), small servers that stall or cut a body, hostile headers,
 * close() in a child process, and the bounded agent cache.
 */
import { attempt } from './helpers.js'
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer as createHttpServer, type Server } from 'node:http'
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { gunzipSync } from 'node:zlib'
import { pipe } from 'fp-ts/function'
import * as H from '../../src/index.js'
import { startEchoServer, type EchoServer } from '../../src/testing/index.js'
import { freePort } from '../support/peers.js'
import { asTag, echoOf, ko, ok } from '../execute/helpers.js'

const transport = H.undiciTransport()
let echo: EchoServer
let dir = ''
const sockets = new Set<Socket>()
/** accepts connections and never answers (a TLS handshake that never ends) */
let silent: NetServer
/** sends the head and part of the body, then waits (stall) or closes (cut) */
let partial: Server

const listen = async (s: NetServer | Server): Promise<string> => {
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', () => resolve()))
  const a = s.address()
  return `127.0.0.1:${typeof a === 'object' && a !== null ? a.port : 0}`
}
let silentHost = ''
let partialHost = ''

before(async () => {
  echo = await startEchoServer()
  dir = mkdtempSync(join(tmpdir(), 'httpipe-undici-'))
  silent = createNetServer((s) => void sockets.add(s))
  partial = createHttpServer((req, res) => {
    res.writeHead(200, { 'content-length': '100' })
    res.write('part')
    if (req.url === '/cut') setTimeout(() => res.socket?.destroy(), 20)
  })
  partial.on('connection', (s) => void sockets.add(s))
  silentHost = await listen(silent)
  partialHost = await listen(partial)
})

after(async () => {
  await transport.close()
  for (const s of sockets) s.destroy()
  await Promise.all([echo.close(), new Promise((r) => silent.close(r)), new Promise((r) => partial.close(r))])
  rmSync(dir, { recursive: true, force: true })
})

const at = (path: string): H.Request => pipe(H.newRequest(), H.initialize(`${echo.url}${path}`))
const env = { transport }

const collect = async (body: AsyncIterable<Uint8Array> | null): Promise<Buffer> => {
  const parts: Buffer[] = []
  if (body !== null) for await (const c of body) parts.push(Buffer.from(c))
  return Buffer.concat(parts)
}

describe('undiciTransport against the echo server', () => {
  test('GET: status, reason, headers sent and the body bytes', async () => {
    const res = await ok(pipe(at('/get?q=1'), H.addHeader('X-Trace', 'abc'), H.processRequest('GET', env)))
    assert.equal(res.status, 200)
    assert.equal(res.statusText, 'OK')
    const e = echoOf(res)
    assert.deepEqual(e.args, { q: '1' })
    assert.equal(e.headers['x-trace'], 'abc')
    assert.equal(e.headers['user-agent'], `httpipe/${H.VERSION}`)
    assert.equal(res.headers['content-type'], 'application/json')
  })

  test('POST JSON: the bytes arrive with their Content-Length', async () => {
    const res = await ok(pipe(at('/post'), H.setJsonBody({ a: 1, b: 'é' }), H.processRequest('POST', env)))
    const e = echoOf(res)
    assert.deepEqual(e.json, { a: 1, b: 'é' })
    assert.equal(e.headers['content-length'], String(Buffer.byteLength('{"a":1,"b":"é"}')))
  })

  test('repeated response headers stay apart: Set-Cookie lines and other repeated names, in arrival order', async () => {
    const res = await ok(pipe(at('/cookies/set?a=1&b=2'), H.processRequest('GET', env)))
    assert.deepEqual(
      res.rawHeaders.filter(([n]) => n === 'set-cookie').map(([, v]) => v),
      ['a=1; Path=/', 'b=2; Path=/'],
    )
    assert.equal(res.headers['set-cookie'], 'a=1; Path=/\nb=2; Path=/')
    const rep = await ok(pipe(at('/response-headers?X-B=1&x-a=2&X-B=3'), H.processRequest('GET', env)))
    assert.deepEqual(
      rep.rawHeaders.filter(([n]) => n === 'x-b' || n === 'x-a'),
      [
        ['x-b', '1'],
        ['x-b', '3'],
        ['x-a', '2'],
      ],
    )
  })

  test('repeated request headers are all sent (none collapses)', async () => {
    const res = await transport(
      attempt(`${echo.url}/anything/rep`, {
        headers: [
          ['X-Rep', '1'],
          ['x-rep', '2'],
          ['X-Other', 'o'],
        ],
      }),
    )
    await collect(res.body)
    const got = echo.requests.filter((r) => r.url === '/anything/rep').at(-1)
    assert.deepEqual(
      got?.rawHeaders.filter(([n]) => /^x-(rep|other)$/i.test(n)),
      [
        ['X-Rep', '1'],
        ['X-Rep', '2'],
        ['X-Other', 'o'],
      ],
    )
  })

  test('a file body is streamed with its Content-Length (no chunked encoding)', async () => {
    const path = join(dir, 'upload.bin')
    const content = randomBytes(300_000)
    writeFileSync(path, content)
    await ok(pipe(at('/anything/file'), H.setBinaryBody(H.fromFile(path)), H.processRequest('PUT', env)))
    const got = echo.requests.filter((r) => r.url === '/anything/file').at(-1)
    assert.ok(got !== undefined && Buffer.from(got.body).equals(content))
    assert.equal(got.headers['content-length'], String(content.byteLength))
    assert.equal(got.headers['transfer-encoding'], undefined)
  })

  test('a stream without a length goes out chunked', async () => {
    async function* chunks(): AsyncGenerator<Uint8Array> {
      yield Buffer.from('hello ')
      yield Buffer.from('world')
    }
    const res = await transport(attempt(`${echo.url}/anything/chunks`, { method: 'POST', body: chunks() }))
    assert.equal(JSON.parse((await collect(res.body)).toString()).data, 'hello world')
    assert.equal(
      echo.requests.filter((r) => r.url === '/anything/chunks').at(-1)?.headers['transfer-encoding'],
      'chunked',
    )
  })

  test('gzip arrives as sent (decoded: false) and the executor decodes it', async () => {
    const raw = await transport(attempt(`${echo.url}/gzip`, { headers: [['Accept-Encoding', 'gzip']] }))
    assert.equal(raw.decoded, false)
    assert.equal(raw.headers.find(([n]) => n === 'content-encoding')?.[1], 'gzip')
    assert.equal(JSON.parse(gunzipSync(await collect(raw.body)).toString()).gzipped, true)
    const res = await ok(pipe(at('/gzip'), H.processRequest('GET', env)))
    assert.equal(JSON.parse(Buffer.from(res.body).toString()).gzipped, true)
  })

  test('HEAD, 204 and 304 come back without a body and nothing hangs', { timeout: 20_000 }, async () => {
    const head = await ok(pipe(at('/get'), H.processRequest('HEAD', env)))
    assert.equal(head.status, 200)
    assert.equal(head.body.byteLength, 0)
    for (const code of [204, 304]) {
      const res = await ok(pipe(at(`/status/${code}`), H.processRequest('GET', env)))
      assert.equal(res.status, code)
      assert.equal(res.body.byteLength, 0)
    }
    const raw = await transport(attempt(`${echo.url}/status/204`))
    assert.equal(raw.body, null)
    assert.equal(raw.statusText, 'No Content')
  })

  test('redirects are left to the executor: the 3xx and its Location come back as sent', async () => {
    const res = await transport(attempt(`${echo.url}/redirect/2`))
    assert.equal(res.status, 302)
    assert.deepEqual(
      res.headers.find(([n]) => n === 'location'),
      ['location', '/redirect/1'],
    )
    await collect(res.body)
  })

  test('importing httpipe leaves the bundled fetch alone: a POST with its own Content-Length still works', async () => {
    const r = await fetch(`${echo.url}/post`, { method: 'POST', body: 'abc', headers: { 'content-length': '3' } })
    assert.equal(r.status, 200)
    assert.equal(((await r.json()) as { data: string }).data, 'abc')
  })
})

describe("undiciTransport errors keep undici's code", () => {
  test('connection refused rejects with ECONNREFUSED; through the executor a TransportError', async () => {
    const port = await freePort()
    await assert.rejects(transport(attempt(`http://127.0.0.1:${port}/`)), { code: 'ECONNREFUSED' })
    assert.equal(
      asTag(
        await ko(pipe(H.newRequest(), H.initialize(`http://127.0.0.1:${port}/`), H.processRequest('GET', env))),
        'TransportError',
      ).cause,
      'ECONNREFUSED',
    )
  })

  test('an aborted signal rejects', async () => {
    await assert.rejects(transport(attempt(`${echo.url}/get`, { signal: AbortSignal.abort() })), { name: 'AbortError' })
  })

  test('connectMs bounds the TLS handshake: UND_ERR_CONNECT_TIMEOUT', { timeout: 20_000 }, async () => {
    await assert.rejects(
      transport(attempt(`https://${silentHost}/`, { timeouts: { connectMs: 500, idleMs: 300_000 } })),
      { code: 'UND_ERR_CONNECT_TIMEOUT' },
    )
  })

  test(
    'idleMs bounds the wait for the head (UND_ERR_HEADERS_TIMEOUT) and for body bytes (UND_ERR_BODY_TIMEOUT)',
    { timeout: 20_000 },
    async () => {
      const timeouts = { connectMs: 10_000, idleMs: 1000 }
      await assert.rejects(transport(attempt(`${echo.url}/hang`, { timeouts })), { code: 'UND_ERR_HEADERS_TIMEOUT' })
      const res = await transport(attempt(`http://${partialHost}/stall`, { timeouts }))
      assert.equal(res.status, 200)
      await assert.rejects(collect(res.body), { code: 'UND_ERR_BODY_TIMEOUT' })
    },
  )

  test('a body cut short is a TransportError (UND_ERR_SOCKET), not a hang', { timeout: 20_000 }, async () => {
    const e = asTag(
      await ko(pipe(H.newRequest(), H.initialize(`http://${partialHost}/cut`), H.processRequest('GET', env))),
      'TransportError',
    )
    assert.equal(e.cause, 'UND_ERR_SOCKET')
    assert.match(e.message, /reading the response body failed/)
  })

  test('headers undici manages itself are a Left TransportError naming the header, never a throw', async () => {
    // Transfer-Encoding never reaches a transport: the body's framing is httpipe's (InvalidInput at prepare)
    const te = asTag(
      await ko(
        pipe(
          at('/post'),
          H.addHeader('Transfer-Encoding', 'chunked'),
          H.setStringBody('x'),
          H.processRequest('POST', env),
        ),
      ),
      'InvalidInput',
    )
    assert.match(te.message, /Transfer-Encoding/)
    for (const [name, value, code] of [
      ['Keep-Alive', 'timeout=5', 'UND_ERR_INVALID_ARG'],
      ['Upgrade', 'websocket', 'UND_ERR_INVALID_ARG'],
      ['Expect', '100-continue', 'UND_ERR_NOT_SUPPORTED'],
    ] as const) {
      const run = pipe(at('/post'), H.addHeader(name, value), H.setStringBody('x'), H.processRequest('POST', env))
      const e = asTag(await ko(run), 'TransportError')
      assert.equal(e.cause, code, name)
      assert.match(e.message, new RegExp(name, 'i'))
    }
    const closing = await ok(pipe(at('/get'), H.addHeader('Connection', 'close'), H.processRequest('GET', env)))
    assert.equal(closing.status, 200)
  })
})

describe('close()', () => {
  const script = (): string => {
    const path = join(dir, 'close-child.mts')
    writeFileSync(
      path,
      [
        'const H = await import(process.argv[2])',
        'const transport = H.undiciTransport({ keepAliveTimeoutMs: 60_000 })',
        "const r = await H.processRequest('GET', { transport })(H.initialize(process.argv[3])(H.newRequest()))()",
        "const sockets = () => process.getActiveResourcesInfo().filter((x) => x === 'TCPSocketWrap').length",
        'const before = sockets()',
        "if (process.argv[4] === 'close') await transport.close()",
        'console.log(JSON.stringify({ status: r.right?.status, before, after: sockets() }))',
      ].join('\n'),
    )
    return path
  }

  const runChild = async (
    mode: string,
  ): Promise<{ readonly out: { status: number; before: number; after: number }; readonly exitMs: number }> => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', script(), pathToFileURL(join(process.cwd(), 'src/index.ts')).href, `${echo.url}/get`, mode],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    )
    let text = ''
    let printedAt = 0
    child.stdout.on('data', (d: Buffer) => {
      text += d.toString()
      printedAt ||= Date.now()
    })
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve))
    assert.equal(code, 0)
    return {
      out: JSON.parse(text) as { status: number; before: number; after: number },
      exitMs: Date.now() - printedAt,
    }
  }

  test(
    'a script that calls close() after a keep-alive request holds no socket and exits at once',
    { timeout: 30_000 },
    async (t) => {
      const closed = await runChild('close')
      assert.deepEqual(closed.out, { status: 200, before: 1, after: 0 })
      // a socket kept alive (60 s here) would hold the process that long: 15 s tells that apart
      // from a busy machine's slow exit
      assert.ok(closed.exitMs < 15_000, `exited ${closed.exitMs} ms after close()`)
      const kept = await runChild('keep')
      t.diagnostic(
        `without close(): ${kept.out.after} socket(s) still open, exit ${kept.exitMs} ms later (undici unrefs idle sockets)`,
      )
      assert.equal(kept.out.after, 1)
    },
  )

  test('the transport works again after close()', async () => {
    const t = H.undiciTransport()
    assert.equal((await ok(pipe(at('/get'), H.processRequest('GET', { transport: t })))).status, 200)
    await t.close()
    assert.equal((await ok(pipe(at('/get'), H.processRequest('GET', { transport: t })))).status, 200)
    await t.close()
  })
})
