import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import * as E from 'fp-ts/Either'
import * as O from 'fp-ts/Option'
import * as TE from 'fp-ts/TaskEither'
import { pipe } from 'fp-ts/function'
import * as t from 'io-ts'
import * as H from '../../src/index.js'
import { useEchoServer } from '../support/fixtures.js'

const echo = useEchoServer()

const LOG: H.Log = [
  { at: null, step: 'initialize', message: 'request initialized with default settings' },
  { at: 5, step: 'executeRequest', message: 'response received, code 200 (1 ms)' },
]

/** A hand-made response. */
const mkRes = (
  o: { status?: number; contentType?: string; body?: Uint8Array | string; file?: string | null } = {},
): H.HttpResponse => {
  const headers: Array<readonly [string, string]> = o.contentType === undefined ? [] : [['content-type', o.contentType]]
  return {
    _tag: 'HttpResponse',
    status: o.status ?? 200,
    statusText: 'OK',
    headers: Object.fromEntries(headers),
    rawHeaders: headers,
    url: 'http://127.0.0.1:1/x',
    body: typeof o.body === 'string' ? new TextEncoder().encode(o.body) : (o.body ?? new Uint8Array(0)),
    file: o.file ?? null,
    redirects: 0,
    attempts: 1,
    timings: { start: 0, headers: 1, end: 2, total: 2 },
    log: LOG,
  }
}

const rightOf = <A>(e: E.Either<H.ClientError, A>): A => {
  if (E.isLeft(e)) assert.fail(`expected Right, got ${e.left._tag}: ${e.left.message}`)
  return e.right
}

const leftTag = <A, T extends H.ClientError['_tag']>(
  e: E.Either<H.ClientError, A>,
  tag: T,
): Extract<H.ClientError, { _tag: T }> => {
  if (E.isRight(e)) assert.fail(`expected Left ${tag}, got Right ${JSON.stringify(e.right)}`)
  assert.equal(e.left._tag, tag, e.left.message)
  return e.left as Extract<H.ClientError, { _tag: T }>
}

const CP1251_YA = 0xdf // 'Я' in windows-1251

describe('asJson', () => {
  test('an empty body decodes as {}', () => {
    assert.deepEqual(rightOf(H.asJson()(mkRes())), {})
    assert.deepEqual(rightOf(H.asJson()(mkRes({ body: '  \r\n ' }))), {})
  })

  test('an empty body from the server (204) decodes as {}', async () => {
    const v = await pipe(
      H.newRequest(),
      H.initialize(`${echo.url}/status/204`),
      H.processRequest('GET'),
      TE.flatMapEither(H.asJson()),
    )()
    assert.deepEqual(rightOf(v), {})
  })

  test('parses JSON, with a leading BOM', () => {
    assert.deepEqual(rightOf(H.asJson()(mkRes({ body: '{"a":[1,2,{"b":null}]}' }))), { a: [1, 2, { b: null }] })
    assert.deepEqual(
      rightOf(H.asJson()(mkRes({ body: Uint8Array.of(0xef, 0xbb, 0xbf, ...new TextEncoder().encode('[1]')) }))),
      [1],
    )
    assert.equal(rightOf(H.asJson()(mkRes({ body: '42' }))), 42)
  })

  test('uses the charset of the Content-Type', () => {
    const body = Uint8Array.of(...new TextEncoder().encode('{"k":"'), CP1251_YA, ...new TextEncoder().encode('"}'))
    assert.deepEqual(rightOf(H.asJson()(mkRes({ body, contentType: 'application/json; charset=windows-1251' }))), {
      k: 'Я',
    })
  })

  test('invalid JSON is a ParseError naming asJson, with the response and its log', () => {
    const res = mkRes({ body: '{"a": 1,' })
    const e = leftTag(H.asJson()(res), 'ParseError')
    assert.match(e.message, /^asJson: /)
    assert.equal(e.response, res)
    assert.deepEqual(e.log, LOG)
  })

  test('a codec mismatch is a DecodeError naming the io-ts path', () => {
    const Echo = t.type({ json: t.type({ field1: t.number }) })
    const res = mkRes({ body: '{"json":{"field1":"ten"}}' })
    const e = leftTag(H.asJson(Echo)(res), 'DecodeError')
    assert.ok(e.message.includes('json.field1'), e.message)
    assert.match(e.message, /^asJson: /)
    assert.ok(e.message.includes('"ten"'), e.message)
    assert.ok(e.errors.length >= 1)
    assert.equal(e.response, res)
    assert.deepEqual(e.log, LOG)
  })

  test('array indexes appear in the path; every failing path is named', () => {
    const C = t.type({ items: t.array(t.type({ id: t.number })), name: t.string })
    const e = leftTag(H.asJson(C)(mkRes({ body: '{"items":[{"id":1},{"id":"x"}]}' })), 'DecodeError')
    assert.ok(e.message.includes('items.1.id'), e.message)
    assert.ok(e.message.includes('name'), e.message)
  })

  test('a matching codec gives the typed value (the SPEC example against the echo server)', async () => {
    const Echo = t.type({ json: t.type({ field1: t.number }) })
    const result = await pipe(
      H.newRequest(),
      H.initialize(`${echo.url}/post`),
      H.setJsonBody({ field1: 10, field2: 'Text' }),
      H.addHeader('X-My-Header1', 'Hello'),
      H.processRequest('POST'),
      TE.flatMapEither(H.asJson(Echo)),
    )()
    assert.equal(rightOf(result).json.field1, 10)
  })

  test('a body saved to a file cannot be read as JSON: InvalidInput', () => {
    const e = leftTag(H.asJson()(mkRes({ file: '/tmp/x.json' })), 'InvalidInput')
    assert.equal(e.step, 'asJson')
    assert.ok(e.message.includes('/tmp/x.json'))
  })
})

