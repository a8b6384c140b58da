import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { describe, test } from 'node:test'
import { pipe } from 'fp-ts/function'
import * as H from '../../../src/index.js'
import { asTag, ko, lines, ok } from '../helpers.js'
import { sentBytes } from '../../helpers.js'
import { useEchoServer, useTempDir } from '../../support/fixtures.js'

const echo = useEchoServer()
const tmp = useTempDir('prepare')

const base = (path = '/anything'): H.Request => pipe(H.newRequest(), H.initialize(`${echo.url}${path}`))

const prepare = (req: H.Request, method = 'GET', env?: H.Env): Promise<H.PreparedRequest> =>
  ok(H.prepareRequest(method, env)(req))

const urlOf = async (req: H.Request): Promise<string> => (await prepare(req)).url

const headerNames = (p: H.PreparedRequest): string[] => p.headers.map(([n]) => n)

const header = (p: H.PreparedRequest, name: string): string | undefined =>
  p.headers.find(([n]) => n.toLowerCase() === name.toLowerCase())?.[1]

const bytesOf = (p: H.PreparedRequest): Buffer => {
  assert.equal(p.body._tag, 'Segments')
  return Buffer.from(sentBytes(p.body))
}

describe('prepareRequest: final URL', () => {
  test('params are appended in insertion order with ? and percent-encoded as UTF-8, uppercase hex', async () => {
    const url = await urlOf(
      pipe(
        base('/p'),
        H.addUrlParameter('q', 'a b'),
        H.addUrlParameter('name', 'Привет'),
        H.addUrlParameter('sym', "it's a test!/?&=+~-._"),
      ),
    )
    assert.equal(
      url,
      `${echo.url}/p?q=a%20b&name=%D0%9F%D1%80%D0%B8%D0%B2%D0%B5%D1%82&sym=it%27s%20a%20test%21%2F%3F%26%3D%2B~-._`,
    )
  })

  test('keys are encoded too; space is %20, never +', async () => {
    const url = await urlOf(pipe(base('/p'), H.addUrlParameter('my key+é', 'v w')))
    assert.equal(url, `${echo.url}/p?my%20key%2B%C3%A9=v%20w`)
    assert.ok(!url.includes('+'))
  })

  test('& is used when the URL already has a query; existing escapes and reserved characters survive', async () => {
    const url = await urlOf(pipe(H.newRequest(), H.initialize(`${echo.url}/p?x=%41&y=a,b`), H.addUrlParameter('q', 1)))
    assert.equal(url, `${echo.url}/p?x=%41&y=a,b&q=1`)
  })

  test('characters illegal in a URL given to setUrl are encoded; the fragment is never sent', async () => {
    const url = await urlOf(
      pipe(H.newRequest(), H.initialize(`${echo.url}/a b/é?q=x y#frag`), H.addUrlParameter('k', 'v')),
    )
    assert.equal(url, `${echo.url}/a%20b/%C3%A9?q=x%20y&k=v`)
  })

  test('booleans, numbers, null, undefined and nested objects', async () => {
    const url = await urlOf(
      pipe(
        base('/p'),
        H.setUrlParams([
          ['t', true],
          ['f', false],
          ['n', 12.5],
          ['z', null],
          ['u', undefined],
          ['o', { a: 1, b: 'x y' }],
        ]),
      ),
    )
    assert.equal(url, `${echo.url}/p?t=true&f=false&n=12.5&z=&u=&o=%7B%22a%22%3A1%2C%22b%22%3A%22x%20y%22%7D`)
  })

  test('setUrlParams takes a record and replaces previous params', async () => {
    const url = await urlOf(pipe(base('/p'), H.addUrlParameter('old', 1), H.setUrlParams({ a: '1', b: '2' })))
    assert.equal(url, `${echo.url}/p?a=1&b=2`)
  })

  test('addUrlParameter replaces an existing param in place; ignoreEmpty skips empty values; empty names are ignored', async () => {
    const url = await urlOf(
      pipe(
        base('/p'),
        H.addUrlParameter('a', 1),
        H.addUrlParameter('b', 2),
        H.addUrlParameter('a', 3),
        H.addUrlParameter('c', '', true),
        H.addUrlParameter('d', null, true),
        H.addUrlParameter('', 'x'),
      ),
    )
    assert.equal(url, `${echo.url}/p?a=3&b=2`)
  })

  test('arrays render as k=[a,b] with encoded elements and literal brackets and commas', async () => {
    const url = await urlOf(pipe(base('/p'), H.addUrlParameter('k', ['a b', 'c,d', 1])))
    assert.equal(url, `${echo.url}/p?k=[a%20b,c%2Cd,1]`)
  })

  test('splitArraysInUrl(true) renders k=a&k=b; with square brackets k[]=a&k[]=b', async () => {
    const split = await urlOf(pipe(base('/p'), H.splitArraysInUrl(true), H.addUrlParameter('k', ['a b', 'c'])))
    assert.equal(split, `${echo.url}/p?k=a%20b&k=c`)
    const brackets = await urlOf(pipe(base('/p'), H.splitArraysInUrl(true, true), H.addUrlParameter('k', ['a', 'b'])))
    assert.equal(brackets, `${echo.url}/p?k[]=a&k[]=b`)
  })

  test('useUrlEncoding(false) inserts params raw', async () => {
    const url = await urlOf(
      pipe(base('/p'), H.useUrlEncoding(false), H.addUrlParameter('q', 'a/b:c'), H.addUrlParameter('k', ['x', 'y'])),
    )
    assert.equal(url, `${echo.url}/p?q=a/b:c&k=[x,y]`)
  })

  test('a URL without a scheme gets https://', async () => {
    const p = await prepare(pipe(H.newRequest(), H.initialize('example.invalid/x')))
    assert.equal(p.url, 'https://example.invalid/x')
  })

  test('the method is upper-cased', async () => {
    const p = await prepare(base(), 'post')
    assert.equal(p.method, 'POST')
  })
})

