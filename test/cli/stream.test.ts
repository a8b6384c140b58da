/**
 * The command prints a text/event-stream or NDJSON answer as it arrives, and any answer with
 * --stream: a line is written (in this process, and on the spawned command's stdout pipe) while
 * the server still holds the rest (a latch); the exact text piped and on a terminal; an error mid-stream; a reader that closes
 * the pipe (| head) or Ctrl-C ends the request; --stream with --out; other bodies still read
 * whole (the same output, log and limits as before).
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { createServer, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { MAIN, httpipe, onTerminal, spawnCollect, useFixtures } from './helpers.js'
import { settlesWithin, waitFor } from '../support/wait.js'

const fx = useFixtures()

/**
 * A raw server whose `/held/<type>` answer sends `first`, then holds the rest until `release()`
 * (or 20 s, so that a command that waits for the end still ends: its test then fails), then
 * sends `rest` and ends. `holding` counts the answers whose first part was sent, `ended` those
 * it ended, `closedEarly` those the client closed before their end.
 */
const heldServer = () => {
  let server: Server | undefined
  let release: () => void = () => undefined
  let ended = 0
  let holding = 0
  let closedEarly = 0
  const answer = (res: ServerResponse, type: string, first: string, rest: string): void => {
    res.writeHead(200, { 'Content-Type': type })
    res.write(first, () => (holding += 1))
    const held = new Promise<void>((resolve) => {
      release = resolve
      setTimeout(resolve, 20_000).unref()
    })
    res.once('close', () => {
      if (!res.writableEnded) closedEarly += 1
    })
    void held.then(() => {
      if (res.destroyed) return
      res.end(rest)
      ended += 1
    })
  }
  before(async () => {
    server = createServer((req, res) => {
      const path = req.url ?? ''
      if (path === '/held/events')
        return answer(res, 'text/event-stream', 'id: 1\ndata: first\n\n', 'id: 2\ndata: second\n\n')
      if (path === '/held/ndjson') return answer(res, 'application/x-ndjson', '{"n":1}\n', '{"n":2}\n')
      if (path === '/held/text') return answer(res, 'text/plain', 'first line\n', 'second line\n')
      if (path === '/broken') {
        // one event, then the connection cut without the body's end
        res.writeHead(200, { 'Content-Type': 'text/event-stream' })
        res.write('data: one\n\n', () => setTimeout(() => res.socket?.destroy(), 50))
        return
      }
      if (path === '/stall') {
        res.writeHead(200, { 'Content-Type': 'application/x-ndjson' })
        return void res.write('{"n":1}\n')
      }
      if (path === '/hostile') {
        res.writeHead(200, { 'Content-Type': 'text/event-stream' })
        return void res.end(
          'event: up\nid: 7\ndata: a\u001b]52;c;aGk=\u0007b\ndata: {"k":[1,2]}\n\n: comment\ndata: x\r\n\r\n',
        )
      }
      if (path === '/ansi') {
        res.writeHead(200, { 'Content-Type': 'text/plain' })
        return void res.write('a\u001b[2Jb\u009b\tc\r\n', () => res.end('no end of line'))
      }
      if (path === '/longline') {
        res.writeHead(200, { 'Content-Type': 'application/x-ndjson' })
        return void res.end(`["${'x'.repeat(LONG)}",1]\n{"a":1}\n`)
      }
      if (path === '/down')
        return void res.writeHead(503, { 'Content-Type': 'text/event-stream' }).end('data: down\n\n')
      res.writeHead(404).end()
    })
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve))
  })
  after(async () => {
    server?.closeAllConnections()
    await new Promise((resolve) => server?.close(resolve))
  })
  return {
    get url() {
      return `http://127.0.0.1:${(server?.address() as AddressInfo).port}`
    },
    release: () => release(),
    ended: () => ended,
    holding: () => holding,
    closedEarly: () => closedEarly,
  }
}

/** Longer than the longest NDJSON line a terminal gets laid out (1 MiB). */
const LONG = 1536 * 1024

const held = heldServer()

