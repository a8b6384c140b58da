/**
 * httpipe in a browser: a page script importing `httpipe` is bundled with esbuild against the
 * package's `browser` export condition (dist/browser/index.js, scripts/build-browser.mjs), served
 * from a loopback node:http server together with the API it calls (same origin), and run in
 * headless Chromium. The page POSTs what each request gave to `/result`; the server records every
 * request it saw. Needs `npm run build` (npm test builds first) and Debian's chromium.
 */
import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, realpath, rm, symlink, mkdir } from 'node:fs/promises'
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join, relative } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { pipe } from 'fp-ts/lib/function.js'
import * as H from '../../src/index.js'
import { startDigestServer, type DigestServer } from '../support/digest-server.js'
import { aws4Request, BASIC, oauth1Request, SIGNING_ENV } from './browser-cases.js'

const ROOT = dirname(await realpath(join(import.meta.dirname, '..', '..', 'package.json')))
const esbuild = createRequire(join(ROOT, 'package.json'))('esbuild') as typeof import('esbuild')

// headless Chromium: Debian's /usr/bin/chromium (scripts/install-peers.sh installs it), a fresh
// profile, nothing that reaches the network by itself, stopped by its process group
/** Where Debian puts Chromium (HTTPIPE_CHROMIUM names another). */
const CHROMIUM = process.env['HTTPIPE_CHROMIUM'] ?? '/usr/bin/chromium'

/** Why the browser tests cannot run here, or null when they can. */
const chromiumMissing = (): string | null =>
  existsSync(CHROMIUM)
    ? null
    : `${CHROMIUM} is not installed (Debian's chromium package; scripts/install-peers.sh installs it as npm test's pretest)`

interface Browser {
  /** what Chromium printed (for a failure's message) */
  readonly output: () => string
  /** stops the browser and its helpers, removes the profile */
  readonly stop: () => Promise<void>
}

/** Opens `url` in headless Chromium. */
const openInChromium = async (url: string): Promise<Browser> => {
  const profile = await mkdtemp(join(tmpdir(), 'httpipe-chromium-'))
  const child: ChildProcess = spawn(
    CHROMIUM,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-proxy-server',
      '--disable-dev-shm-usage',
      `--user-data-dir=${profile}`,
      url,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  )
  let output = ''
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()))
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()))
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve()
    else child.once('exit', () => resolve())
  })
  child.once('error', (e) => (output += `\nspawn failed: ${e.message}`))
  return {
    output: () => output,
    stop: async () => {
      if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
        try {
          // the group: the browser and the zygote, renderer and utility processes it started
          process.kill(-child.pid, 'SIGKILL')
        } catch {
          child.kill('SIGKILL')
        }
        await exited
      }
      await rm(profile, { recursive: true, force: true })
    },
  }
}

interface Seen {
  readonly method: string
  readonly url: string
  readonly headers: IncomingMessage['headers']
  readonly body: string
}

type Outcome =
  | { readonly tag: 'Right'; readonly value: unknown }
  | { readonly tag: 'Left'; readonly error: string; readonly step: string | null; readonly message: string }

/** Bundles the page as a user's bundler would: `httpipe` from node_modules, the `browser` condition. */
const bundlePage = async (): Promise<{ code: string; httpipe: string[] }> => {
  const app = await mkdtemp(join(tmpdir(), 'httpipe-page-'))
  try {
    await mkdir(join(app, 'node_modules'))
    await symlink(ROOT, join(app, 'node_modules', 'httpipe'), 'dir')
    const result = await esbuild.build({
      entryPoints: [join(import.meta.dirname, 'browser-page.ts')],
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      metafile: true,
      logLevel: 'silent',
      nodePaths: [join(ROOT, 'node_modules')],
      plugins: [
        {
          name: 'httpipe-as-a-package',
          setup(build) {
            // the page imports the source for its types; the bundle takes the package, as a user's would
            build.onResolve({ filter: /\/src\/index\.js$/ }, (args) =>
              build.resolve('httpipe', { kind: args.kind, resolveDir: app }),
            )
          },
        },
      ],
    })
    const inputs = Object.keys(result.metafile.inputs).map((i) => relative(ROOT, join(process.cwd(), i)))
    return {
      code: result.outputFiles[0]?.text ?? '',
      httpipe: inputs.filter((i) => i.startsWith('dist/') || i.startsWith('src/')),
    }
  } finally {
    await rm(app, { recursive: true, force: true })
  }
}

