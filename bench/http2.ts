/**
 * The HTTP/2 rows (`--only=http2`): a 1 KiB JSON answer over HTTP/2 and TLS at concurrency 64,
 * from a node:http2 `createSecureServer({ allowHTTP1: true })` in a child process (this file
 * run with `--http2-serve`; a self-signed EC certificate made by openssl for the run), next to:
 * - raw undici on one multiplexed connection: `new Client(origin, { allowH2: true,
 *   pipelining: 100 })` and `client.request`, the baseline;
 * - httpipe with `useHttp2()` on its default-style transport (a fresh `undiciTransport()`),
 *   read the README's way (`ensureStatus`, `asJson`);
 * - node:http2's own client (one `http2.connect` session, `session.request`), for reference.
 * Every request checks status 200 and decodes the answer with the same io-ts codec. Rounds are
 * interleaved as in the main tables (bench/harness.ts): medians over rounds, the ratio to
 * undici taken round by round. The server counts TLS connections: each client is warmed up
 * alone and must open exactly one, and none more during the rounds. Target: httpipe at least
 * 0.9 × undici.
 * @module
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import http2 from 'node:http2'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TLSSocket } from 'node:tls'
import { pipe } from 'fp-ts/lib/function.js'
import { Client } from 'undici'
import * as H from '../dist/esm/index.js'
import { runRounds, runSlice, summarize, type Contender, type Op, type Plan, type Summary } from './harness.js'
import { makePayload } from './payload.js'
import { check, httpipe } from './variants.js'

/** httpipe with useHttp2 at least this share of undici's req/s on one multiplexed connection. */
export const HTTP2_TARGET = 0.9
const CONCURRENCY = 64
const PATH = '/json/1k'

/** What the HTTP/2 rows measured. */
export interface Http2Result {
  readonly rows: ReadonlyArray<Summary>
  /** TLS connections each client opened when warmed up alone (must be 1) */
  readonly connections: ReadonlyArray<readonly [string, number]>
  /** TLS connections opened during the rounds (must be 0) */
  readonly duringRounds: number
  readonly rounds: number
  readonly sliceMs: number
}

interface Stats {
  readonly connections: number
  readonly sessions: number
}

/** The server side (in the child): answers every h2 stream with the 1 KiB payload, counts connections. */
const serve = async (keyPath: string, certPath: string): Promise<void> => {
  const body = makePayload(1024)
  const stats = { connections: 0, sessions: 0 }
  const server = http2.createSecureServer({
    key: readFileSync(keyPath),
    cert: readFileSync(certPath),
    allowHTTP1: true,
  })
  server.on('secureConnection', (socket: TLSSocket) => {
    stats.connections++
    // as node:http's servers do: no Nagle delay on small answers
    socket.setNoDelay(true)
  })
  server.on('session', () => stats.sessions++)
  server.on('stream', (stream) => {
    stream.on('error', () => undefined)
    stream.respond({ ':status': 200, 'content-type': 'application/json', 'content-length': body.length })
    stream.end(body)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const a = server.address()
  process.on('message', (m: string) => {
    if (m === 'stats') process.send?.({ stats })
  })
  process.send?.({ port: typeof a === 'object' && a !== null ? a.port : 0 })
}

/** A self-signed EC certificate for 127.0.0.1, made by openssl in a temporary directory. */
const makeCert = (): { readonly dir: string; readonly key: string; readonly cert: string } => {
  const dir = mkdtempSync(join(tmpdir(), 'httpipe-bench-h2-'))
  const key = join(dir, 'key.pem')
  const cert = join(dir, 'cert.pem')
  const r = spawnSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  )
  if (r.status !== 0) throw new Error('openssl could not make the bench certificate')
  return { dir, key, cert }
}

/** Starts the server child; resolves with it, its origin, and a way to read its counts. */
const startServer = (
  root: string,
  key: string,
  cert: string,
): Promise<{ child: ChildProcess; origin: string; stats: () => Promise<Stats> }> =>
  new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(root, 'bench', 'http2.ts'), '--http2-serve', key, cert],
      {
        cwd: root,
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      },
    )
    child.once('error', reject)
    child.once('exit', (code) => reject(new Error(`the HTTP/2 bench server exited (${String(code)})`)))
    child.once('message', (m: { port?: number }) => {
      if (typeof m.port !== 'number') return reject(new Error('unexpected message from the HTTP/2 bench server'))
      const stats = (): Promise<Stats> =>
        new Promise((ok) => {
          child.once('message', (s: { stats: Stats }) => ok(s.stats))
          child.send('stats')
        })
      resolve({ child, origin: `https://127.0.0.1:${m.port}`, stats })
    })
  })

/** `client.request` on one undici Client with h2 allowed and 100 streams at once. */
const undiciH2 =
  (client: Client) =>
  (url: string): Op => {
    const path = new URL(url).pathname
    return async () => {
      const { statusCode, body } = await client.request({ path, method: 'GET' })
      check(statusCode, await body.text())
    }
  }

/** One node:http2 client session (opened by the first request); each request a stream, the body collected as Buffers. */
const nodeH2 =
  (session: () => http2.ClientHttp2Session) =>
  (url: string): Op => {
    const path = new URL(url).pathname
    return () =>
      new Promise<void>((resolve, reject) => {
        const stream = session().request({ ':path': path })
        const chunks: Buffer[] = []
        let status: number | undefined
        stream.on('response', (h) => (status = Number(h[':status'])))
        stream.on('data', (c: Buffer) => chunks.push(c))
        stream.on('error', reject)
        stream.on('end', () => {
          try {
            check(status, Buffer.concat(chunks).toString('utf8'))
            resolve()
          } catch (e) {
            reject(e)
          }
        })
      })
  }

