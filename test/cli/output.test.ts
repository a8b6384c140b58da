/**
 * What the built `httpipe` command prints and how it exits: the body's bytes when piped, -v,
 * --log, --fail, the exit codes, usage errors, --help and --version; and under a pseudo-terminal
 * (util-linux `script`) pretty coloured JSON, the progress bar, NO_COLOR, and bodies a terminal
 * must not be sent; none of the terminal's extras when piped.
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { startEchoServer } from '../../src/testing/index.js'
import { FLAGS } from '../../src/cli/flags.js'
import { MAIN, httpipe, httpipeSpawned, onTerminal, useFixtures } from './helpers.js'
import { waitFor } from '../support/wait.js'

const ESC = '\u001b['
const fx = useFixtures()

describe('piped', () => {
  test('the body is written as its bytes, nothing added, no colour, no progress', async () => {
    const expected = Buffer.from(await (await fetch(`${fx.server.url}/bytes/3000`)).arrayBuffer())
    const bytes = await httpipe([`${fx.server.url}/bytes/3000`])
    assert.equal(bytes.code, 0)
    assert.deepEqual(bytes.stdout, expected)
    assert.equal(bytes.err, '')
    const json = await httpipe([`${fx.server.url}/get`, '-v'])
    assert.ok(json.out.startsWith('{"method":"GET"') && !json.out.endsWith('\n'), 'compact JSON as the server sent it')
    assert.ok(!json.out.includes(ESC) && !json.err.includes(ESC) && !json.err.includes('\r'))
    const download = await httpipe([`${fx.server.url}/bytes/300000`, '--out', join(fx.dir, 'p.bin')])
    assert.equal(download.err, '', 'no progress bar when stderr is not a terminal')
  })
  test('-v writes the status line and headers to stderr; --log the log, secrets masked', async () => {
    const r = await httpipe([`${fx.server.url}/get`, '-v', '--log', '--bearer', 'sekrit-token'])
    // the request sent first (secrets ***), then the status line with the HTTP version
    assert.match(
      r.err,
      /^GET \/get HTTP\/1\.1\n[^]*\nAuthorization: \*\*\*\n[^]*\n\nHTTP\/1\.1 200 OK\ncontent-type: application\/json\n/i,
    )
    assert.match(r.err, /\n\ninitialize: request initialized/)
    assert.match(r.err, /executeRequest: response received, code 200/)
    assert.match(r.err, /Authorization: \*\*\*/)
    assert.ok(!r.err.includes('sekrit-token'))
  })
})

