/**
 * The built `httpipe` command's transfers in parts and policies against the echo server, with
 * real files in a temp folder: `-c/--continue` on a half-written file (a server that honours
 * Range, one that ignores it, a complete file), `--get-in-parts`, `--send-in-parts`, the retry
 * policy's flags and `--mixed`, each checked by what the server received.
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { httpipe, useFixtures } from './helpers.js'

const fx = useFixtures()
let n = 0
const file = (name: string) => join(fx.dir, `${(n += 1)}-${name}`)
/** What `/range/:n` serves: `a-z` repeated. */
const alphabet = (size: number) => Buffer.from(Array.from({ length: size }, (_, i) => 97 + (i % 26)))
const since = (before: number) => fx.server.requests.slice(before)

describe('-c/--continue', () => {
  test('a half-written file is continued with one ranged request from its size', async () => {
    const out = file('half.bin')
    await writeFile(out, alphabet(100_000).subarray(0, 40_000))
    const before = fx.server.requests.length
    const r = await httpipe([`${fx.server.url}/range/100000`, '--out', out, '-c'])
    assert.equal(r.code, 0, r.err)
    assert.deepEqual(await readFile(out), alphabet(100_000))
    const sent = since(before)
    assert.equal(sent.length, 1)
    assert.match(sent[0]?.headers['range'] ?? '', /^bytes=40000-\d+$/)
  })

  test('a server that ignores Range: the file is not corrupted, the download starts again whole', async () => {
    const out = file('ignored.bin')
    await writeFile(out, alphabet(100_000).subarray(0, 40_000))
    const before = fx.server.requests.length
    const r = await httpipe([`${fx.server.url}/range/100000?ignoreRange=1`, '--continue', '--out', out])
    assert.equal(r.code, 0, r.err)
    assert.match(r.err, /ignored the Range header/)
    assert.deepEqual(await readFile(out), alphabet(100_000))
    const sent = since(before)
    assert.equal(sent.length, 2)
    assert.ok(sent[0]?.headers['range'] !== undefined)
    assert.equal(sent[1]?.headers['range'], undefined)
  })

  test('a complete file stays as it is; an error status leaves the file untouched', async () => {
    const out = file('done.bin')
    await writeFile(out, alphabet(5000))
    assert.equal((await httpipe([`${fx.server.url}/range/5000`, '-c', '-o', out])).code, 0)
    assert.deepEqual(await readFile(out), alphabet(5000))
    const missing = await httpipe([`${fx.server.url}/status/404`, '-c', '-o', out, '--fail'])
    assert.equal(missing.code, 22)
    assert.deepEqual(await readFile(out), alphabet(5000))
  })

  test('without --out, or with --send-in-parts, it is a usage error and nothing is sent', async () => {
    const before = fx.server.requests.length
    const bare = await httpipe([`${fx.server.url}/range/10`, '-c'])
    assert.equal(bare.code, 2)
    assert.match(bare.err, /-c\/--continue needs a file to download to: --out FILE/)
    const both = await httpipe([`${fx.server.url}/range/10`, '-c', '-o', file('x'), '--send-in-parts', '1k'])
    assert.equal(both.code, 2)
    assert.equal(fx.server.requests.length, before)
  })
})

