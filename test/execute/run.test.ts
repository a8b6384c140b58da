import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { readFile, writeFile } from 'node:fs/promises'
import { describe, test } from 'node:test'
import { brotliCompressSync, deflateRawSync, deflateSync, gunzipSync, gzipSync } from 'node:zlib'
import * as O from 'fp-ts/Option'
import * as TE from 'fp-ts/TaskEither'
import { pipe } from 'fp-ts/function'
import * as H from '../../src/index.js'
import type { RecordedRequest } from '../../src/testing/index.js'
import { asTag, echoOf, freePort, ko, lines, ok, onTestTransport, patternBytes, TEST_TRANSPORT } from './helpers.js'
import { useEchoServer, useTempDir } from '../support/fixtures.js'
import { waitFor } from '../support/wait.js'

const srv = useEchoServer()
const tmp = useTempDir('run')

const at = (path: string): H.Request => pipe(H.newRequest(), H.initialize(`${srv.url}${path}`))

const send = (req: H.Request, method: string, env?: H.Env): Promise<H.HttpResponse> =>
  ok(H.processRequest(method, onTestTransport(env))(req))

const fail = (req: H.Request, method: string, env?: H.Env): Promise<H.ClientError> =>
  ko(H.processRequest(method, onTestTransport(env))(req))

/** The requests the server recorded for a path (query ignored). */
const received = (path: string): RecordedRequest[] => srv.server.requests.filter((r) => r.url.split('?')[0] === path)

describe('methods', () => {
  for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']) {
    test(`${method} reaches the server and answers 200 with the echo`, async () => {
      const res = await send(at(`/anything/${method.toLowerCase()}`), method)
      assert.equal(res.status, 200)
      assert.equal(res.statusText, 'OK')
      const echo = echoOf(res)
      assert.equal(echo.method, method)
      assert.equal(echo.path, `/anything/${method.toLowerCase()}`)
      assert.equal(res.url, `${srv.url}/anything/${method.toLowerCase()}`)
      assert.equal(res.redirects, 0)
      assert.equal(res.attempts, 1)
      assert.equal(res.file, null)
      assert.equal(res.headers['content-type'], 'application/json')
      assert.ok(res.rawHeaders.some(([n]) => n.toLowerCase() === 'content-length'))
    })
  }

  test('HEAD: status and headers, no body', async () => {
    const res = await send(at('/anything/head'), 'HEAD')
    assert.equal(res.status, 200)
    assert.equal(res.body.byteLength, 0)
    assert.equal(received('/anything/head').at(-1)?.method, 'HEAD')
    assert.ok(Number(res.headers['content-length']) > 0)
  })

  test('any status that arrives is a Right', async () => {
    for (const code of [404, 418, 500]) {
      const res = await send(at(`/status/${code}`), 'GET')
      assert.equal(res.status, code)
      assert.deepEqual(JSON.parse(Buffer.from(res.body).toString()), { status: code })
    }
  })

  test('the log names each phase and the response has timings from env.now', async () => {
    let t = 1000
    const res = await send(at('/get'), 'GET', { now: () => (t += 10) })
    const l = lines(res)
    assert.ok(l.includes(`executeRequest: sending GET ${srv.url}/get`), l.join('\n'))
    assert.ok(
      l.some((x) => /^executeRequest: response received, code 200 \(\d+ ms\)$/.test(x)),
      l.join('\n'),
    )
    assert.ok(
      l.some((x) => /^executeRequest: body read, \d+ bytes$/.test(x)),
      l.join('\n'),
    )
    assert.ok(res.timings.start > 1000)
    assert.ok(res.timings.headers >= res.timings.start)
    assert.ok(res.timings.end >= res.timings.headers)
    assert.equal(res.timings.total, res.timings.end - res.timings.start)
  })
})

