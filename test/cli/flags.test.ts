/**
 * The built `httpipe` command against the echo server: the method rule, every request and body
 * flag as the server received it, and what a step refuses as a usage error (exit 2).
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { echo, httpipe, useFixtures } from './helpers.js'

const fx = useFixtures()
const last = () => fx.server.requests.at(-1)

describe('method and URL', () => {
  test('GET by default, POST when a body is given, any method as the first argument (known ones upper-cased)', async () => {
    assert.equal((await echo([`${fx.server.url}/anything`])).method, 'GET')
    assert.equal((await echo([`${fx.server.url}/anything`, '--data', 'x'])).method, 'POST')
    assert.equal((await echo(['put', `${fx.server.url}/anything`, '--data', 'x'])).method, 'PUT')
    assert.equal((await echo(['PURGE', `${fx.server.url}/anything`])).method, 'PURGE')
    const head = await httpipe(['HEAD', `${fx.server.url}/get`])
    assert.equal(head.code, 0)
    assert.equal(head.stdout.byteLength, 0)
    assert.equal(last()?.method, 'HEAD')
  })
  test('--base-url joins a path onto its base', async () => {
    assert.equal((await echo(['/anything/users', '--base-url', `${fx.server.url}/`])).path, '/anything/users')
  })
  test('--base-url joins a URL without a scheme (users, users?x=1) onto its path, with the auth: never https://users', async () => {
    for (const [url, path] of [
      ['users', '/anything/v2/users'],
      ['users?x=1', '/anything/v2/users'],
    ] as const) {
      const e = await echo([url, '--base-url', `${fx.server.url}/anything/v2`, '--bearer', 'tok-1'])
      assert.equal(e.path, path)
      assert.equal(e.headers['authorization'], 'Bearer tok-1')
    }
    assert.deepEqual((await echo(['users?x=1', '--base-url', `${fx.server.url}/anything/v2`])).args, { x: '1' })
  })
  test('a method that is no token, or no URL at all, is a usage error', async () => {
    const bad = await httpipe(['GE T', `${fx.server.url}/get`])
    assert.equal(bad.code, 2)
    assert.match(bad.err, /^httpipe: not a method name: "GE T"/)
    const none = await httpipe([])
    assert.equal(none.code, 2)
    assert.match(none.err, /a URL is required/)
    const lone = await httpipe(['DELETE'])
    assert.equal(lone.code, 2)
    assert.match(lone.err, /a URL is required/)
  })
})

describe('request flags', () => {
  test('--param adds encoded query parameters, -H/--header adds headers', async () => {
    const e = await echo([
      `${fx.server.url}/get?x=1`,
      '--param',
      'q=a b&c',
      '--param',
      'empty=',
      '-H',
      'X-One: 1',
      '--header',
      'X-Two:  two words',
    ])
    assert.equal(e.rawQuery, 'x=1&q=a%20b%26c&empty=')
    assert.equal(e.headers['x-one'], '1')
    assert.equal(e.headers['x-two'], 'two words')
  })
  test('--no-url-encoding inserts params as given; --encoding sets the charset of text bodies', async () => {
    assert.equal((await echo([`${fx.server.url}/get`, '--param', 'q=a,b', '--no-url-encoding'])).rawQuery, 'q=a,b')
    const e = await echo([`${fx.server.url}/post`, '--data', 'привет', '--encoding', 'windows-1251'])
    assert.equal(e.headers['content-type'], 'text/plain; charset=windows-1251')
    assert.equal(e.bodyLength, 6)
  })
  test('a secret-named header may be env:NAME, read from the environment; another header keeps env:… as text', async () => {
    const e = await echo([`${fx.server.url}/get`, '-H', 'X-Api-Key: env:CLI_KEY', '-H', 'X-Note: env:CLI_KEY'], {
      env: { CLI_KEY: 'k3y' },
    })
    assert.equal(e.headers['x-api-key'], 'k3y')
    assert.equal(e.headers['x-note'], 'env:CLI_KEY')
  })
  test('bad values: a header without a colon, a param without =, a header with a bad name', async () => {
    for (const [args, message] of [
      [['-H', 'NoColon'], /option '-H, --header <line>' argument 'NoColon' is invalid\. expected 'Name: value'/],
      [['--param', 'novalue'], /expected name=value/],
      [['-H', 'Bad Name: x'], /^httpipe: addHeader: /],
    ] as const) {
      const r = await httpipe([`${fx.server.url}/get`, ...args])
      assert.equal(r.code, 2, r.err)
      assert.match(r.err, message)
      assert.equal(r.stdout.byteLength, 0)
    }
  })
})

describe('body flags', () => {
  test('--json sends the JSON text as written; invalid JSON text is a usage error naming setJsonBody', async () => {
    const e = await echo([`${fx.server.url}/post`, '--json', '{ "a": [1, 2] }'])
    assert.equal(e.data, '{ "a": [1, 2] }')
    const big = '{"id":12345678901234567890,"big":1e400,"id":1}'
    assert.equal((await echo([`${fx.server.url}/post`, '--json', big])).data, big)
    assert.equal(e.headers['content-type'], 'application/json; charset=utf-8')
    const bad = await httpipe([`${fx.server.url}/post`, '-j', '{nope'])
    assert.equal(bad.code, 2)
    assert.match(bad.err, /^httpipe: setJsonBody: invalid JSON text/)
  })
  test('--form sends a urlencoded form in order; -d/--data sends text; a Content-Type header wins', async () => {
    const f = await echo([`${fx.server.url}/post`, '--form', 'name=Ann Lee', '--form', 'city=Zürich'])
    assert.equal(f.data, 'name=Ann%20Lee&city=Z%C3%BCrich')
    assert.deepEqual(f.form, { name: 'Ann Lee', city: 'Zürich' })
    const d = await echo([`${fx.server.url}/post`, '-d', '<x/>', '-H', 'Content-Type: application/xml'])
    assert.equal(d.data, '<x/>')
    assert.equal(d.headers['content-type'], 'application/xml')
  })
  test('--data-file streams a file as is (any bytes)', async () => {
    const path = join(fx.dir, 'blob.bin')
    const bytes = Buffer.from([0, 255, 13, 10, 0x25])
    await writeFile(path, bytes)
    const e = await echo(['PUT', `${fx.server.url}/put`, '--data-file', path])
    assert.equal(e.bodyBase64, bytes.toString('base64'))
    assert.equal(e.headers['content-type'], 'application/octet-stream')
    const missing = await httpipe([`${fx.server.url}/post`, '--data-file', join(fx.dir, 'nope.bin')])
    assert.equal(missing.code, 1)
    assert.match(missing.err, /nope\.bin/)
  })
  test('--file (with --form fields first) sends multipart/form-data; type and filename attributes', async () => {
    const a = join(fx.dir, 'a.txt')
    await writeFile(a, 'hello\n')
    const e = await echo([
      `${fx.server.url}/post`,
      '--form',
      'title=Report',
      '-F',
      `doc=@${a};type=text/plain`,
      '--file',
      `raw=@${a};filename=renamed.bin`,
    ])
    assert.match(e.headers['content-type'] ?? '', /^multipart\/form-data; boundary=/)
    assert.deepEqual(e.form, { title: 'Report' })
    assert.deepEqual(
      e.multipart.map((p) => [p.name, p.filename ?? null, p.headers['content-type'] ?? null, p.text]),
      [
        ['title', null, null, 'Report'],
        ['doc', 'a.txt', 'text/plain', 'hello\n'],
        ['raw', 'renamed.bin', 'application/octet-stream', 'hello\n'],
      ],
    )
    const bad = await httpipe([`${fx.server.url}/post`, '--file', 'doc=a.txt'])
    assert.equal(bad.code, 2)
    assert.match(bad.err, /expected field=@path/)
  })
  test('--related sends multipart/related, the first part the root (its type the root type), with Content-IDs', async () => {
    const a = join(fx.dir, 'r.txt')
    await writeFile(a, 'attachment')
    const e = await echo([
      `${fx.server.url}/post`,
      '--related',
      '{"name":"r.txt"};type=application/json;id=meta',
      '--related',
      `@${a};type=text/plain`,
    ])
    assert.match(e.headers['content-type'] ?? '', /^multipart\/related; boundary=[^;]+; type="application\/json"$/)
    assert.deepEqual(
      e.multipart.map((p) => [p.headers['content-type'], p.headers['content-id'] ?? null, p.text]),
      [
        ['application/json', '<meta>', '{"name":"r.txt"}'],
        ['text/plain', null, 'attachment'],
      ],
    )
    const untyped = await httpipe([`${fx.server.url}/post`, '--related', 'x'])
    assert.equal(untyped.code, 2)
    assert.match(untyped.err, /;type=mime/)
  })
  test('two bodies at once are a usage error naming both flags', async () => {
    for (const args of [
      ['--json', '{}', '--data', 'x'],
      ['--form', 'a=1', '--data-file', 'x'],
      ['--file', 'a=@x', '--related', 'x;type=text/plain'],
    ]) {
      const r = await httpipe([`${fx.server.url}/post`, ...args])
      assert.equal(r.code, 2)
      assert.match(r.err, /cannot be used with option/)
    }
  })
})
