import assert from 'node:assert/strict'
import { request, type IncomingHttpHeaders, type RequestOptions } from 'node:http'
import { after, before, describe, test } from 'node:test'
import { inflateSync } from 'node:zlib'

import { startEchoServer, type EchoPayload, type EchoServer } from '../../src/testing/index.js'

let server: EchoServer

before(async () => {
  server = await startEchoServer()
})

after(async () => {
  await server.close()
})

const call = (path: string, init?: RequestInit): Promise<Response> => fetch(`${server.url}${path}`, init)

const echoOf = async (res: Response): Promise<EchoPayload> => (await res.json()) as EchoPayload

const jsonOf = async (res: Response): Promise<Record<string, unknown>> => (await res.json()) as Record<string, unknown>

interface RawResponse {
  readonly status: number
  readonly headers: IncomingHttpHeaders
  readonly rawHeaders: ReadonlyArray<string>
  readonly body: Buffer
}

/** A node:http request: no automatic decompression, repeated request headers, raw response headers. */
const raw = (path: string, options: RequestOptions & { readonly body?: string } = {}, base = server): Promise<RawResponse> =>
  new Promise((resolve, reject) => {
    const { body, ...rest } = options
    const req = request(`${base.url}${path}`, { agent: false, ...rest }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('error', reject)
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, rawHeaders: res.rawHeaders, body: Buffer.concat(chunks) }),
      )
    })
    req.on('error', reject)
    req.end(body)
  })

/** `[name, value]` pairs of a flat rawHeaders array whose name matches (case-insensitive). */
const headerLines = (rawHeaders: ReadonlyArray<string>, name: string): Array<[string, string]> => {
  const lines: Array<[string, string]> = []
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const key = rawHeaders[i] ?? ''
    if (key.toLowerCase() === name.toLowerCase()) lines.push([key, rawHeaders[i + 1] ?? ''])
  }
  return lines
}

const waitFor = async (condition: () => boolean, timeoutMs = 2000): Promise<void> => {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

const multipart = (body: string | Uint8Array, contentType: string): Promise<Response> =>
  call('/post', { method: 'POST', headers: { 'Content-Type': contentType }, body: typeof body === 'string' ? body : new Uint8Array(body) })

const assertBadRequest = async (path: string, init?: RequestInit): Promise<void> => {
  const res = await call(path, init)
  assert.equal(res.status, 400, path)
  assert.equal(res.headers.get('content-type'), 'application/json')
  const body = await jsonOf(res)
  assert.equal(typeof body['error'], 'string', path)
}

describe('server lifecycle', () => {
  test('exposes url and port', () => {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/)
    assert.ok(server.port > 0)
    assert.equal(server.url, `http://127.0.0.1:${server.port}`)
  })

  test('records every request in order, on any route', async () => {
    const own = await startEchoServer()
    try {
      await fetch(`${own.url}/post?x=1`, { method: 'POST', body: 'hello', headers: { 'X-Trace': 'abc' } })
      await fetch(`${own.url}/no/such/route`)
      await fetch(`${own.url}/status/500`, { method: 'DELETE' })
      assert.deepEqual(
        own.requests.map((r) => [r.method, r.url]),
        [
          ['POST', '/post?x=1'],
          ['GET', '/no/such/route'],
          ['DELETE', '/status/500'],
        ],
      )
      const first = own.requests[0]
      assert.ok(first)
      assert.equal(new TextDecoder().decode(first.body), 'hello')
      assert.ok(first.body instanceof Uint8Array)
      assert.equal(first.headers['x-trace'], 'abc')
      assert.ok(first.rawHeaders.some(([name, value]) => name.toLowerCase() === 'x-trace' && value === 'abc'))
    } finally {
      await own.close()
    }
  })

  test('records repeated request headers as separate raw lines and joins them', async () => {
    const res = await raw('/headers', { headers: { 'X-Multi': ['a', 'b'] } })
    const echo = JSON.parse(res.body.toString('utf8')) as EchoPayload
    assert.equal(echo.headers['x-multi'], 'a, b')
    const recorded = server.requests.at(-1)
    assert.deepEqual(
      recorded?.rawHeaders.filter(([name]) => name === 'X-Multi'),
      [
        ['X-Multi', 'a'],
        ['X-Multi', 'b'],
      ],
    )
  })

  test('rejects when the port is taken', async () => {
    await assert.rejects(startEchoServer({ port: server.port }), /EADDRINUSE/)
  })

  test('close() ends pending requests and is idempotent', async () => {
    const own = await startEchoServer()
    const pending = raw('/hang', {}, own)
    await waitFor(() => own.requests.length === 1)
    const closed = own.close()
    assert.equal(own.close(), closed)
    const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 1000).unref())
    assert.equal(await Promise.race([closed.then(() => 'closed' as const), timeout]), 'closed')
    await assert.rejects(pending)
    await assert.rejects(fetch(`${own.url}/get`))
  })

  test('keeps connections alive', async () => {
    const res = await call('/get')
    assert.equal(res.headers.get('connection'), 'keep-alive')
    await res.arrayBuffer()
  })
})

