/**
 * Bytes sent as given (issue 14): JSON text verbatim, a URL without a scheme joined onto the
 * base URL, URLSearchParams/FormData/Map forms, a BOM only where the encoding has one, a raw
 * query param with CR/LF refused. Each through a raw node:http server on 127.0.0.1 that records
 * the exact path and bytes it received, on the three transports.
 */
import assert from 'node:assert/strict'
import { after, describe, test } from 'node:test'
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import fc from 'fast-check'
import * as H from '../../src/index.js'
import { bodyBytes } from '../../src/encoding/body.js'
import { defaultSettings } from '../../src/model/settings.js'
import { assertInvalid, base } from '../helpers.js'
import { lines } from '../execute/helpers.js'
import { useRecordingServer, type Recorded } from '../support/fixtures.js'

type Seen = Recorded

const recorder = useRecordingServer()
const seen = recorder.seen
after(() => H.crossFetchTransport.close())

const TRANSPORTS: ReadonlyArray<readonly [string, H.Env]> = [
  ['undici', {}],
  ['cross-fetch', { transport: H.crossFetchTransport }],
  ['global fetch', { transport: H.fromFetch(globalThis.fetch) }],
]

/** Sends `req` and returns what the server received (exactly one request). */
const send = async (req: H.Request, env: H.Env, method = 'POST'): Promise<Seen> => {
  const before = seen.length
  const r = await H.processRequest(method, env)(req)()
  assert.ok(E.isRight(r), E.isLeft(r) ? r.left.message : '')
  assert.equal(seen.length, before + 1)
  return seen[seen.length - 1] as Seen
}

/** Runs `req` and asserts it ends in InvalidInput (naming `step`) without any request sent. */
const refused = async (req: H.Request, step: string, reason: RegExp): Promise<void> => {
  const before = seen.length
  const r = await H.processRequest('POST')(req)()
  assert.ok(E.isLeft(r) && r.left._tag === 'InvalidInput', JSON.stringify(r))
  assert.equal(r.left._tag === 'InvalidInput' && r.left.step, step)
  assert.match(r.left.message, reason)
  assert.equal(seen.length, before, 'nothing was sent')
}

const at = (path: string): H.Request => pipe(H.newRequest(), H.initialize(`${recorder.url}${path}`))

describe('JSON text is sent exactly as written', () => {
  const TEXTS = [
    '{"id":12345678901234567890,"big":1e400}',
    '{"a":1,"a":2}',
    '  [ 1.50 , -0 , 1E2 ]\n',
    '{"__proto__":{"x":1},"s":"\\u00e9\\n"}',
  ]
  for (const [name, env] of TRANSPORTS)
    test(`on ${name}: big numbers, duplicate keys, spaces and escapes arrive byte for byte`, async () => {
      for (const text of TEXTS) {
        const got = await send(pipe(at('/json'), H.setJsonBody(text)), env)
        assert.equal(got.body.toString('utf8'), text)
        assert.equal(got.headers['content-type'], 'application/json; charset=utf-8')
      }
    })

  test('property: any JSON text (big integers, duplicate keys, whitespace) has exactly its UTF-8 bytes', () => {
    const ws = fc.constantFrom('', ' ', '\n', '\t', '  ')
    const num = fc.oneof(
      fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }).map(String),
      fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => JSON.stringify(d)),
      fc.constantFrom('1e400', '-1E-400', '0.10000000000000000001'),
    )
    const { text } = fc.letrec<{ text: string }>((tie) => ({
      text: fc.oneof(
        { depthSize: 'small' },
        num,
        fc.string().map((s) => JSON.stringify(s)),
        fc.constantFrom('true', 'false', 'null'),
        fc
          .array(fc.tuple(ws, tie('text'), ws), { maxLength: 4 })
          .map((xs) => `[${xs.map((x) => x.join('')).join(',')}]`),
        fc
          .array(fc.tuple(fc.constantFrom('a', 'b', 'id', '__proto__'), tie('text'), ws), { maxLength: 4 })
          .map((kv) => `{${kv.map(([k, v, w]) => `${w}"${k}"${w}:${v}`).join(',')}}`),
      ),
    }))
    fc.assert(
      fc.property(ws, text, ws, (a, t, b) => {
        const given = `${a}${t}${b}`
        const req = pipe(base(), H.setJsonBody(given))
        assert.equal(req.error, null)
        assert.deepEqual(Buffer.from(bodyBytes(req.body, defaultSettings) ?? []), Buffer.from(given, 'utf8'))
        // and a template keeps it
        const back = H.fromTemplate(JSON.parse(JSON.stringify(H.toTemplate(req))))
        assert.ok(E.isRight(back) && back.right.body._tag === 'JsonText' && back.right.body.text === given)
      }),
      { numRuns: 300 },
    )
  })

  test('invalid text is InvalidInput naming setJsonBody', () => {
    for (const bad of ['{a:1}', '{"a":1', 'NaN', "{'a':1}"]) {
      const b = base()
      assertInvalid(b, H.setJsonBody(bad)(b), 'setJsonBody', /invalid JSON text/)
    }
  })

  test('toCurl shows the text as written; a field added to it reads it first (as before)', async () => {
    const text = '{"id":12345678901234567890}'
    const p = await H.prepareRequest('POST')(pipe(at('/json'), H.setJsonBody(text)))()
    assert.ok(E.isRight(p))
    assert.ok(H.toCurl(p.right).includes(`--data-binary '${text}'`), H.toCurl(p.right))
    const added = pipe(at('/json'), H.setJsonBody('{"a":1}'), H.insertBodyField('b', 2))
    assert.deepEqual(added.body, { _tag: 'Json', value: { a: 1, b: 2 }, collection: false })
  })

  test('a template whose JSON text is not JSON is refused', () => {
    const t = H.toTemplate(pipe(at('/json'), H.setJsonBody('{"a":1}')))
    const bad = JSON.parse(JSON.stringify(t).replace('{\\"a\\":1}', '{a:1}')) as unknown
    assert.ok(E.isLeft(H.fromTemplate(bad)))
  })
})

