/**
 * HTTPie's request items as httpipe reads them, unit by unit: the separators and escapes
 * (item.ts), nested JSON keys (nested.ts, with HTTPie's documented examples), the JSON text
 * written as HTTPie writes it (json-value.ts), the positional arguments and the flags HTTPie and
 * httpipe spell alike (argv.ts).
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { httpieArgv, positionals } from '../../src/cli/argv.js'
import { parseItem } from '../../src/cli/item.js'
import { readJson, writeJson, type JsonValue } from '../../src/cli/json-value.js'
import { nestedJson } from '../../src/cli/nested.js'

const item = (s: string) => {
  const i = parseItem(s)
  return i === null ? null : [i.key, i.sep, i.value]
}

/** The JSON text HTTPie sends for string items. */
const body = (...pairs: ReadonlyArray<readonly [string, JsonValue]>): string => writeJson(nestedJson(pairs))

describe('request items', () => {
  test('the first separator wins, the longest of those starting there', () => {
    assert.deepEqual(item('X-A:b'), ['X-A', ':', 'b'])
    assert.deepEqual(item('X-A:'), ['X-A', ':', ''])
    assert.deepEqual(item('X-A;'), ['X-A', ';', ''])
    assert.deepEqual(item('q==1'), ['q', '==', '1'])
    assert.deepEqual(item('q==@f'), ['q', '==@', 'f'])
    assert.deepEqual(item('a=b'), ['a', '=', 'b'])
    assert.deepEqual(item('a=b:c=d'), ['a', '=', 'b:c=d'])
    assert.deepEqual(item('a:=1'), ['a', ':=', '1'])
    assert.deepEqual(item('a:=@f.json'), ['a', ':=@', 'f.json'])
    assert.deepEqual(item('a=@f.txt'), ['a', '=@', 'f.txt'])
    assert.deepEqual(item('a@f.txt'), ['a', '@', 'f.txt'])
    assert.deepEqual(item('@f.txt'), ['', '@', 'f.txt'])
    assert.deepEqual(item('H:@f'), ['H', ':@', 'f'])
    assert.deepEqual(item('http://x/?a=1'), ['http', ':', '//x/?a=1'])
    assert.equal(item('plain'), null)
  })
  test('a backslash makes a separator character literal, and stays before any other', () => {
    assert.deepEqual(item('a\\:b:c'), ['a:b', ':', 'c'])
    assert.deepEqual(item('a\\=b=c'), ['a=b', '=', 'c'])
    assert.deepEqual(item('a\\@b=c'), ['a@b', '=', 'c'])
    assert.deepEqual(item('a=b\\=c'), ['a', '=', 'b=c'])
    assert.deepEqual(item('a\\tb=c\\d'), ['a\\tb', '=', 'c\\d'])
    assert.deepEqual(item('a\\==b'), ['a=', '=', 'b'])
    assert.equal(item('a\\:b'), null)
  })
})

describe('nested JSON keys (HTTPie 3)', () => {
  test("HTTPie's documented example", () => {
    assert.equal(
      body(
        ['platform[name]', 'HTTPie'],
        ['platform[about][mission]', 'Make APIs simple and intuitive'],
        ['platform[about][homepage]', 'httpie.io'],
        ['platform[about][stars]', { _tag: 'Lit', text: '54000' }],
        ['platform[apps][]', 'Terminal'],
        ['platform[apps][]', 'Desktop'],
      ),
      '{"platform": {"name": "HTTPie", "about": {"mission": "Make APIs simple and intuitive", "homepage": "httpie.io", "stars": 54000}, "apps": ["Terminal", "Desktop"]}}',
    )
  })
  test('indexes with holes, appends, a top-level array, escaped brackets, a later value replacing one', () => {
    assert.equal(body(['a[2]', 'x'], ['a[0][b]', 'y']), '{"a": [{"b": "y"}, null, "x"]}')
    assert.equal(body(['[]', '1'], ['[]', { _tag: 'Lit', text: '2' }]), '["1", 2]')
    assert.equal(
      body(['foo\\[bar\\]', { _tag: 'Lit', text: '1' }], ['baz[\\[]', '2'], ['baz[\\]]', '3']),
      '{"foo[bar]": 1, "baz": {"[": "2", "]": "3"}}',
    )
    assert.equal(body(['a', '1'], ['b', '2'], ['a', '3']), '{"a": "3", "b": "2"}')
    assert.equal(body(['x[\\1]', 'y']), '{"x": {"1": "y"}}')
  })
  test("HTTPie's errors: a type clash, a negative index, a bracket left open", () => {
    assert.throws(
      () => body(['a', '1'], ['a[b]', '2']),
      /Cannot perform "key" based access on "a" which has a type of "string"/,
    )
    assert.throws(() => body(['a[]', '1'], ['a[b]', '2']), /requires a type of "object"/)
    assert.throws(() => body(['a[-1]', '1']), /Negative indexes are not supported/)
    assert.throws(() => body(['a[b', '1']), /Expecting '\]'/)
  })
})

