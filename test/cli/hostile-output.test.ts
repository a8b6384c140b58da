/**
 * The built `httpipe` against a hostile server (raw `net` on 127.0.0.1, port 0): what it prints
 * from the server other than the body (the reason phrase with --fail and -v, header values,
 * the URL and the Location of a redirect in -v and --log) and its messages never carry a raw
 * control character (escape sequences, an OSC 52 clipboard write, a bell): they show as `\xNN`,
 * piped and on a terminal. And a reader that closes stdout early (`| head -c 1`) loses nothing
 * on stderr: the --log log and the --fail line are written in full, and the exit code is the
 * request's own (0, 22).
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { createServer, type Server, type Socket } from 'node:net'
import { shellQuote } from '../../src/encoding/shell.js'
import { MAIN, httpipe, onTerminal, spawnCollect } from './helpers.js'

const BIG = 5_000_000
// ESC ] 52 … BEL: a clipboard write; ESC [ 2J: clear the screen; backspace, DEL
const REASON = 'Not\u001b]52;c;aGk=\u0007 Found\u001b[2J\u0008\u007f'
const SHOWN_REASON = 'Not\\x1b]52;c;aGk=\\x07 Found\\x1b[2J\\x08\\x7f'
// C1 controls (8-bit CSI, OSC, ST) as header bytes (obs-text): read as Latin-1, U+009B…
const C1_VALUE = 'v\u009b31m\u009d52;c;aGk=\u009c'

const answers: Record<string, { readonly head: string; readonly body: Buffer }> = {
  '/osc': {
    head: `HTTP/1.1 404 ${REASON}\r\nX-Evil: ${C1_VALUE}\r\nContent-Type: text/plain`,
    body: Buffer.from('plain body\n'),
  },
  '/c1body': {
    head: 'HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8',
    body: Buffer.from('text \u009d52;c;aGk=\u009c more\n', 'utf8'),
  },
  '/big': { head: 'HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream', body: Buffer.alloc(BIG, 97) },
  '/big404': { head: `HTTP/1.1 404 ${REASON}\r\nContent-Type: text/plain`, body: Buffer.alloc(BIG, 98) },
  '/moved': { head: 'HTTP/1.1 302 Found\r\nLocation: /osc?\u009b31m\u009d0;t\u009c', body: Buffer.alloc(0) },
  '/elsewhere': {
    head: 'HTTP/1.1 302 Found\r\nLocation: ftp://h/\u009b2J\u009d52;c;aGk=\u009c',
    body: Buffer.alloc(0),
  },
}

let server: Server
let url = ''
const sockets = new Set<Socket>()
before(async () => {
  server = createServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => undefined) // the client may close first
    let head = ''
    socket.on('data', (chunk: Buffer) => {
      head += chunk.toString('latin1')
      const end = head.indexOf('\r\n\r\n')
      if (end < 0) return
      const path = /^\S+ (\S+)/.exec(head)?.[1] ?? ''
      head = head.slice(end + 4)
      const a = answers[path.replace(/\?.*/, '')] ?? { head: 'HTTP/1.1 204 No Content', body: Buffer.alloc(0) }
      socket.write(
        Buffer.concat([Buffer.from(`${a.head}\r\nContent-Length: ${a.body.length}\r\n\r\n`, 'latin1'), a.body]),
      )
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  assert.ok(address !== null && typeof address === 'object')
  url = `http://127.0.0.1:${address.port}`
})
after(async () => {
  for (const s of sockets) s.destroy()
  await new Promise<void>((resolve) => server.close(() => resolve()))
})

/** Every control character a terminal would act on (C0 but TAB and LF, DEL, C1). */
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/

