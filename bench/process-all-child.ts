/**
 * One side of the processAll row in a process of its own, started by bench/process-all.ts as
 * `node --import tsx process-all-child.ts '<job JSON>'`: a warm-up of `warmup` GETs, a GC, then
 * `n` GETs of `url` at most `concurrency` at a time, every answer kept until the end (as a list
 * of results is), each checked for status 200 and the size of its body. Reports a
 * {@link SideReport} over IPC (on stdout when started by hand), then exits.
 *
 * - `httpipe`: `H.processAll('GET', { concurrency })` over `n` Requests built in the timed part
 *   (`newRequest`, `initialize(url)`), on the default transport;
 * - `undici`: `undici.request` through one `Agent`, from a pool of `concurrency` workers taking
 *   the next index in turn, each body read whole (`body.bytes()`);
 * - `undici-settled`: the same, each worker waiting for a `setImmediate` before its next request,
 *   as processAll does (so undici puts the connection back in its pool first and reuses it: the
 *   plain pool opens about 1.5 connections per worker).
 *
 * The peak RSS growth is the highest RSS sampled every 10 ms during the measured run, less the
 * RSS just before it (after the warm-up and a GC): what the `n` requests and their kept answers
 * cost, in a process that ran nothing else.
 * @module
 */
import { performance } from 'node:perf_hooks'
import v8 from 'node:v8'
import vm from 'node:vm'
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import { Agent, request } from 'undici'
import * as H from '../dist/esm/index.js'

/** What the parent asks for. */
export interface SideJob {
  readonly side: 'httpipe' | 'undici' | 'undici-settled'
  readonly url: string
  readonly n: number
  readonly concurrency: number
  readonly warmup: number
  /** the answer's size in bytes, checked for every request */
  readonly bytes: number
}

/** What a child reports. */
export interface SideReport {
  readonly side: SideJob['side']
  readonly ok: number
  readonly failures: number
  readonly firstError: string | null
  readonly seconds: number
  readonly rps: number
  /** user + system CPU of this process per request, µs */
  readonly cpuUs: number
  /** peak RSS during the run less the RSS just before it, bytes */
  readonly rssGrowth: number
}

v8.setFlagsFromString('--expose-gc')
const gc = vm.runInNewContext('gc') as () => void

type Outcome = { readonly ok: number; readonly failures: number; readonly firstError: string | null }

const tally = (errors: ReadonlyArray<string | null>): Outcome => {
  const failed = errors.filter((e) => e !== null)
  return { ok: errors.length - failed.length, failures: failed.length, firstError: failed[0] ?? null }
}

/** httpipe: the list built and run by processAll; the results kept until checked. */
const viaHttpipe =
  (job: SideJob) =>
  async (n: number): Promise<Outcome> => {
    const requests = Array.from({ length: n }, () => pipe(H.newRequest(), H.initialize(job.url)))
    const results = await H.processAll('GET', { concurrency: job.concurrency })(requests)()
    return tally(
      results.map((r) =>
        E.isLeft(r)
          ? `${r.left._tag}: ${r.left.message}`
          : r.right.status !== 200
            ? `status ${r.right.status}`
            : r.right.body.byteLength !== job.bytes
              ? `${r.right.body.byteLength} bytes`
              : null,
      ),
    )
  }

/** undici.request: `concurrency` workers over one Agent; the answers kept until checked. */
const viaUndici = (job: SideJob, dispatcher: Agent, settled: boolean) => async (n: number) => {
  const results: Array<{ status: number; body: Uint8Array } | string> = new Array(n)
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < n) {
      const i = next++
      try {
        const { statusCode, body } = await request(job.url, { dispatcher })
        results[i] = { status: statusCode, body: await body.bytes() }
      } catch (e) {
        results[i] = String((e as { message?: unknown } | null)?.message ?? e)
      }
      if (settled) await new Promise((resolve) => setImmediate(resolve))
    }
  }
  await Promise.all(Array.from({ length: Math.min(job.concurrency, n) }, worker))
  return tally(
    results.map((r) =>
      typeof r === 'string'
        ? r
        : r.status !== 200
          ? `status ${r.status}`
          : r.body.byteLength !== job.bytes
            ? `${r.body.byteLength} bytes`
            : null,
    ),
  )
}

const job = JSON.parse(process.argv[2] ?? '{}') as SideJob
const agent = new Agent()
const go = job.side === 'httpipe' ? viaHttpipe(job) : viaUndici(job, agent, job.side === 'undici-settled')
await go(job.warmup)
gc()
await new Promise((r) => setTimeout(r, 50))
gc()
const before = process.memoryUsage.rss()
let peak = before
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 10)
const cpu0 = process.cpuUsage()
const t0 = performance.now()
const outcome = await go(job.n)
const seconds = (performance.now() - t0) / 1000
const cpu = process.cpuUsage(cpu0)
clearInterval(sampler)
peak = Math.max(peak, process.memoryUsage.rss())
const report: SideReport = {
  side: job.side,
  ...outcome,
  seconds,
  rps: outcome.ok / seconds,
  cpuUs: (cpu.user + cpu.system) / job.n,
  rssGrowth: peak - before,
}
if (process.send !== undefined) process.send(report)
else console.log(JSON.stringify(report))
await Promise.allSettled([agent.close(), H.defaultTransport.close?.()])
process.exit(0)
