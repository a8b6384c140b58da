/**
 * Property tests of the laws every builder step obeys.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import * as E from 'fp-ts/Either'
import fc from 'fast-check'

import * as H from '../src/index.js'
import { renderUrl } from '../src/encoding/url.js'
import type { MultipartKind } from '../src/model/multipart.js'
import type { Pem } from '../src/model/request.js'
import type { BodyData } from '../src/model/source.js'
import type { FieldType } from '../src/steps/convert.js'
import type { ProxyInput } from '../src/steps/init.js'
import type { ParamsInput } from '../src/steps/params.js'
import { base, deepFreeze, PEM_CERT, PEM_KEY } from './helpers.js'

/** LAWS_RUNS=5000 for a deeper search; the default keeps the file at a few seconds. */
const RUNS = Number(process.env['LAWS_RUNS'] ?? 150)

// ---------------------------------------------------------------------------------------------
// arbitraries

/**
 * Generated JSON data, with two adjustments so the laws test what they say:
 * - JSON cannot hold -0, so a template cannot either: -0 becomes 0;
 * - own "__proto__" keys (which fast-check generates on purpose) are dropped: they hit a known
 *   bug in src/encoding/json.ts toJson (the key is lost); steps/body.test.ts pins that bug down
 *   deterministically, and keeping it here would make every law below fail at random for it.
 */
const sanitize = (v: unknown): unknown =>
  Object.is(v, -0)
    ? 0
    : Array.isArray(v)
      ? v.map(sanitize)
      : typeof v === 'object' && v !== null
        ? Object.fromEntries(
            Object.entries(v)
              .filter(([k]) => k !== '__proto__')
              .map(([k, x]) => [k, sanitize(x)]),
          )
        : v

const jsonData: fc.Arbitrary<unknown> = fc.jsonValue({ maxDepth: 2 }).map(sanitize)

/** Values a caller might pass that are not JSON (rare, so sequences are not all errors). */
const weird: fc.Arbitrary<unknown> = fc.constantFrom<unknown>(
  NaN,
  Infinity,
  () => 1,
  undefined,
  new Date(0),
  new Date(NaN),
  new Uint8Array([1, 2, 3]),
  10n,
)

const value: fc.Arbitrary<unknown> = fc.oneof({ weight: 12, arbitrary: jsonData }, { weight: 1, arbitrary: weird })

const text = fc.oneof(fc.string({ maxLength: 10 }), fc.string({ unit: 'binary', maxLength: 8 }))

const paramName = fc.oneof(fc.constantFrom('a', 'b', 'A', 'x y', 'access_token', 'k[]', ''), text)

const headerName = fc.oneof(
  { weight: 6, arbitrary: fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,8}$/) },
  { weight: 3, arbitrary: fc.constantFrom('Accept', 'accept', 'X-A', 'x-a', 'Authorization', 'Cookie') },
  { weight: 1, arbitrary: text },
)
const headerValue = fc.oneof({ weight: 8, arbitrary: fc.string({ maxLength: 10 }) }, { weight: 1, arbitrary: text })

const url = fc.oneof(
  { weight: 4, arbitrary: fc.webUrl({ withQueryParameters: true, withFragments: true }) },
  {
    weight: 2,
    arbitrary: fc.constantFrom('http://127.0.0.1:8080/p', '127.0.0.1/x', 'http://h/a b?q=é', '', 'ftp://x/'),
  },
  { weight: 1, arbitrary: text },
)

const bodyKey = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('a', 'a.b', 'a.b.c', 'list', 'x.list', 'b') },
  { weight: 1, arbitrary: fc.constant('') },
  { weight: 1, arbitrary: text },
)
const fieldType = fc.oneof(
  { weight: 4, arbitrary: fc.constant(undefined) },
  {
    weight: 1,
    arbitrary: fc.constantFrom<FieldType | 'bogus'>(
      'string',
      'number',
      'boolean',
      'json',
      'date',
      'dateIso',
      'dateIsoZ',
      'dateOnly',
      'base64',
      'bogus',
    ),
  },
)

