/**
 * One transfer case in a process of its own, started by bench/transfers.ts as
 * `node transfer-child.js '<job JSON>'` (transpiled, see transfers.ts): loads the case's module,
 * runs the case once and reports a {@link ChildReport} over IPC (on stdout when started by hand),
 * then exits.
 *
 * Peak RSS is the kernel's high-water mark of this process's memory (`VmHWM` in
 * /proc/self/status), not `process.resourceUsage().maxRSS`: after a fork and exec Linux carries
 * the parent's maximum over into the child's `maxRSS`, so a child of a large bench parent would
 * report the parent's size. Elsewhere (no /proc) the sampled RSS is the peak.
 * @module
 */
import { readFileSync } from 'node:fs'
import { performance } from 'node:perf_hooks'
import { transferCases, type Job, type Outcome } from './transfer-cases.js'

/** What a child reports. */
export interface ChildReport {
  readonly outcome: Outcome
  readonly seconds: number
  /** user + system CPU of this process during the transfer, seconds */
  readonly cpuSeconds: number
  /** RSS just before the transfer (after the imports), bytes */
  readonly startRss: number
  /** the process's peak RSS, bytes */
  readonly peakRss: number
  /** peaks of the samples (every 10 ms), bytes */
  readonly peakHeapUsed: number
  /** the heap V8 holds (young and old generations, used or not) */
  readonly peakHeapTotal: number
  readonly peakArrayBuffers: number
}

const hwm = (): number | null => {
  try {
    const m = /^VmHWM:\s+(\d+)\s+kB$/m.exec(readFileSync('/proc/self/status', 'utf8'))
    return m === null ? null : Number(m[1]) * 1024
  } catch {
    return null
  }
}

const job = JSON.parse(process.argv[2] ?? '{}') as Job
const found = transferCases.find((c) => c.id === job.id)
const describe = (e: unknown): string => String((e as { message?: unknown } | null)?.message ?? e).slice(0, 300)
if (found === undefined) {
  process.send?.({
    outcome: { error: `no case ${String(job.id)}` },
    seconds: 0,
    cpuSeconds: 0,
    startRss: 0,
    peakRss: 0,
    peakHeapUsed: 0,
    peakHeapTotal: 0,
    peakArrayBuffers: 0,
  } satisfies ChildReport)
  process.exit(1)
}
const peaks = { rss: 0, heapUsed: 0, heapTotal: 0, arrayBuffers: 0 }
const sample = (): void => {
  const m = process.memoryUsage()
  peaks.rss = Math.max(peaks.rss, m.rss)
  peaks.heapUsed = Math.max(peaks.heapUsed, m.heapUsed)
  peaks.heapTotal = Math.max(peaks.heapTotal, m.heapTotal)
  peaks.arrayBuffers = Math.max(peaks.arrayBuffers, m.arrayBuffers)
}
const run = await found.load()
const startRss = process.memoryUsage().rss
const sampler = setInterval(sample, 10)
const t0 = performance.now()
const cpu0 = process.cpuUsage()
const outcome = await run(job).catch((e: unknown): Outcome => ({ error: describe(e) }))
const seconds = (performance.now() - t0) / 1000
const cpu = process.cpuUsage(cpu0)
clearInterval(sampler)
sample()
const report: ChildReport = {
  outcome,
  seconds,
  cpuSeconds: (cpu.user + cpu.system) / 1e6,
  startRss,
  peakRss: Math.max(hwm() ?? 0, peaks.rss),
  peakHeapUsed: peaks.heapUsed,
  peakHeapTotal: peaks.heapTotal,
  peakArrayBuffers: peaks.arrayBuffers,
}
// started by hand (no IPC channel): the report on stdout
if (process.send === undefined) console.log(JSON.stringify(report))
else process.send(report, () => process.exit(0))
