/**
 * The OAuth1 percent-encoder (RFC 5849 §3.6) through the engine's encodeURIComponent is the
 * same function as httpipe's byte-wise encodeComponent, for any text: unreserved characters
 * kept, everything else UTF-8 bytes in uppercase %XX, a lone surrogate as U+FFFD's bytes.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import fc from 'fast-check'

import { oauthEncode } from '../../src/auth/oauth1.js'
import { encodeComponent } from '../../src/encoding/url.js'

describe('oauthEncode', () => {
  test('known answers', () => {
    for (const [text, encoded] of [
      ['', ''],
      ['abcXYZ019-._~', 'abcXYZ019-._~'],
      ["!'()*", '%21%27%28%29%2A'],
      ['a b+c&d=e/f?g#h%', 'a%20b%2Bc%26d%3De%2Ff%3Fg%23h%25'],
      ['é€😀', '%C3%A9%E2%82%AC%F0%9F%98%80'],
      ['\ud800x', '%EF%BF%BDx'],
      ['x\udc00', 'x%EF%BF%BD'],
    ] as const)
      assert.equal(oauthEncode(text), encoded, JSON.stringify(text))
  })

  test('property: the same as the byte-wise encoder for any text, lone surrogates included', () => {
    const unit = fc.oneof(
      fc.string({ unit: 'grapheme' }),
      fc.string({ unit: 'binary' }),
      fc.string({ unit: fc.constantFrom('\ud800', '\udfff', 'a', '!', '*', ' ', '%', '~', '\u00e9') }),
    )
    fc.assert(
      fc.property(unit, (s) => oauthEncode(s) === encodeComponent(s)),
      { numRuns: 2000 },
    )
  })
})
