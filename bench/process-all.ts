/**
 * The processAll row: `n` GETs of the 1 KiB answer through `H.processAll` at concurrency `c`,
 * next to raw `undici.request` with the same cap (a pool of `c` workers over one Agent), and
 * the same pool waiting a `setImmediate` between requests as processAll does (a stricter
 * reference: it reuses its `c` connections where the plain pool opens about 1.5 per worker).
 * Each side runs in a process of its own (bench/process-all-child.ts), once per round, in an
 * order rotated from round to round; medians over rounds of req/s and of the same-round ratios
 * (httpipe ÷ undici: target ≥ 0.8), and the highest peak RSS growth of each side over the
 * rounds (target < 100 MiB), the answers being kept until the end on every side.
 * @module
 */
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import type { SideJob, SideReport } from './process-all-child.js'
import { median } from './harness.js'
import { routes } from './payload.js'

/** The ratio the row aims at, and the most RSS growth it allows (MiB). */
export const PROCESS_ALL_TARGET = { ratio: 0.8, rssMiB: 100 } as const

type Side = SideJob['side']
const SIDES: ReadonlyArray<Side> = ['httpipe', 'undici', 'undici-settled']

export interface ProcessAllResult {
  readonly n: number
  readonly concurrency: number
  readonly rounds: ReadonlyArray<Readonly<Record<Side, SideReport>>>
}

const broken = (side: Side, error: string): SideReport => ({
  side,
  ok: 0,
  failures: 1,
  firstError: error,
  seconds: NaN,
  rps: NaN,
  cpuUs: NaN,
  rssGrowth: NaN,
})

/** Runs one side in a child process; resolves with its report (a broken one when it failed). */
const runSide = (root: string, job: SideJob): Promise<SideReport> =>
  new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(root, 'bench', 'process-all-child.ts'), JSON.stringify(job)],
      { cwd: root, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
    )
    let report: SideReport | null = null
    const timer = setTimeout(() => child.kill('SIGKILL'), 300_000)
    child.on('message', (m: SideReport) => void (report = m))
    child.once('error', (e) => (clearTimeout(timer), resolve(broken(job.side, e.message))))
    child.once('exit', (code, signal) => {
      clearTimeout(timer)
      resolve(report ?? broken(job.side, `the process exited (${code ?? signal}) without a report`))
    })
  })

/** Every round runs every side, in an order rotated by one from round to round. */
export const measureProcessAll = async (options: {
  readonly root: string
  readonly base: string
  readonly n: number
  readonly concurrency: number
  readonly rounds: number
  readonly onProgress: (message: string) => void
}): Promise<ProcessAllResult> => {
  const { root, base, n, concurrency } = options
  const job = (side: Side): SideJob => ({
    side,
    url: `${base}${routes.small}`,
    n,
    concurrency,
    warmup: Math.min(2000, n),
    bytes: 1024,
  })
  const rounds: Array<Record<Side, SideReport>> = []
  for (let r = 0; r < options.rounds; r++) {
    options.onProgress(
      `processAll: round ${r + 1}/${options.rounds}, ${n} GETs at concurrency ${concurrency} each side`,
    )
    const got = new Map<Side, SideReport>()
    for (let i = 0; i < SIDES.length; i++) {
      const side = SIDES[(i + r) % SIDES.length] as Side
      got.set(side, await runSide(root, job(side)))
    }
    const of = (side: Side): SideReport => got.get(side) ?? broken(side, 'not run')
    rounds.push({ httpipe: of('httpipe'), undici: of('undici'), 'undici-settled': of('undici-settled') })
  }
  return { n, concurrency, rounds }
}

interface SideSummary {
  readonly rps: number
  readonly cpuUs: number
  readonly rssMiB: number
  readonly failures: number
  readonly firstError: string | null
  /** median over rounds of httpipe's req/s ÷ this side's in the same round */
  readonly httpipeRatio: number
}