describe('echo routes', () => {
  for (const path of ['/', '/anything', '/anything/a/b', '/get', '/post', '/put', '/patch', '/delete', '/headers']) {
    test(`${path} echoes the request`, async () => {
      const res = await call(`${path}?q=1`, { method: 'PATCH', body: 'x' })
      assert.equal(res.status, 200)
      assert.equal(res.headers.get('content-type'), 'application/json')
      const echo = await echoOf(res)
      assert.equal(echo.method, 'PATCH')
      assert.equal(echo.path, path)
      assert.equal(echo.url, `${server.url}${path}?q=1`)
      assert.equal(echo.data, 'x')
    })
  }

  test('parses the query, keeping the raw string', async () => {
    const echo = await echoOf(await call('/get?a=1&a=2&b=c+d&e=%20&f'))
    assert.deepEqual(echo.args, { a: ['1', '2'], b: 'c d', e: ' ', f: '' })
    assert.equal(echo.rawQuery, 'a=1&a=2&b=c+d&e=%20&f')
    assert.equal(echo.path, '/get')
  })

  test('reports the path as received, still encoded', async () => {
    const echo = await echoOf(await call('/anything/x%20y'))
    assert.equal(echo.path, '/anything/x%20y')
    assert.deepEqual(echo.args, {})
    assert.equal(echo.rawQuery, '')
  })

  test('reports a JSON body', async () => {
    const echo = await echoOf(await call('/put', { method: 'PUT', body: '{"k":[1,true,null]}' }))
    assert.deepEqual(echo.json, { k: [1, true, null] })
    assert.equal(echo.data, '{"k":[1,true,null]}')
    assert.equal(echo.bodyLength, 19)
    assert.equal(Buffer.from(echo.bodyBase64, 'base64').toString(), '{"k":[1,true,null]}')
    assert.deepEqual(echo.form, {})
    assert.deepEqual(echo.files, {})
    assert.deepEqual(echo.multipart, [])
  })

  test('json is null for an empty or invalid body', async () => {
    assert.equal((await echoOf(await call('/get'))).json, null)
    assert.equal((await echoOf(await call('/post', { method: 'POST', body: '{nope' }))).json, null)
    assert.equal((await echoOf(await call('/get'))).bodyLength, 0)
  })

  test('reports binary bodies exactly', async () => {
    const bytes = Uint8Array.from({ length: 256 }, (_, i) => i)
    const echo = await echoOf(await call('/post', { method: 'POST', body: bytes }))
    assert.equal(echo.bodyLength, 256)
    assert.deepEqual(new Uint8Array(Buffer.from(echo.bodyBase64, 'base64')), bytes)
  })

  test('parses urlencoded forms', async () => {
    const body = new URLSearchParams([
      ['a', '1'],
      ['a', '2'],
      ['b', 'x y'],
    ])
    const echo = await echoOf(await call('/post', { method: 'POST', body }))
    assert.deepEqual(echo.form, { a: ['1', '2'], b: 'x y' })
    assert.equal(echo.headers['content-type'], 'application/x-www-form-urlencoded;charset=UTF-8')
  })

  test('does not parse a form without the urlencoded content type', async () => {
    const echo = await echoOf(await call('/post', { method: 'POST', body: 'a=1', headers: { 'Content-Type': 'text/plain' } }))
    assert.deepEqual(echo.form, {})
  })

  test('HEAD gets headers without a body', async () => {
    const res = await raw('/get', { method: 'HEAD' })
    assert.equal(res.status, 200)
    assert.equal(res.headers['content-type'], 'application/json')
    assert.ok(Number(res.headers['content-length']) > 0)
    assert.equal(res.body.length, 0)
  })
})