describe('transfers in parts', () => {
  test('--get-in-parts SIZE downloads in ranged parts of SIZE', async () => {
    const out = file('parts.bin')
    const before = fx.server.requests.length
    const r = await httpipe([`${fx.server.url}/range/100000`, '--get-in-parts', '32k', '-o', out])
    assert.equal(r.code, 0, r.err)
    assert.deepEqual(await readFile(out), alphabet(100_000))
    assert.deepEqual(
      since(before).map((q) => q.headers['range']),
      ['bytes=0-32767', 'bytes=32768-65535', 'bytes=65536-98303', 'bytes=98304-131071'],
    )
  })

  test('--send-in-parts SIZE sends the body in chunks with their Content-Range', async () => {
    const body = file('up.bin')
    await writeFile(body, alphabet(100_000))
    const before = fx.server.requests.length
    const r = await httpipe(['PUT', `${fx.server.url}/upload/cli-${n}`, '--data-file', body, '--send-in-parts', '32k'])
    assert.equal(r.code, 0, r.err)
    assert.equal(JSON.parse(r.out).complete, true)
    assert.deepEqual(
      since(before).map((q) => q.headers['content-range']),
      ['bytes 0-32767/100000', 'bytes 32768-65535/100000', 'bytes 65536-98303/100000', 'bytes 98304-99999/100000'],
    )
    const bad = await httpipe(['PUT', `${fx.server.url}/upload/x`, '--data', 'x', '--send-in-parts', '0'])
    assert.equal(bad.code, 2)
    assert.match(bad.err, /--send-in-parts/)
  })
})

describe('the retry policy', () => {
  const count = async (args: ReadonlyArray<string>): Promise<number> => {
    const before = fx.server.requests.length
    const r = await httpipe(args)
    assert.equal(r.code, 0, r.err)
    return since(before).length
  }
  test('--retry-statuses picks the statuses retried, --retry-backoff the waits', async () => {
    const url = `${fx.server.url}/status/503`
    assert.equal(await count([url, '--retries', '2', '--retry-statuses', '503', '--retry-backoff', '1ms,5ms']), 3)
    assert.equal(await count([url, '--retries', '2', '--retry-statuses', '500,502', '--retry-backoff', '1ms']), 1)
  })
  test('--retry-methods: POST retried only when named', async () => {
    const url = `${fx.server.url}/status/503`
    assert.equal(await count(['POST', url, '--data', 'x', '--retries', '1', '--retry-backoff', '1ms']), 1)
    assert.equal(
      await count([
        'POST',
        url,
        '--data',
        'x',
        '--retries',
        '1',
        '--retry-methods',
        'get,post',
        '--retry-backoff',
        '1ms',
      ]),
      2,
    )
  })
  test('bad lists are usage errors naming the flag', async () => {
    for (const args of [
      ['--retry-statuses', '99'],
      ['--retry-methods', 'GE T'],
      ['--retry-backoff', '1s,2s,3s'],
      ['--retry-after-cap', 'soon'],
    ]) {
      const r = await httpipe([`${fx.server.url}/get`, ...args])
      assert.equal(r.code, 2, args.join(' '))
      assert.match(r.err, new RegExp(args[0] ?? ''))
    }
  })
})

describe('--mixed', () => {
  test('parts of a multipart/mixed body: a file with the type its name says, text, a type given', async () => {
    const json = file('part.json')
    await writeFile(json, '{"a":1}')
    const r = await httpipe([
      `${fx.server.url}/anything`,
      '--mixed',
      `@${json}`,
      '--mixed',
      'plain words',
      '--mixed',
      'x,y;type=text/csv',
    ])
    assert.equal(r.code, 0, r.err)
    const got = fx.server.requests.at(-1)
    assert.equal(got?.method, 'POST')
    const type = got?.headers['content-type'] ?? ''
    assert.match(type, /^multipart\/mixed; boundary=/)
    const boundary = type.split('boundary=')[1] ?? ''
    const parts = Buffer.from(got?.body ?? new Uint8Array())
      .toString('utf8')
      .split(`--${boundary}`)
      .slice(1, -1)
    assert.deepEqual(parts, [
      '\r\nContent-Type: application/json\r\n\r\n{"a":1}\r\n',
      '\r\nContent-Type: text/plain\r\n\r\nplain words\r\n',
      '\r\nContent-Type: text/csv\r\n\r\nx,y\r\n',
    ])
    const mixedUp = await httpipe([`${fx.server.url}/anything`, '--mixed', 'a', '--json', '{}'])
    assert.equal(mixedUp.code, 2)
  })
})