describe('JSON text as HTTPie (Python json.dumps) writes it', () => {
  test('separators, escapes outside printable ASCII, numbers as Python reads and writes them', () => {
    assert.equal(
      writeJson(readJson('{"a":[1,2.50,1e3,-0,12345678901234567890,1e-7,1e16,0.0001],"s":"Zoë\\u0007\\n\\"\\\\😀"}')),
      '{"a": [1, 2.5, 1000.0, 0, 12345678901234567890, 1e-07, 1e+16, 0.0001], "s": "Zo\\u00eb\\u0007\\n\\"\\\\\\ud83d\\ude00"}',
    )
    assert.equal(writeJson(readJson('{"k":1,"k":2,"e":{},"l":[]}')), '{"k": 1, "k": 2, "e": {}, "l": []}')
    assert.throws(() => readJson('{nope'), SyntaxError)
  })
})

describe('the positional arguments and the flags both tools spell alike', () => {
  const valued = (f: string): boolean => ['--form', '-o', '--out', '--json', '-j', '--header', '-H'].includes(f)
  test('[METHOD] URL [ITEM …], as HTTPie tells them apart', () => {
    assert.deepEqual(positionals(['example.org', 'a=1']), {
      method: undefined,
      url: 'example.org',
      items: ['a=1'],
      error: null,
    })
    assert.deepEqual(positionals(['PURGE', 'http://h/']), { method: 'PURGE', url: 'http://h/', items: [], error: null })
    assert.deepEqual(positionals(['M-SEARCH', 'http://h/']), {
      method: 'M-SEARCH',
      url: 'http://h/',
      items: [],
      error: null,
    })
    assert.deepEqual(positionals([':3000/x', 'q==1']).url, ':3000/x')
    assert.deepEqual(positionals(['127.0.0.1:8080', 'X:y']).url, '127.0.0.1:8080')
    assert.match(positionals(['GE T', 'http://h/']).error ?? '', /not a method name/)
    assert.deepEqual(positionals(['localhost', 'a=1']), {
      method: undefined,
      url: 'localhost',
      items: ['a=1'],
      error: null,
    })
    assert.deepEqual(positionals(['api', 'q==1']).url, 'api')
    assert.deepEqual(positionals(['get', 'localhost:3000', 'a=1']).method, 'get')
  })
  test('-f: HTTPie --form with data items, curl --fail without', () => {
    assert.deepEqual(httpieArgv(['-f', 'POST', 'h.org', 'a=1'], valued), ['--httpie-form', 'POST', 'h.org', 'a=1'])
    assert.deepEqual(httpieArgv(['h.org', '-f'], valued), ['h.org', '-f'])
    assert.deepEqual(httpieArgv(['h.org', '-f', 'q==1'], valued), ['h.org', '-f', 'q==1'])
  })
  test('--json: followed by JSON text (or what is meant as JSON), the body; else HTTPie --json', () => {
    assert.deepEqual(httpieArgv(['h.org', '--json', '{"a":1}'], valued), ['h.org', '--json', '{"a":1}'])
    assert.deepEqual(httpieArgv(['h.org', '-j', '{nope'], valued), ['h.org', '-j', '{nope'])
    assert.deepEqual(httpieArgv(['--json', 'h.org', 'a=1'], valued), ['--httpie-json', 'h.org', 'a=1'])
    assert.deepEqual(httpieArgv(['-j', 'POST', 'h.org'], valued), ['--httpie-json', 'POST', 'h.org'])
  })
  test('--form name=value without data items keeps its value; with them, or before the method, it is HTTPie --form', () => {
    const old = ['h.org', '--form', 'a=1', '--form', 'b=2']
    assert.deepEqual(httpieArgv(old, valued), old)
    assert.deepEqual(httpieArgv(['--form', 'a=1', 'h.org'], valued), ['--form', 'a=1', 'h.org'])
    assert.deepEqual(httpieArgv(['--form', 'POST', 'h.org', 'a=1'], valued), ['--httpie-form', 'POST', 'h.org', 'a=1'])
    assert.deepEqual(httpieArgv(['h.org', 'a=1', '--form', 'b=2'], valued), ['h.org', 'a=1', '--httpie-form', 'b=2'])
  })
  test('--raw TEXT is the body where TEXT cannot be the method, the URL or an item; a bare --raw is the output flag', () => {
    assert.deepEqual(httpieArgv(['--raw', 'hello', 'h.org'], valued), ['--raw-body', 'hello', 'h.org'])
    assert.deepEqual(httpieArgv(['--raw', '{"a": 1}', 'h.org'], valued), ['--raw-body', '{"a": 1}', 'h.org'])
    assert.deepEqual(httpieArgv(['POST', 'h.org', '--raw', 'x y'], valued), ['POST', 'h.org', '--raw-body', 'x y'])
    assert.deepEqual(httpieArgv(['--raw=a b', 'h.org'], valued), ['--raw-body=a b', 'h.org'])
    for (const same of [
      ['--raw', 'h.org'],
      ['h.org', '--raw'],
      ['--raw', 'GET', 'h.org'],
      ['h.org', '--raw', 'q==1'],
    ])
      assert.deepEqual(httpieArgv(same, valued), same)
  })
})
