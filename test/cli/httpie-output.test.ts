/**
 * HTTPie's command lines run by httpipe against the echo server and a recording server: the
 * items build the request, `-v` shows the request sent then the response head (with the HTTP
 * version), `--print` picks the parts (all on stdout), `--offline` prints and sends nothing,
 * file parts take their media type from their names, bad items are usage errors (exit 2).
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { useRecordingServer } from '../support/fixtures.js'
import { echo, httpipe, useFixtures } from './helpers.js'
import { join } from 'node:path'

const fx = useFixtures()
const rec = useRecordingServer()

describe('request items against the echo server', () => {
  test('query, headers, JSON fields with nested keys: POST inferred', async () => {
    const e = await echo([
      `${fx.server.url}/anything`,
      'q==a b',
      'X-A:1',
      'name=Ann',
      'age:=30',
      'tags[]=x',
      'o[k]:=true',
    ])
    assert.equal(e.method, 'POST')
    assert.deepEqual(e.args, { q: 'a b' })
    assert.equal(e.headers['x-a'], '1')
    assert.equal(e.headers['content-type'], 'application/json')
    assert.equal(e.headers['accept'], 'application/json, */*;q=0.5')
    assert.equal(e.data, '{"name": "Ann", "age": 30, "tags": ["x"], "o": {"k": true}}')
    const get = await echo([
      `${fx.server.url}/anything`,
      'q==1',
      'X-Gone:1',
      'X-Gone:',
      'Accept-Encoding:',
      'X-Two:1',
      'X-Two:2',
    ])
    assert.equal(get.method, 'GET')
    assert.equal(get.headers['x-gone'], undefined)
    assert.equal(get.headers['accept-encoding'], undefined)
    assert.equal(get.headers['x-two'], '1, 2')
  })
  test('-f with data items is a form, and without them --fail; a file part is multipart with its media type', async () => {
    const form = await echo([`${fx.server.url}/anything`, '-f', 'name=Ann Lee', 'n:=2'])
    assert.equal(form.headers['content-type'], 'application/x-www-form-urlencoded; charset=utf-8')
    assert.equal(form.data, 'name=Ann+Lee&n=2')
    assert.equal((await httpipe([`${fx.server.url}/status/404`, '-f'])).code, 22)
    const pdf = join(fx.dir, 'report.pdf')
    writeFileSync(pdf, '%PDF-1.4\n')
    const parts = await echo([`${fx.server.url}/anything`, '-f', 'title=R', `doc@${pdf}`])
    assert.match(parts.headers['content-type'] ?? '', /^multipart\/form-data; boundary=/)
    assert.deepEqual(parts.form, { title: 'R' })
    assert.equal(parts.files['doc']?.contentType, 'application/pdf')
    // the -F/--file flag too: the type from the name unless given
    const flag = await echo([`${fx.server.url}/anything`, '--file', `doc=@${pdf}`])
    assert.equal(flag.files['doc']?.contentType, 'application/pdf')
    const given = await echo([`${fx.server.url}/anything`, '-f', `doc@${pdf};type=application/x-mine`])
    assert.equal(given.files['doc']?.contentType, 'application/x-mine')
  })
  test("curl's -X, -u and -L", async () => {
    const e = await echo([`${fx.server.url}/anything`, '-X', 'put', 'a=1', '-u', 'ann:pw', '-L'])
    assert.equal(e.method, 'PUT')
    assert.equal(e.headers['authorization'], `Basic ${Buffer.from('ann:pw').toString('base64')}`)
    assert.equal((await echo(['GET', `${fx.server.url}/anything`, '-X', 'PURGE'])).method, 'PURGE')
    const both = await httpipe([`${fx.server.url}/anything`, '-u', 'a:b', '--bearer', 't'])
    assert.equal(both.code, 2)
  })
  test('items that cannot be read are usage errors naming them, nothing sent', async () => {
    const before = rec.seen.length
    for (const [args, message] of [
      [['age:=nope'], /"age:=nope": not JSON/],
      [['doc@/no/such/file.txt', '-f'], /"doc@\/no\/such\/file.txt": cannot read \/no\/such\/file.txt: ENOENT/],
      [['X-A;b'], /invalid item "X-A;b" \(an empty header is Header;\)/],
      [['a=1', 'a[b]=2'], /nested JSON key: Cannot perform "key" based access/],
      [['extra'], /not a request item: "extra"/],
      [['a=1', '--data', 'x'], /request data \(items or --raw\) cannot be mixed with --data/],
      [['-f', 'o:=[1]'], /a form field cannot hold a JSON array, object or null/],
    ] as const) {
      const r = await httpipe([`${rec.url}/x`, ...args])
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`)
      assert.match(r.err, message)
    }
    assert.equal(rec.seen.length, before)
  })
})

describe('what is printed', () => {
  test('-v: the request sent (head and body) and the response head on stderr, the body on stdout', async () => {
    const r = await httpipe([`${fx.server.url}/anything`, '-v', 'a=1', 'Authorization:Bearer s3cret-token'])
    assert.equal(r.code, 0, r.err)
    assert.match(r.err, /^POST \/anything HTTP\/1\.1\n/)
    assert.match(r.err, /\nAuthorization: \*\*\*\n/)
    assert.match(r.err, /\nHost: 127\.0\.0\.1:\d+\n\n\{"a": "1"\}\n\nHTTP\/1\.1 200 OK\n/)
    assert.ok(!r.err.includes('s3cret-token'))
    assert.equal((JSON.parse(r.out) as { data: string }).data, '{"a": "1"}')
  })
  test('--print: the parts asked for, all on stdout; m the elapsed time', async () => {
    const heads = await httpipe([`${fx.server.url}/anything`, '--print', 'Hh', 'q==1'])
    assert.equal(heads.code, 0, heads.err)
    assert.match(heads.out, /^GET \/anything\?q=1 HTTP\/1\.1\n[^]*\n\nHTTP\/1\.1 200 OK\n[^]*\n\n$/)
    assert.equal(heads.err, '')
    const body = await httpipe([`${fx.server.url}/anything`, '--print=B', 'x=1'])
    assert.equal(body.out, '{"x": "1"}\n\n')
    const meta = await httpipe([`${fx.server.url}/get`, '-p', 'm'])
    assert.match(meta.out, /^Elapsed time: \d+(\.\d+)?s\n$/)
    const bad = await httpipe([`${fx.server.url}/get`, '--print', 'HX'])
    assert.equal(bad.code, 2)
    assert.match(bad.err, /expected letters of HBhbm/)
  })
  test('--offline: the request printed, nothing sent; secrets *** unless --show-secrets', async () => {
    const before = rec.seen.length
    const r = await httpipe(['--offline', 'PUT', `${rec.url}/o`, 'X-Api-Key:k3y-value', 'n:=1'])
    assert.equal(r.code, 0, r.err)
    assert.match(r.out, /^PUT \/o HTTP\/1\.1\n[^]*X-Api-Key: \*\*\*\n[^]*\n\n\{"n": 1\}\n\n$/)
    const shown = await httpipe(['--offline', `${rec.url}/o`, 'X-Api-Key:k3y-value', '--show-secrets'])
    assert.match(shown.out, /\nX-Api-Key: k3y-value\n/)
    const local = await httpipe(['--offline', ':8080/x'])
    assert.match(local.out, /^GET \/x HTTP\/1\.1\n[^]*\nHost: localhost:8080\n/)
    assert.equal(rec.seen.length, before)
  })
})
