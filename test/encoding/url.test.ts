import assert from 'node:assert/strict'
import { describe, test } from 'node:test'

import { renderUrl } from '../../src/encoding/url.js'
import type { Pairs } from '../../src/model/request.js'

const ON = { encode: true, splitArrays: false, squareBrackets: false } as const
const OFF = { encode: false, splitArrays: false, squareBrackets: false } as const
const SPLIT = { encode: true, splitArrays: true, squareBrackets: false } as const
const BRACKETS = { encode: true, splitArrays: true, squareBrackets: true } as const

const U = 'http://127.0.0.1/p'
/** the query part rendered for these pairs */
const q = (pairs: Pairs, o: Parameters<typeof renderUrl>[2] = ON): string => {
  const out = renderUrl(U, pairs, o)
  assert.ok(out.startsWith(`${U}?`), out)
  return out.slice(U.length + 1)
}

const UNRESERVED = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~'

describe('percent-encoding of params (encoding on)', () => {
  test('keeps exactly A-Z a-z 0-9 - . _ ~', () => {
    assert.equal(q([[UNRESERVED, UNRESERVED]]), `${UNRESERVED}=${UNRESERVED}`)
  })

  test('every other ASCII character is %XX with uppercase hex, in keys and values', () => {
    for (let c = 0; c < 128; c++) {
      const ch = String.fromCharCode(c)
      if (UNRESERVED.includes(ch)) continue
      const hex = `%${c.toString(16).toUpperCase().padStart(2, '0')}`
      assert.equal(q([[`k${ch}`, `v${ch}`]]), `k${hex}=v${hex}`, `char code ${c}`)
    }
  })

  test('space is %20, never +; plus is %2B', () => {
    assert.equal(q([['a b', 'c d+e']]), 'a%20b=c%20d%2Be')
  })

  test('non-ASCII is UTF-8 with uppercase hex', () => {
    assert.equal(q([['é', 'ü€😀']]), '%C3%A9=%C3%BC%E2%82%AC%F0%9F%98%80')
    assert.equal(q([['q', 'Привет']]), 'q=%D0%9F%D1%80%D0%B8%D0%B2%D0%B5%D1%82')
  })

  test("the example from the docs: it's a test!", () => {
    assert.equal(q([['q', "it's a test!"]]), 'q=it%27s%20a%20test%21')
  })

  test('reserved characters in values are encoded: & = # ? / % [ ]', () => {
    assert.equal(q([['q', 'a&b=c#d?e/f%g[h]']]), 'q=a%26b%3Dc%23d%3Fe%2Ff%25g%5Bh%5D')
  })

  test('lone surrogates do not throw (rendered as U+FFFD)', () => {
    const out = renderUrl('http://127.0.0.1/\uD800x', [['k\uDC00', '\uD800']], ON)
    assert.equal(out, 'http://127.0.0.1/%EF%BF%BDx?k%EF%BF%BD=%EF%BF%BD')
  })
})

describe('scalar values', () => {
  test('numbers and booleans', () => {
    assert.equal(
      q([
        ['a', 1],
        ['b', -2.5],
        ['c', true],
        ['d', false],
        ['e', 0],
      ]),
      'a=1&b=-2.5&c=true&d=false&e=0',
    )
  })

  test('large numbers keep their JS text, encoded', () => {
    assert.equal(q([['n', 1e21]]), 'n=1e%2B21')
  })

  test('null renders k=', () => {
    assert.equal(
      q([
        ['a', null],
        ['b', 'x'],
      ]),
      'a=&b=x',
    )
  })

  test('empty string renders k=', () => {
    assert.equal(q([['a', '']]), 'a=')
  })

  test('nested objects render as compact JSON, percent-encoded', () => {
    assert.equal(q([['o', { b: [1, 'x y'] }]]), 'o=%7B%22b%22%3A%5B1%2C%22x%20y%22%5D%7D')
    assert.equal(q([['o', {}]]), 'o=%7B%7D')
  })
})

describe('arrays', () => {
  test('default: k=[a,b] with encoded elements and literal brackets and commas', () => {
    assert.equal(q([['k', ['a', 'b c', 'd,e', 1, true, null]]]), 'k=[a,b%20c,d%2Ce,1,true,]')
  })

  test('empty array renders k=[]', () => {
    assert.equal(q([['k', []]]), 'k=[]')
  })

  test('nested values inside arrays are compact JSON', () => {
    assert.equal(q([['k', [{ a: 1 }, [2, 3]]]]), 'k=[%7B%22a%22%3A1%7D,%5B2%2C3%5D]')
  })

  test('square brackets alone (no split) do not change the default form', () => {
    assert.equal(q([['k', ['a', 'b']]], { encode: true, splitArrays: false, squareBrackets: true }), 'k=[a,b]')
  })

  test('split: k=a&k=b in order', () => {
    assert.equal(
      q(
        [
          ['k', ['a', 'b c', 3]],
          ['z', 'last'],
        ],
        SPLIT,
      ),
      'k=a&k=b%20c&k=3&z=last',
    )
  })

  test('split with square brackets: k[]=a&k[]=b', () => {
    assert.equal(q([['k', ['a', 'b']]], BRACKETS), 'k[]=a&k[]=b')
  })

  test('split with an encoded key', () => {
    assert.equal(q([['a b', [1, 2]]], BRACKETS), 'a%20b[]=1&a%20b[]=2')
  })

  test('split empty array renders nothing', () => {
    assert.equal(renderUrl(U, [['k', []]], SPLIT), U)
    assert.equal(
      renderUrl(
        U,
        [
          ['k', []],
          ['a', 1],
        ],
        SPLIT,
      ),
      `${U}?a=1`,
    )
  })
})

