/**
 * Body bytes (src/encoding/body.ts): the byte order mark an encoding has, written once, and
 * JSON text kept as written.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { bodyBytes, bomOf, defaultContentType, encodeText } from '../../src/encoding/body.js'
import { rawParamProblem } from '../../src/encoding/url.js'
import { defaultSettings } from '../../src/model/settings.js'

const hex = (b: Uint8Array | null): string => Buffer.from(b ?? []).toString('hex')

describe('bomOf and encodeText', () => {
  test('the BOM of an encoding is U+FEFF in it; a single-byte encoding has none', () => {
    assert.equal(hex(bomOf('utf-8')), 'efbbbf')
    assert.equal(hex(bomOf('UTF-16LE')), 'fffe')
    assert.equal(hex(bomOf('utf-16be')), 'feff')
    assert.equal(hex(bomOf('gb18030')), '84319533')
    for (const enc of ['windows-1251', 'iso-8859-1', 'koi8-r', 'shift_jis']) assert.equal(bomOf(enc), null, enc)
  })

  test('a BOM is written once, and only when asked and the encoding has one', () => {
    assert.equal(hex(encodeText('A', 'utf-8', true)), 'efbbbf41')
    assert.equal(hex(encodeText('A', 'utf-16', true)), 'fffe4100')
    assert.equal(hex(encodeText('Я', 'windows-1251', true)), 'df')
    assert.equal(hex(encodeText('A', 'utf-8', false)), '41')
  })
})

describe('JSON text body', () => {
  test('its bytes are the text as written, with the JSON Content-Type', () => {
    const text = '{"id":12345678901234567890,"id":1e400}'
    assert.equal(Buffer.from(bodyBytes({ _tag: 'JsonText', text }, defaultSettings) ?? []).toString(), text)
    assert.equal(defaultContentType({ _tag: 'JsonText', text }, 'utf-8'), 'application/json; charset=utf-8')
  })
})

describe('rawParamProblem', () => {
  test('names the first param whose name or value holds CR, LF or tab', () => {
    assert.equal(
      rawParamProblem([
        ['a', 'x y'],
        ['b', ['1', 2, null]],
      ]),
      null,
    )
    assert.match(
      rawParamProblem([
        ['ok', 1],
        ['q', 'a\nb'],
      ]) ?? '',
      /query param "q" holds CR, LF or tab/,
    )
    assert.match(rawParamProblem([['k\r', 1]]) ?? '', /"k\\r"/)
    assert.match(rawParamProblem([['arr', ['x', 'y\tz']]]) ?? '', /"arr"/)
  })
})