/** Spawns the built command and calls `onOut` with all its stdout so far, at each chunk. */
const spawnWatching = (
  args: ReadonlyArray<string>,
  onOut: (soFar: string, kill: (signal: NodeJS.Signals) => void) => void,
): Promise<{ readonly code: number | null; readonly out: string; readonly err: string }> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString('utf8')
      onOut(out, (s) => child.kill(s))
    })
    child.stderr.on('data', (b: Buffer) => (err += b.toString('utf8')))
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, out, err })
    })
  })

/**
 * Runs the command in this process (as `httpipe` in helpers.ts does) with a stdout that calls
 * `onOut` with all it was given so far, at each write.
 */
const runWatching = async (
  args: ReadonlyArray<string>,
  onOut: (soFar: string) => void,
  terminal = false,
): Promise<{ readonly code: number; readonly out: string; readonly err: string }> => {
  const [{ readCommandLine }, { run }] = await Promise.all([
    import('../../src/cli/program.js'),
    import('../../src/cli/run.js'),
  ])
  let out = ''
  let err = ''
  const stdout = new Writable({
    write(chunk: Buffer, _encoding, done) {
      out += chunk.toString('utf8')
      onOut(out)
      done()
    },
  })
  if (terminal) Object.assign(stdout, { isTTY: true })
  const stderr = new Writable({
    write(chunk: Buffer, _encoding, done) {
      err += chunk.toString('utf8')
      done()
    },
  })
  const read = readCommandLine(
    args,
    (s) => (err += s),
    (s) => (out += s),
  )
  const code =
    read._tag === 'Exit' ? read.exit : await run(read.args, read.values, { stdout, stderr, env: { NO_COLOR: '1' } })
  return { code, out, err }
}

const HELD = [
  ['/held/events', [], 'id: 1\ndata: first\n\n', 'id: 1\ndata: first\n\nid: 2\ndata: second\n\n'],
  ['/held/ndjson', [], '{"n":1}\n', '{"n":1}\n{"n":2}\n'],
  ['/held/text', ['--stream'], 'first line\n', 'first line\nsecond line\n'],
] as const

describe('printed as it arrives', () => {
  test('event stream, NDJSON and --stream text: the first line is written while the server holds the rest', async () => {
    for (const [path, extra, first, whole] of HELD) {
      const endedBefore = held.ended()
      let seenWhileHeld = false
      const r = await runWatching([`${held.url}${path}`, ...extra], (soFar) => {
        if (soFar === first && held.ended() === endedBefore) {
          seenWhileHeld = true
          held.release()
        }
      })
      assert.ok(seenWhileHeld, `${path}: the first line was written before the server ended the answer`)
      assert.equal(r.code, 0, r.err)
      assert.equal(r.out, whole)
      assert.equal(held.ended(), endedBefore + 1)
    }
  })
  test('the spawned command: the first event is on its stdout pipe while the server holds the rest', async () => {
    const [path, , first, whole] = HELD[0]
    const endedBefore = held.ended()
    let seenWhileHeld = false
    const r = await spawnWatching([`${held.url}${path}`], (soFar) => {
      if (soFar === first && held.ended() === endedBefore) {
        seenWhileHeld = true
        held.release()
      }
    })
    assert.ok(seenWhileHeld, 'the first event reached the pipe before the server ended the answer')
    assert.equal(r.code, 0, r.err)
    assert.equal(r.out, whole)
  })
  test('without --stream a text body is still read whole: nothing written while the server holds the rest', async () => {
    const endedBefore = held.ended()
    const holdingBefore = held.holding()
    let early = ''
    const run = runWatching([`${held.url}/held/text`], (soFar) => {
      if (held.ended() === endedBefore) early = soFar
    })
    // the first line is sent; a command that printed it as it arrives would have written it by now
    await waitFor(() => held.holding() > holdingBefore, 10_000, 'the first line sent')
    await new Promise((resolve) => setTimeout(resolve, 500))
    held.release()
    const r = await run
    assert.equal(early, '')
    assert.equal(r.code, 0, r.err)
    assert.equal(r.out, 'first line\nsecond line\n')
  })
})

