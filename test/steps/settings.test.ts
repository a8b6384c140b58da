import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { pipe } from 'fp-ts/function'

import * as H from '../../src/index.js'
import { assertInvalid, assertOk, base, lastLine } from '../helpers.js'

/** Applies a step, checks it logged under `step`, and that only `changes` moved in the settings. */
const applyOk = (step: string, f: (r: H.Request) => H.Request, changes: Partial<H.Settings>): H.Request => {
  const before = base()
  const r = f(before)
  assertOk(before, r, step)
  assert.deepStrictEqual(r.settings, { ...before.settings, ...changes })
  assert.deepStrictEqual({ ...r, settings: before.settings, log: before.log }, before, 'only the settings changed')
  return r
}

describe('flag steps', () => {
  const flags = [
    ['useGzipCompression', H.useGzipCompression, 'gzip', /gzip compression (on|off)/],
    ['useBodyFieldsAtOAuth', H.useBodyFieldsAtOAuth, 'bodyFieldsAtOAuth', /body fields at OAuth (on|off)/],
    ['useUrlEncoding', H.useUrlEncoding, 'urlEncoding', /URL encoding (on|off)/],
  ] as const

  for (const [step, f, key, msg] of flags) {
    test(`${step}(true/false) sets ${key} and logs it`, () => {
      for (const flag of [true, false]) {
        const r = applyOk(step, f(flag), { [key]: flag })
        assert.match(lastLine(r), msg)
        assert.ok(lastLine(r).endsWith(flag ? 'on' : 'off'))
      }
    })

    test(`${step} with a non-boolean is InvalidInput`, () => {
      for (const v of ['true', 1, 0, null, undefined]) {
        const before = base()
        assertInvalid(before, pipe(before, f(v as never)), step, /boolean/)
      }
    })
  }
})

describe('useEncoding', () => {
  test('known encodings are stored lower-case', () => {
    applyOk('useEncoding', H.useEncoding('windows-1251'), { encoding: 'windows-1251' })
    applyOk('useEncoding', H.useEncoding('UTF-8'), { encoding: 'utf-8' })
    applyOk('useEncoding', H.useEncoding('ISO-8859-1'), { encoding: 'iso-8859-1' })
    const r = applyOk('useEncoding', H.useEncoding('Shift_JIS'), { encoding: 'shift_jis' })
    assert.match(lastLine(r), /shift_jis/)
  })

  test('an unknown encoding is InvalidInput naming it', () => {
    for (const e of ['klingon', '', 'utf-9', 42, null]) {
      const before = base()
      assertInvalid(before, pipe(before, H.useEncoding(e as never)), 'useEncoding', /unknown encoding/)
    }
  })
})

describe('maxAttempts / maxRedirects', () => {
  test('whole numbers from 0 are stored', () => {
    applyOk('maxAttempts', H.maxAttempts(3), { maxAttempts: 3 })
    applyOk('maxAttempts', H.maxAttempts(0), { maxAttempts: 0 })
    applyOk('maxRedirects', H.maxRedirects(0), { maxRedirects: 0 })
    const r = applyOk('maxRedirects', H.maxRedirects(20), { maxRedirects: 20 })
    assert.match(lastLine(r), /20/)
  })

  test('negative, fractional, non-finite or non-numbers are InvalidInput', () => {
    for (const [step, f] of [
      ['maxAttempts', H.maxAttempts],
      ['maxRedirects', H.maxRedirects],
    ] as const) {
      for (const n of [-1, 1.5, NaN, Infinity, '3', null, 100_000]) {
        const before = base()
        assertInvalid(before, pipe(before, f(n as never)), step, /whole number/)
      }
    }
  })
})

