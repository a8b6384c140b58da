/**
 * Rendering the results: aligned text tables for stdout, and BENCHMARKS.md.
 * @module
 */
import type { Cell, Summary } from './harness.js'
import type { MemoryRow, OverheadRow } from './overhead.js'
import { SIGN_CASE, type SignResult } from './sign.js'
import { streamsLines, type StreamsResult } from './streams.js'
import { inflightLines, type InflightRow } from './inflight.js'
import { RSS_TARGET, type TransferResult, type TransferRow } from './transfers.js'
import { processAllLines, type ProcessAllResult } from './process-all.js'

export interface Machine {
  readonly cpu: string
  readonly cores: number
  readonly memoryGiB: number
  readonly os: string
  readonly node: string
}

export interface Report {
  readonly machine: Machine
  readonly command: string
  readonly date: string
  readonly mode: string
  readonly method: string
  readonly notes: ReadonlyArray<string>
  readonly baselineLabel: string
  readonly cells: ReadonlyArray<Cell>
  readonly summaries: ReadonlyMap<string, ReadonlyArray<Summary>>
  readonly overhead: ReadonlyArray<OverheadRow> | null
  readonly signing: SignResult | null
  readonly memory: ReadonlyArray<MemoryRow> | null
  readonly memoryBytes: number
  readonly processAll: ProcessAllResult | null
  readonly streams: StreamsResult | null
  readonly inflight: ReadonlyArray<InflightRow> | null
  readonly transfers: TransferResult | null
  /** the transfers moved the quick mode's smaller size */
  readonly transfersQuick: boolean
  readonly seconds: number
}

type Table = {
  readonly head: ReadonlyArray<string>
  readonly rows: ReadonlyArray<ReadonlyArray<string>>
  readonly left: number
}

const LIMIT_LABEL = 'raw undici Agent.dispatch'

const num = (x: number, digits: number): string => (Number.isFinite(x) ? x.toFixed(digits) : '–')
const rps = (x: number): string => (Number.isFinite(x) ? Math.round(x).toString() : '–')
const ms = (x: number): string => (!Number.isFinite(x) ? '–' : x < 10 ? x.toFixed(2) : x.toFixed(1))
const broken = (s: Summary): boolean => s.failures > 0 || s.ok === 0
const ratio = (s: Summary): string => (broken(s) ? 'broken' : num(s.ratio, 2))
const limitRatio = (s: Summary): string => (broken(s) ? 'broken' : num(s.limitRatio, 2))
const sizeOf = (bytes: number): string => (bytes >= 1 << 20 ? `${bytes / (1 << 20)} MiB` : `${bytes / 1024} KiB`)