/** setUrlParams input without duplicate names (duplicates are covered in params.test.ts). */
const params = fc.oneof(
  fc.dictionary(paramName, value, { maxKeys: 4 }),
  fc.uniqueArray(fc.tuple(paramName, value), { maxLength: 4, selector: (p) => p[0] }),
)

const binaryData = fc.oneof(
  fc.uint8Array({ maxLength: 8 }),
  text,
  fc.base64String({ maxLength: 12 }).map(H.fromBase64),
  text.map(H.fromBase64),
  fc.constantFrom(H.fromFile('./f.bin'), H.fromFile(''), H.fromUrl('http://127.0.0.1/b'), H.fromUrl('ftp://x')),
)

const pem = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom<Pem>(PEM_CERT, H.fromFile('./x.pem')) },
  { weight: 1, arbitrary: text },
)
const tlsOptions = fc
  .record({
    ca: fc.option(pem, { nil: undefined }),
    pair: fc.oneof(
      { weight: 3, arbitrary: fc.constant({}) },
      { weight: 3, arbitrary: fc.constant({ cert: PEM_CERT, key: PEM_KEY }) },
      {
        weight: 1,
        arbitrary: fc.record({ cert: fc.option(pem, { nil: undefined }), key: fc.option(pem, { nil: undefined }) }),
      },
    ),
    passphrase: fc.option(fc.string({ maxLength: 5 }), { nil: undefined }),
    rejectUnauthorized: fc.option(fc.boolean(), { nil: undefined }),
  })
  .map(({ pair, ...rest }) => ({ ...rest, ...pair }))

const proxy = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom('http://127.0.0.1:3128', 'https://u:p@proxy.local', 'socks5://h:1', 'http://h:99999'),
  },
  { weight: 1, arbitrary: text },
  {
    weight: 3,
    arbitrary: fc.record({
      protocol: fc.constantFrom<'http' | 'https'>('http', 'https'),
      host: fc.constantFrom('127.0.0.1', 'proxy.local', 'proxy.local', ''),
      port: fc.oneof(fc.integer({ min: 1, max: 65_535 }), fc.integer({ min: -1, max: 70_000 })),
      user: fc.option(fc.string({ maxLength: 5 }), { nil: undefined }),
      password: fc.option(fc.string({ maxLength: 5 }), { nil: undefined }),
    }),
  },
)

interface Op {
  readonly name: string
  readonly step: (req: H.Request) => H.Request
}

/** Builds an Op whose name (shown in counterexamples) carries its arguments. */
const op =
  <A extends ReadonlyArray<unknown>>(name: string, make: (...args: A) => (req: H.Request) => H.Request) =>
  (args: A): Op => {
    const label = `${name}(${args.map((a) => fc.stringify(a)).join(', ')})`
    return { name: label, step: make(...args), [fc.toStringMethod]: () => label } as Op
  }

const anyCast = <T>(x: unknown): T => x as T

