/**
 * The processAll row: `n` GETs of the 1 KiB answer through `H.processAll` at concurrency `c`,
 * next to raw `undici.request` with the same cap (a pool of `c` workers over one Agent). Each
 * side runs in a process of its own (bench/process-all-child.ts), once per round, the two in an
 * order that alternates from round to round; medians over rounds of req/s and of the
 * same-round ratio httpipe ÷ undici (target ≥ 0.8), and the highest peak RSS growth of each
 * side over the rounds (target < 100 MiB), the answers being kept until the end on both sides.
 * @module
 */
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import type { SideJob, SideReport } from './process-all-child.js'
import { median } from './harness.js'
import { routes } from './payload.js'

/** The ratio the row aims at, and the most RSS growth it allows (MiB). */
export const PROCESS_ALL_TARGET = { ratio: 0.8, rssMiB: 100 } as const

export interface ProcessAllResult {
  readonly n: number
  readonly concurrency: number
  readonly rounds: ReadonlyArray<{ readonly httpipe: SideReport; readonly undici: SideReport }>
}

const broken = (side: SideJob['side'], error: string): SideReport => ({
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

/** Every round runs both sides, httpipe first in even rounds and undici first in odd ones. */
export const measureProcessAll = async (options: {
  readonly root: string
  readonly base: string
  readonly n: number
  readonly concurrency: number
  readonly rounds: number
  readonly onProgress: (message: string) => void
}): Promise<ProcessAllResult> => {
  const { root, base, n, concurrency } = options
  const job = (side: SideJob['side']): SideJob => ({
    side,
    url: `${base}${routes.small}`,
    n,
    concurrency,
    warmup: Math.min(2000, n),
    bytes: 1024,
  })
  const rounds: Array<{ httpipe: SideReport; undici: SideReport }> = []
  for (let r = 0; r < options.rounds; r++) {
    options.onProgress(
      `processAll: round ${r + 1}/${options.rounds}, ${n} GETs at concurrency ${concurrency} each side`,
    )
    const order: ReadonlyArray<SideJob['side']> = r % 2 === 0 ? ['httpipe', 'undici'] : ['undici', 'httpipe']
    const got = new Map<SideJob['side'], SideReport>()
    for (const side of order) got.set(side, await runSide(root, job(side)))
    rounds.push({
      httpipe: got.get('httpipe') ?? broken('httpipe', 'not run'),
      undici: got.get('undici') ?? broken('undici', 'not run'),
    })
  }
  return { n, concurrency, rounds }
}

/** The medians and peaks of a result, for the tables and the verdict. */
export const summarizeProcessAll = (r: ProcessAllResult) => {
  const side = (s: SideJob['side']) => {
    const reports = r.rounds.map((x) => x[s])
    return {
      rps: median(reports.map((x) => x.rps)),
      cpuUs: median(reports.map((x) => x.cpuUs)),
      rssMiB: Math.max(...reports.map((x) => x.rssGrowth / (1 << 20))),
      failures: reports.reduce((a, x) => a + x.failures, 0),
      firstError: reports.find((x) => x.firstError !== null)?.firstError ?? null,
    }
  }
  const ratio = median(r.rounds.map((x) => x.httpipe.rps / x.undici.rps))
  return { httpipe: side('httpipe'), undici: side('undici'), ratio }
}

const fixed = (x: number, digits: number): string => (Number.isFinite(x) ? x.toFixed(digits) : '–')

/** The title and the table of the row, with the verdict against the targets. */
export const processAllTable = (
  r: ProcessAllResult,
): {
  readonly title: string
  readonly table: { head: ReadonlyArray<string>; rows: ReadonlyArray<ReadonlyArray<string>>; left: number }
  readonly verdict: string
} => {
  const s = summarizeProcessAll(r)
  const row = (label: string, x: ReturnType<typeof summarizeProcessAll>['httpipe'], ratio: string) => [
    label,
    fixed(x.rps, 0),
    fixed(x.cpuUs, 0),
    ratio,
    fixed(x.rssMiB, 1),
    x.failures === 0 ? '0' : `${x.failures} (first: ${x.firstError ?? '?'})`,
  ]
  const ok = s.httpipe.failures === 0 && s.undici.failures === 0
  return {
    title: `${r.n} GETs of the 1 KiB answer at concurrency ${r.concurrency} (${r.rounds.length} rounds, each side in a process of its own)`,
    table: {
      head: ['client', 'req/s', 'client CPU µs/req', '× undici', 'peak RSS growth MiB', 'failed'],
      rows: [
        row(`H.processAll('GET', { concurrency: ${r.concurrency} })`, s.httpipe, ok ? fixed(s.ratio, 2) : 'broken'),
        row(`undici.request, ${r.concurrency} workers, one Agent`, s.undici, '1.00'),
      ],
      left: 1,
    },
    verdict:
      `ratio ${fixed(s.ratio, 2)} (target ≥ ${PROCESS_ALL_TARGET.ratio}: ${s.ratio >= PROCESS_ALL_TARGET.ratio ? 'met' : 'MISSED'}; ` +
      `per round ${r.rounds.map((x) => fixed(x.httpipe.rps / x.undici.rps, 2)).join(', ')}); ` +
      `peak RSS growth ${fixed(s.httpipe.rssMiB, 1)} MiB httpipe, ${fixed(s.undici.rssMiB, 1)} MiB undici ` +
      `(target < ${PROCESS_ALL_TARGET.rssMiB} MiB: ${s.httpipe.rssMiB < PROCESS_ALL_TARGET.rssMiB ? 'met' : 'MISSED'})`,
  }
}

/** What the row measures, for BENCHMARKS.md. */
export const processAllMethod =
  'Each side in a fresh process (after a warm-up of 2,000 requests and a GC), once per round, the order alternating from round to round; every answer is checked (status 200, 1,024 bytes) and kept until the end, as a list of results is. httpipe builds the Requests (`newRequest`, `initialize`) inside the timed part and runs them on the default transport; undici.request runs from a pool of workers taking the next index in turn over one Agent. req/s and CPU: medians over rounds; × undici: median of the same-round ratio; peak RSS growth: the highest over rounds of (peak RSS sampled every 10 ms during the run − RSS just before it).'

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
