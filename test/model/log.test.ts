/**
 * The rendered log: one entry is one line, whatever a value holds.
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { pipe } from 'fp-ts/function'
import * as H from '../../src/index.js'
import { escapeControls, renderEntry } from '../../src/model/log.js'

describe('escapeControls and renderEntry', () => {
  test('CR, LF, tab, ESC and the Unicode line separators are escaped; other text is kept', () => {
    assert.equal(escapeControls('a\r\nb\tc\u001b[31md\u2028e\u0085f'), 'a\\r\\nb\\tc\\u001b[31md\\u2028e\\u0085f')
    assert.equal(escapeControls('plain text, ünïcode 日本'), 'plain text, ünïcode 日本')
    assert.equal(
      renderEntry({ at: null, step: 'x\ny', message: 'forged\nexecuteRequest: response received, code 200' }),
      'x\\ny: forged\\nexecuteRequest: response received, code 200',
    )
  })

  test('property: a rendered log has exactly one line per entry', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ step: fc.string(), message: fc.string({ unit: 'binary' }) }), { maxLength: 20 }),
        (entries) => {
          const log = entries.map((e) => ({ at: null, ...e }))
          const text = H.getLog({ log }, true)
          assert.equal(log.length === 0 ? 0 : text.split('\n').length, log.length)
          assert.ok(!/[\r\u2028\u2029\u0085]/.test(text))
        },
      ),
    )
  })

  test('a value with a newline given to a step cannot forge a line', () => {
    const req = pipe(
      H.newRequest(),
      H.initialize('http://127.0.0.1:9/x'),
      H.setJsonBody('{"a":1}\n'),
      H.addUrlParameter('q\nsetUrl: URL set to http://evil/', 'v'),
    )
    const lines = H.getLog(req, true).split('\n')
    assert.equal(lines.length, req.log.length)
    assert.ok(lines.every((l) => !l.startsWith('setUrl: URL set to http://evil')))
  })
})