/** Every public builder step, with generated (mostly valid, sometimes invalid) arguments. */
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.tuple(fc.option(url, { nil: undefined })).map(op('initialize', (u) => H.initialize(u))),
  fc.tuple(url).map(op('setUrl', H.setUrl)),
  fc.tuple(fc.oneof(fc.constant('/tmp/out.bin'), text)).map(op('setResponseFile', H.setResponseFile)),
  fc
    .tuple(
      fc.oneof(
        {
          weight: 5,
          arbitrary: fc.constantFrom('application/json', 'text/plain; charset=utf-8', 'application/vnd.x+json', 'bad'),
        },
        { weight: 1, arbitrary: text },
      ),
    )
    .map(op('setDataType', H.setDataType)),
  fc.tuple(proxy).map(op('setProxy', (p) => H.setProxy(anyCast<ProxyInput>(p)))),
  fc.tuple(tlsOptions).map(op('setTls', (o) => H.setTls(anyCast<H.TlsInput>(o)))),
  fc.tuple(params).map(op('setUrlParams', (p) => H.setUrlParams(anyCast<ParamsInput>(p)))),
  fc.tuple(paramName, value, fc.boolean()).map(op('addUrlParameter', H.addUrlParameter)),
  fc.tuple(fc.dictionary(headerName, headerValue, { maxKeys: 3 }), fc.boolean()).map(op('setHeaders', H.setHeaders)),
  fc.tuple(headerName, headerValue, fc.boolean()).map(op('addHeader', H.addHeader)),
  fc.tuple(binaryData, fc.boolean()).map(op('setBinaryBody', H.setBinaryBody)),
  fc.tuple(text, fc.boolean()).map(op('setStringBody', H.setStringBody)),
  fc
    .tuple(
      fc.oneof(
        value,
        text,
        jsonData.map((j) => JSON.stringify(j)),
      ),
    )
    .map(op('setJsonBody', (d: unknown) => H.setJsonBody(d))),
  fc.tuple(fc.oneof(params, text)).map(op('setFormBody', (d) => H.setFormBody(anyCast<ParamsInput | string>(d)))),
  fc.tuple(fc.constantFrom<'object' | 'array'>('object', 'array')).map(op('initializeJsonBody', H.initializeJsonBody)),
  fc.constant(op('initializeFormBody', H.initializeFormBody)([])),
  fc
    .tuple(bodyKey, value, fieldType)
    .map(op('insertBodyField', (k, v, t) => H.insertBodyField(k, v, anyCast<FieldType | undefined>(t)))),
  fc
    .tuple(bodyKey, value, fieldType)
    .map(op('addValue', (k, v, t) => H.addValue(k, v, anyCast<FieldType | undefined>(t)))),
  fc.tuple(text, text).map(op('addBasicAuthorization', H.addBasicAuthorization)),
  fc.tuple(text).map(op('addBearerAuthorization', H.addBearerAuthorization)),
  fc
    .tuple(fc.constantFrom('utf-8', 'UTF-8', 'windows-1251', 'latin1', 'shift_jis', 'klingon'))
    .map(op('useEncoding', H.useEncoding)),
  fc.tuple(fc.boolean()).map(op('useGzipCompression', H.useGzipCompression)),
  fc.tuple(fc.boolean()).map(op('useBodyFieldsAtOAuth', H.useBodyFieldsAtOAuth)),
  fc.tuple(fc.boolean()).map(op('useUrlEncoding', H.useUrlEncoding)),
  fc.tuple(fc.integer({ min: -1, max: 20 })).map(op('maxAttempts', H.maxAttempts)),
  fc.tuple(fc.integer({ min: -1, max: 20 })).map(op('maxRedirects', H.maxRedirects)),
  fc.tuple(fc.integer({ min: -10, max: 100_000 })).map(op('setTimeout', H.setTimeout)),
  fc.tuple(fc.boolean(), fc.boolean()).map(op('splitArraysInUrl', H.splitArraysInUrl)),
  fc
    .tuple(
      fc.constantFrom<MultipartKind>('form-data', 'related', 'mixed'),
      fc.option(fc.constantFrom('application/json', 'bad type'), { nil: undefined }),
    )
    .map(op('startMultipartBody', H.startMultipartBody)),
  fc
    .tuple(text, fc.oneof(text, fc.integer(), fc.boolean()))
    .map(op('addMultipartFormDataField', H.addMultipartFormDataField)),
  fc
    .tuple(
      text,
      text,
      binaryData,
      fc.option(fc.constantFrom('image/png', 'text/plain; charset=utf-8', 'nope'), { nil: undefined }),
      fc.boolean(),
    )
    .map(
      op('addMultipartFormDataFile', (n, f, d, m, i) => H.addMultipartFormDataFile(n, f, anyCast<BodyData>(d), m, i)),
    ),
  fc
    .tuple(
      binaryData,
      fc.constantFrom('application/json', 'text/plain', 'x'),
      fc.option(fc.constantFrom('meta', '<a@b>', 'a b'), { nil: undefined }),
    )
    .map(op('addDataAsRelated', (d, m, c) => H.addDataAsRelated(anyCast<BodyData>(d), m, c))),
)

const startArb = fc.constantFrom<() => H.Request>(
  H.newRequest,
  base,
  () => H.initializeJsonBody()(base()),
  () => H.initializeJsonBody('array')(base()),
  () => H.initializeFormBody()(base()),
  () => H.startMultipartBody()(base()),
  () => H.startMultipartBody('related')(base()),
)
const ops = fc.array(opArb, { maxLength: 15 })

