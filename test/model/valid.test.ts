/**
 * valid.ts: the one token (tchar) and the one CR/LF/NUL check every step, the codec and the
 * auth schemes use.
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import {
  hasCrLfNul,
  isBareMediaType,
  isLineText,
  isMediaType,
  isStatus,
  isToken,
  leadingToken,
  Valid,
} from '../../src/model/valid.js'

const TCHARS = "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

describe('the token (RFC 9110 §5.6.2)', () => {
  test('is made of the tchar characters, every one of them, and of nothing else of ASCII', () => {
    assert.equal(isToken(TCHARS), true)
    for (let c = 0; c < 128; c++) {
      const ch = String.fromCharCode(c)
      assert.equal(isToken(`a${ch}b`), TCHARS.includes(ch), `0x${c.toString(16)}`)
    }
    assert.equal(isToken(''), false)
    assert.equal(isToken('é'), false)
    assert.equal(isToken(42), false)
  })
  test('leadingToken reads the token at the start of a text, or gives null', () => {
    assert.equal(leadingToken('Digest realm="r"'), 'Digest')
    assert.equal(leadingToken('nonce=abc'), 'nonce')
    assert.equal(leadingToken(TCHARS), TCHARS)
    assert.equal(leadingToken(' x'), null)
    assert.equal(leadingToken(''), null)
  })
  test('media types are two tokens around a slash, with parameters or (bare) without', () => {
    assert.equal(isMediaType('application/vnd.api+json; charset=utf-8'), true)
    assert.equal(isMediaType('a b/c'), false)
    assert.equal(isMediaType('text/plain; x=\r\n'), false)
    assert.equal(isBareMediaType('application/json'), true)
    assert.equal(isBareMediaType('text/plain; charset=utf-8'), false)
  })
})

describe('CR, LF and NUL', () => {
  test('hasCrLfNul finds each of the three anywhere, and nothing else', () => {
    for (const bad of ['\r', '\n', '\0', 'a\r\nEvil: 1', 'x\0'])
      assert.equal(hasCrLfNul(bad), true, JSON.stringify(bad))
    for (const ok of ['', 'plain', 'tab\there', '\x01\x7f', 'é€'])
      assert.equal(hasCrLfNul(ok), false, JSON.stringify(ok))
  })
  test('isLineText is a string without them', () => {
    assert.equal(isLineText('AKIDEXAMPLE'), true)
    assert.equal(isLineText('a\nb'), false)
    assert.equal(isLineText(undefined), false)
  })
})

describe('status codes', () => {
  test('isStatus and the codec refinement take whole numbers from 100 to 599, the same ones', () => {
    for (const n of [100, 200, 503, 599]) assert.equal(isStatus(n) && Valid.Status.is(n), true, String(n))
    for (const n of [99, 600, 200.5, NaN, '200']) assert.equal(isStatus(n) || Valid.Status.is(n), false, String(n))
  })
})