describe('multipart', () => {
  test('parses form-data with text fields and binary files', async () => {
    const binary = Uint8Array.from([0, 13, 10, 45, 45, 255, 13, 10])
    const body = new FormData()
    body.append('a', '1')
    body.append('a', 'two')
    body.append('doc', new Blob([binary], { type: 'application/x-bin' }), 'b.bin')
    const echo = await echoOf(await call('/post', { method: 'POST', body }))
    assert.deepEqual(echo.form, { a: ['1', 'two'] })
    const doc = echo.files['doc']
    assert.ok(doc)
    assert.equal(doc.filename, 'b.bin')
    assert.equal(doc.contentType, 'application/x-bin')
    assert.equal(doc.size, binary.length)
    assert.deepEqual(new Uint8Array(Buffer.from(doc.base64, 'base64')), binary)
    assert.equal(doc.headers['content-type'], 'application/x-bin')
    assert.deepEqual(
      echo.multipart.map((p) => [p.name, p.filename, p.text]),
      [
        ['a', undefined, '1'],
        ['a', undefined, 'two'],
        ['doc', 'b.bin', Buffer.from(binary).toString('utf8')],
      ],
    )
  })

  test('parses multipart/mixed with preamble, epilogue, an inline boundary and a part without headers', async () => {
    const body = [
      'preamble',
      '--XyZ',
      'Content-Type: text/plain',
      'X-Part: 1',
      '',
      'first',
      'not at line start --XyZ',
      '--XyZ',
      '',
      'no headers',
      '--XyZ--',
      'epilogue',
    ].join('\r\n')
    const echo = await echoOf(await multipart(body, 'multipart/mixed; boundary="XyZ"'))
    assert.deepEqual(echo.multipart, [
      {
        headers: { 'content-type': 'text/plain', 'x-part': '1' },
        text: 'first\r\nnot at line start --XyZ',
        base64: Buffer.from('first\r\nnot at line start --XyZ').toString('base64'),
      },
      { headers: {}, text: 'no headers', base64: Buffer.from('no headers').toString('base64') },
    ])
    assert.deepEqual(echo.form, {})
    assert.deepEqual(echo.files, {})
  })

  test('decodes filename* and defaults the file content type', async () => {
    const body = [
      '--b',
      `Content-Disposition: form-data; name="f"; filename="fallback.txt"; filename*=UTF-8''%E2%82%AC.txt`,
      '',
      'euro',
      '--b--',
      '',
    ].join('\r\n')
    const echo = await echoOf(await multipart(body, 'multipart/form-data; boundary=b'))
    assert.equal(echo.files['f']?.filename, '€.txt')
    assert.equal(echo.files['f']?.contentType, 'text/plain')
    assert.equal(echo.files['f']?.size, 4)
  })

  const malformedBodies: ReadonlyArray<readonly [string, string, string]> = [
    ['missing boundary parameter', 'multipart/form-data', '--b\r\n\r\nx\r\n--b--'],
    ['no opening boundary', 'multipart/form-data; boundary=b', 'just text'],
    ['no closing boundary', 'multipart/form-data; boundary=b', '--b\r\nContent-Disposition: form-data; name="a"\r\n\r\nx'],
    ['garbage after boundary', 'multipart/mixed; boundary=b', '--bjunk\r\n\r\nx\r\n--b--'],
    ['delimiter prefix inside a part', 'multipart/mixed; boundary=b', '--b\r\n\r\nx\r\n--b-more\r\n--b--'],
    ['invalid boundary parameter', 'multipart/mixed; boundary="a@b"', '--a@b\r\n\r\nx\r\n--a@b--'],
    ['unterminated part headers', 'multipart/mixed; boundary=b', '--b\r\nX-A: 1\r\n--b--'],
    ['invalid header line', 'multipart/mixed; boundary=b', '--b\r\nnot a header\r\n\r\nx\r\n--b--'],
    ['form-data part without name', 'multipart/form-data; boundary=b', '--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b--'],
  ]
  for (const [label, contentType, body] of malformedBodies) {
    test(`malformed multipart → 400 (${label})`, async () => {
      const res = await multipart(body, contentType)
      assert.equal(res.status, 400)
      assert.match(String((await jsonOf(res))['error']), /multipart/)
    })
  }
})