describe('a URL without a scheme joins onto the base URL (SPEC §2)', () => {
  for (const [name, env] of TRANSPORTS)
    test(`on ${name}: users, /users and users?x=1 go to the base's path with its Authorization`, async () => {
      const api = (r: H.Request) => pipe(r, H.setBaseUrl(`${recorder.url}/api/v2`), H.addBearerAuthorization('tok-1'))
      for (const [url, path] of [
        ['users', '/api/v2/users'],
        ['/users', '/api/v2/users'],
        ['users?x=1', '/api/v2/users?x=1'],
      ] as const) {
        const got = await send(pipe(H.newRequest(), api, H.setUrl(url)), env, 'GET')
        assert.equal(got.url, path)
        assert.equal(got.headers['authorization'], 'Bearer tok-1')
      }
    })

  test('the order does not matter: setUrl("users") before setBaseUrl joins too (as the CLI builds it)', async () => {
    const got = await send(
      pipe(H.newRequest(), H.initialize('users'), H.setBaseUrl(`${recorder.url}/root/`), H.addUrlParameter('p', 1)),
      {},
      'GET',
    )
    assert.equal(got.url, '/root/users?p=1')
  })

  test('a URL with a scheme replaces the base; without a base no scheme means https://', async () => {
    const got = await send(
      pipe(H.newRequest(), H.setBaseUrl('https://elsewhere.invalid/x'), H.setUrl(`${recorder.url}/own`)),
      {},
      'GET',
    )
    assert.equal(got.url, '/own')
    const p = await H.prepareRequest('GET')(pipe(H.newRequest(), H.setUrl('users')))()
    assert.ok(E.isRight(p) && p.right.url === 'https://users')
  })

  test('a scheme other than http(s) is never a path, with or without a base', () => {
    for (const url of ['mailto:ann@example.com', 'http:/host/x', 'javascript:alert(1)']) {
      const b = pipe(base(), H.setBaseUrl('https://api.example.com'))
      assertInvalid(b, H.setUrl(url)(b), 'setUrl')
    }
  })
})

describe('forms as given', () => {
  for (const [name, env] of TRANSPORTS)
    test(`on ${name}: URLSearchParams, FormData and Map keep order and repeated names`, async () => {
      const usp = new URLSearchParams('a=1&b=x y&a=2')
      const fd = new FormData()
      fd.append('a', '1')
      fd.append('b', 'x y')
      fd.append('a', '2')
      const map = new Map<string, unknown>([
        ['a', '1'],
        ['b', 'x y'],
      ])
      for (const [data, wire] of [
        [usp, 'a=1&b=x%20y&a=2'],
        [fd, 'a=1&b=x%20y&a=2'],
        [map, 'a=1&b=x%20y'],
      ] as const) {
        const got = await send(pipe(at('/form'), H.setFormBody(data)), env)
        assert.equal(got.body.toString('latin1'), wire)
        assert.equal(got.headers['content-type'], 'application/x-www-form-urlencoded; charset=utf-8')
      }
    })

  test('arrays in a form render as URL params do: [a,b], or split, or with brackets', async () => {
    for (const [steps, wire] of [
      [[], 'k=[a,b]'],
      [[H.splitArraysInUrl(true)], 'k=a&k=b'],
      [[H.splitArraysInUrl(true, true)], 'k[]=a&k[]=b'],
    ] as const) {
      const req = (steps as ReadonlyArray<H.Step>).reduce(
        (r, s) => s(r),
        pipe(at('/form'), H.setFormBody({ k: ['a', 'b'] })),
      )
      const got = await send(req, {})
      assert.equal(got.body.toString('latin1'), wire)
    }
  })

  test('a file in a FormData is InvalidInput naming the field', () => {
    const fd = new FormData()
    fd.append('name', 'Ann')
    fd.append('photo', new Blob(['x']), 'p.jpg')
    const b = base()
    assertInvalid(b, H.setFormBody(fd)(b), 'setFormBody', /field photo is a file/)
  })
})