// Was a bug (fixed): the error message is built with String(n), which throws for an object without
// a prototype, so the TypeError escapes from the step factory instead of being recorded.
describe('never throws on a null-prototype argument', () => {
  for (const [step, f] of [
    ['maxAttempts', H.maxAttempts],
    ['maxRedirects', H.maxRedirects],
    ['setTimeout', H.setTimeout],
    ['setConnectTimeout', H.setConnectTimeout],
    ['setIdleTimeout', H.setIdleTimeout],
    ['setDeadline', H.setDeadline],
  ] as const) {
    test(step, () => {
      const before = base()
      let after: H.Request | undefined
      assert.doesNotThrow(() => {
        after = f(Object.create(null) as never)(before)
      })
      if (after !== undefined) assertInvalid(before, after, step)
    })
  }
})

describe('setTimeout', () => {
  test('positive milliseconds are stored (rounded)', () => {
    const r = applyOk('setTimeout', H.setTimeout(5000), { timeout: 5000 })
    assert.match(lastLine(r), /5000 ms/)
    applyOk('setTimeout', H.setTimeout(1234.6), { timeout: 1235 })
  })

  test('huge values are capped to what timers accept', () => {
    const r = pipe(base(), H.setTimeout(1e12))
    assert.equal(r.error, null)
    assert.ok(r.settings.timeout > 0 && r.settings.timeout <= 2_147_483_647, String(r.settings.timeout))
  })

  test('0 or negative is logged and ignored', () => {
    for (const ms of [0, -1, -5000]) {
      const before = pipe(base(), H.setTimeout(777))
      const r = pipe(before, H.setTimeout(ms))
      assert.equal(r.error, null)
      assert.equal(r.settings.timeout, 777)
      assert.equal(r.log.length, before.log.length + 1)
      assert.match(lastLine(r), /^setTimeout: .*ignored/)
    }
  })

  // Was a bug (fixed): a positive value below 0.5 is rounded to 0 and stored, i.e. the
  // "0 is ignored" rule is bypassed and the request gets a zero timeout.
  test('a positive value that rounds to 0 never stores a zero timeout', () => {
    const r = pipe(base(), H.setTimeout(0.4))
    assert.equal(r.error, null)
    assert.ok(r.settings.timeout > 0, `timeout stored as ${r.settings.timeout}`)
  })

  test('NaN or a non-number is InvalidInput', () => {
    for (const ms of [NaN, '100', null, undefined]) {
      const before = base()
      assertInvalid(before, pipe(before, H.setTimeout(ms as never)), 'setTimeout', /timeout/)
    }
  })
})

describe('splitArraysInUrl', () => {
  test('sets both flags', () => {
    const r = applyOk('splitArraysInUrl', H.splitArraysInUrl(true), {
      splitArrayParams: true,
      arraysSquareBrackets: false,
    })
    assert.match(lastLine(r), /split arrays on$/)
    const r2 = applyOk('splitArraysInUrl', H.splitArraysInUrl(true, true), {
      splitArrayParams: true,
      arraysSquareBrackets: true,
    })
    assert.match(lastLine(r2), /square brackets/)
    applyOk('splitArraysInUrl', H.splitArraysInUrl(false), { splitArrayParams: false, arraysSquareBrackets: false })
  })

  test('turning it off again resets the brackets', () => {
    const r = pipe(base(), H.splitArraysInUrl(true, true), H.splitArraysInUrl(false))
    assert.equal(r.settings.splitArrayParams, false)
    assert.equal(r.settings.arraysSquareBrackets, false)
  })

  test('non-booleans are InvalidInput', () => {
    for (const args of [
      ['yes', false],
      [1, false],
      [true, 'x'],
      [null, false],
    ] as const) {
      const before = base()
      assertInvalid(
        before,
        pipe(before, H.splitArraysInUrl(args[0] as never, args[1] as never)),
        'splitArraysInUrl',
        /boolean/,
      )
    }
  })
})

