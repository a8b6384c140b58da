/**
 * The transfer benchmark: large uploads and downloads through loopback against the bench server
 * (transfer-routes.ts), each case in a process of its own so that its peak RSS is its alone.
 *
 * The bench writes the resource (blob.ts) to a file in a temporary directory and knows its
 * SHA-256; then `rounds` rounds run every case of transfer-cases.ts once, in an order shuffled per
 * round. Each run is checked: an upload's server-side size and SHA-256 (of the multipart part's
 * content for multipart) must be the file's, a download's file must have the resource's size and
 * SHA-256. Reported per case: median MiB/s, the median of the same-round ratio to the raw
 * node:http pipe of the same direction, and the largest peak RSS over the rounds.
 *
 * The child runs as plain JavaScript (no tsx loader, which alone adds ~40 MiB of RSS): the case
 * modules are transpiled with TypeScript's `transpileModule` into bench/tmp/transfer/ first.
 * @module
 */
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import ts from 'typescript'
import { hashFile, writeBlob } from './blob.js'
import { median, mulberry32, shuffle } from './harness.js'
import type { ChildReport } from './transfer-child.js'
import { transferCases, type Job, type TransferCase } from './transfer-cases.js'
import type { SinkAnswer } from './transfer-routes.js'

/** The target of issue 8: every case under this peak RSS. */
export const RSS_TARGET = 150 * (1 << 20)

export interface TransferRow {
  readonly id: string
  readonly label: string
  readonly direction: TransferCase['direction']
  readonly baseline: boolean
  readonly runs: number
  readonly failures: number
  readonly firstError: string | null
  /** medians over the successful runs */
  readonly mibPerS: number
  readonly ratio: number
  /** client CPU (user + system) per second of transfer: 1 = one core busy */
  readonly cpuLoad: number
  readonly startRss: number
  /** the largest over all runs, bytes */
  readonly peakRss: number
  readonly peakHeapUsed: number
  readonly peakHeapTotal: number
  readonly peakArrayBuffers: number
}

export interface TransferResult {
  readonly bytes: number
  readonly rounds: number
  readonly rows: ReadonlyArray<TransferRow>
}

export interface TransferPlan {
  readonly root: string
  readonly base: string
  readonly bytes: number
  readonly rounds: number
  readonly seed: number
  /** only these case ids (all when null) */
  readonly only: ReadonlySet<string> | null
  readonly onProgress: (message: string) => void
}

/** Transpiles the child's modules to bench/tmp/transfer/ (imports of dist made absolute); the entry's path. */
export const buildChild = (root: string): string => {
  const out = join(root, 'bench', 'tmp', 'transfer')
  mkdirSync(out, { recursive: true })
  const dist = pathToFileURL(join(root, 'dist', 'esm')).href
  for (const name of ['transfer-child', 'transfer-cases', 'transfer-raw', 'transfer-httpipe']) {
    const source = readFileSync(join(root, 'bench', `${name}.ts`), 'utf8')
    const js = ts.transpileModule(source, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: false },
    }).outputText
    writeFileSync(join(out, `${name}.js`), js.replaceAll("'../dist/esm/", `'${dist}/`))
  }
  return join(out, 'transfer-child.js')
}

/** Runs `job` in a child process; resolves with its report (an error outcome when it broke). */
const runChild = (entry: string, job: Job): Promise<ChildReport> =>
  new Promise((resolve) => {
    const broken = (error: string): ChildReport => ({
      outcome: { error },
      seconds: NaN,
      cpuSeconds: NaN,
      startRss: NaN,
      peakRss: NaN,
      peakHeapUsed: NaN,
      peakHeapTotal: NaN,
      peakArrayBuffers: NaN,
    })
    const child = spawn(process.execPath, [entry, JSON.stringify(job)], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    })
    let report: ChildReport | null = null
    const timer = setTimeout(() => child.kill('SIGKILL'), 300_000)
    child.on('message', (m: ChildReport) => void (report = m))
    child.once('error', (e) => (clearTimeout(timer), resolve(broken(e.message))))
    child.once('exit', (code, signal) => {
      clearTimeout(timer)
      resolve(report ?? broken(`the case process exited (${code ?? signal}) without a report`))
    })
  })

