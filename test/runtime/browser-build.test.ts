/**
 * The browser build's parts, checked on Node.js against what they stand for: the bundle names no
 * Node module, the `browser` export condition points at it, each `X.browser.ts` exports only what
 * its `X.ts` does, and the shims of src/model compute what Node's modules compute (hashes, HMACs,
 * query strings, paths, text encodings); the guard refuses exactly files, proxies and TLS. The
 * bundle running in a browser is test/runtime/browser.test.ts. Needs `npm run build`.
 */
import assert from 'node:assert/strict'
import { createHash, createHmac, randomBytes } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { realpath } from 'node:fs/promises'
import { posix } from 'node:path'
import { dirname, join } from 'node:path'
import nodeQuerystring from 'node:querystring'
import { describe, test } from 'node:test'
import { pathToFileURL } from 'node:url'
import iconvLite from 'iconv-lite'
import { pipe } from 'fp-ts/lib/function.js'
import * as H from '../../src/index.js'
import { md5, sha1, sha256, sha512_256 } from '../../src/model/digests.browser.js'
import * as crypto from '../../src/model/node-crypto.browser.js'
import * as qs from '../../src/model/node-querystring.browser.js'
import * as path from '../../src/model/node-path.browser.js'
import { iconv } from '../../src/model/iconv.browser.js'
import { unavailableHere } from '../../src/execute/prepare/platform.browser.js'
import { unavailableHere as onNode } from '../../src/execute/prepare/platform.js'

const ROOT = dirname(await realpath(join(import.meta.dirname, '..', '..', 'package.json')))
const { nodeImports } = (await import(pathToFileURL(join(ROOT, 'scripts', 'build-browser.mjs')).href)) as {
  nodeImports: (text: string) => string[]
}
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')

describe('the browser bundle', () => {
  test('dist/browser/index.js imports and requires no Node module', () => {
    const text = readFileSync(join(ROOT, 'dist', 'browser', 'index.js'), 'utf8')
    assert.ok(text.length > 10_000)
    assert.deepEqual(nodeImports(text), [])
    // what it imports is the three browser-safe dependencies only
    const bare = [...text.matchAll(/\bfrom\s*['"]([^'"./][^'"]*)['"]/g)].map((m) => m[1]?.split('/')[0])
    assert.deepEqual(
      [...new Set(bare)].sort(),
      ['eventsource-parser', 'fp-ts', 'io-ts'].filter((d) => bare.includes(d)),
    )
  })

  test('the check finds a Node module however it is named', () => {
    assert.deepEqual(nodeImports(`import a from "node:fs"\nconst b = require('zlib')\nimport('node:net')`), [
      'node:fs',
      'node:net',
      'zlib',
    ])
    assert.deepEqual(nodeImports(`import x from 'fp-ts/lib/Either.js'\nconst s = 'a node: b'`), [])
  })

  test("package.json: 'browser' comes first for '.', import and require as they were", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      exports: Record<string, Record<string, { types: string; default: string }>>
    }
    const dot = pkg.exports['.'] ?? {}
    assert.deepEqual(Object.keys(dot), ['browser', 'import', 'require'])
    assert.deepEqual(dot['browser'], { types: './dist/esm/index.d.ts', default: './dist/browser/index.js' })
    assert.deepEqual(dot['import'], { types: './dist/esm/index.d.ts', default: './dist/esm/index.js' })
    assert.deepEqual(dot['require'], { types: './dist/cjs/index.d.ts', default: './dist/cjs/index.js' })
  })

  test('each X.browser.ts exports only names its X.ts exports (what src imports of it; esbuild checks those)', () => {
    const EXPORT =
      /^export\s+(?:declare\s+)?(?:const|let|function|class|interface|type|enum)\s+(\w+)|^export\s+(?:type\s+)?\{([^}]*)\}/gm
    const exportsOf = (file: string): string[] =>
      [...readFileSync(file, 'utf8').matchAll(EXPORT)]
        .flatMap((m) =>
          m[1] !== undefined
            ? [m[1]]
            : (m[2] ?? '').split(',').map(
                (n) =>
                  n
                    .trim()
                    .split(/\s+as\s+/)
                    .pop() ?? '',
              ),
        )
        .filter((n) => n !== '')
        .sort()
    const walk = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.browser.ts') ? [join(dir, e.name)] : [],
      )
    const pairs = walk(join(ROOT, 'src'))
      .map((b) => [b, b.replace(/\.browser\.ts$/, '.ts')] as const)
      .filter(([, n]) => readdirSync(dirname(n)).includes(n.slice(dirname(n).length + 1)))
    assert.ok(pairs.length >= 6, pairs.join(', '))
    for (const [browser, node] of pairs) {
      const mine = exportsOf(browser)
      const theirs = exportsOf(node)
      assert.ok(mine.length > 0, browser)
      assert.deepEqual(
        mine.filter((n) => !theirs.includes(n)),
        [],
        `${browser} exports names ${node} does not`,
      )
    }
  })
})