/** The medians and peaks of a result, side by side. */
export const summarizeProcessAll = (r: ProcessAllResult): Readonly<Record<Side, SideSummary>> => {
  const side = (s: Side): SideSummary => {
    const reports = r.rounds.map((x) => x[s])
    return {
      rps: median(reports.map((x) => x.rps)),
      cpuUs: median(reports.map((x) => x.cpuUs)),
      rssMiB: Math.max(...reports.map((x) => x.rssGrowth / (1 << 20))),
      failures: reports.reduce((a, x) => a + x.failures, 0),
      firstError: reports.find((x) => x.firstError !== null)?.firstError ?? null,
      httpipeRatio: median(r.rounds.map((x) => x.httpipe.rps / x[s].rps)),
    }
  }
  return { httpipe: side('httpipe'), undici: side('undici'), 'undici-settled': side('undici-settled') }
}

const fixed = (x: number, digits: number): string => (Number.isFinite(x) ? x.toFixed(digits) : '–')
const met = (ok: boolean): string => (ok ? 'met' : 'MISSED')

/** The title and the table of the row, with the verdict against the targets. */
export const processAllTable = (
  r: ProcessAllResult,
): {
  readonly title: string
  readonly table: { head: ReadonlyArray<string>; rows: ReadonlyArray<ReadonlyArray<string>>; left: number }
  readonly verdict: string
} => {
  const s = summarizeProcessAll(r)
  const broken = SIDES.some((x) => s[x].failures > 0)
  const c = r.concurrency
  const labels: Readonly<Record<Side, string>> = {
    httpipe: `H.processAll('GET', { concurrency: ${c} })`,
    undici: `undici.request, ${c} workers, one Agent`,
    'undici-settled': `undici.request, ${c} workers, setImmediate between requests`,
  }
  const ratio = s.undici.httpipeRatio
  const rss = Math.max(...SIDES.map((x) => s[x].rssMiB))
  return {
    title: `${r.n} GETs of the 1 KiB answer at concurrency ${c} (${r.rounds.length} rounds, each side in a process of its own)`,
    table: {
      head: ['client', 'req/s', 'client CPU µs/req', 'httpipe ÷ this', 'peak RSS growth MiB', 'failed'],
      rows: SIDES.map((x) => [
        labels[x],
        fixed(s[x].rps, 0),
        fixed(s[x].cpuUs, 0),
        broken ? 'broken' : fixed(s[x].httpipeRatio, 2),
        fixed(s[x].rssMiB, 1),
        s[x].failures === 0 ? '0' : `${s[x].failures} (first: ${s[x].firstError ?? '?'})`,
      ]),
      left: 1,
    },
    verdict:
      `httpipe ÷ undici.request ${fixed(ratio, 2)} (target ≥ ${PROCESS_ALL_TARGET.ratio}: ${met(ratio >= PROCESS_ALL_TARGET.ratio)}; ` +
      `per round ${r.rounds.map((x) => fixed(x.httpipe.rps / x.undici.rps, 2)).join(', ')}); ` +
      `÷ the settled pool ${fixed(s['undici-settled'].httpipeRatio, 2)}; ` +
      `peak RSS growth at most ${fixed(rss, 1)} MiB (target < ${PROCESS_ALL_TARGET.rssMiB} MiB: ${met(rss < PROCESS_ALL_TARGET.rssMiB)})`,
  }
}

/** What the row measures, for BENCHMARKS.md. */
export const processAllMethod =
  'Each side in a fresh process (after a warm-up of 2,000 requests and a GC), once per round, in an order rotated from round to round; every answer is checked (status 200, 1,024 bytes) and kept until the end, as a list of results is. httpipe builds the Requests (`newRequest`, `initialize`) inside the timed part and runs them on the default transport; undici.request runs from a pool of workers taking the next index in turn over one Agent, and again with each worker waiting a `setImmediate` between requests as processAll does (undici then reuses its connections: the plain pool opens about 1.5 per worker). req/s and CPU: medians over rounds; httpipe ÷ this: median of the same-round ratio; peak RSS growth: the highest over rounds of (peak RSS sampled every 10 ms during the run − RSS just before it).'

/** The row's lines in the report: text for stdout, or Markdown (with the method) for BENCHMARKS.md. */
export const processAllLines = (
  r: ProcessAllResult | null,
  render: (t: ReturnType<typeof processAllTable>['table']) => string,
  markdown: boolean,
): ReadonlyArray<string> => {
  if (r === null) return []
  const { title, table, verdict } = processAllTable(r)
  return markdown
    ? [`## processAll: ${title}`, '', processAllMethod, '', render(table), '', verdict, '']
    : [`processAll: ${title}`, render(table), verdict, '']
}