/** Why a finished run did not move the bytes exactly, or null. */
const check = async (c: TransferCase, job: Job, sha256: string, report: ChildReport): Promise<string | null> => {
  if ('error' in report.outcome) return report.outcome.error
  if (c.direction === 'download') {
    const got = await hashFile(job.file).catch((e: unknown) => ({ bytes: -1, sha256: String(e) }))
    return got.bytes !== job.size
      ? `the file has ${got.bytes} bytes, wanted ${job.size}`
      : got.sha256 !== sha256
        ? 'the downloaded file has the wrong SHA-256'
        : null
  }
  let a: SinkAnswer
  try {
    a = JSON.parse(report.outcome.answer) as SinkAnswer
  } catch {
    return `the server's answer is not JSON: ${report.outcome.answer.slice(0, 100)}`
  }
  const bytes = a.partBytes ?? a.bytes
  return bytes !== job.size
    ? `the server got ${bytes} bytes, wanted ${job.size}`
    : a.sha256 !== sha256
      ? 'the server got bytes with the wrong SHA-256'
      : null
}

/** Every case once per round, shuffled per round; the rows in the order of transfer-cases.ts. */
export const measureTransfers = async (plan: TransferPlan): Promise<TransferResult> => {
  const cases = transferCases.filter((c) => c.baseline || plan.only === null || plan.only.has(c.id))
  const entry = buildChild(plan.root)
  const dir = mkdtempSync(join(tmpdir(), 'httpipe-bench-transfer-'))
  const runs = new Map<string, Array<{ report: ChildReport; error: string | null; round: number }>>(
    cases.map((c) => [c.id, []]),
  )
  try {
    const source = join(dir, 'upload.bin')
    plan.onProgress(`transfers: writing the ${plan.bytes >> 20} MiB file`)
    const sha256 = await writeBlob(source, plan.bytes)
    const random = mulberry32(plan.seed)
    let n = 0
    for (let round = 0; round < plan.rounds; round++) {
      plan.onProgress(`transfers: round ${round + 1}/${plan.rounds}`)
      for (const c of shuffle(cases, random)) {
        const file = c.direction === 'upload' ? source : join(dir, 'download.bin')
        if (c.direction === 'download') rmSync(file, { force: true })
        const job: Job = { id: c.id, base: plan.base, file, size: plan.bytes, uploadId: `u${++n}` }
        const report = await runChild(entry, job)
        const error = await check(c, job, sha256, report)
        if (c.direction === 'download') rmSync(file, { force: true })
        runs.get(c.id)?.push({ report, error, round })
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  const mibPerS = (r: ChildReport): number => plan.bytes / (1 << 20) / r.seconds
  const rows = cases.map((c): TransferRow => {
    const all = runs.get(c.id) ?? []
    const ok = all.filter((r) => r.error === null)
    const base = runs.get(cases.find((b) => b.baseline && b.direction === c.direction)?.id ?? '') ?? []
    const baseIn = (round: number): number => {
      const b = base.find((r) => r.round === round && r.error === null)
      return b === undefined ? NaN : mibPerS(b.report)
    }
    const max = (f: (r: ChildReport) => number): number =>
      Math.max(...all.map((r) => f(r.report)).filter(Number.isFinite))
    return {
      id: c.id,
      label: c.label,
      direction: c.direction,
      baseline: c.baseline,
      runs: all.length,
      failures: all.length - ok.length,
      firstError: all.find((r) => r.error !== null)?.error ?? null,
      mibPerS: median(ok.map((r) => mibPerS(r.report))),
      ratio: median(ok.map((r) => mibPerS(r.report) / baseIn(r.round))),
      cpuLoad: median(ok.map((r) => r.report.cpuSeconds / r.report.seconds)),
      startRss: median(all.map((r) => r.report.startRss)),
      peakRss: max((r) => r.peakRss),
      peakHeapUsed: max((r) => r.peakHeapUsed),
      peakHeapTotal: max((r) => r.peakHeapTotal),
      peakArrayBuffers: max((r) => r.peakArrayBuffers),
    }
  })
  return { bytes: plan.bytes, rounds: plan.rounds, rows }
}