describe('request bodies arrive byte-exact', () => {
  test('string body: UTF-8 text and charset label', async () => {
    const text = 'Привет, мир! ✓ "quotes" \n new line'
    const echo = echoOf(await send(pipe(at('/post'), H.setStringBody(text)), 'POST'))
    assert.equal(echo.data, text)
    assert.equal(echo.bodyLength, Buffer.byteLength(text))
    assert.equal(echo.headers['content-type'], 'text/plain; charset=utf-8')
    assert.equal(echo.headers['content-length'], String(Buffer.byteLength(text)))
  })

  test('binary body: all 256 byte values', async () => {
    const bytes = Uint8Array.from({ length: 256 }, (_, i) => i)
    const echo = echoOf(await send(pipe(at('/post'), H.setBinaryBody(bytes)), 'POST'))
    assert.equal(echo.bodyBase64, Buffer.from(bytes).toString('base64'))
    assert.equal(echo.headers['content-type'], 'application/octet-stream')
  })

  test('JSON body: compact JSON and charset label', async () => {
    const value = { field1: 10, field2: 'Text', nested: { arr: [1, 'два', null, true] } }
    const echo = echoOf(await send(pipe(at('/post'), H.setJsonBody(value)), 'POST'))
    assert.deepEqual(echo.json, value)
    assert.equal(echo.data, JSON.stringify(value))
    assert.equal(echo.headers['content-type'], 'application/json; charset=utf-8')
  })

  test('JSON body from JSON text is checked and sent exactly as written', async () => {
    const echo = echoOf(await send(pipe(at('/post'), H.setJsonBody('{ "a" : 1,\n "b": [ 2 ] }')), 'POST'))
    assert.equal(echo.data, '{ "a" : 1,\n "b": [ 2 ] }')
  })

  test('form body: fields urlencoded and parsed back by the server', async () => {
    const echo = echoOf(await send(pipe(at('/post'), H.setFormBody({ name: 'Ann Lee', city: 'Москва', n: 5 })), 'POST'))
    assert.deepEqual(echo.form, { name: 'Ann Lee', city: 'Москва', n: '5' })
    assert.equal(echo.data, 'name=Ann%20Lee&city=%D0%9C%D0%BE%D1%81%D0%BA%D0%B2%D0%B0&n=5')
    assert.equal(echo.headers['content-type'], 'application/x-www-form-urlencoded; charset=utf-8')
  })

  test('form body given as a string is sent as is', async () => {
    const echo = echoOf(await send(pipe(at('/post'), H.setFormBody('a=1&b=x+y')), 'POST'))
    assert.equal(echo.data, 'a=1&b=x+y')
    assert.deepEqual(echo.form, { a: '1', b: 'x y' })
  })

  test("useEncoding('windows-1251') sends cp1251 bytes with that charset", async () => {
    await send(pipe(at('/anything/cp1251'), H.useEncoding('windows-1251'), H.setStringBody('Привет')), 'POST')
    const r = received('/anything/cp1251').at(-1)
    assert.ok(r !== undefined)
    assert.deepEqual([...r.body], [0xcf, 0xf0, 0xe8, 0xe2, 0xe5, 0xf2])
    assert.equal(r.headers['content-type'], 'text/plain; charset=windows-1251')
    assert.equal(r.headers['content-length'], '6')
  })

  test("useEncoding('windows-1251') for JSON bodies too", async () => {
    await send(pipe(at('/anything/cp1251json'), H.useEncoding('windows-1251'), H.setJsonBody({ k: 'Я' })), 'POST')
    const r = received('/anything/cp1251json').at(-1)
    assert.ok(r !== undefined)
    assert.deepEqual([...r.body], [...Buffer.from('{"k":"'), 0xdf, ...Buffer.from('"}')])
    assert.equal(r.headers['content-type'], 'application/json; charset=windows-1251')
  })

  test('fromFile streams a real file', async () => {
    const path = tmp.file('upload.bin')
    const content = randomBytes(300_000)
    await writeFile(path, content)
    const res = await send(pipe(at('/anything/file'), H.setBinaryBody(H.fromFile(path))), 'PUT')
    const echo = echoOf(res)
    assert.equal(echo.bodyLength, content.length)
    assert.equal(echo.headers['content-length'], String(content.length))
    const r = received('/anything/file').at(-1)
    assert.ok(r !== undefined && Buffer.from(r.body).equals(content))
  })

  test('fromFile is re-opened and re-sent on a 307 redirect', async () => {
    const path = tmp.file('redirected.bin')
    const content = randomBytes(70_000)
    await writeFile(path, content)
    const req = pipe(
      at('/redirect-to'),
      H.setUrlParams({ url: '/anything/after307', status_code: 307 }),
      H.setBinaryBody(H.fromFile(path)),
    )
    const res = await send(req, 'POST')
    assert.equal(res.status, 200)
    assert.equal(res.redirects, 1)
    const first = received('/redirect-to').at(-1)
    const second = received('/anything/after307').at(-1)
    assert.ok(first !== undefined && second !== undefined)
    assert.ok(Buffer.from(first.body).equals(content), 'first hop body')
    assert.equal(second.method, 'POST')
    assert.ok(Buffer.from(second.body).equals(content), 'second hop body')
    assert.equal(second.headers['content-length'], String(content.length))
  })

  test('fromBase64', async () => {
    const echo = echoOf(await send(pipe(at('/post'), H.setBinaryBody(H.fromBase64('AAEC/w=='))), 'POST'))
    assert.equal(echo.bodyBase64, 'AAEC/w==')
  })

  test('fromUrl downloads the body from the echo server at send time', async () => {
    const req = pipe(at('/anything/fromurl'), H.setBinaryBody(H.fromUrl(`${srv.url}/bytes/1000?seed=3`)))
    const res = await send(req, 'POST')
    assert.equal(res.status, 200)
    const r = received('/anything/fromurl').at(-1)
    assert.ok(r !== undefined)
    assert.ok(Buffer.from(r.body).equals(patternBytes(1000, 3)))
    assert.equal(r.headers['content-length'], '1000')
    assert.equal(r.headers['content-type'], 'application/octet-stream')
    assert.equal(received('/bytes/1000').length >= 1, true)
    assert.ok(lines(res).includes('executeRequest: body downloaded, 1000 bytes'), lines(res).join('\n'))
  })

  test('fromUrl answering 404 is an error and the request is not sent', async () => {
    const req = pipe(at('/anything/never'), H.setBinaryBody(H.fromUrl(`${srv.url}/status/404`)))
    const e = await fail(req, 'POST')
    assert.match(e.message, /fromUrl/)
    assert.match(e.message, /404/)
    assert.ok(lines(e).some((l) => l.includes('404')))
    assert.equal(received('/anything/never').length, 0)
  })
})

