/**
 * A script using httpipe exits promptly: no keep-alive socket, timer or listener of httpipe's
 * keeps Node's event loop alive once the script's work is done. Each test runs a small .mts
 * script in a child `node --import tsx` that imports the tree under test by absolute path.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { after, before, describe, test } from 'node:test'
import { closeAllServers, withFaultyServer } from '../support/faulty.js'
import { waitFor } from '../support/wait.js'

const root = fileURLToPath(new URL('../../', import.meta.url))
const index = pathToFileURL(join(root, 'src', 'index.ts')).href

let dir = ''
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'httpipe-exit-'))
})
after(async () => {
  await closeAllServers()
  await rm(dir, { recursive: true, force: true })
})

interface Exit {
  readonly code: number | null
  readonly out: string
  readonly err: string
  /**
   * from the script's `start` line (imports done) to its process's 'exit' event (the event loop
   * drained), measured in the child: the lag of this busy test process does not count
   */
  readonly msAfterStart: number
}

/**
 * Runs `body` as a module script (after `import * as H from <src/index.ts>` and a `start` line)
 * with the URL as argv[2]; `onLine` sees each line the script prints. Killed after `killMs`
 * if still running. The script's last line, `exit <ms>`, is its own measure of msAfterStart
 * (not part of `out`).
 */
const runScript = async (
  name: string,
  body: string,
  url: string,
  onLine: (line: string) => void = () => undefined,
  killMs = 15_000,
): Promise<Exit> => {
  const file = join(dir, `${name}.mts`)
  const prelude = [
    `import * as H from ${JSON.stringify(index)}`,
    // the transports' modules load on their first request (under tsx, cross-fetch's as a slow
    // asynchronous import): loaded here, so that the 300 ms limits time the requests
    `await import(${JSON.stringify(new URL('transport/cross-fetch-send.js', index).href)})`,
    `void (await import(${JSON.stringify(new URL('transport/undici-lib.js', index).href)})).errors.UndiciError`,
    "import { writeSync } from 'node:fs'",
    'const url = process.argv[2]',
    "console.log('start')",
    'const startedAt = performance.now()',
    "process.on('exit', () => writeSync(1, `exit ${performance.now() - startedAt}\\n`))",
  ].join('\n')
  await writeFile(file, `${prelude}\n${body}\n`)
  const child = spawn(process.execPath, ['--import', 'tsx', file, url], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, HTTPIPE_DEBUG: '' },
  })
  let out = ''
  let err = ''
  let exitMs: number | null = null
  let partial = ''
  child.stdout.on('data', (d: Buffer) => {
    partial += d.toString()
    const complete = partial.split('\n')
    partial = complete.pop() ?? ''
    for (const line of complete) {
      const m = /^exit (\d+(?:\.\d+)?)$/.exec(line)
      if (m !== null) {
        exitMs = Number(m[1])
        continue
      }
      out += `${line}\n`
      onLine(line)
    }
  })
  child.stderr.on('data', (d: Buffer) => (err += d.toString()))
  const killer = setTimeout(() => child.kill(), killMs)
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)))
  clearTimeout(killer)
  return { code, out: out + partial, err, msAfterStart: exitMs ?? Number.POSITIVE_INFINITY }
}

describe('a script exits promptly', () => {
  const transports = [
    ['the default transport', '{}'],
    ['crossFetchTransport', '{ transport: H.crossFetchTransport }'],
    ['env.fetch = globalThis.fetch', '{ fetch: globalThis.fetch }'],
  ] as const
  for (const [label, env] of transports) {
    test(`after a Timeout (setTimeout(300), a server that never answers), with ${label}`, { timeout: 20_000 }, () =>
      withFaultyServer('never-answers', async (server) => {
        const r = await runScript(
          `timeout-${label.replace(/\W+/g, '-')}`,
          `const r = await H.processRequest('GET', ${env})(H.setTimeout(300)(H.initialize(url)(H.newRequest())))()\n` +
            `console.log(r._tag === 'Left' ? r.left._tag : 'Right ' + r.right.status)`,
          `${server.url}/never`,
        )
        assert.equal(r.code, 0, `exit code (killed: the process did not exit by itself)\n${r.err}`)
        assert.match(r.out, /^start\nTimeout\n$/, r.err)
        assert.equal(server.count(), 1)
        // the request takes 300 ms; 3 s allows a busy machine and is still less than the 4 s
        // of a keep-alive (undici's default) that would hold the process
        assert.ok(
          r.msAfterStart < 3000,
          `exited ${Math.round(r.msAfterStart)} ms after start (the request itself takes 300 ms)`,
        )
      }),
    )
  }

  test('after keep-alive requests with H.undiciTransport() and await t.close()', { timeout: 20_000 }, () =>
    withFaultyServer('ok', async (server) => {
      // The 'ok' server keeps every connection open, so only the client can end it: once the
      // script says 'closed' it stays alive a second more, while this side checks that close()
      // really ended the pooled connection (undici unrefs idle sockets, so exiting alone
      // would not prove it): the server must see it close within 800 ms of the 'closed' line,
      // before the script exits (its exit would close the connection anyway).
      let openAfterClose: Promise<number> | null = null
      const r = await runScript(
        'undici-close',
        [
          'const t = H.undiciTransport()',
          'const req = H.initialize(url)(H.newRequest())',
          'for (let i = 0; i < 2; i++) {',
          "  const r = await H.processRequest('GET', { transport: t })(req)()",
          "  console.log(r._tag === 'Left' ? r.left._tag + ' ' + r.left.message : 'Right ' + r.right.status + ' ' + Buffer.from(r.right.body).toString())",
          '  await new Promise((resolve) => setTimeout(resolve, 50)) // lets the pool take the connection back',
          '}',
          'await t.close?.()',
          "console.log('closed')",
          'await new Promise((resolve) => setTimeout(resolve, 1000))',
        ].join('\n'),
        `${server.url}/ok`,
        (line) => {
          if (line === 'closed')
            openAfterClose = waitFor(() => server.openConnections() === 0, 800).then(
              () => 0,
              () => server.openConnections(),
            )
        },
      )
      assert.equal(r.code, 0, `exit code (killed: the process did not exit by itself)\n${r.err}`)
      assert.match(r.out, /^start\nRight 200 ok\nRight 200 ok\nclosed\n$/, r.err)
      assert.equal(server.count(), 2)
      assert.equal(server.connections(), 1, 'the second request reused the kept-alive connection')
      assert.equal(await openAfterClose, 0, 'connections still open 800 ms after close() resolved')
      // the script waits 1.1 s of its own; 3.5 s allows a busy machine
      assert.ok(r.msAfterStart < 3500, `exited ${Math.round(r.msAfterStart)} ms after start`)
    }),
  )
})