describe('prepareRequest: headers', () => {
  test('defaults: Accept, User-Agent, Accept-Encoding, in that order; no body headers without a body', async () => {
    const p = await prepare(base())
    assert.deepEqual(p.headers, [
      ['Accept', '*/*'],
      ['User-Agent', `httpipe/${H.VERSION}`],
      ['Accept-Encoding', 'gzip, deflate, br'],
    ])
    assert.deepEqual(p.body, { _tag: 'None' })
  })

  test('useGzipCompression(false): no Accept-Encoding', async () => {
    const p = await prepare(pipe(base(), H.useGzipCompression(false)))
    assert.equal(header(p, 'accept-encoding'), undefined)
    assert.deepEqual(headerNames(p), ['Accept', 'User-Agent'])
  })

  test('order: defaults, Content-Type, Content-Length, auth, then user headers', async () => {
    const p = await prepare(
      pipe(
        base(),
        H.addHeader('X-First', '1'),
        H.setJsonBody({ a: 1 }),
        H.addBearerAuthorization('tok-123'),
        H.addHeader('X-Second', '2'),
      ),
      'POST',
    )
    assert.deepEqual(headerNames(p), [
      'Accept',
      'User-Agent',
      'Accept-Encoding',
      'Content-Type',
      'Content-Length',
      'Authorization',
      'X-First',
      'X-Second',
    ])
    assert.equal(header(p, 'authorization'), 'Bearer tok-123')
    assert.equal(header(p, 'content-type'), 'application/json; charset=utf-8')
    assert.equal(header(p, 'content-length'), '7')
  })

  test('user headers win over defaults, body Content-Type and auth, and keep the caller spelling in place', async () => {
    const p = await prepare(
      pipe(
        base(),
        H.setStringBody('hi'),
        H.addBasicAuthorization('ann', 'pw'),
        H.addHeader('accept', 'application/json'),
        H.addHeader('USER-AGENT', 'mine/1'),
        H.addHeader('content-type', 'text/x-custom'),
        H.addHeader('authorization', 'Custom abc'),
      ),
      'POST',
    )
    assert.deepEqual(p.headers, [
      ['accept', 'application/json'],
      ['USER-AGENT', 'mine/1'],
      ['Accept-Encoding', 'gzip, deflate, br'],
      ['content-type', 'text/x-custom'],
      ['Content-Length', '2'],
      ['authorization', 'Custom abc'],
    ])
  })

  test('addHeader replaces case-insensitively; setHeaders merges, or replaces with fullReplace', async () => {
    const merged = await prepare(
      pipe(base(), H.addHeader('X-A', '1'), H.addHeader('x-a', '2'), H.setHeaders({ 'X-B': '3' })),
    )
    assert.deepEqual(merged.headers.slice(3), [
      ['x-a', '2'],
      ['X-B', '3'],
    ])
    const replaced = await prepare(pipe(base(), H.addHeader('X-A', '1'), H.setHeaders([['X-C', '4']], true)))
    assert.deepEqual(replaced.headers.slice(3), [['X-C', '4']])
  })

  test('addHeader with ignoreEmpty skips an empty value', async () => {
    const p = await prepare(pipe(base(), H.addHeader('X-Empty', '', true)))
    assert.equal(header(p, 'x-empty'), undefined)
  })

  test('Content-Type follows the body kind and the encoding', async () => {
    const cases: ReadonlyArray<readonly [H.Request, string]> = [
      [pipe(base(), H.setStringBody('x')), 'text/plain; charset=utf-8'],
      [pipe(base(), H.setJsonBody({ a: 1 })), 'application/json; charset=utf-8'],
      [pipe(base(), H.setFormBody({ a: 1 })), 'application/x-www-form-urlencoded; charset=utf-8'],
      [pipe(base(), H.setBinaryBody(new Uint8Array([1]))), 'application/octet-stream'],
      [pipe(base(), H.useEncoding('windows-1251'), H.setStringBody('x')), 'text/plain; charset=windows-1251'],
    ]
    for (const [req, ct] of cases) assert.equal(header(await prepare(req, 'POST'), 'content-type'), ct)
  })

  test('setDataType fixes the Content-Type, whichever body setter comes after', async () => {
    const p = await prepare(pipe(base(), H.setDataType('application/vnd.api+json'), H.setJsonBody({ a: 1 })), 'POST')
    assert.equal(header(p, 'content-type'), 'application/vnd.api+json')
    const q = await prepare(pipe(base(), H.setDataType('text/csv; charset=utf-8'), H.setStringBody('a,b')), 'POST')
    assert.equal(header(q, 'content-type'), 'text/csv; charset=utf-8')
  })

  test('Basic auth header is pre-emptive, UTF-8 base64', async () => {
    const p = await prepare(pipe(base(), H.addBasicAuthorization('Aladdin', 'open sesame')))
    assert.equal(header(p, 'authorization'), 'Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==')
  })

  test('the last auth scheme wins', async () => {
    const p = await prepare(pipe(base(), H.addBasicAuthorization('a', 'b'), H.addBearerAuthorization('zzz')))
    assert.deepEqual(
      p.headers.filter(([n]) => n.toLowerCase() === 'authorization'),
      [['Authorization', 'Bearer zzz']],
    )
  })
})