describe('asString', () => {
  test('UTF-8 by default', () => {
    assert.equal(rightOf(H.asString()(mkRes({ body: 'Привет ✓' }))), 'Привет ✓')
  })

  test('the charset of the Content-Type is used (plain and quoted)', () => {
    const body = Uint8Array.of(0xcf, 0xf0, 0xe8, 0xe2, 0xe5, 0xf2)
    assert.equal(rightOf(H.asString()(mkRes({ body, contentType: 'text/plain; charset=windows-1251' }))), 'Привет')
    assert.equal(rightOf(H.asString()(mkRes({ body, contentType: 'text/plain;Charset="windows-1251"' }))), 'Привет')
  })

  test('an explicit encoding wins over the Content-Type', () => {
    const body = Uint8Array.of(0xcf, 0xf0, 0xe8, 0xe2, 0xe5, 0xf2)
    assert.equal(
      rightOf(H.asString('windows-1251')(mkRes({ body, contentType: 'text/plain; charset=utf-8' }))),
      'Привет',
    )
    assert.equal(rightOf(H.asString('latin1')(mkRes({ body: Uint8Array.of(0xe9) }))), 'é')
  })

  test('a leading BOM is dropped', () => {
    assert.equal(rightOf(H.asString()(mkRes({ body: Uint8Array.of(0xef, 0xbb, 0xbf, 0x68, 0x69) }))), 'hi')
  })

  test('an unknown encoding is InvalidInput (given or from the Content-Type)', () => {
    const e = leftTag(H.asString('klingon')(mkRes({ body: 'x' })), 'InvalidInput')
    assert.equal(e.step, 'asString')
    assert.ok(e.message.includes('klingon'))
    const f = leftTag(H.asString()(mkRes({ body: 'x', contentType: 'text/plain; charset=x-no-such' })), 'InvalidInput')
    assert.ok(f.message.includes('x-no-such'))
  })

  test('bytes that are not valid in the encoding are a ParseError', () => {
    const res = mkRes({ body: Uint8Array.of(0xff, 0xfe, 0xfd, 0x41) })
    const e = leftTag(H.asString('utf-8')(res), 'ParseError')
    assert.match(e.message, /^asString: /)
    assert.equal(e.response, res)
  })

  test('a body saved to a file is InvalidInput', () => {
    const e = leftTag(H.asString()(mkRes({ file: '/tmp/out.txt' })), 'InvalidInput')
    assert.equal(e.step, 'asString')
    assert.ok(e.message.includes('/tmp/out.txt'))
    assert.deepEqual(e.log, LOG)
  })

  test('reads a real response', async () => {
    const s = await pipe(
      H.newRequest(),
      H.initialize(`${echo.url}/post`),
      H.setStringBody('ü'),
      H.processRequest('POST'),
      TE.flatMapEither(H.asString()),
    )()
    assert.equal((JSON.parse(rightOf(s)) as { data: string }).data, 'ü')
  })
})