describe('/status/:code', () => {
  test('answers the status with a JSON body', async () => {
    for (const code of [200, 201, 418, 500, 599]) {
      const res = await call(`/status/${code}`)
      assert.equal(res.status, code)
      assert.deepEqual(await res.json(), { status: code })
    }
  })

  test('no body for 204, 304 and HEAD', async () => {
    for (const code of [204, 304]) {
      const res = await raw(`/status/${code}`)
      assert.equal(res.status, code)
      assert.equal(res.body.length, 0)
    }
    const head = await raw('/status/404', { method: 'HEAD' })
    assert.equal(head.status, 404)
    assert.equal(head.body.length, 0)
  })

  test('rejects 1xx, out-of-range and non-numeric codes', async () => {
    for (const code of ['100', '199', '600', '99', 'abc', '2e2', '-200']) await assertBadRequest(`/status/${code}`)
  })
})

describe('redirects', () => {
  test('/redirect/:n chains relative locations down to /get', async () => {
    const first = await call('/redirect/2', { redirect: 'manual' })
    assert.equal(first.status, 302)
    assert.equal(first.headers.get('location'), '/redirect/1')
    const last = await call('/redirect/1', { redirect: 'manual' })
    assert.equal(last.headers.get('location'), '/get')
    const followed = await call('/redirect/3')
    assert.equal(followed.status, 200)
    assert.equal((await echoOf(followed)).path, '/get')
  })

  test('/absolute-redirect/:n uses absolute locations', async () => {
    const first = await call('/absolute-redirect/2', { redirect: 'manual' })
    assert.equal(first.status, 302)
    assert.equal(first.headers.get('location'), `${server.url}/absolute-redirect/1`)
    const last = await call('/absolute-redirect/1', { redirect: 'manual' })
    assert.equal(last.headers.get('location'), `${server.url}/get`)
  })

  test('redirect counts must be 1..100', async () => {
    for (const path of ['/redirect/0', '/redirect/101', '/redirect/x', '/absolute-redirect/0', '/absolute-redirect/101'])
      await assertBadRequest(path, { redirect: 'manual' })
  })

  test('/redirect-to answers the given location and status', async () => {
    const res = await call('/redirect-to?url=https%3A%2F%2Fexample.test%2Fa%3Fb%3D1', { redirect: 'manual' })
    assert.equal(res.status, 302)
    assert.equal(res.headers.get('location'), 'https://example.test/a?b=1')
    const custom = await call('/redirect-to?url=/get&status_code=307', { redirect: 'manual' })
    assert.equal(custom.status, 307)
    assert.equal(custom.headers.get('location'), '/get')
  })

  test('/redirect-to drains the request body', async () => {
    const body = 'z'.repeat(200_000)
    const res = await call('/redirect-to?url=/get&status_code=303', { method: 'POST', body, redirect: 'manual' })
    assert.equal(res.status, 303)
    const recorded = server.requests.at(-1)
    assert.equal(recorded?.url, '/redirect-to?url=/get&status_code=303')
    assert.equal(recorded?.body.length, body.length)
  })

  test('/redirect-to validates its parameters', async () => {
    await assertBadRequest('/redirect-to')
    await assertBadRequest('/redirect-to?url=')
    await assertBadRequest('/redirect-to?url=/get&status_code=200')
    await assertBadRequest('/redirect-to?url=/get&status_code=400')
    await assertBadRequest('/redirect-to?url=/get&status_code=x')
    await assertBadRequest('/redirect-to?url=%0Aevil')
  })
})

