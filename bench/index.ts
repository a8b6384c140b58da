/**
 * `npm run bench`: httpipe side by side with the raw transports and the popular clients, in one
 * run, against a node:http server in a child process (bench/server.ts) on 127.0.0.1.
 *
 * Measured, in this order (see bench/variants.ts for the clients, bench/harness.ts for the method):
 * - httpipe's own cost per request through an in-memory transport, next to a bare decode;
 * - AWS4 signing cost (bench/sign.ts), httpipe's step against aws4.sign;
 * - peak RSS growth of a 64 MiB download streamed to a file with H.setResponseFile (next to
 *   undici.request and fetch piping to a file);
 * - streams (bench/streams.ts): H.streamRequest's time to first chunk and throughput, next to undici's;
 * - memory per request in flight (bench/inflight.ts): heap per 1,000 requests waiting for their
 *   answer, httpipe next to raw Agent.dispatch and undici.request;
 * - requests (bench/requests.ts): POST JSON 1 KiB / 64 KiB, AWS4 and OAuth1 against raw dispatch
 *   sending the same bytes (JSON.stringify, aws4.sign, oauth-1.0a by hand), at c=16;
 * - throughput and latency for a 1 KiB and a 64 KiB JSON answer at concurrency 1, 16 and 64:
 *   a closed loop of c workers; after a warm-up, rounds in which every client runs once per
 *   (size, concurrency) for a time slice, in an order shuffled per round by a seeded PRNG;
 *   medians over rounds of req/s, p50, p99 and client CPU per request, and of the ratio of
 *   each req/s to raw `undici.request` in the same round. Every request checks status 200 and
 *   decodes the answer with the same io-ts codec; a client with failures is reported broken.
 *   An AWS4-signed httpipe variant runs at c=16;
 * - transfers (bench/transfers.ts): a 1 GiB file uploaded as a multipart part, as a file body
 *   and with sendDataInParts, and 1 GiB downloaded to a file with setResponseFile and with
 *   getDataInParts, each case in a process of its own: MiB/s next to a raw node:http pipe of the
 *   same bytes, peak RSS against the 150 MiB target, the bytes checked by SHA-256;
 * - processAll (bench/process-all.ts): 10,000 GETs through H.processAll at concurrency 64 next to
 *   undici.request from a pool of 64 workers (and the same pool reusing its connections as
 *   processAll does), each side in a process of its own, the ratio against the 0.8 target and
 *   each side's peak RSS growth against 100 MiB;
 * - HTTP/2 (bench/http2.ts): httpipe useHttp2() against undici on one multiplexed connection
 *   over TLS at c=64, the server counting one connection per client.
 *
 * Options (`npm run bench -- <options>`):
 *   --quick          3 short rounds, transfers of 256 MiB in 1 round (about a minute and a half
 *                    in all); the full run takes about 7 minutes
 *   --only=a,b       only these clients (ids below; undici, the baseline, always runs), sections
 *                    (overhead, sign, memory, streams, inflight, requests, http2, process-all, transfers) and/or transfer cases (ids in
 *                    bench/transfer-cases.ts; the raw pipes always run); e.g. --only=httpipe,got,
 *                    --only=memory or --only=up-multipart,down-file
 *   --write          write BENCHMARKS.md (the full run without --only writes it anyway)
 *   --no-write       do not write BENCHMARKS.md
 *   --rounds=N --slice=MS --seed=N   override the rounds, the slice length, the shuffle seed
 *   --transfer-mib=N --transfer-rounds=N   override the transfers' size and rounds
 * Client ids: undici, dispatch (raw Agent.dispatch, the limit; always runs beside undici), http, fetch, cross-fetch,
 * httpipe, httpipe-chained (readers chained with TE.flatMapEither), httpipe-fetch, httpipe-cross-fetch,
 * httpipe-undici (the last two when this build exports them), httpipe-aws4, axios, got, ky.
 *
 * Uses the built package (dist/esm), so run `npm run build` first (`npm run bench` does).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import os from 'node:os'
import { dirname, join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { runRounds, summarize, type Cell, type Plan } from './harness.js'
import { httpipeDownload, measureDownload, measureOverhead, rawDownloads } from './overhead.js'
import { routes } from './payload.js'
import { renderMarkdown, renderText, type Report } from './report.js'
import { measureSigning } from './sign.js'
import { measureRequests, requestsMarkdown, requestsText } from './requests.js'
import { measureStreams } from './streams.js'
import { measureInflight } from './inflight.js'
import { measureProcessAll } from './process-all.js'
import { http2Lines, measureHttp2 } from './http2.js'
import { transferCases } from './transfer-cases.js'
import { measureTransfers } from './transfers.js'
import { makeClients } from './variants.js'

const t0 = performance.now()
const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const SECTIONS = [
  'overhead',
  'sign',
  'memory',
  'streams',
  'inflight',
  'requests',
  'http2',
  'process-all',
  'transfers',
] as const
const CONCURRENCIES = [1, 16, 64] as const
const MEMORY_BYTES = 64 << 20

const usage = (msg: string): never => {
  console.error(
    `bench: ${msg}\nusage: npm run bench -- [--quick] [--only=a,b] [--write|--no-write] [--rounds=N] [--slice=MS] [--seed=N] [--transfer-mib=N] [--transfer-rounds=N]`,
  )
  process.exit(2)
}
const args = process.argv.slice(2)
const opts = {
  quick: false,
  only: null as ReadonlySet<string> | null,
  write: null as boolean | null,
  rounds: null as number | null,
  slice: null as number | null,
  seed: 1,
  transferMiB: null as number | null,
  transferRounds: null as number | null,
}
for (const a of args) {
  const [k, v] = a.split('=', 2) as [string, string | undefined]
  const int = (): number =>
    v !== undefined && /^\d+$/.test(v) && Number(v) > 0 ? Number(v) : usage(`${k} wants a positive whole number`)
  if (k === '--quick' && v === undefined) opts.quick = true
  else if (k === '--only' && v !== undefined)
    opts.only = new Set(
      v
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== ''),
    )
  else if (k === '--write' && v === undefined) opts.write = true
  else if (k === '--no-write' && v === undefined) opts.write = false
  else if (k === '--rounds') opts.rounds = int()
  else if (k === '--slice') opts.slice = int()
  else if (k === '--seed') opts.seed = int()
  else if (k === '--transfer-mib') opts.transferMiB = int()
  else if (k === '--transfer-rounds') opts.transferRounds = int()
  else if (k === '--help' || k === '-h') usage('help')
  else usage(`unknown option ${a}`)
}
const cfg = opts.quick
  ? {
      rounds: 3,
      sliceMs: 100,
      warmupMs: 50,
      overheadN: 1000,
      overheadRounds: 5,
      signN: 6000,
      signRounds: 3,
      transferMiB: 256,
      transferRounds: 1,
      processAllRounds: 3,
    }
  : {
      rounds: 7,
      sliceMs: 500,
      warmupMs: 250,
      overheadN: 4000,
      overheadRounds: 15,
      signN: 20000,
      signRounds: 5,
      transferMiB: 1024,
      transferRounds: 3,
      processAllRounds: 5,
    }
const rounds = opts.rounds ?? cfg.rounds
const sliceMs = opts.slice ?? cfg.sliceMs
const wants = (name: string): boolean => opts.only === null || opts.only.has(name)
const transferIds = new Set(transferCases.map((c) => c.id))
const onlyCases = opts.only === null ? [] : [...opts.only].filter((n) => transferIds.has(n))
const transferBytes = (opts.transferMiB ?? cfg.transferMiB) * (1 << 20)
const write = opts.write ?? (!opts.quick && opts.only === null)
const progress = (m: string): void =>
  void process.stderr.write(`[bench ${((performance.now() - t0) / 1000).toFixed(0).padStart(3)} s] ${m}\n`)

/** Starts bench/server.ts in a child process; resolves with its base URL once it listens. */
const startServer = (): Promise<{ readonly child: ChildProcess; readonly base: string }> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'bench', 'server.ts')], {
      cwd: root,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    })
    const timer = setTimeout(
      () => (child.kill('SIGKILL'), reject(new Error('the bench server did not report its port within 30 s'))),
      30_000,
    )
    child.once('error', (e) => (clearTimeout(timer), reject(e)))
    child.once(
      'exit',
      (code, signal) => (
        clearTimeout(timer),
        reject(new Error(`the bench server exited (${code ?? signal}) before listening`))
      ),
    )
    child.once('message', (m: { port?: unknown }) => {
      clearTimeout(timer)
      if (typeof m.port === 'number') resolve({ child, base: `http://127.0.0.1:${m.port}` })
      else reject(new Error(`unexpected message from the bench server: ${JSON.stringify(m)}`))
    })
  })