const run = (start: H.Request, steps: ReadonlyArray<Op>): H.Request => steps.reduce((r, o) => o.step(r), start)

// ---------------------------------------------------------------------------------------------
// (1) purity

describe('law: no step mutates its input', () => {
  test('deep-frozen inputs, random step sequences: no throw, same JSON before and after', () => {
    fc.assert(
      fc.property(startArb, ops, (start, steps) => {
        let cur = deepFreeze(start())
        for (const o of steps) {
          const snapshot = JSON.stringify(cur)
          const logLength = cur.log.length
          const next = o.step(cur) // a write into a frozen object throws in strict mode
          assert.equal(JSON.stringify(cur), snapshot, `${o.name} changed its input`)
          assert.equal(cur.log.length, logLength)
          if (cur.error !== null) assert.equal(next, cur, `${o.name} is not a no-op after an error`)
          else assert.ok(next.log.length > logLength, `${o.name} did not log`)
          cur = deepFreeze(next)
        }
      }),
      { numRuns: RUNS },
    )
  })

  test('an error is recorded with the step name and a message naming it', () => {
    fc.assert(
      fc.property(startArb, ops, (start, steps) => {
        const r = run(start(), steps)
        if (r.error !== null) {
          assert.ok(r.error.message.startsWith(`${r.error.step}: `), r.error.message)
          assert.ok(r.log.some((e) => e.step === r.error?.step && /error/.test(e.message)))
        }
      }),
      { numRuns: RUNS },
    )
  })
})

// ---------------------------------------------------------------------------------------------
// (2) URL rendering round-trips through the WHATWG parser

const ON = { encode: true, splitArrays: false, squareBrackets: false } as const
const BASE_URL = 'http://127.0.0.1/p'

const tricky = fc.string({
  unit: fc.constantFrom(
    '&',
    '=',
    '#',
    '%',
    '+',
    ' ',
    '?',
    '/',
    '[',
    ']',
    ',',
    ';',
    '%2B',
    '%20',
    'a',
    'é',
    '😀',
    '\u0000',
    '\n',
    '"',
    "'",
  ),
  maxLength: 8,
})
const uniString = fc.oneof(
  tricky,
  fc.string({ unit: 'binary', maxLength: 8 }),
  fc.string({ unit: 'grapheme', maxLength: 6 }),
  fc.string({ maxLength: 8 }),
)
const scalar = fc.oneof(
  uniString,
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
)
const asText = (v: string | number | boolean | null): string => (v === null ? '' : String(v))

describe('law: rendered URLs parse back to the same keys and values', () => {
  test('scalars (strings incl. reserved characters, numbers, booleans, null)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(uniString, scalar), { maxLength: 6 }), (pairs) => {
        const u = renderUrl(BASE_URL, pairs, ON)
        const parsed = new URL(u)
        assert.equal(parsed.origin + parsed.pathname, BASE_URL)
        assert.equal(parsed.hash, '')
        assert.deepStrictEqual(
          [...parsed.searchParams],
          pairs.map(([k, v]) => [k, asText(v)]),
        )
        assert.ok(!u.slice(BASE_URL.length).includes('+'), 'space is never +')
        assert.match(u.slice(BASE_URL.length), /^(\?[A-Za-z0-9\-._~%=&]*)?$/)
      }),
      { numRuns: RUNS * 2 },
    )
  })

  test('params appended to a URL that already has a query (and a fragment) keep the old ones first', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(uniString, scalar), { minLength: 1, maxLength: 4 }), (pairs) => {
        const parsed = new URL(renderUrl(`${BASE_URL}?x=1#frag`, pairs, ON))
        assert.equal(parsed.hash, '')
        assert.deepStrictEqual([...parsed.searchParams], [['x', '1'], ...pairs.map(([k, v]) => [k, asText(v)])])
      }),
      { numRuns: RUNS },
    )
  })

  test('split arrays give repeated keys in order (plain and with square brackets)', () => {
    const arrayOrScalar = fc.oneof(fc.array(scalar, { maxLength: 4 }), scalar)
    fc.assert(
      fc.property(fc.array(fc.tuple(uniString, arrayOrScalar), { maxLength: 4 }), fc.boolean(), (pairs, brackets) => {
        const u = renderUrl(BASE_URL, pairs, { encode: true, splitArrays: true, squareBrackets: brackets })
        const expected = pairs.flatMap(([k, v]) =>
          Array.isArray(v) ? v.map((item) => [brackets ? `${k}[]` : k, asText(item)]) : [[k, asText(v)]],
        )
        assert.deepStrictEqual([...new URL(u).searchParams], expected)
      }),
      { numRuns: RUNS },
    )
  })

  test('through the steps: addUrlParameter values come back from the URL', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(
          fc.tuple(
            uniString.filter((k) => k !== ''),
            scalar,
          ),
          { maxLength: 5, selector: (p) => p[0] },
        ),
        (pairs) => {
          const r = pairs.reduce((acc, [k, v]) => H.addUrlParameter(k, v)(acc), base())
          assert.equal(r.error, null)
          const u = renderUrl(r.url ?? '', r.params, {
            encode: r.settings.urlEncoding,
            splitArrays: r.settings.splitArrayParams,
            squareBrackets: r.settings.arraysSquareBrackets,
          })
          assert.deepStrictEqual(
            [...new URL(u).searchParams],
            pairs.map(([k, v]) => [k, asText(v)]),
          )
        },
      ),
      { numRuns: RUNS },
    )
  })
})