describe('/delay/:ms', () => {
  test('waits, then echoes', async () => {
    const started = Date.now()
    const res = await call('/delay/60?a=1')
    assert.ok(Date.now() - started >= 55)
    assert.equal(res.status, 200)
    assert.deepEqual((await echoOf(res)).args, { a: '1' })
  })

  test('rejects out-of-range delays', async () => {
    for (const ms of ['60001', '-1', 'soon']) await assertBadRequest(`/delay/${ms}`)
  })

  test('clears its timer when the client disconnects', async () => {
    const realSetTimeout = globalThis.setTimeout
    const realClearTimeout = globalThis.clearTimeout
    const created: unknown[] = []
    const cleared: unknown[] = []
    const spySet = (handler: () => void, ms?: number): NodeJS.Timeout => {
      const timer = realSetTimeout(handler, ms)
      if (ms === 59_999) created.push(timer)
      return timer
    }
    const spyClear = (timer?: NodeJS.Timeout | string | number): void => {
      cleared.push(timer)
      realClearTimeout(timer)
    }
    globalThis.setTimeout = spySet as unknown as typeof setTimeout
    globalThis.clearTimeout = spyClear as typeof clearTimeout
    try {
      const controller = new AbortController()
      const pending = call('/delay/59999', { signal: controller.signal })
      await waitFor(() => created.length === 1)
      controller.abort()
      await assert.rejects(pending, { name: 'AbortError' })
      await waitFor(() => cleared.includes(created[0]))
    } finally {
      globalThis.setTimeout = realSetTimeout
      globalThis.clearTimeout = realClearTimeout
    }
  })
})

describe('compression', () => {
  const cases = [
    ['/gzip', 'gzip', 'gzipped'],
    ['/deflate', 'deflate', 'deflated'],
    ['/brotli', 'br', 'brotli'],
  ] as const
  for (const [path, encoding, flag] of cases) {
    test(`${path} answers ${encoding}-encoded echo JSON`, async () => {
      const res = await call(`${path}?x=1`)
      assert.equal(res.status, 200)
      assert.equal(res.headers.get('content-encoding'), encoding)
      assert.equal(res.headers.get('content-type'), 'application/json')
      const body = (await res.json()) as EchoPayload & Record<string, unknown>
      assert.equal(body[flag], true)
      assert.deepEqual(body.args, { x: '1' })
    })
  }

  test('/deflate is zlib-wrapped deflate on the wire', async () => {
    const res = await raw('/deflate')
    assert.equal(res.headers['content-encoding'], 'deflate')
    assert.equal(Number(res.headers['content-length']), res.body.length)
    const body = JSON.parse(inflateSync(res.body).toString('utf8')) as Record<string, unknown>
    assert.equal(body['deflated'], true)
  })
})