describe('prepareRequest: body', () => {
  test('Content-Length counts bytes, not characters', async () => {
    const p = await prepare(pipe(base(), H.setStringBody('héllo €')), 'POST')
    assert.equal(header(p, 'content-length'), String(Buffer.byteLength('héllo €')))
    assert.ok(bytesOf(p).equals(Buffer.from('héllo €', 'utf8')))
  })

  test('JSON is compact; a BOM is written when asked', async () => {
    const p = await prepare(pipe(base(), H.setJsonBody({ a: [1, 2], b: { c: 'd' } })), 'POST')
    assert.equal(bytesOf(p).toString('utf8'), '{"a":[1,2],"b":{"c":"d"}}')
    const bom = await prepare(pipe(base(), H.setStringBody('hi', true)), 'POST')
    assert.deepEqual([...bytesOf(bom)], [0xef, 0xbb, 0xbf, 0x68, 0x69])
    assert.equal(header(bom, 'content-length'), '5')
  })

  test('form fields are percent-encoded like URL params', async () => {
    const p = await prepare(pipe(base(), H.setFormBody({ name: 'Ann Lee', tags: ['a', 'b'], e: 'é' })), 'POST')
    assert.equal(bytesOf(p).toString('latin1'), 'name=Ann%20Lee&tags=[a,b]&e=%C3%A9')
  })

  test('useEncoding(windows-1251) encodes text bodies in cp1251', async () => {
    const p = await prepare(pipe(base(), H.useEncoding('windows-1251'), H.setStringBody('Привет')), 'POST')
    assert.deepEqual([...bytesOf(p)], [0xcf, 0xf0, 0xe8, 0xe2, 0xe5, 0xf2])
    assert.equal(header(p, 'content-length'), '6')
  })

  test('form fields are percent-encoded in the request encoding', async () => {
    const p = await prepare(pipe(base(), H.useEncoding('windows-1251'), H.setFormBody({ k: 'Я' })), 'POST')
    assert.equal(bytesOf(p).toString('latin1'), 'k=%DF')
    assert.equal(header(p, 'content-type'), 'application/x-www-form-urlencoded; charset=windows-1251')
  })

  test('a file body is described by path and size, Content-Length from the file, not read into memory', async () => {
    const path = tmp.file('body.bin')
    await writeFile(path, Buffer.alloc(12345, 7))
    const p = await prepare(pipe(base(), H.setBinaryBody(H.fromFile(path))), 'PUT')
    assert.deepEqual(p.body, {
      _tag: 'Segments',
      segments: [{ _tag: 'File', path, start: 0, end: 12345, size: 12345 }],
      length: 12345,
    })
    assert.equal(header(p, 'content-length'), '12345')
    assert.equal(header(p, 'content-type'), 'application/octet-stream')
    assert.ok(lines(p).some((l) => l.includes(`body streamed from ${path} (12345 bytes)`)))
  })

  test('a fromUrl body is downloaded later: described by URL, no Content-Length yet', async () => {
    const src = `${echo.url}/bytes/10`
    const p = await prepare(pipe(base(), H.setBinaryBody(H.fromUrl(src))), 'POST')
    assert.deepEqual(p.body, { _tag: 'Segments', segments: [{ _tag: 'Url', url: src }], length: null })
    assert.equal(header(p, 'content-length'), undefined)
  })

  test('fromBase64 and Uint8Array bodies are their bytes', async () => {
    const p = await prepare(pipe(base(), H.setBinaryBody(H.fromBase64('AAEC/w=='))), 'POST')
    assert.deepEqual([...bytesOf(p)], [0, 1, 2, 255])
    const q = await prepare(pipe(base(), H.setBinaryBody(new Uint8Array([9, 8, 7]))), 'POST')
    assert.deepEqual([...bytesOf(q)], [9, 8, 7])
  })

  test('empty binary data is skipped unless setIfEmpty', async () => {
    const skipped = await prepare(pipe(base(), H.setBinaryBody(new Uint8Array(0))), 'POST')
    assert.deepEqual(skipped.body, { _tag: 'None' })
    assert.equal(header(skipped, 'content-type'), undefined)
    const kept = await prepare(pipe(base(), H.setBinaryBody(new Uint8Array(0), true)), 'POST')
    assert.deepEqual(kept.body, { _tag: 'Segments', segments: [{ _tag: 'Bytes', bytes: Buffer.alloc(0) }], length: 0 })
    assert.equal(header(kept, 'content-length'), '0')
  })
})

