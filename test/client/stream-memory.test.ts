/**
 * streamRequest and asNdjson keep memory flat: 1 GiB read through each on the default transport
 * (and 256 MiB through streamRequest on each of the other two transports), in a child process
 * of its own (its RSS is the client's only), grows the peak RSS by less than 64 MiB; and a reader
 * that reads slowly holds the server back (its writes block, what it wrote stays within a few
 * MiB of what was read), on the three transports.
 *
 * The server is a raw node:http server in this process on 127.0.0.1, port 0, generating the
 * bytes from one 64 KiB buffer (NDJSON: one 64 KiB line, repeated). The child is this file again,
 * run with HTTPIPE_STREAM_MEMORY_JOB set: before the first read on a transport it reads a 64 MiB
 * warm-up stream (Node's young generation and the allocator grow to their steady size under
 * per-chunk allocation whatever the client: about 60 MiB for undici.request itself from a cold
 * start), then each case, and reports each read's peak RSS over the RSS just before it (the
 * kernel's high-water mark, VmHWM, reset through /proc/self/clear_refs, and samples every 10 ms)
 * as JSON on stdout, with its peak over the RSS before any warm-up for the record.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { after, before, describe, test } from 'node:test'
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import * as t from 'io-ts'
import * as H from '../../src/index.js'
import { rightOf } from '../execute/helpers.js'
import { useTransports } from '../support/transports.js'
import { waitFor } from '../support/wait.js'

const KiB = 1024
const MiB = 1 << 20
const GiB = 1 << 30
const CHUNK = 64 * KiB
const WARM_UP = 64 * MiB
const RSS_BOUND = 64 * MiB
/** What a slow reader may leave in flight: the socket buffers of both ends and the client's queue. */
const IN_FLIGHT_BOUND = 8 * MiB
const JOB_VAR = 'HTTPIPE_STREAM_MEMORY_JOB'

/** One NDJSON line of exactly 64 KiB (its \n included): `{"pad":"aaa…"}`. */
const Line = t.type({ pad: t.string })
const PAD = CHUNK - '{"pad":""}\n'.length
const LINE = Buffer.from(`{"pad":"${'a'.repeat(PAD)}"}\n`)
const BYTES = Buffer.alloc(CHUNK, 0x5a)

type Kind = 'bytes' | 'ndjson'
type Via = 'the default transport' | 'crossFetchTransport' | 'fromFetch(globalThis.fetch)'

/**
 * What the child reads, in order: the issue's 1 GiB through streamRequest and through asNdjson on
 * the default transport, then a quarter of that on each of the other two transports (still four
 * times the bound: a body held in memory would show).
 */
const CASES: ReadonlyArray<{ readonly id: string; readonly kind: Kind; readonly via: Via; readonly bytes: number }> = [
  { id: 'bytes', kind: 'bytes', via: 'the default transport', bytes: GiB },
  { id: 'ndjson', kind: 'ndjson', via: 'the default transport', bytes: GiB },
  { id: 'cross-fetch', kind: 'bytes', via: 'crossFetchTransport', bytes: 256 * MiB },
  { id: 'global fetch', kind: 'bytes', via: 'fromFetch(globalThis.fetch)', bytes: 256 * MiB },
]

/** One read in the child. */
interface Run {
  readonly bytes: number
  readonly items: number
  readonly seconds: number
  /** peak RSS during the read over the RSS just before it */
  readonly growth: number
}

interface ChildReport {
  readonly error: string | null
  readonly runs: Readonly<Record<string, Run>>
  /** the child's peak RSS over its RSS before the warm-up (for the record: GC's steady state included) */
  readonly coldGrowth: number
  /** whether VmHWM could be reset (else the peak is sampled only) */
  readonly highWaterMark: boolean
}

// ---- the child: reads the streams and measures its own RSS ----

const vmHwm = (): number => {
  try {
    const m = /^VmHWM:\s+(\d+)\s+kB$/m.exec(readFileSync('/proc/self/status', 'utf8'))
    return m === null ? 0 : Number(m[1]) * KiB
  } catch {
    return 0
  }
}

/** Resets VmHWM to the current RSS (Linux: 5 into clear_refs); false where that cannot be done. */
const resetHwm = (): boolean => {
  try {
    writeFileSync('/proc/self/clear_refs', '5')
    return true
  } catch {
    return false
  }
}

const envOf = (via: Via): H.Env | undefined =>
  via === 'crossFetchTransport'
    ? { transport: H.crossFetchTransport }
    : via === 'fromFetch(globalThis.fetch)'
      ? { transport: H.fromFetch(globalThis.fetch) }
      : undefined

