/**
 * `httpipe … --curl`: prints the curl command and sends nothing; the printed command, run by
 * the real curl in sh, makes the echo server receive what `httpipe` itself sends with the same
 * flags (multipart boundaries, drawn afresh on each run, compared as one name); secrets are
 * `***` unless `--show-secrets`.
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { RecordedRequest } from '../../src/testing/index.js'
import { shellQuote } from '../../src/encoding/shell.js'
import { httpipe, shell, useFixtures } from './helpers.js'

const fx = useFixtures()

const ENV = { CLI_CURL_TOKEN: 'curl-t0ken' }

/** The request as the server got it, its multipart boundary (if any) replaced by one name. */
const seen = (r: RecordedRequest | undefined) => {
  assert.ok(r)
  const boundary = /boundary=([^;]+)/.exec(r.headers['content-type'] ?? '')?.[1]
  const norm = (s: string): string => (boundary === undefined ? s : s.split(boundary).join('BOUNDARY'))
  return {
    method: r.method,
    url: r.url,
    headers: r.rawHeaders
      .filter(([n]) => n.toLowerCase() !== 'connection')
      .map(([n, v]) => `${n.toLowerCase()}: ${norm(v)}`)
      .sort(),
    body: norm(Buffer.from(r.body).toString('latin1')),
  }
}

const compare = async (args: ReadonlyArray<string>): Promise<string> => {
  const before = fx.server.requests.length
  const printed = await httpipe([...args, '--curl', '--show-secrets'], { env: ENV })
  assert.equal(printed.code, 0, printed.err)
  assert.equal(fx.server.requests.length, before, '--curl sends nothing')
  const ran = await shell(`${printed.out.trimEnd()} -sS -o /dev/null\n`, ENV)
  assert.equal(ran.code, 0, ran.err)
  const viaCurl = seen(fx.server.requests.at(-1))
  const sent = await httpipe(args, { env: ENV })
  assert.equal(sent.code, 0, sent.err)
  assert.deepEqual(viaCurl, seen(fx.server.requests.at(-1)), printed.out)
  return printed.out
}