describe('prepareRequest: log and side effects', () => {
  test('logs the method, URL, body and each header under prepareRequest, timed with env.now', async () => {
    const p = await prepare(pipe(base('/p'), H.addUrlParameter('a', 1), H.setStringBody('abc')), 'POST', {
      now: () => 424242,
    })
    const mine = p.log.filter((e) => e.step === 'prepareRequest')
    assert.equal(mine[0]?.message, `POST ${echo.url}/p?a=1, body 3 bytes`)
    assert.ok(mine.every((e) => e.at === 424242))
    assert.deepEqual(
      mine.slice(1).map((e) => e.message),
      p.headers.map(([n, v]) => `header ${n}: ${v}`),
    )
    // the builder log comes first, untouched
    assert.deepEqual(
      p.log.slice(0, 2).map((e) => e.step),
      ['initialize', 'setUrl'],
    )
  })

  test('nothing is sent', async () => {
    const sentBefore = echo.server.requests.length
    await prepare(pipe(base('/post'), H.setJsonBody({ a: 1 })), 'POST')
    await prepare(pipe(base('/get'), H.addBearerAuthorization('x')), 'GET')
    await prepare(pipe(base('/post'), H.setBinaryBody(H.fromUrl(`${echo.url}/bytes/10`))), 'POST')
    await new Promise((r) => setTimeout(r, 50))
    assert.equal(echo.server.requests.length, sentBefore)
    assert.equal(sentBefore, 0)
  })

  test('the input request is not modified', async () => {
    const req = pipe(base(), H.setJsonBody({ a: 1 }))
    const snapshot = JSON.stringify(req)
    await prepare(req, 'POST')
    assert.equal(JSON.stringify(req), snapshot)
  })
})

