/**
 * fillPath, the pure filler of `{name}` path placeholders run when a request is prepared: each
 * value one percent-encoded segment, only in the path, every missing and extra name named.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import * as E from 'fp-ts/Either'
import fc from 'fast-check'
import { fillPath } from '../../src/encoding/path.js'
import { isPathParamName, pathParamValueProblem, PathParamsCodec } from '../../src/model/path-params.js'
import { encoderFor } from '../../src/encoding/body.js'

const right = (e: E.Either<string, string>): string => {
  assert.ok(E.isRight(e), E.isLeft(e) ? e.left : '')
  return e.right
}
const left = (e: E.Either<string, string>): string => {
  assert.ok(E.isLeft(e), E.isRight(e) ? `expected a Left, got ${e.right}` : '')
  return e.left
}

describe('fillPath', () => {
  test('each value is one segment: / ? # % space and non-ASCII percent-encoded as UTF-8, unreserved kept', () => {
    const cases: ReadonlyArray<readonly [string, string]> = [
      ['a/b', 'a%2Fb'],
      ['a?b', 'a%3Fb'],
      ['a#b', 'a%23b'],
      ['100%', '100%25'],
      ['%2e%2e', '%252e%252e'],
      ['a b', 'a%20b'],
      ['é', '%C3%A9'],
      ['日本', '%E6%97%A5%E6%9C%AC'],
      ['😀', '%F0%9F%98%80'],
      ['A-z_0.9~', 'A-z_0.9~'],
      ['...', '...'],
      ['{id}', '%7Bid%7D'],
      ["!$&'()*+,;=:@", '%21%24%26%27%28%29%2A%2B%2C%3B%3D%3A%40'],
      ['\\', '%5C'],
      ['\r\n\t', '%0D%0A%09'],
    ]
    for (const [value, encoded] of cases)
      assert.equal(right(fillPath('http://h/x/{v}/y', [['v', value]])), `http://h/x/${encoded}/y`, value)
  })

  test('numbers and booleans as their text', () => {
    assert.equal(
      right(
        fillPath('http://h/{a}/{b}/{c}/{d}', [
          ['a', 42],
          ['b', -1.5],
          ['c', true],
          ['d', 1e21],
        ]),
      ),
      'http://h/42/-1.5/true/1e%2B21',
    )
  })

  test('the encoder is used for the bytes (the default is UTF-8)', () => {
    assert.equal(right(fillPath('http://h/{v}', [['v', 'Я']], encoderFor('windows-1251'))), 'http://h/%DF')
    assert.equal(right(fillPath('http://h/{v}', [['v', 'Я']])), 'http://h/%D0%AF')
  })

  test('the same placeholder twice gets the same value; placeholders may share a segment', () => {
    assert.equal(right(fillPath('http://h/{a}/x/{a}', [['a', 'q/r']])), 'http://h/q%2Fr/x/q%2Fr')
    assert.equal(
      right(
        fillPath('http://h/report.{fmt}/{a}-{b}', [
          ['fmt', 'csv'],
          ['a', 1],
          ['b', 2],
        ]),
      ),
      'http://h/report.csv/1-2',
    )
  })

  test('only the path: the host, the port, user info, the query and the fragment are left as they are', () => {
    const url = 'http://{u}:{p}@{h}:80/a/{id}?q={id}&{k}=1#{id}'
    assert.equal(right(fillPath(url, [['id', 7]])), 'http://{u}:{p}@{h}:80/a/7?q={id}&{k}=1#{id}')
    assert.equal(right(fillPath('http://{h}', [])), 'http://{h}')
    assert.equal(right(fillPath('http://h?{q}', [])), 'http://h?{q}')
    assert.match(left(fillPath('http://{h}/x', [['h', 'evil']])), /path param h has no placeholder \(\{h\}\)/)
    assert.match(
      left(fillPath('http://h/x?q={q}', [['q', '1']])),
      /path param q has no placeholder .* in the URL path \/x$/,
    )
    assert.equal(right(fillPath('/rel/{id}?a={id}', [['id', 'z']])), '/rel/z?a={id}')
  })

  test('a { that does not form a placeholder is left alone', () => {
    for (const path of ['/a{', '/a}', '/{}', '/{a b}', '/{a/b}', '/{é}', '/{{', '/a{b'])
      assert.equal(right(fillPath(`http://h${path}`, [])), `http://h${path}`, path)
    assert.equal(right(fillPath('http://h/{{id}}', [['id', 1]])), 'http://h/{1}')
  })

  test('every placeholder without a value is named, then every value without a placeholder', () => {
    assert.equal(
      left(fillPath('http://h/{a}/{b}/{a}', [])),
      'the path placeholders {a}, {b} have no value: set them with setPathParam or setPathParams',
    )
    assert.equal(
      left(fillPath('http://h/{a}', [['x', 1]])),
      'the path placeholder {a} has no value: set it with setPathParam or setPathParams',
    )
    assert.equal(
      left(
        fillPath('http://h/{a}', [
          ['a', 1],
          ['x', 1],
          ['y', 2],
        ]),
      ),
      'the path params x, y have no placeholder ({x}, {y}) in the URL path /{a}',
    )
    assert.match(left(fillPath('http://h', [['x', 1]])), /in the URL path \/$/)
  })

  test('a value that cannot be one segment is a Left naming it (a template written by hand)', () => {
    for (const [v, why] of [
      ['.', /path param v is '\.'/],
      ['..', /path param v is '\.\.'/],
      ['', /path param v is empty/],
      [Number.NaN, /finite number, got NaN/],
      [Infinity, /finite number, got Infinity/],
      [null, /got null/],
      [{}, /got object/],
    ] as const)
      assert.match(left(fillPath('http://h/{v}', [['v', v as never]])), why)
  })

  test('no params and no braces: the URL itself (the common request costs nothing)', () => {
    const url = 'http://h/a/b?c=d'
    assert.equal(right(fillPath(url, [])), url)
    assert.equal(right(fillPath(url, undefined as never)), url)
  })

  test('property: any value but empty, . and .. fills exactly one segment that decodes back to it', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 12 }).filter((s) => s !== '' && s !== '.' && s !== '..'),
        (value) => {
          const out = right(fillPath('http://h/pre/{v}/post?q=1', [['v', value]]))
          const path = new URL(out).pathname
          const segments = path.split('/')
          assert.equal(segments.length, 4)
          assert.deepEqual([segments[0], segments[1], segments[3]], ['', 'pre', 'post'])
          assert.equal(decodeURIComponent(segments[2] ?? ''), value)
          assert.match(segments[2] ?? '', /^[A-Za-z0-9\-._~%]+$/)
        },
      ),
      { numRuns: 500 },
    )
  })
})

describe('path param names and values', () => {
  test('a name is ASCII letters, digits, _ - and .', () => {
    for (const n of ['id', 'user_id', 'a-b', 'v1.2', 'X', '__proto__']) assert.ok(isPathParamName(n), n)
    for (const n of ['', 'a b', 'a/b', 'é', '{a}', 'a}', 1, null]) assert.ok(!isPathParamName(n), String(n))
  })
  test('a value is a string (not empty, . or ..), a finite number or a boolean', () => {
    for (const v of ['x', '...', ' ', 0, -0, 3.5, true, false]) assert.equal(pathParamValueProblem(v), null, String(v))
    for (const v of ['', '.', '..', Number.NaN, -Infinity, null, undefined, {}, [], 1n])
      assert.notEqual(pathParamValueProblem(v), null, String(v))
  })
  test('the codec takes valid pairs with each name once', () => {
    assert.ok(
      PathParamsCodec.is([
        ['id', 1],
        ['name', 'x'],
      ]),
    )
    for (const bad of [
      [
        ['id', 1],
        ['id', 2],
      ],
      [['a b', 1]],
      [['id', '..']],
      [['id', null]],
      [['id']],
      {},
    ])
      assert.ok(!PathParamsCodec.is(bad), JSON.stringify(bad))
  })
})