/** Plain text: columns padded, the first `left` of them left-aligned. */
export const textTable = ({ head, rows, left }: Table): string => {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: ReadonlyArray<string>): string =>
    cells
      .map((c, i) => (i < left ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
      .join('  ')
      .trimEnd()
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n')
}

/** Markdown: the first `left` columns left-aligned, the rest right-aligned. */
export const mdTable = ({ head, rows, left }: Table): string => {
  const line = (cells: ReadonlyArray<string>): string => `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`
  return [line(head), `|${head.map((_, i) => (i < left ? ':---' : '---:')).join('|')}|`, ...rows.map(line)].join('\n')
}

/** The ratio to the baseline (or, with `limit`, to raw dispatch) of every contender in every cell. */
const ratioTable = (r: Report, limit = false): Table => {
  const ids = new Map<string, string>()
  for (const cell of r.cells) for (const s of r.summaries.get(cell.key) ?? []) ids.set(s.id, s.label)
  return {
    head: ['client', ...r.cells.map((c) => `${c.title} c=${c.concurrency}`)],
    rows: [...ids].map(([id, label]) => [
      label,
      ...r.cells.map((c) => {
        const s = (r.summaries.get(c.key) ?? []).find((x) => x.id === id)
        return s === undefined ? '' : limit ? limitRatio(s) : ratio(s)
      }),
    ]),
    left: 1,
  }
}

const cellTable = (rows: ReadonlyArray<Summary>): Table => ({
  head: [
    'client',
    'req/s',
    'p50 ms',
    'p99 ms',
    'client CPU µs/req',
    'CPU µs over dispatch',
    `× undici`,
    '× dispatch',
    'failed',
  ],
  rows: rows.map((s) => [
    s.label,
    rps(s.rps),
    ms(s.p50),
    ms(s.p99),
    num(s.cpuUs, 0),
    num(s.overLimitUs, 0),
    ratio(s),
    limitRatio(s),
    String(s.failures),
  ]),
  left: 1,
})

const failures = (r: Report): ReadonlyArray<string> =>
  r.cells.flatMap((c) =>
    (r.summaries.get(c.key) ?? [])
      .filter(broken)
      .map(
        (s) =>
          `${s.label}, ${c.title} c=${c.concurrency}: ${s.failures} failed of ${s.failures + s.ok}${s.firstError === null ? '' : ` (first: ${s.firstError})`}`,
      ),
  )

const overheadTable = (rows: ReadonlyArray<OverheadRow>): Table => ({
  head: [
    'answer',
    'codec.decode(JSON.parse(text)) µs',
    'httpipe build (4 steps) µs',
    'httpipe build + run + asJson µs',
    "httpipe's own cost µs",
  ],
  rows: rows.map((o) => [
    sizeOf(o.bytes),
    num(o.baselineUs, 1),
    num(o.buildUs, 1),
    num(o.httpipeUs, 1),
    num(o.httpipeUs - o.baselineUs, 1),
  ]),
  left: 1,
})

const signTable = (s: SignResult): Table => ({
  head: ['signer', 'µs/signature'],
  rows: [
    ['aws4.sign directly', num(s.aws4Us, 1)],
    ['httpipe AWS4 scheme', num(s.httpipeUs, 1)],
    ['ratio httpipe/aws4', num(s.httpipeUs / s.aws4Us, 2)],
  ],
  left: 1,
})

const memoryTable = (rows: ReadonlyArray<MemoryRow>): Table => ({
  head: ['client', 'result', 'MiB/s', 'peak RSS growth MiB'],
  rows: rows.map((m) => [
    m.id,
    m.error === null ? 'ok' : `failed: ${m.error}`,
    num(m.mibPerS, 0),
    num(m.peakGrowthMiB, 1),
  ]),
  left: 2,
})

const MiB = 1 << 20
const mib = (bytes: number): string => num(bytes / MiB, 0)
const sizeText = (bytes: number): string => (bytes >= 1 << 30 ? `${bytes / (1 << 30)} GiB` : sizeOf(bytes))
const meets = (t: TransferRow): string => (!Number.isFinite(t.peakRss) ? '–' : t.peakRss < RSS_TARGET ? 'yes' : 'NO')

const transferTable = (rows: ReadonlyArray<TransferRow>): Table => ({
  head: [
    'direction',
    'case',
    'result',
    'MiB/s',
    '× raw pipe',
    'peak RSS MiB',
    `< ${RSS_TARGET / MiB} MiB`,
    'RSS at start MiB',
    'peak V8 heap / ArrayBuffers MiB',
  ],
  rows: rows.map((t) => [
    t.direction,
    t.label,
    t.failures === 0 ? `ok ×${t.runs}` : `${t.failures}/${t.runs} failed: ${t.firstError ?? ''}`,
    num(t.mibPerS, 0),
    t.baseline ? '1.00' : num(t.ratio, 2),
    mib(t.peakRss),
    meets(t),
    mib(t.startRss),
    `${mib(t.peakHeapTotal)} / ${mib(t.peakArrayBuffers)}`,
  ]),
  left: 3,
})

const transferTitle = (r: Report, t: TransferResult): string =>
  `Transfers: ${sizeText(t.bytes)} through loopback${r.transfersQuick ? ' (quick mode; the full run moves 1 GiB)' : ''}`

const transferMethod = (t: TransferResult): string =>
  `Every case runs in a Node process of its own (plain JavaScript, no loader), once per round in an order shuffled per round, ${t.rounds} round${t.rounds === 1 ? '' : 's'}; MiB/s and "× raw pipe" (the same-round ratio to the node:http pipe of the same direction) are medians over rounds, peak RSS the largest (the kernel's high-water mark, VmHWM). ` +
  "Uploads read a file on disk (the page cache is warm), downloads write one; the server (a child process) keeps nothing: it counts and SHA-256s what arrives (the first part's content of a multipart body, found by a streaming boundary scan; a resumable upload keeps a running size and hash per upload id) and generates the download. " +
  `Every run is checked: the server's size and SHA-256 of an upload, the downloaded file's, against the resource's. Target: peak RSS under ${RSS_TARGET / MiB} MiB in every case. ` +
  '"RSS at start" is the process just before the transfer, after its imports (Node alone is about 40 MiB; undici and httpipe add about 28); "V8 heap" is the heap V8 holds, used or not (its young generation grows under per-chunk allocation), "ArrayBuffers" the buffers alive or awaiting GC (samples every 10 ms). ' +
  'The rows "by hand" speak the same parts protocols with node:http on one keep-alive socket: what the protocol itself costs next to one streamed request.'

const machineLine = (m: Machine): string =>
  `${m.cpu}, ${m.cores} cores, ${m.memoryGiB.toFixed(1)} GiB RAM, ${m.os}, Node ${m.node}`

/** The report as text, for stdout. */
export const renderText = (r: Report): string => {
  const out: string[] = [
    `machine: ${machineLine(r.machine)}`,
    `command: ${r.command}   date: ${r.date}   mode: ${r.mode}`,
    r.method,
    ...r.notes.map((n) => `note: ${n}`),
    '',
  ]
  if (r.cells.length > 0) {
    out.push(
      `req/s as a ratio to ${r.baselineLabel} (median over rounds of the same-round ratio)`,
      textTable(ratioTable(r)),
      '',
      `req/s as a ratio to the limit, ${LIMIT_LABEL} (same method)`,
      textTable(ratioTable(r, true)),
      '',
    )
    for (const c of r.cells)
      out.push(`${c.title} JSON, concurrency ${c.concurrency}`, textTable(cellTable(r.summaries.get(c.key) ?? [])), '')
    const f = failures(r)
    if (f.length > 0) out.push('BROKEN variants:', ...f.map((x) => `  ${x}`), '')
  }
  if (r.overhead !== null)
    out.push("httpipe's own cost per request (in-memory transport, no I/O)", textTable(overheadTable(r.overhead)), '')
  if (r.signing !== null) out.push(`AWS4 signing cost (${SIGN_CASE})`, textTable(signTable(r.signing)), '')
  if (r.memory !== null)
    out.push(
      `${sizeOf(r.memoryBytes)} download streamed to a file (H.setResponseFile)`,
      textTable(memoryTable(r.memory)),
      '',
    )
  out.push(
    ...streamsLines(r.streams, textTable, false),
    ...inflightLines(r.inflight, textTable, false),
    ...processAllLines(r.processAll, textTable, false),
  )
  if (r.transfers !== null) out.push(transferTitle(r, r.transfers), textTable(transferTable(r.transfers.rows)), '')
  out.push(`took ${r.seconds.toFixed(0)} s`)
  return out.join('\n')
}

/** The report as BENCHMARKS.md. */
export const renderMarkdown = (r: Report): string => {
  const out: string[] = [
    '# Benchmarks',
    '',
    '_Written by `npm run bench` (bench/index.ts); do not edit by hand._',
    '',
    `- **Machine**: ${machineLine(r.machine)}`,
    `- **Command**: \`${r.command}\` (${r.mode}; took ${r.seconds.toFixed(0)} s)`,
    `- **Date**: ${r.date}`,
    `- **Method**: ${r.method}`,
    ...r.notes.map((n) => `- **Note**: ${n}`),
    '',
  ]
  if (r.cells.length > 0) {
    out.push(
      `## req/s as a ratio to ${r.baselineLabel}`,
      '',
      "Median over rounds of (req/s ÷ the baseline's req/s in the same round); 1.00 = as fast as the baseline.",
      '',
      mdTable(ratioTable(r)),
      '',
      `## req/s as a ratio to the limit, ${LIMIT_LABEL}`,
      '',
      "undici's dispatcher driven with a minimal handler (bench/raw-dispatch.ts): what httpipe's default transport runs on, nothing on top. Median over rounds of the same-round ratio; \"CPU µs over dispatch\" in the tables below is the median over rounds of the client's CPU per request minus raw dispatch's in the same round — the whole in-I/O cost of a client over its transport.",
      '',
      mdTable(ratioTable(r, true)),
      '',
    )
    const f = failures(r)
    if (f.length > 0)
      out.push(
        '**Broken variants** (a request failed: transport error, status other than 200, or the codec refused the answer):',
        '',
        ...f.map((x) => `- ${x}`),
        '',
      )
    for (const c of r.cells)
      out.push(
        `## ${c.title} JSON, concurrency ${c.concurrency}`,
        '',
        mdTable(cellTable(r.summaries.get(c.key) ?? [])),
        '',
      )
  }
  if (r.overhead !== null)
    out.push(
      "## httpipe's own cost per request",
      '',
      'A 4-step request (newRequest, initialize(url), addHeader ×2, setUrlParams) run through an in-memory Transport answering 200 with the canned JSON as one chunk, no I/O, then `ensureStatus` and `asJson(codec)`; next to a bare `codec.decode(JSON.parse(text))` of the same bytes. The difference is what httpipe itself costs.',
      '',
      mdTable(overheadTable(r.overhead)),
      '',
    )
  if (r.signing !== null)
    out.push(
      '## AWS4 signing cost',
      '',
      `${SIGN_CASE}; ${r.signing.n} signatures each.`,
      '',
      mdTable(signTable(r.signing)),
      '',
    )
  if (r.memory !== null)
    out.push(
      `## Memory: a ${sizeOf(r.memoryBytes)} download streamed to a file`,
      '',
      'Peak RSS growth of the client process over the RSS just before (after a GC), with `H.setResponseFile`.',
      '',
      mdTable(memoryTable(r.memory)),
      '',
    )
  out.push(
    ...streamsLines(r.streams, mdTable, true),
    ...inflightLines(r.inflight, mdTable, true),
    ...processAllLines(r.processAll, mdTable, true),
  )
  if (r.transfers !== null)
    out.push(
      `## ${transferTitle(r, r.transfers)}`,
      '',
      transferMethod(r.transfers),
      '',
      mdTable(transferTable(r.transfers.rows)),
      '',
    )
  return out.join('\n')
}
