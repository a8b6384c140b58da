import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import * as E from 'fp-ts/Either'
import { flow, pipe } from 'fp-ts/function'

import * as H from '../../src/index.js'
import { targetUrl } from '../../src/steps/init.js'
import { assertInvalid, base, everyStep, lastLine, lines, PEM_CERT, PEM_KEY, URL0 } from '../helpers.js'

describe('newRequest', () => {
  test('is an empty, not initialized request with the default settings', () => {
    assert.deepStrictEqual(H.newRequest(), {
      _tag: 'Request',
      initialized: false,
      url: null,
      baseUrl: null,
      params: [],
      pathParams: [],
      headers: [],
      dataType: null,
      body: { _tag: 'None' },
      auth: { _tag: 'None' },
      settings: H.defaultSettings,
      responseFile: null,
      proxy: null,
      tls: null,
      error: null,
      log: [],
    })
  })

  test('defaultSettings are the documented defaults (SPEC §6)', () => {
    assert.deepStrictEqual(H.defaultSettings, {
      encoding: 'utf-8',
      gzip: true,
      bodyFieldsAtOAuth: false,
      urlEncoding: true,
      maxAttempts: 0,
      maxRedirects: 5,
      splitArrayParams: false,
      arraysSquareBrackets: false,
      timeout: 3_600_000,
      connectTimeout: 10_000,
      idleTimeout: 300_000,
      deadline: null,
      retryPolicy: {
        methods: ['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'TRACE'],
        statuses: [408, 413, 429, 500, 502, 503, 504],
        baseMs: 100,
        capMs: 10_000,
        retryAfterCapMs: 60_000,
      },
      maxResponseSize: null,
      http2: false,
    })
  })

  test('every call gives an independent value', () => {
    const a = H.newRequest()
    const b = pipe(a, H.addHeader('X-A', '1'))
    assert.deepStrictEqual(a.headers, [])
    assert.deepStrictEqual(H.newRequest().headers, [])
    assert.notEqual(a, b)
  })

  test('is plain JSON data and round-trips through RequestCodec', () => {
    const r = H.newRequest()
    const back = H.RequestCodec.decode(JSON.parse(JSON.stringify(H.RequestCodec.encode(r))))
    assert.ok(E.isRight(back))
    assert.deepStrictEqual(back.right, r)
  })
})

describe('initialize', () => {
  test('without a URL: defaults, initialized, one log line', () => {
    const r = pipe(H.newRequest(), H.initialize())
    assert.equal(r.initialized, true)
    assert.equal(r.url, null)
    assert.deepStrictEqual(r.settings, H.defaultSettings)
    assert.equal(r.error, null)
    assert.equal(r.log.length, 1)
    assert.equal(r.log[0]?.step, 'initialize')
    assert.equal(r.log[0]?.at, null)
  })

  test('with a URL: sets it and logs both steps', () => {
    const r = pipe(H.newRequest(), H.initialize(URL0))
    assert.equal(r.initialized, true)
    assert.equal(r.url, URL0)
    assert.deepStrictEqual(
      r.log.map((e) => e.step),
      ['initialize', 'setUrl'],
    )
    assert.match(lastLine(r), /^setUrl: .*127\.0\.0\.1:8080\/path/)
  })

  test('with a URL without scheme: https:// is assumed', () => {
    assert.equal(targetUrl(pipe(H.newRequest(), H.initialize('example.com/api'))), 'https://example.com/api')
  })

  test('resets everything to defaults but keeps the log', () => {
    const dirty = pipe(
      base(),
      H.setUrlParams({ a: 1 }),
      H.addHeader('X-A', '1'),
      H.setDataType('application/xml'),
      H.setJsonBody({ a: 1 }),
      H.addBearerAuthorization('tok'),
      H.maxAttempts(4),
      H.useGzipCompression(false),
      H.setResponseFile('/tmp/x'),
      H.setProxy('http://127.0.0.1:3128'),
      H.setTls({ cert: PEM_CERT, key: PEM_KEY }),
    )
    assert.equal(dirty.error, null)
    const r = pipe(dirty, H.initialize())
    const { log, ...rest } = r
    const { log: _l, ...fresh } = { ...H.newRequest(), initialized: true }
    void _l
    assert.deepStrictEqual(rest, fresh)
    assert.deepStrictEqual(log.slice(0, dirty.log.length), dirty.log)
    assert.equal(log.length, dirty.log.length + 1)
    assert.match(lastLine(r), /^initialize: /)
  })

  test('initialize(url) after other steps resets and sets the new URL', () => {
    const r = pipe(base(), H.addHeader('X-A', '1'), H.initialize('http://127.0.0.1/new'))
    assert.equal(r.url, 'http://127.0.0.1/new')
    assert.deepStrictEqual(r.headers, [])
  })

  test('initialize with an invalid URL records a setUrl error', () => {
    const r = pipe(H.newRequest(), H.initialize('ftp://127.0.0.1/x'))
    assert.equal(r.error?.step, 'setUrl')
    assert.match(r.error?.message ?? '', /^setUrl: /)
    assert.match(lastLine(r), /^setUrl: error/)
  })

  test('with a non-string URL records a setUrl error', () => {
    const r = pipe(H.newRequest(), H.initialize(42 as never))
    assert.equal(r.error?.step, 'setUrl')
    assert.match(r.error?.message ?? '', /^setUrl: .*string/)
    assert.match(lastLine(r), /^setUrl: error: /)
    assert.equal(r.initialized, true)
  })

  test('does not clear a recorded error (sticky)', () => {
    const bad = pipe(base(), H.setJsonBody('{nope'))
    assert.notEqual(bad.error, null)
    assert.equal(pipe(bad, H.initialize()), bad)
    assert.equal(pipe(bad, H.initialize('http://127.0.0.1/')), bad)
  })

  test('is usable as a reusable template with flow', () => {
    const api = flow(H.initialize('http://127.0.0.1:9/api'), H.addBearerAuthorization('tok'))
    const a = api(H.newRequest())
    const b = api(pipe(H.newRequest(), H.addHeader('X-Old', '1')))
    assert.deepStrictEqual({ ...a, log: [] }, { ...b, log: [] })
    assert.deepStrictEqual(b.headers, [])
  })
})

describe('sticky error', () => {
  const bad = (): H.Request => pipe(base(), H.setJsonBody('{"unterminated'))

  test('the invalid step records step, message and one log line', () => {
    const before = base()
    const after = pipe(before, H.setJsonBody('{"unterminated'))
    assertInvalid(before, after, 'setJsonBody', /invalid JSON/)
  })

  for (const [name, step] of everyStep) {
    test(`after an error, ${name} returns the very same object and logs nothing`, () => {
      const r = bad()
      const logBefore = lines(r)
      const out = step(r)
      assert.equal(out, r)
      assert.deepStrictEqual(lines(out), logBefore)
      assert.equal(out.error?.step, 'setJsonBody')
    })
  }

  test('a whole pipeline after the error is a no-op', () => {
    const r = bad()
    const out = everyStep.reduce((acc, [, s]) => s(acc), r)
    assert.equal(out, r)
  })

  test('the first error wins over later invalid steps', () => {
    const r = pipe(base(), H.addHeader('Bad Name', 'x'), H.setJsonBody('{'), H.setUrl('ftp://x'))
    assert.equal(r.error?.step, 'addHeader')
    assert.equal(lines(r).filter((l) => /error/.test(l)).length, 1)
  })

  test('returnSettings still reads an errored request', () => {
    const r = pipe(base(), H.maxAttempts(2), H.setJsonBody('{'))
    assert.equal(H.returnSettings('maxAttempts')(r), 2)
  })

  test('the errored request still round-trips through RequestCodec', () => {
    const r = bad()
    const back = H.RequestCodec.decode(JSON.parse(JSON.stringify(H.RequestCodec.encode(r))))
    assert.ok(E.isRight(back))
    assert.deepStrictEqual(back.right, r)
  })
})

describe('RequestCodec', () => {
  test('rejects values that are not requests', () => {
    for (const v of [
      null,
      1,
      'x',
      {},
      { ...H.newRequest(), _tag: 'Other' },
      { ...H.newRequest(), settings: {} },
      { ...H.newRequest(), body: { _tag: 'Nope' } },
    ])
      assert.ok(E.isLeft(H.RequestCodec.decode(v)), JSON.stringify(v))
  })

  test('rejects a template with a non-finite number', () => {
    const r = { ...H.newRequest(), params: [['a', Infinity]] }
    assert.ok(E.isLeft(H.RequestCodec.decode(r)))
  })
})

describe('getLog', () => {
  test('entries and text form', () => {
    const r = pipe(base(), H.addHeader('X-A', 'v'))
    const entries = H.getLog(r)
    assert.equal(entries, r.log)
    assert.deepStrictEqual(entries.at(-1), { at: null, step: 'addHeader', message: 'X-A: v' })
    assert.equal(H.getLog(r, true), r.log.map((e) => `${e.step}: ${e.message}`).join('\n'))
    assert.equal(lastLine(r), 'addHeader: X-A: v')
  })

  test('of something without a log is empty', () => {
    assert.deepStrictEqual(H.getLog({} as H.Request), [])
    assert.equal(H.getLog(null as never, true), '')
  })
})