describe('--curl', () => {
  test('body files named -n, --help and - (relative paths) reach the server as their bytes, not as options of cat or stdin', async () => {
    // curl is required by this file as a whole (each test runs the printed command), as by test/show/curl.test.ts
    await writeFile(join(fx.dir, '-n'), 'number me\nplease\n')
    await writeFile(join(fx.dir, '--help'), Buffer.from([0, 0xff, 0x2d, 10]))
    await writeFile(join(fx.dir, '-'), 'a file named dash')
    const inDir = async (args: ReadonlyArray<string>): Promise<string> => {
      const printed = await httpipe([...args, '--curl'], { cwd: fx.dir })
      assert.equal(printed.code, 0, printed.err)
      const ran = await shell(`cd ${shellQuote(fx.dir)} && ${printed.out.trimEnd()} -sS -o /dev/null\n`)
      assert.equal(ran.code, 0, ran.err)
      const viaCurl = seen(fx.server.requests.at(-1))
      const sent = await httpipe(args, { cwd: fx.dir })
      assert.equal(sent.code, 0, sent.err)
      assert.deepEqual(viaCurl, seen(fx.server.requests.at(-1)), printed.out)
      return printed.out
    }
    const multipart = await inDir([
      `${fx.server.url}/post`,
      '--form',
      'title=x',
      '--file',
      'a=@-n;type=text/plain',
      '--file',
      'b=@--help',
      '--file',
      'c=@-',
    ])
    for (const name of ['-n', '--help', '-']) assert.ok(multipart.includes(`cat ${shellQuote(`./${name}`)}`), multipart)
    const body = fx.server.requests.at(-1)
    assert.ok(Buffer.from(body?.body ?? []).includes('number me\nplease\n'))
    assert.ok(Buffer.from(body?.body ?? []).includes('a file named dash'))
    const dash = await inDir(['PUT', `${fx.server.url}/put`, '--data-file=-'])
    assert.ok(dash.includes(`--data-binary ${shellQuote('@./-')}`), dash)
    assert.equal(Buffer.from(fx.server.requests.at(-1)?.body ?? []).toString(), 'a file named dash')
  })

  test('a GET with params and headers; a JSON POST with a bearer from the environment', async () => {
    await compare([`${fx.server.url}/get`, '--param', "q=it's a [test]", '-H', 'X-A: "quoted" $HOME'])
    await compare([`${fx.server.url}/post`, '--json', '{"a":1,"b":"two"}', '--bearer', 'env:CLI_CURL_TOKEN'])
  })
  test('a form, a text body, a file body and a PUT', async () => {
    await compare([`${fx.server.url}/post`, '--form', 'name=Ann Lee', '--form', 'city=Zürich'])
    await compare([`${fx.server.url}/post`, '--data', '@not-a-file'])
    const file = join(fx.dir, "it's a file.bin")
    await writeFile(file, Buffer.from([0, 1, 2, 255, 13, 10]))
    await compare(['PUT', `${fx.server.url}/put`, '--data-file', file])
  })
  test('multipart/form-data with text and file parts, and multipart/related', async () => {
    const a = join(fx.dir, 'a.txt')
    const b = join(fx.dir, 'b.bin')
    await writeFile(a, 'hello\r\n')
    await writeFile(b, Buffer.from([0xff, 0x00, 0x25, 0x5c, 0x27]))
    const out = await compare([
      `${fx.server.url}/post`,
      '--form',
      'title=Report',
      '--file',
      `doc=@${a};type=text/plain`,
      '--file',
      `bin=@${b}`,
    ])
    assert.match(out, /^\{ printf /)
    await compare([
      `${fx.server.url}/post`,
      '--related',
      '{"n":1};type=application/json;id=meta',
      '--related',
      `@${b};type=application/octet-stream`,
    ])
  })
  test('settings become curl options: no gzip, timeouts, retries, redirects, size, output file', async () => {
    const out = await compare([
      `${fx.server.url}/get`,
      '--no-gzip',
      '--connect-timeout',
      '2s',
      '--timeout',
      '30s',
      '--retries',
      '2',
      '--max-redirects',
      '3',
      '--max-size',
      '1M',
    ])
    for (const option of [
      '--connect-timeout 2',
      '--max-time 30',
      '--retry 2',
      '--max-redirs 3',
      '--max-filesize 1048576',
    ])
      assert.ok(out.includes(option), option)
    assert.ok(!out.includes('--compressed'))
    const file = join(fx.dir, 'out.bin')
    const printed = await httpipe([`${fx.server.url}/bytes/10`, '--out', file, '--curl'])
    assert.match(printed.out, new RegExp(`--output ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`))
  })
  test('secrets are *** without --show-secrets: bearer, basic, secret-named headers and params', async () => {
    const r = await httpipe(
      [
        `${fx.server.url}/get`,
        '--bearer',
        'env:CLI_CURL_TOKEN',
        '-H',
        'X-Api-Key: k3y-value',
        '--param',
        'access_token=p4ram',
        '--curl',
      ],
      { env: ENV },
    )
    assert.equal(r.code, 0)
    for (const s of ['curl-t0ken', 'k3y-value', 'p4ram']) assert.ok(!r.out.includes(s), `${s} in ${r.out}`)
    assert.match(r.out, /-H 'Authorization: \*\*\*'/)
    const basic = await httpipe([`${fx.server.url}/get`, '--basic', 'ann:pw-value', '--curl'])
    assert.ok(!basic.out.includes('pw-value') && !basic.out.includes(Buffer.from('ann:pw-value').toString('base64')))
  })
  test('a request that cannot be prepared is exit 1, nothing printed on stdout', async () => {
    const r = await httpipe([`${fx.server.url}/post`, '--data-file', join(fx.dir, 'missing.bin'), '--curl'])
    assert.equal(r.code, 1)
    assert.equal(r.out, '')
    assert.match(r.err, /missing\.bin/)
  })
})