describe('the browser shims compute what Node.js does', () => {
  const samples = [0, 1, 3, 55, 56, 63, 64, 65, 111, 112, 127, 128, 129, 1000].map((n) => randomBytes(n))

  test('MD5, SHA-1, SHA-256 and SHA-512/256 against node:crypto', () => {
    for (const d of samples) {
      assert.equal(hex(md5(d)), createHash('md5').update(d).digest('hex'))
      assert.equal(hex(sha1(d)), createHash('sha1').update(d).digest('hex'))
      assert.equal(hex(sha256(d)), createHash('sha256').update(d).digest('hex'))
      assert.equal(hex(sha512_256(d)), createHash('sha512-256').update(d).digest('hex'))
    }
  })

  test('createHash and createHmac (keys shorter and longer than a block) against node:crypto', () => {
    for (const alg of ['md5', 'sha1', 'sha256', 'sha512-256'])
      for (const key of ['k', 'x'.repeat(64), randomBytes(200)])
        for (const d of ['', 'héllo', samples[9] ?? Buffer.alloc(0)]) {
          assert.equal(
            crypto.createHmac(alg, key).update(d).digest('hex'),
            createHmac(alg, key).update(d).digest('hex'),
          )
          assert.equal(
            crypto.createHash(alg).update(d).update('tail').digest('base64'),
            createHash(alg).update(d).update('tail').digest('base64'),
          )
        }
    assert.throws(() => crypto.createHash('sha3-256'), /not available in the browser/)
    const filled = crypto.randomFillSync(new Uint32Array(70_000))
    assert.ok(filled.some((x) => x !== 0))
    assert.throws(() => crypto.createPrivateKey('-----BEGIN PRIVATE KEY-----'), /RSA keys are not available/)
  })

  test('querystring parse and stringify against node:querystring', () => {
    for (const s of [
      '',
      'a=1',
      'a=1&a=2&b',
      'c=x%20y+z&%E2%82%AC=%zz&=v&k=',
      '__proto__=1&x=%C3',
      'y=%C3%A9%zz%41%F0%9F%98%80%E2',
      'a=1&&b=2',
    ])
      assert.deepEqual(
        { ...qs.parse(s, '&', '=', { maxKeys: 0 }) },
        { ...nodeQuerystring.parse(s, '&', '=', { maxKeys: 0 }) },
        s,
      )
    assert.equal(Object.getPrototypeOf(qs.parse('a=1')), null)
    const obj = { a: ['1', '2'], b: 'x y/€', c: 3, d: true }
    assert.equal(qs.stringify(obj), nodeQuerystring.stringify(obj))
  })

  test('path resolve and relative against path.posix (from /)', () => {
    for (const [a, b] of [
      ['/a/b', '/a/c/d'],
      ['/a/b/', '/a/b'],
      ['x/../y', '/y/z'],
      ['/', '/a'],
      ['/a/./b/..', '/a/b/c'],
    ] as const) {
      assert.equal(path.resolve(a), posix.resolve('/', a))
      assert.equal(path.resolve('/base', a, b), posix.resolve('/base', a, b))
      assert.equal(path.relative(a, b), posix.relative(posix.resolve('/', a), posix.resolve('/', b)))
    }
    assert.equal(path.isAbsolute('/a'), true)
    assert.equal(path.isAbsolute('a'), false)
  })

  test('text encodings: single-byte and UTF-16 written as iconv-lite writes them, the multi-byte ones refused', () => {
    const text = 'Привет, Ÿ ő € ž — ok?'
    // (not windows-1252 here: Node 20's TextDecoder reads it as ISO-8859-1, a browser's does not)
    for (const enc of [
      'windows-1251',
      'koi8-r',
      'iso-8859-2',
      'iso-8859-15',
      'windows-1250',
      'utf-16le',
      'utf-16be',
      'utf-8',
    ]) {
      assert.equal(hex(iconv().encode(text, enc)), hex(iconvLite.encode(text, enc)), enc)
      const bytes = iconvLite.encode(text, enc)
      assert.equal(iconv().decode(bytes, enc), iconvLite.decode(bytes, enc), enc)
      assert.equal(iconv().encodingExists(enc), true, enc)
    }
    assert.equal(hex(iconv().encode('Я', 'windows-1251')), 'df')
    for (const enc of ['shift_jis', 'gbk', 'big5', 'klingon']) assert.equal(iconv().encodingExists(enc), false, enc)
  })
})

describe("the browser's guard (execute/prepare/platform.browser.ts)", () => {
  const base = pipe(H.newRequest(), H.initialize('http://127.0.0.1:9/x'))
  test('files, a proxy and TLS options name the step that set them; anything else passes', () => {
    const stepOf = (req: H.Request): string | undefined => unavailableHere(req)?.step
    assert.equal(stepOf(pipe(base, H.setResponseFile('out.bin'))), 'setResponseFile')
    assert.equal(stepOf(pipe(base, H.setProxy('http://127.0.0.1:3128'))), 'setProxy')
    assert.equal(stepOf(pipe(base, H.setTls({ rejectUnauthorized: false }))), 'setTls')
    assert.equal(stepOf(pipe(base, H.setBinaryBody(H.fromFile('a.bin')))), 'setBinaryBody')
    assert.equal(
      stepOf(pipe(base, H.startMultipartBody(), H.addMultipartFormDataFile('f', 'a.bin', H.fromFile('a.bin')))),
      'addMultipartFormDataFile',
    )
    assert.equal(
      stepOf(pipe(base, H.startMultipartBody('related'), H.addDataAsRelated(H.fromFile('a.json'), 'application/json'))),
      'addDataAsRelated',
    )
    for (const ok of [
      base,
      pipe(base, H.setBinaryBody(H.fromBase64('AAE='))),
      pipe(base, H.startMultipartBody(), H.addMultipartFormDataField('a', 'b')),
      pipe(base, H.setJsonBody({ a: 1 })),
    ]) {
      assert.equal(unavailableHere(ok), null)
      assert.equal(onNode(ok), null)
    }
    // on Node.js nothing is refused
    assert.equal(onNode(pipe(base, H.setResponseFile('out.bin'), H.setProxy('http://127.0.0.1:3128'))), null)
  })
})