describe('returnSettings', () => {
  const req = (): H.Request =>
    pipe(base(), H.maxAttempts(2), H.useGzipCompression(false), H.useEncoding('windows-1251'), H.setTimeout(9000))

  test('all settings', () => {
    assert.deepStrictEqual(H.returnSettings()(base()), H.defaultSettings)
    assert.deepStrictEqual(H.returnSettings()(req()), {
      ...H.defaultSettings,
      maxAttempts: 2,
      gzip: false,
      encoding: 'windows-1251',
      timeout: 9000,
    })
    assert.deepStrictEqual(H.returnSettings()(H.newRequest()), H.defaultSettings)
  })

  test('one key', () => {
    assert.equal(H.returnSettings('maxAttempts')(req()), 2)
    assert.equal(H.returnSettings('gzip')(req()), false)
    assert.equal(H.returnSettings('maxRedirects')(req()), 5)
    assert.equal(H.returnSettings('timeout')(base()), 3_600_000)
  })

  test('a subset', () => {
    assert.deepStrictEqual(H.returnSettings(['gzip', 'encoding'])(req()), { gzip: false, encoding: 'windows-1251' })
    assert.deepStrictEqual(H.returnSettings([])(req()), {})
  })

  test('unknown keys in a subset are left out', () => {
    assert.deepStrictEqual(H.returnSettings(['gzip', 'nope'] as never)(req()), { gzip: false })
  })

  test('reading changes nothing and logs nothing', () => {
    const r = req()
    const snapshot = JSON.stringify(r)
    H.returnSettings()(r)
    H.returnSettings('gzip')(r)
    H.returnSettings(['timeout'])(r)
    assert.equal(JSON.stringify(r), snapshot)
  })

  // Was a bug (fixed): a filter that is neither a key nor an array (possible from JS or a cast)
  // throws "filter.filter is not a function"; SPEC §8 says nothing throws through the public API.
  test('a bad filter does not throw', () => {
    for (const f of [42, null, {}, true]) assert.doesNotThrow(() => H.returnSettings(f as never)(base()), String(f))
  })

  test('an unknown single key gives undefined', () => {
    assert.equal(H.returnSettings('nope' as never)(base()), undefined)
  })

  test('changing the returned record does not reach the request', () => {
    const r = req()
    const subset = H.returnSettings(['maxAttempts'])(r) as { maxAttempts: number }
    subset.maxAttempts = 99
    assert.equal(r.settings.maxAttempts, 2)
  })
})

describe('setting steps are independent', () => {
  test('a chain of settings keeps every value', () => {
    const r = pipe(
      base(),
      H.useEncoding('windows-1252'),
      H.useGzipCompression(false),
      H.useBodyFieldsAtOAuth(true),
      H.useUrlEncoding(false),
      H.maxAttempts(7),
      H.maxRedirects(1),
      H.splitArraysInUrl(true, true),
      H.setTimeout(100),
      H.setConnectTimeout(200),
      H.setIdleTimeout(300),
      H.setDeadline(400),
      H.setRetryPolicy({ methods: ['post'], statuses: [418], baseMs: 1, capMs: 2, retryAfterCapMs: 3 }),
      H.setMaxResponseSize(1024),
      H.useHttp2(),
    )
    assert.deepStrictEqual(r.settings, {
      encoding: 'windows-1252',
      gzip: false,
      bodyFieldsAtOAuth: true,
      urlEncoding: false,
      maxAttempts: 7,
      maxRedirects: 1,
      splitArrayParams: true,
      arraysSquareBrackets: true,
      timeout: 100,
      connectTimeout: 200,
      idleTimeout: 300,
      deadline: 400,
      retryPolicy: { methods: ['POST'], statuses: [418], baseMs: 1, capMs: 2, retryAfterCapMs: 3 },
      maxResponseSize: 1024,
      http2: true,
    })
  })
})