// ---------------------------------------------------------------------------------------------
// (3) templates

describe('law: RequestCodec round-trips every request the steps build', () => {
  test('decode(JSON.parse(JSON.stringify(encode(req)))) is Right and deep-equals req', () => {
    fc.assert(
      fc.property(startArb, ops, (start, steps) => {
        const req = run(start(), steps)
        const saved = JSON.stringify(H.RequestCodec.encode(req))
        const loaded = H.RequestCodec.decode(JSON.parse(saved))
        assert.ok(E.isRight(loaded), `does not decode: ${saved}`)
        assert.deepStrictEqual(loaded.right, req)
        assert.ok(H.RequestCodec.is(req))
      }),
      { numRuns: RUNS },
    )
  })

  test('a loaded template behaves like the original under further steps', () => {
    fc.assert(
      fc.property(startArb, ops, ops, (start, first, second) => {
        const req = run(start(), first)
        const loaded = H.RequestCodec.decode(JSON.parse(JSON.stringify(H.RequestCodec.encode(req))))
        assert.ok(E.isRight(loaded))
        assert.deepStrictEqual(run(loaded.right, second), run(req, second))
      }),
      { numRuns: 100 },
    )
  })
})

// ---------------------------------------------------------------------------------------------
// (4) last write wins

/** Randomly changes the case of the letters of a name. */
const recase = (name: string): fc.Arbitrary<string> =>
  fc
    .array(fc.boolean(), { minLength: name.length, maxLength: name.length })
    .map((flips) => [...name].map((c, i) => (flips[i] === true ? c.toUpperCase() : c.toLowerCase())).join(''))

const safeHeaderValue = fc.string({ maxLength: 10 }).filter((s) => !/[\r\n\0]/.test(s))

describe('law: last write wins', () => {
  test('addHeader twice with the same name (any case) keeps only the last', () => {
    const arb = fc
      .tuple(startArb, ops, fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,8}$/))
      .chain(([start, steps, name]) =>
        fc.tuple(
          fc.constant(start),
          fc.constant(steps),
          fc.constant(name),
          recase(name),
          safeHeaderValue,
          safeHeaderValue,
        ),
      )
    fc.assert(
      fc.property(arb, ([start, steps, name, name2, v1, v2]) => {
        const before = run(start(), steps)
        const r = H.addHeader(name2, v2)(H.addHeader(name, v1)(before))
        if (before.error !== null) return assert.equal(r, before)
        assert.deepStrictEqual(
          r.headers.filter(([n]) => n.toLowerCase() === name.toLowerCase()),
          [[name2, v2.trim()]],
        )
      }),
      { numRuns: RUNS },
    )
  })

  test('addUrlParameter twice with the same name keeps only the last', () => {
    fc.assert(
      fc.property(
        startArb,
        ops,
        paramName.filter((n) => n !== ''),
        jsonData,
        jsonData,
        (start, steps, name, v1, v2) => {
          const before = run(start(), steps)
          const r = H.addUrlParameter(name, v2)(H.addUrlParameter(name, v1)(before))
          if (before.error !== null) return assert.equal(r, before)
          assert.deepStrictEqual(
            r.params.filter(([k]) => k === name),
            [[name, v2]],
          )
        },
      ),
      { numRuns: RUNS },
    )
  })

  test('insertBodyField twice with the same key keeps only the last', () => {
    fc.assert(
      fc.property(fc.constantFrom('a', 'x.y', 'deep.er.key'), jsonData, jsonData, (key, v1, v2) => {
        const r = H.insertBodyField(key, v2)(H.insertBodyField(key, v1)(H.initializeJsonBody()(base())))
        assert.equal(r.error, null)
        const path = key.split('.')
        let cur: unknown = r.body._tag === 'Json' ? r.body.value : undefined
        for (const p of path) cur = (cur as Record<string, unknown>)[p]
        assert.deepStrictEqual(cur, v2)
      }),
      { numRuns: RUNS },
    )
  })
})

