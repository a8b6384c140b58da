/**
 * The command line's pieces on their own, with hostile input: the flag value readers, the JSON
 * layout, the progress line, the status block and the body output rules.
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { InvalidArgumentError } from 'commander'
import {
  count,
  duration,
  filePart,
  headerLine,
  options,
  pair,
  part,
  relatedPart,
  secret,
  size,
  userPassword,
} from '../../src/cli/values.js'
import { bodyOutput, prettyJson, statusAndHeaders, useColour } from '../../src/cli/output.js'
import { humanBytes, progressBar, progressLine } from '../../src/cli/progress.js'
import { FLAGS } from '../../src/cli/flags.js'
import { attributeOf } from '../../src/cli/program.js'

const rejects = (f: () => unknown, why: RegExp): void =>
  assert.throws(f, (e: unknown) => e instanceof InvalidArgumentError && why.test(e.message))

describe('flag values', () => {
  test('pairs, header lines and credentials', () => {
    assert.deepEqual(pair('a=b=c'), ['a', 'b=c'])
    assert.deepEqual(pair('a='), ['a', ''])
    for (const t of ['', '=x', 'novalue']) rejects(() => pair(t), /name=value/)
    assert.deepEqual(headerLine('X-A:\t v: w'), ['X-A', 'v: w'])
    rejects(() => headerLine(': v'), /Name: value/)
    assert.deepEqual(secret('env:A_1'), { _tag: 'SecretRef', env: 'A_1' })
    // env: and then no variable name is a usage error, never sent as the literal value (issue 14)
    for (const t of ['env:', 'env:1A', 'env:A-B', 'env:API-TOKEN', 'env:A '])
      rejects(() => secret(t), /not a variable name/)
    for (const t of ['xenv:A', 'ENV:A', 's3cret']) assert.equal(secret(t), t)
    assert.deepEqual(userPassword('ann:p:w'), ['ann', 'p:w'])
    assert.deepEqual(userPassword(':'), ['', ''])
    rejects(() => userPassword('ann'), /user:password/)
  })
  test('durations, sizes and counts', () => {
    // a bare number is seconds, as HTTPie's and curl's --timeout
    assert.deepEqual(
      ['250', '0.5', '.25', '250ms', '1.5s', '2m', '1h', '2 minutes', '1d', '3 secs'].map(duration),
      [250_000, 500, 250, 250, 1500, 120_000, 3_600_000, 120_000, 86_400_000, 3000],
    )
    for (const t of [
      '',
      '0',
      '-1',
      '-1s',
      '1e3',
      'abc',
      '1 fortnight',
      '0.0001ms',
      '9'.repeat(400),
      '1'.repeat(99) + 's',
    ])
      rejects(() => duration(t), /duration above 0/)
    assert.deepEqual(
      ['0', '100', '1k', '1.5K', '10M', '1G', '2MiB', '3kb'].map(size),
      [0, 100, 1024, 1536, 10_485_760, 1_073_741_824, 2_097_152, 3072],
    )
    for (const t of ['', '-1', 'k', '1T', '1 0']) rejects(() => size(t), /a size such as/)
    assert.equal(count('1000'), 1000)
    for (const t of ['1001', '-1', '1.5', '', 'x']) rejects(() => count(t), /whole number/)
  })
  test('option lists: unknown and missing keys are named', () => {
    const o = options(['a', 'b', 'flag'], ['a'])
    assert.deepEqual(o('a=1,flag,b=x=y'), { a: '1', flag: 'true', b: 'x=y' })
    rejects(() => o('b=1'), /missing a/)
    rejects(() => o('a=1,c=2'), /unknown key "c"/)
  })
  test('parts: attributes read from the end, so text keeps its semicolons; file names after @', () => {
    assert.deepEqual(part(['type'])('a;b;type=text/plain'), { file: null, text: 'a;b', attrs: { type: 'text/plain' } })
    assert.deepEqual(part(['type'])('x;id=1'), { file: null, text: 'x;id=1', attrs: {} })
    rejects(() => part(['type'])('@'), /file name after @/)
    assert.deepEqual(filePart('f=@dir/a b.txt;type=text/plain'), {
      field: 'f',
      path: 'dir/a b.txt',
      type: 'text/plain',
      filename: 'a b.txt',
    })
    assert.deepEqual(filePart('f=@odd;name.txt;type=text/plain'), {
      field: 'f',
      path: 'odd;name.txt',
      type: 'text/plain',
      filename: 'odd;name.txt',
    })
    rejects(() => filePart('f=text'), /field=@path/)
    rejects(() => relatedPart('@a.bin'), /;type=mime/)
  })
})

describe('the table', () => {
  test('every row has a flag, help and group; attribute names are unique; conflicts name real rows', () => {
    const names = FLAGS.map(attributeOf)
    assert.equal(new Set(names).size, names.length)
    for (const f of FLAGS) {
      assert.ok(f.help.length > 0 && f.group.length > 0, f.flags)
      for (const c of f.conflicts ?? []) assert.ok(names.includes(c), `${f.flags} conflicts with ${c}`)
    }
  })
})

describe('output', () => {
  test('prettyJson lays out any JSON without parsing numbers; odd text comes back as it was', () => {
    assert.equal(
      prettyJson('{"a":{},"b":[],"c":[{"d":null}],"e":"x\\"}{,"}', false),
      '{\n  "a": {},\n  "b": [],\n  "c": [\n    {\n      "d": null\n    }\n  ],\n  "e": "x\\"}{,"\n}',
    )
    assert.equal(prettyJson('123456789012345678901234567890', false), '123456789012345678901234567890')
    assert.equal(
      prettyJson(' [ true , false ] ', true),
      '[\n  \u001b[35mtrue\u001b[39m,\n  \u001b[35mfalse\u001b[39m\n]',
    )
    assert.equal(prettyJson('{"a":1} trailing ~', false), '{"a":1} trailing ~')
    assert.equal(prettyJson('"\u009b"', false), '"\\u009b"')
    const deep = '['.repeat(5000) + ']'.repeat(5000)
    assert.ok(prettyJson(deep, false).length > deep.length)
  })
  test('bodyOutput: bytes as they are when piped or raw; refuses what a terminal must not get', () => {
    const enc = (s: string) => new TextEncoder().encode(s)
    const piped = bodyOutput(enc('{"a":1}'), 'application/json', { terminal: false, raw: false, colour: false })
    assert.deepEqual(piped.data, enc('{"a":1}'))
    assert.equal(
      bodyOutput(enc('{"a":1}'), 'application/problem+json', { terminal: true, raw: false, colour: false }).data,
      '{\n  "a": 1\n}\n',
    )
    assert.equal(
      bodyOutput(enc('{"a":1'), 'application/json', { terminal: true, raw: false, colour: false }).data,
      '{"a":1\n',
    )
    assert.equal(
      bodyOutput(enc('line\r\n'), 'text/plain', { terminal: true, raw: false, colour: false }).data,
      'line\r\n',
    )
    for (const bad of [new Uint8Array([0xff, 0xfe]), enc('\u001b]0;title\u0007'), enc('a\u0000b')]) {
      const r = bodyOutput(bad, 'text/plain', { terminal: true, raw: false, colour: false })
      assert.equal(r.data, '')
      assert.match(r.note ?? '', /not written to the terminal/)
      assert.deepEqual(bodyOutput(bad, 'text/plain', { terminal: true, raw: true, colour: false }).data, bad)
    }
  })
  test('statusAndHeaders escapes control characters a server sent; colour only on a terminal without NO_COLOR', () => {
    const text = statusAndHeaders(
      { status: 200, statusText: 'OK\u001b[2J', rawHeaders: [['X-A', 'v\u001b]0;x']], url: 'http://h/', redirects: 0 },
      false,
    )
    assert.equal(text, 'HTTP 200 OK\\x1b[2J\nX-A: v\\x1b]0;x\n\n')
    assert.equal(useColour({ isTTY: true }, {}), true)
    assert.equal(useColour({ isTTY: true }, { NO_COLOR: '1' }), false)
    assert.equal(useColour({ isTTY: true }, { NO_COLOR: '' }), true)
    assert.equal(useColour({}, {}), false)
  })
})

describe('progress', () => {
  test('lines with and without a total, bytes for people', () => {
    assert.deepEqual([0, 1023, 1024, 1536, 1024 ** 3 * 5].map(humanBytes), [
      '0 B',
      '1023 B',
      '1.0 KiB',
      '1.5 KiB',
      '5.0 GiB',
    ])
    assert.equal(progressLine({ direction: 'upload', loaded: 5, total: null }, 80), 'upload   5 B')
    assert.equal(progressLine({ direction: 'download', loaded: 0, total: 0 }, 80), 'download 0 B')
    assert.match(progressLine({ direction: 'download', loaded: 2000, total: 1000 }, 0), /^download \[#{10}\] 100%/)
  })
  test('the bar draws each direction on its own line, at most every 100 ms, and always the last state', () => {
    const written: string[] = []
    let t = 0
    const bar = progressBar(
      { write: (s: string) => written.push(s), columns: 60 },
      (p) => p.direction !== 'hidden',
      () => t,
    )
    bar.onProgress({ direction: 'upload', loaded: 1, total: 10 })
    bar.onProgress({ direction: 'upload', loaded: 2, total: 10 })
    t = 50
    bar.onProgress({ direction: 'hidden', loaded: 2, total: 10 })
    bar.onProgress({ direction: 'upload', loaded: 10, total: 10 })
    bar.onProgress({ direction: 'download', loaded: 3, total: null })
    bar.done()
    const screen = written.join('')
    assert.equal((screen.match(/\rupload/g) ?? []).length, 2, screen)
    assert.match(screen, /100%[^\n]*\n\rdownload 3 B\u001b\[K\n$/)
  })
})