describe('the URL itself (encodeIllegal)', () => {
  test('reserved characters and existing %XX escapes survive', () => {
    const u = 'http://user@127.0.0.1:8080/a%2Fb/c;d=e,f(g)*+!$&:@/?x=1&y=%41%e9&z=[1]'
    assert.equal(renderUrl(u, [], ON), u)
  })

  test('spaces, quotes, <>{}|\\^` and controls are encoded', () => {
    assert.equal(
      renderUrl('http://127.0.0.1/a b"c\'d<e>f{g}h|i\\j^k`l\tm', [], ON),
      'http://127.0.0.1/a%20b%22c%27d%3Ce%3Ef%7Bg%7Dh%7Ci%5Cj%5Ek%60l%09m',
    )
  })

  test('non-ASCII is encoded as UTF-8', () => {
    assert.equal(renderUrl('http://127.0.0.1/é?q=ü', [], ON), 'http://127.0.0.1/%C3%A9?q=%C3%BC')
  })

  test('encodeIllegal result parses with the WHATWG parser', () => {
    const out = renderUrl('http://127.0.0.1/a b/é', [['q', 'x y']], ON)
    const u = new URL(out)
    assert.equal(u.pathname, '/a%20b/%C3%A9')
    assert.equal(u.searchParams.get('q'), 'x y')
  })
})

describe('fragment', () => {
  test('is removed, with or without params', () => {
    assert.equal(renderUrl('http://127.0.0.1/p#frag', [], ON), 'http://127.0.0.1/p')
    assert.equal(renderUrl('http://127.0.0.1/p#frag', [['a', 1]], ON), 'http://127.0.0.1/p?a=1')
    assert.equal(renderUrl('http://127.0.0.1/p?x=1#frag', [['a', 1]], ON), 'http://127.0.0.1/p?x=1&a=1')
  })

  test('a ? inside the fragment does not count as a query', () => {
    assert.equal(renderUrl('http://127.0.0.1/p#a?b', [['a', 1]], ON), 'http://127.0.0.1/p?a=1')
  })

  test('is removed with encoding off too', () => {
    assert.equal(renderUrl('http://127.0.0.1/p#frag', [['a', 1]], OFF), 'http://127.0.0.1/p?a=1')
  })
})

describe('joining params to the URL', () => {
  test('? when there is no query, & when there is one', () => {
    assert.equal(
      renderUrl(
        'http://127.0.0.1/p',
        [
          ['a', 1],
          ['b', 2],
        ],
        ON,
      ),
      'http://127.0.0.1/p?a=1&b=2',
    )
    assert.equal(renderUrl('http://127.0.0.1/p?x=1', [['a', 1]], ON), 'http://127.0.0.1/p?x=1&a=1')
  })

  test('no doubled separator after a trailing ? or &', () => {
    assert.equal(renderUrl('http://127.0.0.1/p?', [['a', 1]], ON), 'http://127.0.0.1/p?a=1')
    assert.equal(renderUrl('http://127.0.0.1/p?x=1&', [['a', 1]], ON), 'http://127.0.0.1/p?x=1&a=1')
  })

  test('no params: the URL is unchanged (no trailing ?)', () => {
    assert.equal(renderUrl('http://127.0.0.1/p', [], ON), 'http://127.0.0.1/p')
    assert.equal(renderUrl('http://127.0.0.1/p?x=1', [], ON), 'http://127.0.0.1/p?x=1')
  })

  test('insertion order is kept, duplicates included', () => {
    assert.equal(
      q([
        ['z', 1],
        ['a', 2],
        ['z', 3],
      ]),
      'z=1&a=2&z=3',
    )
  })
})

describe('encoding off', () => {
  test('everything is inserted raw', () => {
    assert.equal(
      renderUrl(
        'http://127.0.0.1/a b/é',
        [
          ['k y', 'v&w é'],
          ['arr', ['x y', 'z']],
          ['o', { a: 'b c' }],
          ['n', null],
        ],
        OFF,
      ),
      'http://127.0.0.1/a b/é?k y=v&w é&arr=[x y,z]&o={"a":"b c"}&n=',
    )
  })

  test('split arrays raw', () => {
    assert.equal(
      renderUrl(U, [['k', ['a b', 'c']]], { encode: false, splitArrays: true, squareBrackets: true }),
      `${U}?k[]=a b&k[]=c`,
    )
  })
})