describe('law: a template decoded from RequestCodec prepares exactly as the original', () => {
  test('same PreparedRequest (or the same error), log aside', async () => {
    const env = { now: () => 0, random: () => 0.5, secrets: () => 'from-env' }
    const strip = (r: E.Either<H.ClientError, H.PreparedRequest>): unknown =>
      E.isLeft(r) ? { left: r.left._tag, message: r.left.message } : { ...r.right, log: [] }
    await fc.assert(
      fc.asyncProperty(startArb, ops, async (start, steps) => {
        const req = run(start(), steps)
        const loaded = H.RequestCodec.decode(JSON.parse(JSON.stringify(H.RequestCodec.encode(req))))
        assert.ok(E.isRight(loaded))
        const [a, b] = [await H.prepareRequest('POST', env)(req)(), await H.prepareRequest('POST', env)(loaded.right)()]
        assert.deepStrictEqual(strip(b), strip(a))
      }),
      { numRuns: 100 },
    )
  })

  test('a template with a generated invalid field is InvalidInput naming that field', () => {
    const invalid = fc.constantFrom<readonly [string, (r: Record<string, unknown>) => Record<string, unknown>, RegExp]>(
      [
        'header value',
        (r) => ({
          ...r,
          headers: [
            ['X-A', 'ok'],
            ['X-B', 'bad\r\nvalue'],
          ],
        }),
        /headers\[1\]\[1\]/,
      ],
      ['header name', (r) => ({ ...r, headers: [['X A', 'v']] }), /headers\[0\]\[0\]/],
      ['url scheme', (r) => ({ ...r, url: 'gopher://h/' }), /\burl\b/],
      ['timeout', (r) => ({ ...r, settings: { ...(r['settings'] as object), timeout: -5 } }), /settings\.timeout/],
      [
        'idle timeout',
        (r) => ({ ...r, settings: { ...(r['settings'] as object), idleTimeout: 1.5 } }),
        /settings\.idleTimeout/,
      ],
      [
        'retries',
        (r) => ({ ...r, settings: { ...(r['settings'] as object), maxAttempts: 1001 } }),
        /settings\.maxAttempts/,
      ],
      [
        'encoding',
        (r) => ({ ...r, settings: { ...(r['settings'] as object), encoding: 'utf-9' } }),
        /settings\.encoding/,
      ],
      [
        'retry method',
        (r) => ({
          ...r,
          settings: { ...(r['settings'] as object), retryPolicy: { ...H.defaultRetryPolicy, methods: ['GE T'] } },
        }),
        /settings\.retryPolicy\.methods\[0\]/,
      ],
    )
    fc.assert(
      fc.property(startArb, ops, invalid, (start, steps, [, patch, field]) => {
        const json = H.toTemplate(run(start(), steps)) as {
          httpipeTemplate: number
          request: Record<string, unknown> | null
        }
        fc.pre(json.request !== null)
        const r = H.fromTemplate({ ...json, request: patch(json.request as Record<string, unknown>) })
        assert.ok(E.isLeft(r))
        assert.equal(r.left._tag, 'InvalidInput')
        assert.match(r.left.message, field)
      }),
      { numRuns: 100 },
    )
  })
})