describe('the text printed', () => {
  test('piped: an event stream and NDJSON exactly as the server sent them; -v, and --log ending with the bytes read', async () => {
    const events = await httpipe([`${fx.server.url}/events?count=3`, '-v', '--log'])
    assert.equal(events.code, 0, events.err)
    assert.equal(events.out, [1, 2, 3].map((n) => `id: ${n}\ndata: {"n":${n}}\n\n`).join(''))
    assert.match(
      events.err,
      /^GET \/events\?count=3 HTTP\/1\.1\n[^]*\n\nHTTP\/1\.1 200 OK\ncontent-type: text\/event-stream\n/,
    )
    assert.ok(events.err.endsWith('executeRequest: body read, 63 bytes\n'), events.err)
    const lines = await httpipe([`${fx.server.url}/ndjson/3`])
    assert.equal(lines.code, 0, lines.err)
    const line = (i: number): string => `${JSON.stringify({ id: i, name: `item ${i}`, note: 'é€😀' })}\n`
    assert.equal(lines.out, line(1) + line(2) + line(3))
  })
  test('--stream: any body as its bytes (a chunked octet stream), exit 0', async () => {
    const r = await httpipe([`${fx.server.url}/drip?chunks=4&size=26&delay=10`, '--stream'])
    assert.equal(r.code, 0, r.err)
    assert.equal(r.out, 'abcdefghijklmnopqrstuvwxyz'.repeat(4))
  })
  test('on a terminal: event blocks (control characters shown as \\xNN, comments dropped), pretty NDJSON, and no binary', async () => {
    const sse = await onTerminal([`${held.url}/hostile`], { NO_COLOR: '1' })
    assert.equal(sse.code, 0, sse.err)
    assert.equal(
      sse.out.replace(/\r\n/g, '\n'),
      'event: up\nid: 7\ndata: a\\x1b]52;c;aGk=\\x07b\ndata: {"k":[1,2]}\n\nid: 7\ndata: x\n\n',
    )
    const lines = await onTerminal([`${fx.server.url}/ndjson/2`], { NO_COLOR: '1' })
    assert.equal(lines.code, 0, lines.err)
    const pretty = (i: number): string => `{\n  "id": ${i},\n  "name": "item ${i}",\n  "note": "é€😀"\n}\n`
    assert.equal(lines.out.replace(/\r\n/g, '\n'), pretty(1) + pretty(2))
    const binary = await onTerminal([`${fx.server.url}/bytes/3000`, '--stream'])
    assert.equal(binary.code, 0, binary.err)
    assert.match(
      binary.out,
      /^httpipe: the body is binary: the rest is not written to the terminal \(use --out FILE, a pipe, or --raw\)\r?\n$/,
    )
  })
  test('--stream of text on a terminal: control characters as \\xNN (TAB, CR, LF kept), a last line break added', async () => {
    const r = await runWatching([`${held.url}/ansi`, '--stream'], () => undefined, true)
    assert.equal(r.code, 0, r.err)
    assert.equal(r.out, 'a\\x1b[2Jb\\x9b\tc\r\nno end of line\n')
  })
  test('NDJSON on a terminal: a JSON line longer than 1 MiB is shown as text as it comes (not held to be laid out), the next one laid out', async () => {
    const r = await runWatching([`${held.url}/longline`], () => undefined, true)
    assert.equal(r.code, 0, r.err)
    assert.equal(r.out, `["${'x'.repeat(LONG)}",1]\n{\n  "a": 1\n}\n`)
  })
  test('piped, or with --raw on a terminal, the bytes as sent', async () => {
    const piped = await httpipe([`${held.url}/hostile`])
    assert.ok(piped.out.startsWith('event: up\nid: 7\ndata: a\u001b]52;c;aGk=\u0007b\n'), piped.out)
    const raw = await onTerminal([`${held.url}/hostile`, '--raw'])
    assert.ok(raw.out.includes('data: a\u001b]52;c;aGk=\u0007b'), JSON.stringify(raw.out))
  })
})