// A WHATWG fetch undoes Content-Encoding itself (and cannot be told not to), so httpipe's own
// decoding, and `useGzipCompression(false)` returning raw bytes, are not seen through it.
describe(
  'compressed responses',
  { skip: TEST_TRANSPORT === 'fetch' ? 'a WHATWG fetch decodes bodies itself' : false },
  () => {
    for (const [path, flag, coding] of [
      ['/gzip', 'gzipped', 'gzip'],
      ['/deflate', 'deflated', 'deflate'],
      ['/brotli', 'brotli', 'br'],
    ] as const) {
      test(`${path} is decoded`, async () => {
        const res = await send(at(path), 'GET')
        assert.equal(res.headers['content-encoding'], coding)
        const body = JSON.parse(Buffer.from(res.body).toString('utf8')) as Record<string, unknown>
        assert.equal(body[flag], true)
        assert.ok(lines(res).includes(`executeRequest: body decoded from ${coding}`))
      })
    }

    test('useGzipCompression(false): no Accept-Encoding sent, raw bytes returned', async () => {
      const res = await send(pipe(at('/gzip'), H.useGzipCompression(false)), 'GET')
      assert.equal(res.headers['content-encoding'], 'gzip')
      assert.deepEqual([...res.body.subarray(0, 2)], [0x1f, 0x8b])
      const body = JSON.parse(gunzipSync(res.body).toString('utf8')) as {
        gzipped: boolean
        headers: Record<string, string>
      }
      assert.equal(body.gzipped, true)
      assert.equal(body.headers['accept-encoding'], undefined)
    })
  },
)