describe('/bytes/:n', () => {
  const expected = (n: number, seed: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 255)

  test('answers n deterministic bytes', async () => {
    const res = await call('/bytes/1000?seed=7')
    assert.equal(res.status, 200)
    assert.equal(res.headers.get('content-type'), 'application/octet-stream')
    assert.equal(res.headers.get('content-length'), '1000')
    assert.deepEqual(new Uint8Array(await res.arrayBuffer()), expected(1000, 7))
    const unseeded = new Uint8Array(await (await call('/bytes/300')).arrayBuffer())
    assert.deepEqual(unseeded, expected(300, 0))
  })

  test('streams large bodies across chunk boundaries', async () => {
    const n = 3 * 1024 * 1024 + 17
    const res = await call(`/bytes/${n}?seed=300`)
    assert.equal(res.headers.get('content-length'), String(n))
    assert.deepEqual(new Uint8Array(await res.arrayBuffer()), expected(n, 300))
  })

  test('zero bytes and HEAD', async () => {
    const empty = await call('/bytes/0')
    assert.equal(empty.headers.get('content-length'), '0')
    assert.equal((await empty.arrayBuffer()).byteLength, 0)
    const head = await raw(`/bytes/${100 * 1024 * 1024}`, { method: 'HEAD' })
    assert.equal(head.status, 200)
    assert.equal(head.headers['content-length'], String(100 * 1024 * 1024))
    assert.equal(head.body.length, 0)
  })

  test('rejects bad sizes and seeds', async () => {
    for (const path of [`/bytes/${100 * 1024 * 1024 + 1}`, '/bytes/-1', '/bytes/1.5', '/bytes/abc', '/bytes/5?seed=x', '/bytes/5?seed=-1'])
      await assertBadRequest(path)
  })
})

describe('/range/:n', () => {
  const letters = (start: number, end: number): string =>
    Array.from({ length: end - start + 1 }, (_, i) => String.fromCharCode(97 + ((start + i) % 26))).join('')

  const ranged = async (n: number, range: string): Promise<Response> => call(`/range/${n}`, { headers: { Range: range } })

  test('answers the whole resource with Accept-Ranges', async () => {
    const res = await call('/range/30')
    assert.equal(res.status, 200)
    assert.equal(res.headers.get('accept-ranges'), 'bytes')
    assert.equal(res.headers.get('content-length'), '30')
    assert.equal(await res.text(), letters(0, 29))
  })

  test('honours bytes=s-e, bytes=s- and bytes=-k', async () => {
    const cases: ReadonlyArray<readonly [string, number, number]> = [
      ['bytes=2-5', 2, 5],
      ['bytes=20-', 20, 29],
      ['bytes=-3', 27, 29],
      ['bytes=25-1000', 25, 29],
      ['bytes=-100', 0, 29],
    ]
    for (const [range, start, end] of cases) {
      const res = await ranged(30, range)
      assert.equal(res.status, 206, range)
      assert.equal(res.headers.get('content-range'), `bytes ${start}-${end}/30`, range)
      assert.equal(res.headers.get('content-length'), String(end - start + 1), range)
      assert.equal(await res.text(), letters(start, end), range)
    }
  })

  test('serves a large range starting mid-pattern', async () => {
    const start = 100_003
    const res = await ranged(300_000, `bytes=${start}-`)
    assert.equal(res.status, 206)
    assert.equal(await res.text(), letters(start, 299_999))
  })

  test('unsatisfiable ranges → 416', async () => {
    for (const [n, range] of [
      [26, 'bytes=26-'],
      [26, 'bytes=-0'],
      [0, 'bytes=0-'],
    ] as const) {
      const res = await ranged(n, range)
      assert.equal(res.status, 416, range)
      assert.equal(res.headers.get('content-range'), `bytes */${n}`)
      await res.arrayBuffer()
    }
  })

  test('ignores invalid or multiple ranges', async () => {
    for (const range of ['bytes=5-2', 'items=0-1', 'bytes=0-1,4-5', 'bytes=-']) {
      const res = await ranged(10, range)
      assert.equal(res.status, 200, range)
      assert.equal(await res.text(), letters(0, 9))
    }
  })

  test('rejects bad sizes', async () => {
    await assertBadRequest('/range/x')
    await assertBadRequest(`/range/${100 * 1024 * 1024 + 1}`)
  })
})