/** Reads `/kind/n` through streamRequest (and asNdjson for 'ndjson'); the bytes and items read. */
const readOnce = async (base: string, via: Via, kind: Kind, n: number): Promise<{ bytes: number; items: number }> => {
  const req = pipe(H.newRequest(), H.initialize(`${base}/${kind}/${n}`))
  const opened = await H.streamRequest('GET', envOf(via))(req)()
  if (E.isLeft(opened)) throw new Error(`${opened.left._tag}: ${opened.left.message}`)
  let bytes = 0
  let items = 0
  if (kind === 'bytes') {
    for await (const chunk of opened.right.body) {
      if (E.isLeft(chunk)) throw new Error(`${chunk.left._tag}: ${chunk.left.message}`)
      bytes += chunk.right.byteLength
    }
    return { bytes, items }
  }
  for await (const line of H.asNdjson(Line)(opened.right)) {
    if (E.isLeft(line)) throw new Error(`${line.left._tag}: ${line.left.message}`)
    if (line.right.pad.length !== PAD) throw new Error(`line ${items + 1} has ${line.right.pad.length} pad characters`)
    items += 1
    bytes += CHUNK
  }
  return { bytes, items }
}

/** The child: each case after a warm-up on its transport, its peak RSS growth measured. */
const runChild = async (base: string, runs: Record<string, Run>): Promise<ChildReport> => {
  let peak = 0
  const sampler = setInterval(() => void (peak = Math.max(peak, process.memoryUsage().rss)), 10)
  const coldRss = process.memoryUsage().rss
  const highWaterMark = resetHwm()
  let top = coldRss
  const warm = new Set<Via>()
  try {
    for (const c of CASES) {
      if (!warm.has(c.via))
        for (const kind of c.via === 'the default transport' ? (['bytes', 'ndjson'] as const) : (['bytes'] as const))
          await readOnce(base, c.via, kind, WARM_UP)
      warm.add(c.via)
      top = Math.max(top, peak, vmHwm())
      const rss = process.memoryUsage().rss
      peak = rss
      resetHwm()
      const t0 = performance.now()
      const got = await readOnce(base, c.via, c.kind, c.bytes)
      const seconds = (performance.now() - t0) / 1000
      const end = Math.max(peak, process.memoryUsage().rss, highWaterMark ? vmHwm() : 0)
      top = Math.max(top, end)
      runs[c.id] = { ...got, seconds, growth: end - rss }
    }
  } finally {
    clearInterval(sampler)
  }
  return { error: null, runs, coldGrowth: top - coldRss, highWaterMark }
}

// ---- the parent: the server and the tests ----

/** What the server did for one slow-reader request. */
interface Slow {
  /** bytes handed to res.write */
  written: number
  /** res.write() returned false and no 'drain' came yet */
  blocked: boolean
  /** how many times res.write() returned false */
  blocks: number
  closed: boolean
}

/** Sends `total` bytes of `unit` (repeated) on `res`, waiting for 'drain' whenever write() says so. */
const generate = (res: import('node:http').ServerResponse, unit: Buffer, total: number, slow: Slow | null): void => {
  let sent = 0
  const more = (): void => {
    if (slow !== null) slow.blocked = false
    while (sent < total && !res.destroyed) {
      const piece = total - sent >= unit.length ? unit : unit.subarray(0, total - sent)
      sent += piece.length
      if (slow !== null) slow.written += piece.length
      if (!res.write(piece)) {
        if (slow !== null) ((slow.blocked = true), (slow.blocks += 1))
        res.once('drain', more)
        return
      }
    }
    if (sent >= total) res.end()
  }
  more()
}

const mib = (n: number): string => `${(n / MiB).toFixed(1)} MiB`