describe('prepareRequest: bad input', () => {
  test('a sticky error is returned as InvalidInput with the original step and the log', async () => {
    const req = pipe(base(), H.setJsonBody('{not json'), H.addHeader('X-Later', '1'), H.setUrl(`${echo.url}/other`))
    const e = asTag(await ko(H.prepareRequest('POST')(req)), 'InvalidInput')
    assert.equal(e.step, 'setJsonBody')
    assert.match(e.message, /^setJsonBody: /)
    const l = lines(e)
    assert.equal(l.at(-1)?.startsWith('setJsonBody: error: '), true, l.join('\n'))
    assert.ok(!l.some((x) => x.startsWith('addHeader') || x.includes('/other')))
    assert.deepEqual(e.log, req.log)
  })

  test('a header with CR/LF is a sticky InvalidInput of addHeader', async () => {
    const e = asTag(await ko(H.prepareRequest('GET')(pipe(base(), H.addHeader('X-A', 'b\r\nEvil: 1')))), 'InvalidInput')
    assert.equal(e.step, 'addHeader')
    assert.match(e.message, /CR, LF or NUL/)
  })

  test('processRequest returns the sticky error without sending', async () => {
    const sentBefore = echo.server.requests.length
    const e = asTag(await ko(H.processRequest('POST')(pipe(base('/post'), H.setUrl('ftp://x/y')))), 'InvalidInput')
    assert.equal(e.step, 'setUrl')
    assert.equal(echo.server.requests.length, sentBefore)
  })

  test('no URL: InvalidInput naming the step', async () => {
    const e = asTag(await ko(H.prepareRequest('GET')(H.newRequest())), 'InvalidInput')
    assert.equal(e.step, 'prepareRequest')
    assert.match(e.message, /URL/)
    const f = asTag(await ko(H.processRequest('GET')(pipe(H.newRequest(), H.initialize()))), 'InvalidInput')
    assert.equal(f.step, 'processRequest')
    assert.equal(lines(f)[0], 'initialize: request initialized with default settings')
  })

  test('an invalid method is InvalidInput', async () => {
    for (const m of ['GE T', '', 'GET\r\n', 'a(b)']) {
      const e = asTag(await ko(H.prepareRequest(m)(base())), 'InvalidInput')
      assert.equal(e.step, 'prepareRequest')
      assert.match(e.message, /invalid method/)
    }
  })

  test('a missing body file is a FileError naming the path', async () => {
    const path = tmp.file('does-not-exist.bin')
    const e = asTag(await ko(H.prepareRequest('POST')(pipe(base(), H.setBinaryBody(H.fromFile(path))))), 'FileError')
    assert.equal(e.path, path)
    assert.equal(e.cause, 'ENOENT')
    assert.ok(e.message.includes(path))
    assert.match(e.message, /^prepareRequest: /)
    assert.ok(e.log.length > 0)
  })

  test('a directory as body file is a FileError', async () => {
    const e = asTag(
      await ko(H.prepareRequest('POST')(pipe(base(), H.setBinaryBody(H.fromFile(tmp.path))))),
      'FileError',
    )
    assert.equal(e.path, tmp.path)
  })
})

