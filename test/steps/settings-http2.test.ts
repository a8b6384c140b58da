/**
 * useHttp2 as a setting: its value, its validation, its log line, templates (a template saved
 * before the setting existed still loads) and the curl command.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/function'

import * as H from '../../src/index.js'
import { assertInvalid, assertOk, base, lastLine } from '../helpers.js'

describe('useHttp2', () => {
  test('off by default; useHttp2() turns it on and useHttp2(false) off, each logged', () => {
    const before = base()
    assert.equal(before.settings.http2, false)
    assert.equal(H.defaultSettings.http2, false)
    const on = H.useHttp2()(before)
    assertOk(before, on, 'useHttp2')
    assert.equal(on.settings.http2, true)
    assert.equal(lastLine(on), 'useHttp2: HTTP/2 on')
    assert.deepStrictEqual({ ...on, log: before.log }, { ...before, settings: { ...before.settings, http2: true } })
    const off = H.useHttp2(false)(on)
    assert.equal(off.settings.http2, false)
    assert.equal(lastLine(off), 'useHttp2: HTTP/2 off')
    assert.equal(H.returnSettings('http2')(on), true)
  })

  test('a flag that is not a boolean is InvalidInput', () => {
    for (const v of ['true', 1, 0, null, {}]) {
      const before = base()
      assertInvalid(before, pipe(before, H.useHttp2(v as never)), 'useHttp2', /boolean/)
    }
  })

  test('initialize restores the default (off)', () => {
    const r = pipe(base(), H.useHttp2(), H.initialize('https://a.example/'))
    assert.equal(r.settings.http2, false)
  })
})

describe('useHttp2 in templates', () => {
  test('a template keeps the setting, on and off', () => {
    for (const flag of [true, false]) {
      const req = pipe(base(), H.useHttp2(flag))
      const loaded = H.fromTemplate(JSON.parse(JSON.stringify(H.toTemplate(req))))
      assert.ok(E.isRight(loaded))
      assert.equal(loaded.right.settings.http2, flag)
    }
  })

  test('a template saved before the setting existed loads with HTTP/2 off', () => {
    const saved = JSON.parse(JSON.stringify(H.toTemplate(base()))) as {
      request: { settings: Record<string, unknown> }
    }
    delete saved.request.settings['http2']
    const loaded = H.fromTemplate(saved)
    assert.ok(E.isRight(loaded), JSON.stringify(loaded))
    assert.equal(loaded.right.settings.http2, false)
    assert.deepStrictEqual(loaded.right.settings, base().settings)
  })

  test('a template whose http2 is not a boolean is InvalidInput naming the field', () => {
    const saved = JSON.parse(JSON.stringify(H.toTemplate(base()))) as {
      request: { settings: Record<string, unknown> }
    }
    saved.request.settings['http2'] = 'yes'
    const loaded = H.fromTemplate(saved)
    assert.ok(E.isLeft(loaded))
    assert.match(loaded.left.message, /settings\.http2/)
  })
})

describe('useHttp2 in toCurl', () => {
  const curlOf = async (req: H.Request): Promise<string> => {
    const p = await H.prepareRequest('GET')(req)()
    assert.ok(E.isRight(p))
    return H.toCurl(p.right)
  }

  test('--http2 on an https: URL with the setting on, never without it or on http:', async () => {
    assert.match(await curlOf(pipe(H.newRequest(), H.initialize('https://a.example/x'), H.useHttp2())), /--http2/)
    assert.doesNotMatch(await curlOf(pipe(H.newRequest(), H.initialize('https://a.example/x'))), /--http2/)
    // curl would ask for h2c on http:, which httpipe does not
    assert.doesNotMatch(await curlOf(pipe(H.newRequest(), H.initialize('http://a.example/x'), H.useHttp2())), /--http2/)
  })
})