describe('response file', () => {
  test('setResponseFile streams /bytes/5000000 to a file with identical bytes; body is empty', async () => {
    const path = tmp.file('download.bin')
    const res = await send(pipe(at('/bytes/5000000'), H.setResponseFile(path)), 'GET')
    assert.equal(res.status, 200)
    assert.equal(res.body.byteLength, 0)
    assert.equal(res.file, path)
    assert.deepEqual(H.responseFilename(res), O.some(path))
    const saved = await readFile(path)
    assert.equal(saved.length, 5_000_000)
    assert.ok(saved.equals(patternBytes(5_000_000)))
    assert.ok(lines(res).includes(`executeRequest: body saved to ${path}`))
  })

  test('compressed responses are decoded before they are saved', async () => {
    const path = tmp.file('gzip.json')
    await send(pipe(at('/gzip'), H.setResponseFile(path)), 'GET')
    const saved = JSON.parse(await readFile(path, 'utf8')) as { gzipped: boolean }
    assert.equal(saved.gzipped, true)
  })

  test('a response file in a missing directory is a FileError', async () => {
    const path = tmp.file('no', 'such', 'dir', 'out.bin')
    const e = asTag(await fail(pipe(at('/bytes/100'), H.setResponseFile(path)), 'GET'), 'FileError')
    assert.equal(e.path, path)
    assert.equal(e.cause, 'ENOENT')
    assert.match(e.message, /^executeRequest: /)
  })
})

describe('env effects and limits', () => {
  test('onProgress is called with increasing loaded up to the total', async () => {
    const seen: H.Progress[] = []
    const res = await send(at('/bytes/300000'), 'GET', { onProgress: (p) => seen.push(p) })
    assert.equal(res.body.byteLength, 300_000)
    assert.ok(seen.length >= 2, `only ${seen.length} progress calls`)
    for (let i = 1; i < seen.length; i++) assert.ok((seen[i]?.loaded ?? 0) > (seen[i - 1]?.loaded ?? 0))
    assert.deepEqual(seen.at(-1), { direction: 'download', loaded: 300_000, total: 300_000 })
    assert.ok(
      seen.every((p) => p.direction === 'download'),
      'a GET without a body uploads nothing',
    )
  })

  test('maxResponseBytes: a larger body is ResponseTooLarge; a smaller one passes', async () => {
    const e = asTag(await fail(at('/bytes/5000'), 'GET', { maxResponseBytes: 1000 }), 'ResponseTooLarge')
    assert.equal(e.limit, 1000)
    assert.match(e.message, /1000/)
    assert.ok(lines(e).some((l) => l.includes('over 1000 bytes')))
    const res = await send(at('/bytes/500'), 'GET', { maxResponseBytes: 1000 })
    assert.equal(res.body.byteLength, 500)
  })

  test('an unreachable port is a TransportError naming the step, with the log', async () => {
    const port = await freePort()
    const e = asTag(
      await fail(pipe(H.newRequest(), H.initialize(`http://127.0.0.1:${port}/x`)), 'GET'),
      'TransportError',
    )
    assert.match(e.message, /^executeRequest: /)
    assert.ok(e.message.includes(`127.0.0.1:${port}`))
    assert.equal(e.cause, 'ECONNREFUSED')
    const l = lines(e)
    assert.equal(l[0], 'initialize: request initialized with default settings')
    assert.ok(l.includes(`executeRequest: sending GET http://127.0.0.1:${port}/x`))
    assert.ok(
      l.some((x) => x.startsWith('executeRequest: transport error ECONNREFUSED')),
      l.join('\n'),
    )
  })

  test('a slow answer beyond setTimeout is a Timeout', async () => {
    const e = asTag(await fail(pipe(at('/delay/2000'), H.setTimeout(200)), 'GET'), 'Timeout')
    assert.equal(e.timeoutMs, 200)
    assert.equal(e.limit, 'attempt')
    assert.match(e.message, /^executeRequest: .*timed out \(attempt: no complete response within 200 ms\)/)
    assert.ok(lines(e).some((l) => l.startsWith('executeRequest: timeout')))
  })

  test('a dropped connection (/close) is a TransportError', async () => {
    const e = asTag(await fail(at('/close'), 'GET'), 'TransportError')
    assert.match(e.message, /^executeRequest: /)
  })

  test('env.signal aborting a pending request is a TransportError', async () => {
    const ac = new AbortController()
    const before = received('/hang').length
    const run = fail(at('/hang'), 'GET', { signal: ac.signal })
    // abort while the request is pending: once the server holds it
    await waitFor(() => received('/hang').length > before, 10_000, 'the server recording /hang')
    ac.abort()
    const e = asTag(await run, 'TransportError')
    assert.equal(e.cause, 'ABORTED')
    assert.match(e.message, /aborted/)
    assert.ok(lines(e).includes('executeRequest: aborted by env.signal'))
  })

  test('an already aborted env.signal fails without a response', async () => {
    const e = asTag(await fail(at('/anything/pre-aborted'), 'GET', { signal: AbortSignal.abort() }), 'TransportError')
    assert.equal(e.cause, 'ABORTED')
  })
})

