/**
 * The command's text from the server or quoting it, made safe for a terminal: visible() writes
 * every control character (C0 but TAB, DEL, C1) as `\xNN`; the --fail line and the messages go
 * through it; bodyOutput refuses a text body with any C1 control on a terminal.
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { bodyOutput, failLine, messageLine, statusAndHeaders, visible } from '../../src/cli/output.js'

const hex = (c: number): string => `\\x${c.toString(16).padStart(2, '0')}`

describe('visible', () => {
  test('every C0 but TAB, DEL and every C1 as \\xNN; the rest as it is', () => {
    for (let c = 0; c <= 0x9f; c++) {
      const ch = String.fromCharCode(c)
      const control = (c < 0x20 && c !== 0x09) || c >= 0x7f
      assert.equal(visible(`a${ch}b`), control ? `a${hex(c)}b` : `a${ch}b`, hex(c))
    }
    assert.equal(visible('é ☃ \u00a0 tab\there'), 'é ☃ \u00a0 tab\there')
    assert.equal(visible(''), '')
  })
  test('hostile reason phrases and messages: escape sequences, OSC 52, CR/LF line forging', () => {
    assert.equal(failLine(404, 'Not Found\u001b]52;c;aGk=\u0007'), 'httpipe: HTTP 404 Not Found\\x1b]52;c;aGk=\\x07\n')
    assert.equal(failLine(500, ''), 'httpipe: HTTP 500\n')
    assert.equal(failLine(418, '\u009b2J'), 'httpipe: HTTP 418 \\x9b2J\n')
    assert.equal(
      messageLine('GET failed\r\nhttpipe: all good\u001b[0m'),
      'httpipe: GET failed\\x0d\\x0ahttpipe: all good\\x1b[0m\n',
    )
    const v = statusAndHeaders(
      {
        status: 200,
        statusText: 'OK\u0007',
        rawHeaders: [['X-\u001b', 'a\tb\u009dc']],
        url: 'http://h/\u009b',
        redirects: 1,
      },
      false,
    )
    assert.equal(v, 'HTTP 200 OK\\x07  (http://h/\\x9b after 1 redirect)\nX-\\x1b: a\tb\\x9dc\n\n')
  })
})

describe('bodyOutput on a terminal', () => {
  test('a text body with any C1 control (not only CSI) is a note, not written; piped it is its bytes', () => {
    const enc = (s: string) => new TextEncoder().encode(s)
    for (const c of [0x80, 0x85, 0x90, 0x9b, 0x9c, 0x9d, 0x9f]) {
      const body = enc(`text ${String.fromCharCode(c)}52;c;aGk= more`)
      const r = bodyOutput(body, 'text/plain', { terminal: true, raw: false, colour: false })
      assert.equal(r.data, '', hex(c))
      assert.match(r.note ?? '', /not written to the terminal/)
      assert.deepEqual(bodyOutput(body, 'text/plain', { terminal: false, raw: false, colour: false }).data, body)
    }
    assert.equal(
      bodyOutput(enc('é\ttab\r\n'), 'text/plain', { terminal: true, raw: false, colour: false }).data,
      'é\ttab\r\n',
    )
  })
})