describe('one value rule: toJSON honoured; Map, Set and class instances refused', () => {
  class Point {
    constructor(
      readonly x: number,
      readonly y: number,
    ) {}
  }
  const withToJson = { toJSON: () => ({ kind: 'custom' }) }
  const steps: ReadonlyArray<readonly [string, (v: unknown) => H.Step]> = [
    ['setJsonBody', (v) => H.setJsonBody(v)],
    ['insertBodyField', (v) => (r) => pipe(r, H.initializeJsonBody(), H.insertBodyField('k', v))],
    ['addUrlParameter', (v) => H.addUrlParameter('k', v)],
    ['setUrlParams', (v) => H.setUrlParams({ k: v })],
    ['setFormBody', (v) => H.setFormBody({ k: v })],
  ]
  test('a Map, a Set or a class instance is InvalidInput naming the step, at any depth', () => {
    for (const [step, make] of steps)
      for (const bad of [new Map([['a', 1]]), new Set([1]), new Point(1, 2), { nested: [new Map()] }]) {
        const b = step === 'insertBodyField' ? pipe(base(), H.initializeJsonBody()) : base()
        const after = step === 'insertBodyField' ? H.insertBodyField('k', bad)(b) : make(bad)(b)
        assertInvalid(b, after, step, /Map|Set|Point instance/)
      }
  })

  test('toJSON is honoured as JSON.stringify honours it (Date, custom), on the wire', async () => {
    const d = new Date(Date.UTC(2024, 0, 2, 3, 4, 5))
    const got = await send(pipe(at('/v'), H.setJsonBody({ d, c: withToJson, p: { toJSON: () => undefined } })), {})
    assert.equal(got.body.toString(), JSON.stringify({ d, c: withToJson }))
    const q = await send(pipe(at('/q'), H.addUrlParameter('c', withToJson), H.addUrlParameter('d', d)), {}, 'GET')
    assert.equal(q.url, `/q?c=${encodeURIComponent('{"kind":"custom"}')}&d=${encodeURIComponent(d.toISOString())}`)
  })
})

describe('a BOM only where the encoding has one, and the log says what is sent', () => {
  test('windows-1251 has no BOM: none is sent and the log says so', async () => {
    const req = pipe(at('/s'), H.setStringBody('Я', true), H.useEncoding('windows-1251'))
    const before = seen.length
    const r = await H.processRequest('POST')(req)()
    assert.ok(E.isRight(r))
    assert.deepEqual([...(seen[before]?.body ?? [])], [0xdf])
    assert.ok(lines(r.right).some((l) => /1 bytes, without a BOM \(windows-1251 has none\)/.test(l)))
  })

  test('UTF-8, UTF-16 and GB18030 send their own BOM, once', async () => {
    for (const [enc, bom] of [
      ['utf-8', [0xef, 0xbb, 0xbf]],
      ['utf-16', [0xff, 0xfe]],
      ['utf-16be', [0xfe, 0xff]],
      ['gb18030', [0x84, 0x31, 0x95, 0x33]],
    ] as const) {
      const got = await send(pipe(at('/s'), H.setStringBody('A', true), H.useEncoding(enc)), {})
      assert.deepEqual([...got.body.subarray(0, bom.length)], [...bom], enc)
      assert.notDeepEqual([...got.body.subarray(bom.length, bom.length * 2)], [...bom], `${enc}: one BOM`)
    }
  })
})

describe('a raw query param with CR, LF or tab is InvalidInput, never silently changed', () => {
  test('with URL encoding off: refused naming the param; with it on: sent encoded', async () => {
    for (const [name, value] of [
      ['q', 'a\r\nb'],
      ['t\tab', 'x'],
      ['arr', ['ok', 'b\nc']],
    ] as const)
      await refused(
        pipe(at('/raw'), H.useUrlEncoding(false), H.addUrlParameter(name, value)),
        'processRequest',
        new RegExp(`query param ${JSON.stringify(JSON.stringify(name)).slice(1, -1)}`),
      )
    const got = await send(pipe(at('/raw'), H.addUrlParameter('q', 'a\r\nb')), {}, 'GET')
    assert.equal(got.url, '/raw?q=a%0D%0Ab')
  })
})

describe('headers given as a plain object', () => {
  test('a __proto__ key (as JSON.parse gives it) is InvalidInput, not dropped', () => {
    const b = base()
    assertInvalid(b, H.setHeaders(JSON.parse('{"A":"1","__proto__":"x"}') as never)(b), 'setHeaders', /__proto__/)
    assertInvalid(b, H.addHeader('__proto__', 'x')(b), 'addHeader', /__proto__/)
  })

  test('a Map of headers is taken in order; another object is refused', async () => {
    const got = await send(pipe(at('/h'), H.setHeaders(new Map([['X-A', '1']]))), {}, 'GET')
    assert.equal(got.headers['x-a'], '1')
    const b = base()
    assertInvalid(b, H.setHeaders(new Set() as never)(b), 'setHeaders')
  })
})