describe('what comes from the server is printed visible, never raw', () => {
  test('--fail -v piped: the reason phrase and header values escaped, the body as its bytes', async () => {
    const r = await httpipe([`${url}/osc`, '--fail', '-v'])
    assert.equal(r.code, 22)
    assert.equal(r.out, 'plain body\n', 'the body itself is written as it came')
    assert.doesNotMatch(r.err, RAW_CONTROL, JSON.stringify(r.err))
    assert.ok(r.err.startsWith('GET /osc HTTP/1.1\n'), r.err)
    assert.ok(r.err.includes(`\n\nHTTP/1.1 404 ${SHOWN_REASON}\n`), r.err)
    assert.ok(r.err.includes('x-evil: v\\x9b31m\\x9d52;c;aGk=\\x9c\n'), r.err)
    assert.ok(r.err.endsWith(`\nhttpipe: HTTP 404 ${SHOWN_REASON}\n`), r.err)
  })
  test('on a terminal: no clipboard write, no screen clear, no bell reaches the screen, from the head or a text body', async () => {
    const r = await onTerminal([`${url}/osc`, '--fail', '-v'])
    assert.equal(r.code, 22)
    for (const raw of ['\u001b]', '\u001b[2J', '\u0007', '\u0008', '\u007f', '\u009b', '\u009d', '\u009c'])
      assert.ok(!r.out.includes(raw), `${JSON.stringify(raw)} reached the terminal: ${JSON.stringify(r.out)}`)
    assert.ok(r.out.includes(`httpipe: HTTP 404 ${SHOWN_REASON}`), JSON.stringify(r.out))
    // a text body with a C1 control (8-bit OSC) is not written to a terminal: a note instead (piped: its bytes, test/cli/visible.test.ts)
    const body = await onTerminal([`${url}/c1body`])
    assert.equal(body.code, 0)
    assert.ok(!body.out.includes('\u009d') && !body.out.includes('52;c;'), JSON.stringify(body.out))
    assert.match(body.out, /holds terminal control characters: not written to the terminal/)
  })
  test('a redirect: the URL reached in -v, and a Location not followed in --log', async () => {
    const moved = await httpipe([`${url}/moved`, '-v', '--log', '--max-redirects', '2'])
    assert.equal(moved.code, 0, moved.err)
    // each request sent (the first, then the redirect's), then the final status line
    assert.match(
      moved.err,
      /^GET \/moved HTTP\/1\.1\n[^]*\n\nGET \/osc\?[^]*\n\nHTTP\/1\.1 404 .* \(http:\/\/127\.0\.0\.1:\d+\/osc\?.* after 1 redirect\)\n/,
    )
    assert.doesNotMatch(moved.err, RAW_CONTROL, JSON.stringify(moved.err))
    const elsewhere = await httpipe([`${url}/elsewhere`, '-v', '--log', '--max-redirects', '2', '--fail'])
    assert.equal(elsewhere.code, 0, elsewhere.err)
    assert.doesNotMatch(elsewhere.err, RAW_CONTROL, JSON.stringify(elsewhere.err))
    assert.ok(elsewhere.err.includes('ftp://h/'), elsewhere.err)
  })
  test("a message that quotes the user's or a template's text (a URL with an OSC 52 write) is escaped", async () => {
    const r = await httpipe(['http://exa\u001b]52;c;aGk=\u0007mple/'])
    assert.equal(r.code, 2)
    assert.doesNotMatch(r.err, RAW_CONTROL, JSON.stringify(r.err))
    assert.match(r.err, /^httpipe: .*exa\\x1b\]52;c;aGk=\\x07mple/)
  })
})

/** Runs the built command with stdout a pipe that the reader closes: after the first chunk, or at once. */
const closingStdout = (
  args: ReadonlyArray<string>,
  when: 'first-chunk' | 'at-once',
): Promise<{ readonly code: number | null; readonly read: number; readonly err: string }> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    let read = 0
    let err = ''
    child.stderr.on('data', (b: Buffer) => (err += b.toString('utf8')))
    if (when === 'at-once') child.stdout.destroy()
    else
      child.stdout.once('data', (b: Buffer) => {
        read = b.length
        child.stdout.destroy()
      })
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, read, err })
    })
  })

describe('stdout closed by its reader', () => {
  test('--log is written in full and the exit code is 0, whether the reader read a chunk or nothing', async () => {
    for (const when of ['first-chunk', 'at-once'] as const) {
      const r = await closingStdout([`${url}/big`, '--log'], when)
      assert.equal(r.code, 0, `${when}: ${r.err}`)
      assert.ok(r.read < BIG, 'the reader stopped early')
      assert.match(r.err, /^initialize: request initialized/, when)
      assert.ok(r.err.endsWith(`executeRequest: body read, ${BIG} bytes\n`), `${when}: ${r.err}`)
    }
  })
  test('with --fail the status line still follows the log, and the exit code is 22', async () => {
    const r = await closingStdout([`${url}/big404`, '--log', '--fail', '-v'], 'first-chunk')
    assert.equal(r.code, 22, r.err)
    assert.match(r.err, /^GET \/big404 HTTP\/1\.1\n[^]*\n\nHTTP\/1\.1 404 /)
    assert.ok(r.err.endsWith(`executeRequest: body read, ${BIG} bytes\nhttpipe: HTTP 404 ${SHOWN_REASON}\n`), r.err)
  })
  test('`| head -c 1` in bash: one byte read, the log complete, the exit code (PIPESTATUS) 0', async () => {
    const command = [process.execPath, MAIN, `${url}/big`, '--log'].map(shellQuote).join(' ')
    const r = await spawnCollect('bash', ['-c', `${command} | head -c 1; exit "\${PIPESTATUS[0]}"`])
    assert.equal(r.out, 'a')
    assert.equal(r.code, 0, r.err)
    assert.ok(r.err.endsWith(`executeRequest: body read, ${BIG} bytes\n`), r.err)
  })
})