/**
 * Runs the HTTP/2 rows: the server in a child process, each client warmed up alone (its
 * connections counted), then interleaved rounds at concurrency 64.
 */
export const measureHttp2 = async (o: {
  readonly root: string
  readonly rounds: number
  readonly sliceMs: number
  readonly warmupMs: number
  readonly seed: number
  readonly onProgress: (m: string) => void
}): Promise<Http2Result> => {
  const pem = makeCert()
  const { child, origin, stats } = await startServer(o.root, pem.key, pem.cert)
  const ca = readFileSync(pem.cert, 'utf8')
  const client = new Client(origin, { allowH2: true, pipelining: 100, connect: { ca } })
  const transport = H.undiciTransport()
  let session: http2.ClientHttp2Session | null = null
  const sessionOf = (): http2.ClientHttp2Session => {
    if (session === null) {
      session = http2.connect(origin, { ca })
      session.on('error', () => undefined)
    }
    return session
  }
  try {
    const contenders: Contender[] = [
      { id: 'undici-h2', label: 'undici Client (allowH2, pipelining 100)', op: undiciH2(client) },
      {
        id: 'httpipe-h2',
        label: 'httpipe useHttp2()',
        op: httpipe({ transport }, (r) => pipe(r, H.setTls({ ca }), H.useHttp2())),
      },
      { id: 'node-h2', label: 'node:http2 session (reference)', op: nodeH2(sessionOf) },
    ]
    const url = `${origin}${PATH}`
    const connections: Array<readonly [string, number]> = []
    for (const c of contenders) {
      const before = (await stats()).connections
      o.onProgress(`http2: warming up ${c.id} alone`)
      const s = await runSlice(c.op(url), CONCURRENCY, o.warmupMs)
      if (s.failures > 0) throw new Error(`http2: ${c.id} failed: ${s.firstError ?? ''}`)
      connections.push([c.id, (await stats()).connections - before])
    }
    const atRounds = (await stats()).connections
    const plan: Plan = {
      cells: [{ key: 'h2-1k-c64', title: '1 KiB over HTTP/2 (TLS)', url, concurrency: CONCURRENCY }],
      contenders,
      baseline: 'undici-h2',
      rounds: o.rounds,
      sliceMs: o.sliceMs,
      warmupMs: o.warmupMs,
      seed: o.seed,
      onProgress: (m) => o.onProgress(`http2: ${m}`),
    }
    const results = await runRounds(plan)
    const duringRounds = (await stats()).connections - atRounds
    return {
      rows: summarize(plan, results).get('h2-1k-c64') ?? [],
      connections,
      duringRounds,
      rounds: o.rounds,
      sliceMs: o.sliceMs,
    }
  } finally {
    ;(session as http2.ClientHttp2Session | null)?.close()
    await Promise.all([client.close(), transport.close()])
    child.removeAllListeners('exit')
    child.kill('SIGTERM')
    rmSync(pem.dir, { recursive: true, force: true })
  }
}

const fmt = (n: number, digits = 0): string => (Number.isNaN(n) ? '-' : n.toFixed(digits))

/** The rows as text lines (stdout) or Markdown (BENCHMARKS.md). */
export const http2Lines = (r: Http2Result, markdown: boolean): ReadonlyArray<string> => {
  const httpipeRow = r.rows.find((x) => x.id === 'httpipe-h2')
  const ratio = httpipeRow?.ratio ?? Number.NaN
  const one = r.connections.every(([, n]) => n === 1) && r.duringRounds === 0
  const head = [
    `${markdown ? '## ' : ''}HTTP/2 over TLS, 1 KiB JSON, c=${CONCURRENCY} (${r.rounds} rounds of ${r.sliceMs} ms, medians)`,
    '',
    `httpipe useHttp2() at ${fmt(ratio, 2)} × undici on one multiplexed connection (target ≥ ${HTTP2_TARGET}: ${ratio >= HTTP2_TARGET ? 'met' : 'NOT met'}).`,
    `Connections the server counted per client, warmed up alone: ${r.connections.map(([id, n]) => `${id} ${n}`).join(', ')}; during the rounds: ${r.duringRounds} (${one ? 'one each, as required' : 'NOT one each'}).`,
    '',
  ]
  const cols = ['client', 'req/s', 'ratio', 'p50 ms', 'p99 ms', 'CPU µs/req', 'failures']
  const cells = r.rows.map((x) => [
    x.label,
    fmt(x.rps),
    fmt(x.ratio, 2),
    fmt(x.p50, 2),
    fmt(x.p99, 2),
    fmt(x.cpuUs),
    String(x.failures),
  ])
  if (markdown)
    return [
      ...head,
      `| ${cols.join(' | ')} |`,
      `|${cols.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`,
      ...cells.map((c) => `| ${c.join(' | ')} |`),
    ]
  const widths = cols.map((c, i) => Math.max(c.length, ...cells.map((row) => (row[i] ?? '').length)))
  const line = (row: ReadonlyArray<string>): string =>
    row.map((v, i) => (i === 0 ? v.padEnd(widths[i] ?? 0) : v.padStart(widths[i] ?? 0))).join('  ')
  return [...head, line(cols), ...cells.map(line)]
}

if (process.argv[2] === '--http2-serve') await serve(process.argv[3] ?? '', process.argv[4] ?? '')