describe('auth', () => {
  const basic = (credentials: string): Record<string, string> => ({
    Authorization: `Basic ${Buffer.from(credentials).toString('base64')}`,
  })

  test('/basic-auth accepts matching credentials', async () => {
    const res = await call('/basic-auth/ann/s3cr%C3%A9t', { headers: basic('ann:s3crét') })
    assert.equal(res.status, 200)
    assert.deepEqual(await res.json(), { authenticated: true, user: 'ann' })
  })

  test('/basic-auth rejects wrong or missing credentials', async () => {
    for (const headers of [basic('ann:wrong'), basic('bob:pw'), {}, { Authorization: 'Bearer ann:pw' }, { Authorization: 'Basic !!!' }]) {
      const res = await call('/basic-auth/ann/pw', { headers })
      assert.equal(res.status, 401)
      assert.equal(res.headers.get('www-authenticate'), 'Basic realm="Fake Realm"')
      assert.deepEqual(await res.json(), { authenticated: false })
    }
  })

  test('/basic-auth rejects malformed path encoding', async () => {
    await assertBadRequest('/basic-auth/%E0%A4%A/pw')
  })

  test('/bearer accepts a token', async () => {
    const res = await call('/bearer', { headers: { Authorization: 'Bearer abc.def' } })
    assert.equal(res.status, 200)
    assert.deepEqual(await res.json(), { authenticated: true, token: 'abc.def' })
  })

  test('/bearer rejects a missing or non-bearer authorization', async () => {
    const attempts: ReadonlyArray<Record<string, string>> = [{}, { Authorization: 'Basic abc' }, { Authorization: 'Bearer' }]
    for (const headers of attempts) {
      const res = await call('/bearer', { headers })
      assert.equal(res.status, 401)
      assert.equal(res.headers.get('www-authenticate'), 'Bearer')
      assert.deepEqual(await res.json(), { authenticated: false })
    }
  })
})

describe('/flaky/:key', () => {
  test('fails the first N hits, then echoes with the attempt number', async () => {
    const path = '/flaky/k1?failures=2&status=500&retryAfter=1'
    for (const attempt of [1, 2]) {
      const res = await call(path)
      assert.equal(res.status, 500)
      assert.equal(res.headers.get('retry-after'), '1')
      assert.deepEqual(await res.json(), { attempt, failing: true })
    }
    const ok = await call(path)
    assert.equal(ok.status, 200)
    const body = (await ok.json()) as EchoPayload & { attempt: number }
    assert.equal(body.attempt, 3)
    assert.equal(body.path, '/flaky/k1')
    assert.equal(server.hits('k1'), 3)
  })

  test('defaults to one 503 failure without Retry-After, counting per key', async () => {
    const first = await call('/flaky/k2')
    assert.equal(first.status, 503)
    assert.equal(first.headers.get('retry-after'), null)
    await first.arrayBuffer()
    assert.equal((await call('/flaky/other')).status, 503)
    assert.equal((await call('/flaky/k2')).status, 200)
    assert.equal(server.hits('k2'), 2)
    assert.equal(server.hits('other'), 1)
    assert.equal(server.hits('never'), 0)
  })

  test('passes an HTTP-date Retry-After through verbatim', async () => {
    const date = 'Wed, 21 Oct 2015 07:28:00 GMT'
    const res = await call(`/flaky/k3?retryAfter=${encodeURIComponent(date)}&status=429`)
    assert.equal(res.status, 429)
    assert.equal(res.headers.get('retry-after'), date)
  })

  test('failures=0 never fails', async () => {
    assert.equal((await call('/flaky/k4?failures=0')).status, 200)
  })

  test('rejects bad parameters', async () => {
    for (const query of ['failures=x', 'failures=-1', 'status=99', 'status=600', 'retryAfter=%0A'])
      await assertBadRequest(`/flaky/bad?${query}`)
    assert.equal(server.hits('bad'), 0)
  })
})