describe('env.fetch = globalThis.fetch', () => {
  const env: H.Env = { fetch: globalThis.fetch }

  test('GET end to end', async () => {
    const res = await send(pipe(at('/get'), H.addUrlParameter('q', 'a b')), 'GET', env)
    assert.equal(res.status, 200)
    const echo = echoOf(res)
    assert.deepEqual(echo.args, { q: 'a b' })
    assert.equal(echo.headers['user-agent'], `httpipe/${H.VERSION}`)
  })

  test('POST JSON end to end', async () => {
    const echo = echoOf(await send(pipe(at('/post'), H.setJsonBody({ a: 1, b: 'é' })), 'POST', env))
    assert.deepEqual(echo.json, { a: 1, b: 'é' })
    assert.equal(echo.headers['content-type'], 'application/json; charset=utf-8')
  })

  test('a streamed file body end to end', async () => {
    const path = tmp.file('fetch-upload.bin')
    const content = randomBytes(100_000)
    await writeFile(path, content)
    await send(pipe(at('/anything/fetchfile'), H.setBinaryBody(H.fromFile(path))), 'POST', env)
    const r = received('/anything/fetchfile').at(-1)
    assert.ok(r !== undefined && Buffer.from(r.body).equals(content))
  })

  test('a gzip response is decoded once, not twice', async () => {
    const res = await send(at('/gzip'), 'GET', env)
    const body = JSON.parse(Buffer.from(res.body).toString('utf8')) as { gzipped: boolean }
    assert.equal(body.gzipped, true)
  })

  test('a redirect is followed by httpipe, not by fetch', async () => {
    const res = await send(at('/redirect/2'), 'GET', env)
    assert.equal(res.status, 200)
    assert.equal(res.redirects, 2)
    assert.equal(res.url, `${srv.url}/get`)
  })
})

describe('executeRequest', () => {
  test('runs a prepared request; the log holds preparation and execution', async () => {
    const res = await ok(
      pipe(at('/post'), H.setJsonBody({ x: 1 }), H.prepareRequest('POST'), TE.flatMap(H.executeRequest())),
    )
    assert.equal(res.status, 200)
    assert.deepEqual(echoOf(res).json, { x: 1 })
    const steps = new Set(res.log.map((e) => e.step))
    assert.ok(steps.has('prepareRequest') && steps.has('executeRequest'))
  })

  test('a prepared request is a reusable value: executing it twice sends twice', async () => {
    const prepared = await ok(pipe(at('/anything/twice'), H.setStringBody('again'), H.prepareRequest('PUT')))
    await ok(H.executeRequest()(prepared))
    await ok(H.executeRequest()(prepared))
    const got = received('/anything/twice')
    assert.equal(got.length, 2)
    assert.deepEqual(
      got.map((r) => Buffer.from(r.body).toString()),
      ['again', 'again'],
    )
  })
})