function suites(): void {
  const slows = new Map<string, Slow>()
  let server: Server | undefined
  let base = ''
  let report: Promise<ChildReport> | undefined
  before(async () => {
    server = createServer((req, res) => {
      const m = /^\/(bytes|ndjson|slow)\/(\w+)$/.exec(req.url ?? '')
      if (m === null) return void res.writeHead(404).end()
      const [, route, arg] = m as unknown as [string, string, string]
      res.on('close', () => {
        const s = slows.get(arg)
        if (s !== undefined) s.closed = true
      })
      if (route === 'slow') {
        const slow: Slow = { written: 0, blocked: false, blocks: 0, closed: false }
        slows.set(arg, slow)
        res.writeHead(200, { 'content-type': 'application/octet-stream' })
        return generate(res, BYTES, 256 * MiB, slow)
      }
      const total = Number(arg)
      res.writeHead(200, {
        'content-type': route === 'bytes' ? 'application/octet-stream' : 'application/x-ndjson',
        'content-length': String(total),
      })
      generate(res, route === 'bytes' ? BYTES : LINE, total, null)
    })
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    // one child reads every case; started now, it loads (a second or two of tsx) while
    // the slow-reader tests, mostly waiting, run
    report = spawnChild({ base })
    report.catch(() => undefined)
  })
  after(() => {
    server?.closeAllConnections()
    server?.close()
  })

  /** Runs this file as a child with `job`; its report (a failure if it ends without one). */
  const spawnChild = (job: { readonly base: string }): Promise<ChildReport> =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url)], {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, [JOB_VAR]: JSON.stringify(job) },
      })
      let out = ''
      let err = ''
      child.stdout.on('data', (d: Buffer) => (out += d.toString()))
      child.stderr.on('data', (d: Buffer) => (err += d.toString()))
      // a ceiling so that a hang fails; 1 GiB takes a few seconds
      const killer = setTimeout(() => child.kill('SIGKILL'), 90_000)
      child.once('error', (e) => (clearTimeout(killer), reject(e)))
      child.once('exit', (code, signal) => {
        clearTimeout(killer)
        const last = out.trim().split('\n').at(-1) ?? ''
        try {
          resolve(JSON.parse(last) as ChildReport)
        } catch {
          reject(new Error(`the child ended (${code ?? signal}) without a report:\n${out}\n${err.slice(-2000)}`))
        }
      })
    })

  describe('a slow reader holds the server back, not its own memory', () => {
    let n = 0
    for (const [name, transport] of useTransports())
      test(`${name}: the server's writes block; what it wrote stays within ${mib(IN_FLIGHT_BOUND)} of what was read`, async (t) => {
        const id = `r${(n += 1)}`
        const req = pipe(H.newRequest(), H.initialize(`${base}/slow/${id}`))
        const stream = rightOf(await H.streamRequest('GET', { transport })(req)())
        const body = stream.body[Symbol.asyncIterator]()
        let read = 0
        const readOne = async (): Promise<void> => {
          const r = await body.next()
          assert.equal(r.done, false)
          read += rightOf(r.value as E.Either<H.ClientError, Uint8Array>).byteLength
        }
        try {
          await readOne()
          const slow = slows.get(id) ?? assert.fail('the server did not see the request')
          // the reader stops: the socket buffers fill, and the server waits on 'drain' for good
          // (its write() returned false and nothing more was written for 200 ms)
          let last = -1
          let since = 0
          await waitFor(
            () => {
              if (slow.written !== last) ((last = slow.written), (since = Date.now()))
              return slow.blocked && Date.now() - since >= 200
            },
            10_000,
            "the server's writes blocking",
          )
          const stalled = slow.written
          let most = stalled - read
          // then reads slowly: a chunk every 10 ms; the server writes as the reader reads
          for (let i = 0; i < 40; i++) {
            await new Promise((r) => setTimeout(r, 10))
            await readOne()
            most = Math.max(most, slow.written - read)
          }
          t.diagnostic(
            `${name}: the server's write() returned false ${slow.blocks} times; it wrote ${mib(stalled)} before it stalled, at most ${mib(most)} ahead of the reader`,
          )
          assert.ok(most < IN_FLIGHT_BOUND, `the server got ${mib(most)} ahead of the reader`)
          await body.return?.()
          await waitFor(() => slow.closed, 10_000, 'the server seeing the connection closed')
          assert.ok(slow.written < 64 * MiB, `the server wrote ${mib(slow.written)}`)
        } finally {
          // a failed assertion must not leave the connection open (the process would wait on it)
          await body.return?.()
        }
      })
  })

  describe('streamed bodies keep the peak RSS growth under 64 MiB (in a child process)', () => {
    for (const c of CASES)
      test(
        `${c.kind === 'ndjson' ? 'streamRequest + asNdjson(codec), 64 KiB lines' : 'streamRequest, read chunk by chunk'}: ${c.bytes >= GiB ? `${c.bytes / GiB} GiB` : `${c.bytes / MiB} MiB`} on ${c.via}`,
        { timeout: 120_000 },
        async (t) => {
          const r = await (report ?? assert.fail('the child was not started'))
          assert.equal(r.error, null)
          const run = r.runs[c.id] ?? assert.fail(`no ${c.id} run`)
          assert.equal(run.bytes, c.bytes)
          if (c.kind === 'ndjson') assert.equal(run.items, c.bytes / CHUNK)
          t.diagnostic(
            `${c.id}: ${run.seconds.toFixed(2)} s (${(c.bytes / MiB / run.seconds).toFixed(0)} MiB/s), peak RSS growth ${mib(run.growth)} ` +
              `(the child's peak over its RSS before any warm-up: ${mib(r.coldGrowth)}; VmHWM ${r.highWaterMark ? 'reset' : 'not available, sampled'})`,
          )
          assert.ok(run.growth < RSS_BOUND, `peak RSS grew by ${mib(run.growth)} (bound ${mib(RSS_BOUND)})`)
        },
      )
  })
}

const jobText = process.env[JOB_VAR]
if (jobText !== undefined) {
  const job = JSON.parse(jobText) as { readonly base: string }
  const runs: Record<string, Run> = {}
  const report = await runChild(job.base, runs).catch((e: unknown): ChildReport => ({
    error: String((e as Error | null)?.message ?? e),
    runs,
    coldGrowth: NaN,
    highWaterMark: false,
  }))
  process.stdout.write(`${JSON.stringify(report)}\n`, () => process.exit(0))
} else {
  suites()
}
