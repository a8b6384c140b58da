/**
 * httpipe on Bun and Deno: a user's script imports the built package (`httpipe`, its dist, from
 * node_modules as an installed package is) and runs a GET decoded with io-ts and a JSON POST on
 * the default transport (no transport named: the one a runtime gets when the request runs),
 * against a loopback server this test starts. Nothing may be printed on stderr (no deprecation
 * warning). Bun and Deno come from their npm packages (devDependencies: `npm ci` installs them,
 * so the tests themselves reach nothing but 127.0.0.1). Needs `npm run build` (npm test builds first).
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { after, before, describe, test } from 'node:test'

const ROOT = dirname(await realpath(join(import.meta.dirname, '..', '..', 'package.json')))

/** The script, as a user writes it. */
const SCRIPT = `import process from 'node:process'
import * as H from 'httpipe'
import * as t from 'io-ts'
import { pipe } from 'fp-ts/lib/function.js'
import * as TE from 'fp-ts/lib/TaskEither.js'

const base = process.env.HTTPIPE_TEST_BASE
const User = t.type({ id: t.number, name: t.string })
const Echo = t.type({ method: t.string, body: t.unknown })
const show = (r) => (r._tag === 'Right' ? { right: r.right } : { left: r.left._tag, message: r.left.message })

const get = await pipe(H.newRequest(), H.initialize(base + '/user'), H.processRequest('GET'), TE.flatMapEither(H.asJson(User)))()
const post = await pipe(
  H.newRequest(),
  H.initialize(base + '/echo'),
  H.setJsonBody({ n: 1, list: ['a', 'é'] }),
  H.processRequest('POST'),
  TE.flatMapEither(H.asJson(Echo)),
)()
await H.defaultTransport.close()
console.log(JSON.stringify({ get: show(get), post: show(post), version: H.VERSION }))
`

interface Runtime {
  readonly name: 'bun' | 'deno'
  readonly bin: string
  readonly args: (script: string) => string[]
}

const RUNTIMES: ReadonlyArray<Runtime> = [
  { name: 'bun', bin: join(ROOT, 'node_modules', '.bin', 'bun'), args: (s) => [s] },
  {
    name: 'deno',
    bin: join(ROOT, 'node_modules', '.bin', 'deno'),
    // the permissions the script needs: loopback, its files, the environment
    args: (s) => ['run', '--no-prompt', '--allow-net=127.0.0.1', '--allow-read', '--allow-env', s],
  },
]

interface Ran {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

const run = (bin: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<Ran> =>
  new Promise((resolve, reject) => {
    const child = spawn(bin, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()))
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()))
    // a ceiling only so that a hang fails (each run takes well under a few seconds)
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000)
    child.once('error', (e) => {
      clearTimeout(timer)
      reject(e)
    })
    child.once('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })

describe('the built package on Bun and Deno', () => {
  let server: Server
  let base = ''
  let app = ''
  const seen: Array<{ method: string; url: string; body: string; userAgent: string }> = []

  before(async () => {
    server = createServer((req, res) => {
      let body = ''
      req.on('data', (c: Buffer) => (body += c.toString()))
      req.on('end', () => {
        seen.push({ method: req.method ?? '', url: req.url ?? '', body, userAgent: req.headers['user-agent'] ?? '' })
        res.setHeader('content-type', 'application/json')
        if (req.url === '/user') return res.end(JSON.stringify({ id: 7, name: 'Ann' }))
        if (req.url === '/echo') return res.end(JSON.stringify({ method: req.method, body: JSON.parse(body) }))
        res.statusCode = 404
        res.end('{}')
      })
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    // an application folder as an install leaves it: httpipe and what the script imports in node_modules
    app = await mkdtemp(join(tmpdir(), 'httpipe-runtime-'))
    await mkdir(join(app, 'node_modules'))
    await symlink(ROOT, join(app, 'node_modules', 'httpipe'), 'dir')
    for (const dep of ['io-ts', 'fp-ts'])
      await symlink(join(ROOT, 'node_modules', dep), join(app, 'node_modules', dep), 'dir')
    const manifest = { type: 'module', private: true, dependencies: { httpipe: '*', 'io-ts': '*', 'fp-ts': '*' } }
    await writeFile(join(app, 'package.json'), JSON.stringify(manifest))
    await writeFile(join(app, 'app.mjs'), SCRIPT)
  })

  after(async () => {
    server?.closeAllConnections()
    await new Promise((r) => server?.close(r))
    if (app !== '') await rm(app, { recursive: true, force: true })
  })

  for (const rt of RUNTIMES) {
    const missing = existsSync(rt.bin)
      ? false
      : `${rt.bin} is missing: the npm package ${rt.name} did not install here (no binary for this platform)`
    test(
      `${rt.name}: a GET decoded with io-ts and a JSON POST on the default transport, nothing on stderr`,
      { skip: missing },
      async () => {
        const before = seen.length
        const env: NodeJS.ProcessEnv = {
          PATH: process.env['PATH'] ?? '',
          HOME: app,
          HTTPIPE_TEST_BASE: base,
          // nothing but the loopback server: no update check, caches in the app's folder
          DENO_NO_UPDATE_CHECK: '1',
          DENO_DIR: join(app, '.deno'),
          BUN_INSTALL_CACHE_DIR: join(app, '.bun'),
          NO_COLOR: '1',
        }
        const r = await run(rt.bin, rt.args('app.mjs'), app, env)
        assert.equal(r.stderr, '', `${rt.name} printed on stderr`)
        assert.equal(r.code, 0, r.stdout)
        const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }
        assert.deepEqual(JSON.parse(r.stdout), {
          get: { right: { id: 7, name: 'Ann' } },
          post: { right: { method: 'POST', body: { n: 1, list: ['a', 'é'] } } },
          version,
        })
        const mine = seen.slice(before)
        assert.deepEqual(
          mine.map((s) => [s.method, s.url, s.body]),
          [
            ['GET', '/user', ''],
            ['POST', '/echo', JSON.stringify({ n: 1, list: ['a', 'é'] })],
          ],
        )
        for (const s of mine) assert.match(s.userAgent, /^httpipe\//)
      },
    )
  }
})