describe('/response-headers', () => {
  test('sets each query pair as a header, repeated ones as separate lines', async () => {
    const res = await raw('/response-headers?X-One=1&X-Two=a&X-Two=b')
    assert.equal(res.status, 200)
    assert.deepEqual(headerLines(res.rawHeaders, 'x-one'), [['X-One', '1']])
    assert.deepEqual(headerLines(res.rawHeaders, 'x-two'), [
      ['X-Two', 'a'],
      ['X-Two', 'b'],
    ])
    assert.deepEqual(JSON.parse(res.body.toString('utf8')), { 'X-One': '1', 'X-Two': ['a', 'b'] })
  })

  test('may override Content-Type', async () => {
    const res = await call('/response-headers?Content-Type=text/plain')
    assert.equal(res.headers.get('content-type'), 'text/plain')
    assert.deepEqual(JSON.parse(await res.text()), { 'Content-Type': 'text/plain' })
  })

  test('rejects invalid or framing headers', async () => {
    for (const query of ['bad%20name=1', 'X-A=%0D%0Ainjected', 'Content-Length=1', 'transfer-encoding=chunked'])
      await assertBadRequest(`/response-headers?${query}`)
  })
})

describe('/cookies/set', () => {
  test('sets one cookie per pair', async () => {
    const res = await call('/cookies/set?a=1&b=two')
    assert.equal(res.status, 200)
    assert.deepEqual(res.headers.getSetCookie(), ['a=1; Path=/', 'b=two; Path=/'])
    assert.deepEqual(await res.json(), { a: '1', b: 'two' })
  })

  test('rejects invalid names and values', async () => {
    await assertBadRequest('/cookies/set?a=1%3B%20Domain%3Devil')
    await assertBadRequest('/cookies/set?bad%20name=1')
  })
})

describe('/stream/:n', () => {
  test('sends n JSON lines with chunked encoding', async () => {
    const res = await raw('/stream/5?x=1')
    assert.equal(res.status, 200)
    assert.equal(res.headers['transfer-encoding'], 'chunked')
    assert.equal(res.headers['content-length'], undefined)
    const lines = res.body.toString('utf8').trimEnd().split('\n')
    const parsed = lines.map((line) => JSON.parse(line) as { id: number; args: unknown })
    assert.deepEqual(
      parsed.map((line) => line.id),
      [0, 1, 2, 3, 4],
    )
    assert.deepEqual(parsed[0]?.args, { x: '1' })
  })

  test('rejects n outside 1..1000', async () => {
    for (const n of ['0', '1001', 'many']) await assertBadRequest(`/stream/${n}`)
  })
})

describe('transport failures and unknown routes', () => {
  test('/close drops the connection without a response', async () => {
    await assert.rejects(call('/close'), TypeError)
    await assert.rejects(raw('/close'), /socket hang up|ECONNRESET/)
  })

  test('/hang never answers until the client gives up', async () => {
    const started = Date.now()
    await assert.rejects(call('/hang', { signal: AbortSignal.timeout(80) }), { name: 'TimeoutError' })
    assert.ok(Date.now() - started >= 75)
  })

  test('unknown paths → 404 with the path', async () => {
    for (const path of ['/nope', '/get/extra', '/status', '/status/', '/status/200/x', '/GET']) {
      const res = await call(path)
      assert.equal(res.status, 404, path)
      assert.equal(res.headers.get('content-type'), 'application/json')
      assert.deepEqual(await res.json(), { error: 'not found', path })
    }
  })
})