describe('asBinary and responseFilename', () => {
  test('asBinary is the body bytes', async () => {
    assert.deepEqual([...H.asBinary(mkRes({ body: Uint8Array.of(1, 2, 3) }))], [1, 2, 3])
    const bytes = await pipe(
      H.newRequest(),
      H.initialize(`${echo.url}/bytes/4`),
      H.processRequest('GET'),
      TE.map(H.asBinary),
    )()
    assert.deepEqual([...rightOf(bytes)], [0, 31, 62, 93])
  })

  test('responseFilename is None in memory, Some(path) for a saved body', () => {
    assert.deepEqual(H.responseFilename(mkRes()), O.none)
    assert.deepEqual(H.responseFilename(mkRes({ file: '/tmp/a.bin' })), O.some('/tmp/a.bin'))
  })
})

describe('ensureStatus', () => {
  test('passes 2xx by default', () => {
    for (const status of [200, 201, 204, 299]) {
      const res = mkRes({ status })
      assert.equal(rightOf(H.ensureStatus()(res)), res)
    }
  })

  test('anything else is a StatusError carrying the response', () => {
    for (const status of [199, 300, 304, 404, 500]) {
      const res = mkRes({ status })
      const e = leftTag(H.ensureStatus()(res), 'StatusError')
      assert.equal(e.status, status)
      assert.equal(e.response, res)
      assert.deepEqual(e.log, LOG)
      assert.match(e.message, /^ensureStatus: /)
      assert.ok(e.message.includes(String(status)))
    }
  })

  test('a custom predicate', () => {
    const accept404 = H.ensureStatus((s) => s === 200 || s === 404)
    assert.ok(E.isRight(accept404(mkRes({ status: 404 }))))
    assert.equal(leftTag(accept404(mkRes({ status: 201 })), 'StatusError').status, 201)
  })

  test('in a pipeline against the server', async () => {
    const r = await pipe(
      H.newRequest(),
      H.initialize(`${echo.url}/status/418`),
      H.processRequest('GET'),
      TE.flatMapEither(H.ensureStatus()),
    )()
    assert.equal(leftTag(r, 'StatusError').response.status, 418)
  })
})

describe('getLog', () => {
  const req = pipe(H.newRequest(), H.initialize('http://127.0.0.1:9/x'), H.addHeader('X-A', '1'))

  test('of a Request: entries, and text one `<step>: <message>` line each', () => {
    const entries = H.getLog(req)
    assert.equal(entries, req.log)
    assert.deepEqual(
      entries.map((e) => e.step),
      ['initialize', 'setUrl', 'addHeader'],
    )
    assert.ok(entries.every((e) => e.at === null))
    assert.deepEqual(H.getLog(req, false), entries)
    assert.equal(
      H.getLog(req, true),
      [
        'initialize: request initialized with default settings',
        'setUrl: URL set to http://127.0.0.1:9/x',
        'addHeader: X-A: 1',
      ].join('\n'),
    )
  })

  test('of an HttpResponse', async () => {
    const res = rightOf(await pipe(H.newRequest(), H.initialize(`${echo.url}/get`), H.processRequest('GET'))())
    const text = H.getLog(res, true)
    assert.equal(text.split('\n').length, res.log.length)
    assert.ok(text.startsWith('initialize: request initialized with default settings\n'))
    assert.ok(text.includes('executeRequest: response received, code 200'))
    assert.equal(H.getLog(res), res.log)
  })

  test('of a ClientError', async () => {
    const r = await pipe(req, H.setJsonBody('{oops'), H.processRequest('POST'))()
    const e = leftTag(r, 'InvalidInput')
    assert.equal(H.getLog(e), e.log)
    const text = H.getLog(e, true)
    assert.ok(text.startsWith('initialize: '))
    assert.ok(text.split('\n').at(-1)?.startsWith('setJsonBody: error: '))
  })

  test('an empty log renders as an empty string', () => {
    assert.equal(H.getLog(H.newRequest(), true), '')
    assert.deepEqual(H.getLog(H.newRequest()), [])
  })
})

describe('matchClientError', () => {
  test('folds by tag', () => {
    const fold = H.matchClientError<string>({
      InvalidInput: (e) => `input ${e.step}`,
      TransportError: (e) => `net ${e.cause}`,
      Timeout: (e) => `timeout ${e.timeoutMs}`,
      FileError: (e) => `file ${e.path}`,
      AuthError: () => 'auth',
      ParseError: () => 'parse',
      DecodeError: () => 'decode',
      StatusError: (e) => `status ${e.status}`,
      ResponseTooLarge: (e) => `large ${e.limit}`,
    })
    assert.equal(fold(leftTag(H.ensureStatus()(mkRes({ status: 503 })), 'StatusError')), 'status 503')
    assert.equal(fold(leftTag(H.asString('nope')(mkRes()), 'InvalidInput')), 'input asString')
  })
})