// exit codes are the process's: these run the built command in a process of its own
describe('exit codes', () => {
  test('0 on any status; 22 with --fail on 400 and above (the body still written, the status on stderr)', async () => {
    assert.equal((await httpipeSpawned([`${fx.server.url}/status/404`])).code, 0)
    const failed = await httpipeSpawned([`${fx.server.url}/status/404`, '--fail'])
    assert.equal(failed.code, 22)
    assert.equal(failed.out, '{"status":404}')
    assert.equal(failed.err, 'httpipe: HTTP 404 Not Found\n')
    assert.equal((await httpipeSpawned([`${fx.server.url}/status/399`, '-f', '--max-redirects', '0'])).code, 0)
    assert.equal((await httpipeSpawned([`${fx.server.url}/status/500`, '-f'])).code, 22)
  })
  test('1 on a ClientError, its message on stderr; --log adds the log', async () => {
    const closed = await startEchoServer()
    const url = closed.url
    await closed.close()
    const r = await httpipeSpawned([`${url}/get`, '--log'])
    assert.equal(r.code, 1)
    assert.match(r.err, /^httpipe: executeRequest: .*(ECONNREFUSED|refused)/)
    assert.match(r.err, /\nexecuteRequest: sending GET/)
  })
  test('2 on a usage error: an unknown flag (with a suggestion), a missing value, an argument that is no request item', async () => {
    const unknown = await httpipeSpawned([`${fx.server.url}/get`, '--heder', 'A: b'])
    assert.equal(unknown.code, 2)
    assert.match(unknown.err, /^httpipe: unknown option '--heder'\n\(Did you mean --header\?\)/)
    const missing = await httpipeSpawned([`${fx.server.url}/get`, '--timeout'])
    assert.equal(missing.code, 2)
    assert.match(missing.err, /option '--timeout <duration>' argument missing/)
    const many = await httpipeSpawned(['GET', `${fx.server.url}/get`, 'extra'])
    assert.equal(many.code, 2)
    assert.match(many.err, /not a request item: "extra"/)
    assert.equal(fx.server.requests.filter((r) => r.url.includes('extra')).length, 0)
  })
  test('130 when interrupted (SIGINT) while waiting for an answer', async () => {
    const seen = () => fx.server.requests.filter((r) => r.url === '/hang?cli-sigint').length
    const child = spawn(process.execPath, [MAIN, `${fx.server.url}/hang?cli-sigint`], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let err = ''
    child.stderr.on('data', (b: Buffer) => (err += b.toString()))
    await waitFor(() => seen() > 0, 20_000, 'the request reaching the server').catch(() => undefined)
    assert.equal(seen(), 1, 'the request is on its way')
    child.kill('SIGINT')
    const code = await new Promise<number | null>((r) => child.on('close', r))
    assert.equal(code, 130)
    assert.equal(err, 'httpipe: interrupted\n')
  })
  test('--help lists every flag of the table, examples and the exit codes; --version is the package version', async () => {
    const help = await httpipeSpawned(['--help'])
    assert.equal(help.code, 0)
    for (const f of FLAGS) assert.equal(help.out.includes(f.flags), f.hidden !== true, `--help lists ${f.flags}`)
    assert.match(help.out, /Examples:\n {2}httpipe /)
    assert.match(
      help.out,
      /Exit codes:\n {2}0 +success[^]*\n {2}1 +[^]*\n {2}2 +usage error[^]*\n {2}22 +with --fail[^]*\n {2}130 +interrupted/,
    )
    const version = await httpipeSpawned(['--version'])
    assert.equal(version.out, `${(JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version}\n`)
  })
})

describe('on a terminal', () => {
  test('JSON is pretty and coloured; with NO_COLOR pretty and plain', async () => {
    const r = await onTerminal([`${fx.server.url}/get?n=12345678901234567890`])
    assert.equal(r.code, 0)
    assert.match(r.out, /\{\r\n {2}\u001b\[34m"method"\u001b\[39m: \u001b\[32m"GET"\u001b\[39m,\r\n/)
    assert.ok(r.out.includes('12345678901234567890'), 'no digit of a large number lost')
    const plain = await onTerminal([`${fx.server.url}/get`], { NO_COLOR: '1' })
    assert.match(plain.out, /\{\r\n {2}"method": "GET",\r\n/)
    assert.ok(!plain.out.includes(ESC))
  })
  test('-v colours the status line; --raw writes the body as it came', async () => {
    const v = await onTerminal([`${fx.server.url}/status/404`, '-v'])
    assert.ok(v.out.includes(`${ESC}1m${ESC}31mHTTP/1.1 404 Not Found`))
    const raw = await onTerminal([`${fx.server.url}/get`, '--raw'])
    assert.ok(raw.out.startsWith('{"method":"GET"'))
  })
  test('a progress bar for a download to a file, and for an upload; none with --no-progress', async () => {
    const down = await onTerminal([`${fx.server.url}/bytes/2000000`, '--out', join(fx.dir, 'd.bin')])
    assert.equal(down.code, 0)
    assert.match(down.out, /\rdownload \[#+\] 100% {2}1\.9 MiB \/ 1\.9 MiB/)
    const file = join(fx.dir, 'u.bin')
    await writeFile(file, Buffer.alloc(3_000_000, 7))
    const up = await onTerminal([`${fx.server.url}/anything`, '--data-file', file, '--out', join(fx.dir, 'u.json')])
    assert.match(up.out, /\rupload {3}\[#+\] 100% {2}2\.9 MiB \/ 2\.9 MiB/)
    const quiet = await onTerminal([`${fx.server.url}/bytes/2000000`, '--out', join(fx.dir, 'q.bin'), '--no-progress'])
    assert.ok(!quiet.out.includes('download'))
    const toScreen = await onTerminal([`${fx.server.url}/get`])
    assert.ok(!toScreen.out.includes('download'), 'no bar over a body written to the terminal')
  })
  test('binary is not written to the terminal (a note instead); C1 controls in JSON strings are escaped', async () => {
    const bin = await onTerminal([`${fx.server.url}/bytes/64`])
    assert.equal(bin.code, 0)
    assert.match(
      bin.out,
      /^httpipe: the body \(64 bytes\) is binary or holds terminal control characters: not written to the terminal/,
    )
    const c1 = await onTerminal([`${fx.server.url}/anything`, '--data', 'csi \u009b31m here'])
    assert.ok(c1.out.includes('csi \\u009b31m here'))
    assert.ok(!c1.out.includes('\u009b'))
  })
})