describe('user info in the URL', () => {
  test('becomes Basic authorization and leaves the URL (it is never sent, logged or returned)', async () => {
    const url = echo.url.replace('http://', 'http://ann:p%40ss-w0rd@')
    const req = pipe(H.newRequest(), H.initialize(`${url}/basic-auth/ann/p@ss-w0rd`))
    const prepared = await ok(H.prepareRequest('GET')(req))
    assert.equal(prepared.url, `${echo.url}/basic-auth/ann/p@ss-w0rd`)
    assert.deepEqual(prepared.auth, { _tag: 'Basic', user: 'ann', password: 'p@ss-w0rd' })
    const res = await ok(H.processRequest('GET')(req))
    assert.equal(res.status, 200)
    assert.ok(!res.url.includes('p%40ss-w0rd') && !res.url.includes('ann:'), res.url)
    assert.ok(!H.getLog(res, true).includes('p%40ss-w0rd'))
  })

  test('an auth scheme set by a step wins over user info, which is still removed', async () => {
    const url = echo.url.replace('http://', 'http://ann:pw@')
    const prepared = await ok(
      H.prepareRequest('GET')(pipe(H.newRequest(), H.initialize(`${url}/bearer`), H.addBearerAuthorization('tok-123'))),
    )
    assert.equal(prepared.url, `${echo.url}/bearer`)
    assert.equal(prepared.auth._tag, 'Bearer')
  })
})

describe('prepareRequest: the body is framed by httpipe', () => {
  test('a Transfer-Encoding header is InvalidInput, before anything is sent', async () => {
    const e = asTag(
      await ko(
        pipe(
          base(),
          H.setStringBody('0123456789'),
          H.addHeader('Transfer-Encoding', 'chunked'),
          H.prepareRequest('POST'),
        ),
      ),
      'InvalidInput',
    )
    assert.equal(e.step, 'prepareRequest')
    assert.match(e.message, /Transfer-Encoding/)
  })

  test("a Content-Length other than the body's is InvalidInput; the same one is kept", async () => {
    const e = asTag(
      await ko(
        pipe(base(), H.setStringBody('0123456789'), H.addHeader('Content-Length', '3'), H.prepareRequest('POST')),
      ),
      'InvalidInput',
    )
    assert.match(e.message, /Content-Length header says "3" but the body has 10 bytes/)
    const none = asTag(
      await ko(pipe(base(), H.addHeader('content-length', '5'), H.prepareRequest('GET'))),
      'InvalidInput',
    )
    assert.match(none.message, /body has 0 bytes/)
    const same = await prepare(pipe(base(), H.setStringBody('0123456789'), H.addHeader('content-length', '10')), 'POST')
    assert.equal(header(same, 'content-length'), '10')
  })
})