describe('setConnectTimeout, setIdleTimeout, setDeadline', () => {
  for (const [step, f, key] of [
    ['setConnectTimeout', H.setConnectTimeout, 'connectTimeout'],
    ['setIdleTimeout', H.setIdleTimeout, 'idleTimeout'],
    ['setDeadline', H.setDeadline, 'deadline'],
  ] as const) {
    test(`${step}: whole milliseconds, capped at the longest timer; 0 and negatives ignored; NaN and non-numbers invalid`, () => {
      const r = applyOk(step, f(1234.6), { [key]: 1235 })
      assert.match(lastLine(r), new RegExp(`^${step}: .*1235 ms`))
      assert.equal(pipe(base(), f(1e15)).settings[key], 2_147_483_647)
      const before = pipe(base(), f(50))
      for (const ms of [0, -5, 0.4]) {
        const after = pipe(before, f(ms))
        assert.equal(after.settings[key], 50)
        assert.match(lastLine(after), /ignored/)
      }
      for (const bad of [Number.NaN, '100', null, undefined, {}, 10n, Symbol('x')])
        assertInvalid(before, pipe(before, f(bad as never)), step, /milliseconds/)
    })
  }
})

describe('setRetryPolicy', () => {
  test('fields not given take the defaults; methods are upper-cased and deduplicated', () => {
    const r = pipe(
      base(),
      H.setRetryPolicy({ statuses: [503] }),
      H.setRetryPolicy({ methods: ['post', 'POST', 'get'] }),
    )
    assert.deepStrictEqual(r.settings.retryPolicy, { ...H.defaultRetryPolicy, methods: ['POST', 'GET'] })
    assert.match(lastLine(r), /^setRetryPolicy: retry policy set: methods POST, GET; statuses 408/)
    assert.deepStrictEqual(pipe(base(), H.setRetryPolicy({})).settings.retryPolicy, H.defaultRetryPolicy)
  })

  test('empty lists turn retries off for every method or status', () => {
    const r = pipe(base(), H.setRetryPolicy({ methods: [], statuses: [] }))
    assert.deepStrictEqual(r.settings.retryPolicy.methods, [])
    assert.match(lastLine(r), /methods none; statuses none/)
  })

  test('hostile input is InvalidInput naming the step and the field', () => {
    const before = base()
    const cases: ReadonlyArray<readonly [unknown, RegExp]> = [
      [null, /object/],
      ['GET', /object/],
      [[], /object/],
      [{ methods: 'GET' }, /methods/],
      [{ methods: ['GET\r\nX: 1'] }, /methods/],
      [{ methods: [1] }, /methods/],
      [{ statuses: [99] }, /statuses/],
      [{ statuses: [600] }, /statuses/],
      [{ statuses: [503.5] }, /statuses/],
      [{ statuses: '503' }, /statuses/],
      [{ baseMs: -1 }, /baseMs/],
      [{ capMs: Number.POSITIVE_INFINITY }, /capMs/],
      [{ retryAfterCapMs: 10n }, /retryAfterCapMs/],
      [{ retries: 3 }, /unknown field "retries"/],
      [Object.create(null), /object|unknown/],
    ]
    for (const [input, reason] of cases) {
      let after: H.Request | undefined
      assert.doesNotThrow(() => {
        after = H.setRetryPolicy(input as never)(before)
      })
      if (Object.getPrototypeOf(input ?? {}) === null) {
        // a null-prototype empty object is a valid (empty) policy
        assert.equal(after?.error, null)
        continue
      }
      assertInvalid(before, after as H.Request, 'setRetryPolicy', reason)
    }
  })
})

describe('setMaxResponseSize', () => {
  test('a whole number of bytes, 0 included', () => {
    applyOk('setMaxResponseSize', H.setMaxResponseSize(1_000_000), { maxResponseSize: 1_000_000 })
    applyOk('setMaxResponseSize', H.setMaxResponseSize(0), { maxResponseSize: 0 })
    assert.equal(H.returnSettings('maxResponseSize')(base()), null)
  })

  test('hostile input is InvalidInput naming the step', () => {
    const before = base()
    for (const bad of [
      -1,
      1.5,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      2 ** 60,
      '10',
      null,
      10n,
      {},
      Symbol('s'),
      Object.create(null),
    ])
      assertInvalid(
        before,
        pipe(before, H.setMaxResponseSize(bad as never)),
        'setMaxResponseSize',
        /whole number of bytes/,
      )
  })
})