const PAGE_HTML = `<!doctype html><meta charset="utf-8"><title>httpipe</title>
<script>addEventListener('error', (e) => fetch('/result', { method: 'POST', body: JSON.stringify({ crash: String(e.message) }) }))</script>
<script type="module" src="/page.js"></script>`

const missing = chromiumMissing()

describe('httpipe in headless Chromium (the browser export condition)', { skip: missing ?? false }, () => {
  let server: Server
  let base = ''
  let page: { code: string; httpipe: string[] }
  let md5: DigestServer
  let sha512: DigestServer
  const seen: Seen[] = []
  let resolveResult: (v: unknown) => void = () => undefined
  const result = new Promise<unknown>((r) => (resolveResult = r))

  /** Forwards a request unchanged (path included) to a Digest server: same origin for the page. */
  const forward = (to: DigestServer, req: IncomingMessage, body: Buffer, res: ServerResponse): void => {
    const target = new URL(to.url)
    const out = httpRequest(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers)
        answer.pipe(res)
      },
    )
    out.on('error', () => res.writeHead(502).end())
    out.end(body)
  }

  const json = (res: ServerResponse, status: number, value: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value))
  }

  before(async () => {
    page = await bundlePage()
    md5 = await startDigestServer({ challenges: [{ algorithm: 'MD5', qop: 'auth' }] })
    sha512 = await startDigestServer({ challenges: [{ algorithm: 'SHA-512-256', qop: 'auth-int' }] })
    server = createServer((req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', () => {
        const body = Buffer.concat(chunks)
        const url = req.url ?? '/'
        seen.push({ method: req.method ?? '', url, headers: req.headers, body: body.toString() })
        if (url === '/') return res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE_HTML)
        if (url === '/page.js') return res.writeHead(200, { 'content-type': 'text/javascript' }).end(page.code)
        if (url === '/favicon.ico') return res.writeHead(404).end()
        if (url === '/result') {
          resolveResult(JSON.parse(body.toString()))
          return res.writeHead(204).end()
        }
        if (url.startsWith('/digest-md5/')) return forward(md5, req, body, res)
        if (url.startsWith('/digest-sha512/')) return forward(sha512, req, body, res)
        if (url === '/api/user') return json(res, 200, { id: 7, name: 'Ann', tags: ['a', 'b'] })
        if (url === '/api/ndjson') {
          // three lines in four writes, one line cut in two
          res.writeHead(200, { 'content-type': 'application/x-ndjson' })
          res.write('{"name":"a"}\n{"na')
          setTimeout(() => res.end('me":"b"}\n{"name":"c"}\n'), 20)
          return
        }
        if (url === '/api/echo')
          return json(res, 200, {
            method: req.method,
            contentType: req.headers['content-type'] ?? '',
            body: JSON.parse(body.toString()),
          })
        if (url === '/api/basic') {
          const expected = `Basic ${Buffer.from(`${BASIC.user}:${BASIC.password}`).toString('base64')}`
          // no WWW-Authenticate: a browser would offer its own login for one
          return req.headers.authorization === expected ? json(res, 200, { user: BASIC.user }) : json(res, 401, {})
        }
        if (url.startsWith('/api/signed/')) return json(res, 200, {})
        json(res, 404, {})
      })
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })

  after(async () => {
    server?.closeAllConnections()
    await new Promise((r) => server?.close(r))
    await md5?.close()
    await sha512?.close()
  })

  test('the page bundles from dist/browser (the browser condition), not the Node build', () => {
    assert.ok(page.httpipe.includes('dist/browser/index.js'), page.httpipe.join(', '))
    assert.deepEqual(
      page.httpipe.filter((i) => i !== 'dist/browser/index.js' && !i.startsWith('test/')),
      [],
    )
  })

  test('requests run in Chromium: io-ts decode, JSON POST, NDJSON stream, Basic, Digest, signing; files and proxies are InvalidInput', async () => {
    const browser = await openInChromium(`${base}/`)
    let got: unknown
    try {
      got = await Promise.race([
        result,
        new Promise((_, reject) =>
          setTimeout(
            () =>
              reject(
                new Error(
                  `no result from the page within 30 s; the server saw ${seen.map((s) => `${s.method} ${s.url}`).join(', ')}; Chromium said: ${browser.output().slice(-3000)}`,
                ),
              ),
            30_000,
          ).unref(),
        ),
      ])
    } finally {
      await browser.stop()
    }
    const { results, crash } = got as { results?: Record<string, Outcome>; crash?: string }
    assert.equal(crash, undefined)
    assert.ok(results !== undefined)
    assert.deepEqual(results['get'], { tag: 'Right', value: { id: 7, name: 'Ann', tags: ['a', 'b'] } })
    assert.deepEqual(results['post'], {
      tag: 'Right',
      value: { method: 'POST', contentType: 'application/json; charset=utf-8', body: { a: 1, list: ['x', 'ÿ'] } },
    })
    assert.deepEqual(results['basic'], { tag: 'Right', value: { user: BASIC.user } })
    assert.deepEqual(results['ndjson'], { tag: 'Right', value: ['a', 'b', 'c'] })

    // Digest: a 401 with the challenge, then the answer the server checked itself (its own hashing)
    assert.deepEqual(results['digestMd5'], {
      tag: 'Right',
      value: { method: 'GET', algorithm: 'MD5', qop: 'auth', bodyLength: 0 },
    })
    assert.deepEqual(
      md5.requests.map((r) => [r.url, r.verdict.kind]),
      [
        ['/digest-md5/resource?x=1', 'none'],
        ['/digest-md5/resource?x=1', 'ok'],
      ],
    )
    assert.deepEqual(results['digestSha512'], {
      tag: 'Right',
      value: { method: 'PUT', algorithm: 'SHA-512-256', qop: 'auth-int', bodyLength: 26 },
    })
    assert.deepEqual(
      sha512.requests.map((r) => r.verdict.kind),
      ['none', 'ok'],
    )

    // AWS4 and OAuth1: signed in the browser exactly as on Node.js, with the same clock and randomness
    for (const [name, req, method] of [
      ['aws4', aws4Request(base), 'GET'],
      ['oauth1', oauth1Request(base), 'POST'],
    ] as const) {
      assert.deepEqual(results[name], { tag: 'Right', value: 200 }, name)
      const prepared = await pipe(req, H.prepareRequest(method, SIGNING_ENV))()
      assert.ok(prepared._tag === 'Right', name)
      const expected = prepared.right.headers.find(([n]) => n.toLowerCase() === 'authorization')?.[1]
      const sent = seen.filter((s) => s.url.startsWith(`/api/signed/${name}`))
      assert.equal(sent.length, 1, name)
      assert.ok(expected !== undefined && expected.length > 40, name)
      assert.equal(sent[0]?.headers.authorization, expected, name)
    }

    // what a browser cannot do: an InvalidInput naming the step, nothing sent
    const refused = (step: string, what: string): Outcome => ({
      tag: 'Left',
      error: 'InvalidInput',
      step,
      message: `${step}: ${what} is not available in the browser`,
    })
    assert.deepEqual(results['responseFile'], refused('setResponseFile', 'writing the response to a file'))
    assert.deepEqual(results['proxy'], refused('setProxy', 'a proxy (the browser chooses its own)'))
    assert.deepEqual(results['fileBody'], refused('setBinaryBody', 'a body read from a file (fromFile)'))
    const undici = results['undici']
    assert.ok(undici?.tag === 'Left' && undici.error === 'TransportError', JSON.stringify(undici))
    assert.match(undici.message, /undiciTransport is not available in the browser/)
    // the three refused requests and the undici one reached no server: /api/user was asked once, by `get`
    assert.equal(seen.filter((s) => s.url === '/api/user').length, 1)
    assert.equal(md5.requests.length + sha512.requests.length, 4)
    assert.equal(seen.filter((s) => s.url === '/api/echo').length, 1)
  })
})