describe('errors and endings', () => {
  test('a connection cut mid-stream: the events before it on stdout, the error on stderr, exit 1', async () => {
    const r = await httpipe([`${held.url}/broken`, '--log'])
    assert.equal(r.code, 1)
    assert.equal(r.out, 'data: one\n\n')
    assert.match(r.err, /^httpipe: .+\n/)
    assert.match(r.err, /executeRequest: head received - the body is streamed to its reader/)
  })
  test('--idle-timeout mid-stream: exit 1 naming the limit', async () => {
    const r = await httpipe([`${held.url}/stall`, '--idle-timeout', '300ms'])
    assert.equal(r.code, 1)
    assert.equal(r.out, '{"n":1}\n')
    assert.match(r.err, /idle: no byte received for 300 ms/)
  })
  test('--timeout still bounds a body read whole (exit 1, as before); an event stream may outlast it', async () => {
    const slow = await httpipe([`${fx.server.url}/drip?chunks=3&size=5&delay=400`, '--timeout', '300ms', '--log'])
    assert.equal(slow.code, 1)
    assert.equal(slow.out, '')
    assert.match(
      slow.err,
      /^httpipe: executeRequest: reading the response body timed out \(attempt: no complete response within 300 ms\)\n/,
    )
    assert.match(slow.err, /executeRequest: timeout \(attempt\): no complete response within 300 ms\n$/)
    const events = await httpipe([`${fx.server.url}/events?count=2&delay=1200`, '--timeout', '1s'])
    assert.equal(events.code, 0, events.err)
    assert.equal(events.out, 'id: 1\ndata: {"n":1}\n\nid: 2\ndata: {"n":2}\n\n')
  })
  test('--max-size still refuses a streamed body past it', async () => {
    const r = await httpipe([`${fx.server.url}/drip?chunks=5&size=100`, '--max-size', '250'])
    assert.equal(r.code, 1)
    assert.match(r.err, /over the limit of 250 bytes/)
  })
  test('`| head -n 3`: the command ends long before the 50 s stream, exit 0 (PIPESTATUS), the log says where it stopped', async () => {
    const command = [process.execPath, MAIN, `${fx.server.url}/events?count=1000&delay=50`, '--log']
      .map((s) => `'${s.replace(/'/g, `'\\''`)}'`)
      .join(' ')
    // spawnCollect kills the shell after 30 s (code null): the whole stream would take 50 s
    const r = await spawnCollect('bash', ['-c', `${command} | head -n 3; exit "\${PIPESTATUS[0]}"`])
    assert.equal(r.out, 'id: 1\ndata: {"n":1}\n\n')
    assert.equal(r.code, 0, r.err)
    assert.match(
      r.err,
      /executeRequest: stdout closed by its reader after \d+ bytes of the body - the rest not read\n$/,
    )
  })
  test('Ctrl-C (SIGINT) mid-stream: exit 130, the server sees the connection closed before its end', async () => {
    const closedBefore = held.closedEarly()
    const r = await spawnWatching([`${held.url}/held/events`], (soFar, kill) => {
      if (soFar.length > 0) kill('SIGINT')
    })
    assert.equal(r.code, 130, r.err)
    assert.equal(r.out, 'id: 1\ndata: first\n\n')
    assert.match(r.err, /httpipe: interrupted/)
    await settlesWithin(
      waitFor(() => held.closedEarly() > closedBefore, 10_000, 'the connection closed'),
      15_000,
    )
  })
  test('--stream with --out: the file is written as it arrives (as --out always is), nothing on stdout', async () => {
    const path = join(fx.dir, 'streamed.bin')
    const r = await httpipe([`${fx.server.url}/drip?chunks=3&size=26`, '--stream', '--out', path])
    assert.equal(r.code, 0, r.err)
    assert.equal(r.stdout.byteLength, 0)
    assert.equal(await readFile(path, 'utf8'), 'abcdefghijklmnopqrstuvwxyz'.repeat(3))
  })
  test('a non-2xx event stream is read whole: printed, and --fail exits 22', async () => {
    const r = await httpipe([`${held.url}/down`, '--fail'])
    assert.equal(r.code, 22)
    assert.equal(r.out, 'data: down\n\n')
    assert.match(r.err, /^httpipe: HTTP 503 Service Unavailable\n$/)
  })
})