const stopServer = async (child: ChildProcess): Promise<void> => {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise<void>((r) => child.once('exit', () => r()))
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
  await exited
  clearTimeout(timer)
}

const { child, base } = await startServer()
process.on('exit', () => child.kill('SIGKILL'))
progress(`server (pid ${child.pid}) on ${base}`)
const clients = makeClients([16])
try {
  const known = new Set([
    ...clients.contenders.map((c) => c.id),
    'httpipe-cross-fetch',
    'httpipe-undici',
    ...SECTIONS,
    ...transferIds,
  ])
  for (const name of opts.only ?? [])
    if (!known.has(name))
      usage(
        `--only: unknown name ${name} (clients: ${clients.contenders.map((c) => c.id).join(', ')}; sections: ${SECTIONS.join(', ')}; transfer cases: ${[...transferIds].join(', ')})`,
      )
  const contenders = clients.contenders.filter((c) => c.id === 'undici' || c.id === 'dispatch' || wants(c.id))
  const anyClient =
    opts.only === null ||
    contenders.some((c) => (c.id !== 'undici' && c.id !== 'dispatch') || opts.only?.has('undici') === true)
  const cells: Cell[] = anyClient
    ? [
        ['1k', '1 KiB', routes.small],
        ['64k', '64 KiB', routes.large],
      ].flatMap(([key, title, path]) =>
        CONCURRENCIES.map((c): Cell => ({
          key: `${key}-c${c}`,
          title: title as string,
          url: `${base}${path}`,
          concurrency: c,
        })),
      )
    : []
  const plan: Plan = {
    cells,
    contenders,
    baseline: 'undici',
    limit: 'dispatch',
    rounds,
    sliceMs,
    warmupMs: cfg.warmupMs,
    seed: opts.seed,
    onProgress: progress,
  }

  // The micro-benchmarks first, in a fresh process: after the load rounds (hundreds of pooled
  // sockets, a grown heap) the same code measures up to twice as slow, and not evenly.
  const overhead = wants('overhead')
    ? (progress("httpipe's own cost (in memory)"), await measureOverhead(cfg.overheadN, cfg.overheadRounds, opts.seed))
    : null
  const signing = wants('sign')
    ? (progress('AWS4 signing cost'), await measureSigning(cfg.signN, cfg.signRounds, opts.seed))
    : null
  const memory = wants('memory')
    ? (progress('memory: 64 MiB downloads to a file'),
      await measureDownload(
        base,
        [...clients.httpipeTransports.map(([id, env]) => [id, httpipeDownload(env)] as const), ...rawDownloads],
        MEMORY_BYTES,
      ))
    : null
  const streams = wants('streams') ? await measureStreams({ base, quick: opts.quick, onProgress: progress }) : null
  const inflight = wants('inflight')
    ? (progress('memory per request in flight'), await measureInflight(base, 1000, opts.quick ? 3 : 7, opts.seed))
    : null
  const requests = wants('requests')
    ? await measureRequests({ base, rounds, sliceMs, warmupMs: cfg.warmupMs, seed: opts.seed, onProgress: progress })
    : null
  // each side in processes of its own: the parent's heap and pools are not in its numbers
  const processAll = wants('process-all')
    ? await measureProcessAll({
        root,
        base,
        n: 10_000,
        concurrency: 64,
        rounds: cfg.processAllRounds,
        onProgress: progress,
      })
    : null
  const http2 = wants('http2')
    ? await measureHttp2({ root, rounds, sliceMs, warmupMs: cfg.warmupMs, seed: opts.seed, onProgress: progress })
    : null
  const results = cells.length > 0 ? await runRounds(plan) : new Map()
  // last: the transfers run in child processes of their own and leave the parent's state alone,
  // but move gigabytes through the server and the page cache
  const transfers =
    wants('transfers') || onlyCases.length > 0
      ? await measureTransfers({
          root,
          base,
          bytes: transferBytes,
          rounds: opts.transferRounds ?? cfg.transferRounds,
          seed: opts.seed,
          only: onlyCases.length > 0 ? new Set(onlyCases) : null,
          onProgress: progress,
        })
      : null
  const cpus = os.cpus()
  const report: Report = {
    machine: {
      cpu: cpus[0]?.model.trim() ?? 'unknown CPU',
      cores: cpus.length,
      memoryGiB: os.totalmem() / 2 ** 30,
      os: `${os.type()} ${os.release()} ${os.arch()}`,
      node: process.version,
    },
    command: `npm run bench${args.length > 0 ? ` -- ${args.join(' ')}` : ''}`,
    date: new Date().toISOString(),
    mode: opts.quick ? 'quick' : 'full',
    method:
      `closed loop of c workers, requests back to back; a warm-up, then ${rounds} rounds; in each round every client runs ${sliceMs} ms per (answer size, concurrency), ` +
      `in an order shuffled per round (seed ${opts.seed}); medians over rounds. Server: node:http in a child process on 127.0.0.1, keep-alive. ` +
      'Every request checks status 200 and decodes the JSON with the same io-ts codec. CPU is the client process only (user + system).',
    notes: clients.notes,
    baselineLabel: 'undici.request',
    cells,
    summaries: summarize(plan, results),
    overhead,
    signing,
    memory,
    memoryBytes: MEMORY_BYTES,
    processAll,
    streams,
    inflight,
    transfers,
    transfersQuick: opts.quick && opts.transferMiB === null,
    seconds: (performance.now() - t0) / 1000,
  }
  console.log(`\n${renderText(report)}`)
  if (requests !== null) console.log(`\n${requestsText(requests)}`)
  if (http2 !== null) console.log(`\n${http2Lines(http2, false).join('\n')}`)
  if (write) {
    const more = requests === null ? '' : `\n${requestsMarkdown(requests)}\n`
    const h2 = http2 === null ? '' : `\n${http2Lines(http2, true).join('\n')}\n`
    writeFileSync(join(root, 'BENCHMARKS.md'), `${renderMarkdown(report)}\n${more}${h2}`)
    console.log('wrote BENCHMARKS.md')
  }
} finally {
  await clients.close()
  await stopServer(child)
}
process.exit(0)