describe('custom env.transport', () => {
  /** A transport answering one fixed response and recording what it was given. */
  const fixed = (
    body: Uint8Array | null,
    headers: ReadonlyArray<readonly [string, string]>,
    decoded = false,
  ): { transport: H.Transport; seen: H.TransportRequest[] } => {
    const seen: H.TransportRequest[] = []
    const transport: H.Transport = async (req) => {
      seen.push(req)
      async function* chunks(): AsyncGenerator<Uint8Array> {
        if (body === null) return
        // two chunks, to exercise streaming decoders
        const mid = Math.floor(body.byteLength / 2)
        yield body.subarray(0, mid)
        yield body.subarray(mid)
      }
      return { status: 200, statusText: 'OK', headers, body: body === null ? null : chunks(), decoded }
    }
    return { transport, seen }
  }
  const text = 'hello, compressed world '.repeat(50)
  const req = pipe(H.newRequest(), H.initialize('http://127.0.0.1:9/custom'))

  test('the transport receives the prepared method, URL, headers and body', async () => {
    const { transport, seen } = fixed(null, [])
    await send(pipe(req, H.addUrlParameter('a', 'b c'), H.setStringBody('payload'), H.addHeader('X-T', '1')), 'PATCH', {
      transport,
    })
    const t = seen[0]
    assert.ok(t !== undefined)
    assert.equal(t.method, 'PATCH')
    assert.equal(t.url, 'http://127.0.0.1:9/custom?a=b%20c')
    assert.deepEqual(
      t.headers.find(([n]) => n === 'X-T'),
      ['X-T', '1'],
    )
    assert.ok(t.body instanceof Uint8Array)
    assert.equal(Buffer.from(t.body).toString(), 'payload')
    assert.ok(t.signal instanceof AbortSignal)
    assert.equal(t.proxy, null)
  })

  test('raw deflate (no zlib header) is decoded', async () => {
    const { transport } = fixed(deflateRawSync(Buffer.from(text)), [['content-encoding', 'deflate']])
    const res = await send(req, 'GET', { transport })
    assert.equal(Buffer.from(res.body).toString(), text)
  })

  test('zlib deflate, gzip and br are decoded from a streamed body', async () => {
    for (const [coding, data] of [
      ['deflate', deflateSync(Buffer.from(text))],
      ['gzip', gzipSync(Buffer.from(text))],
      ['br', brotliCompressSync(Buffer.from(text))],
    ] as const) {
      const { transport } = fixed(data, [['Content-Encoding', coding]])
      const res = await send(req, 'GET', { transport })
      assert.equal(Buffer.from(res.body).toString(), text, coding)
    }
  })

  test('stacked codings are undone in reverse order (Content-Encoding: deflate, gzip)', async () => {
    const data = gzipSync(deflateSync(Buffer.from(text)))
    const { transport } = fixed(data, [['content-encoding', 'deflate, gzip']])
    const res = await send(req, 'GET', { transport })
    assert.equal(Buffer.from(res.body).toString(), text)
  })

  test('an unknown coding is returned as received, with a log line', async () => {
    const data = Buffer.from('opaque bytes')
    const { transport } = fixed(data, [['content-encoding', 'x-custom']])
    const res = await send(req, 'GET', { transport })
    assert.ok(Buffer.from(res.body).equals(data))
    assert.ok(lines(res).some((l) => l.includes('unknown Content-Encoding x-custom')))
  })

  test('a corrupt gzip body is an error, not garbage', async () => {
    const { transport } = fixed(Buffer.from('definitely not gzip data at all'), [['content-encoding', 'gzip']])
    const e = asTag(await fail(req, 'GET', { transport }), 'TransportError')
    assert.equal(e.cause, 'DECODE')
    assert.match(e.message, /^executeRequest: /)
  })

  test('a transport that already decoded is not decoded again', async () => {
    const { transport } = fixed(Buffer.from(text), [['content-encoding', 'gzip']], true)
    const res = await send(req, 'GET', { transport })
    assert.equal(Buffer.from(res.body).toString(), text)
  })

  test('a rejecting transport is a TransportError with its code', async () => {
    const transport: H.Transport = async () => {
      throw Object.assign(new Error('boom'), { code: 'EBOOM' })
    }
    const e = asTag(await fail(req, 'GET', { transport }), 'TransportError')
    assert.equal(e.cause, 'EBOOM')
    assert.match(e.message, /boom/)
  })
})
