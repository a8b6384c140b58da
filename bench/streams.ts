/**
 * The streams rows: `H.streamRequest` (default transport) next to raw `undici.request` (an Agent
 * of its own) with its body iterated by `for await (const chunk of body)`, in the bench process,
 * against the bench server:
 * - time to first chunk: GET /first/1024/2 (1 KiB sent with the head at once, 1 KiB more 2 ms
 *   later), the time from the start of the request to the first chunk in hand; the rest is read
 *   too, so the connection is reused. The two sides alternate request by request;
 * - throughput: GET /big/64 MiB read chunk by chunk (the bytes counted), MiB/s and the client's
 *   CPU; the two sides alternate download by download.
 * After a warm-up, rounds in which each side runs `firstN` first-chunk requests and
 * `downloads` downloads; a side's value in a round is the median of its samples there, and the
 * ratios (httpipe ÷ undici) are medians over rounds of the same-round ratio. Targets: throughput
 * ≥ 0.9 of undici's, time to first chunk within 1.2× of it.
 * @module
 */
import { performance } from 'node:perf_hooks'
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import { Agent, request } from 'undici'
import * as H from '../dist/esm/index.js'
import { median } from './harness.js'
import { routes } from './payload.js'

/** The targets: throughput at least 0.9 of undici's; time to first chunk at most 1.2 times it. */
export const STREAMS_TARGET = { throughput: 0.9, firstChunk: 1.2 } as const

const BIG = 64 << 20
const FIRST = 1024
const LATER = { bytes: 1024, ms: 2 } as const
/** The bench server's route: FIRST bytes with the head, `rest` bytes `ms` later (bench/server.ts). */
const firstPath = `/first/${LATER.bytes}/${LATER.ms}`

type Side = 'httpipe' | 'undici'
const SIDES: ReadonlyArray<Side> = ['httpipe', 'undici']

/** One side's two reads. */
interface Reader {
  /** ms from the start of the request to the first chunk in hand (the rest read as well) */
  readonly firstChunk: (url: string) => Promise<number>
  /** reads the whole body chunk by chunk; rejects unless it is `bytes` long */
  readonly drain: (url: string, bytes: number) => Promise<void>
}

const checked = (what: string, status: number, got: number, bytes: number): void => {
  if (status !== 200) throw new Error(`${what}: status ${status}`)
  if (got !== bytes) throw new Error(`${what}: ${got} bytes, wanted ${bytes}`)
}

/** H.streamRequest on the default transport; the Request is built before the clock starts. */
const httpipeReader: Reader = {
  firstChunk: async (url) => {
    const req = pipe(H.newRequest(), H.initialize(url))
    const t0 = performance.now()
    const s = await H.streamRequest('GET')(req)()
    if (E.isLeft(s)) throw new Error(`${s.left._tag}: ${s.left.message}`)
    let first = NaN
    let got = 0
    for await (const chunk of s.right.body) {
      if (E.isLeft(chunk)) throw new Error(`${chunk.left._tag}: ${chunk.left.message}`)
      if (got === 0) first = performance.now() - t0
      got += chunk.right.byteLength
    }
    checked('first chunk', s.right.status, got, FIRST + LATER.bytes)
    return first
  },
  drain: async (url, bytes) => {
    const req = pipe(H.newRequest(), H.initialize(url))
    const s = await H.streamRequest('GET')(req)()
    if (E.isLeft(s)) throw new Error(`${s.left._tag}: ${s.left.message}`)
    let got = 0
    for await (const chunk of s.right.body) {
      if (E.isLeft(chunk)) throw new Error(`${chunk.left._tag}: ${chunk.left.message}`)
      got += chunk.right.byteLength
    }
    checked('download', s.right.status, got, bytes)
  },
}

/** undici.request through its own Agent, the body iterated with `for await`. */
const undiciReader = (dispatcher: Agent): Reader => ({
  firstChunk: async (url) => {
    const t0 = performance.now()
    const { statusCode, body } = await request(url, { dispatcher })
    let first = NaN
    let got = 0
    for await (const chunk of body as AsyncIterable<Buffer>) {
      if (got === 0) first = performance.now() - t0
      got += chunk.byteLength
    }
    checked('first chunk', statusCode, got, FIRST + LATER.bytes)
    return first
  },
  drain: async (url, bytes) => {
    const { statusCode, body } = await request(url, { dispatcher })
    let got = 0
    for await (const chunk of body as AsyncIterable<Buffer>) got += chunk.byteLength
    checked('download', statusCode, got, bytes)
  },
})

/** One side's medians in one round. */
interface RoundSide {
  readonly firstChunkMs: number
  readonly mibPerS: number
  /** the client's CPU (user + system) per download, ms */
  readonly cpuMs: number
}

export interface StreamsResult {
  readonly rounds: ReadonlyArray<Readonly<Record<Side, RoundSide>>>
  readonly firstN: number
  readonly downloads: number
  readonly failures: Readonly<Record<Side, number>>
  readonly firstError: string | null
}

/** Warm-up, then `rounds` rounds of both rows, the sides alternating sample by sample. */
export const measureStreams = async (options: {
  readonly base: string
  readonly quick: boolean
  readonly onProgress: (message: string) => void
}): Promise<StreamsResult> => {
  const { base } = options
  const rounds = options.quick ? 3 : 7
  const firstN = options.quick ? 60 : 200
  const downloads = options.quick ? 2 : 3
  const agent = new Agent()
  const readers: Readonly<Record<Side, Reader>> = { httpipe: httpipeReader, undici: undiciReader(agent) }
  const failures = { httpipe: 0, undici: 0 }
  let firstError: string | null = null
  const attempt = async <A>(side: Side, run: () => Promise<A>): Promise<A | null> => {
    try {
      return await run()
    } catch (e) {
      failures[side] += 1
      firstError ??= `${side}: ${String((e as Error | null)?.message ?? e)}`
      return null
    }
  }
  const firstUrl = `${base}${firstPath}`
  const bigUrl = `${base}${routes.big(BIG)}`
  const out: Array<Record<Side, RoundSide>> = []
  try {
    options.onProgress('streams: warm-up')
    for (const side of SIDES) {
      for (let i = 0; i < 30; i++) await attempt(side, () => readers[side].firstChunk(firstUrl))
      await attempt(side, () => readers[side].drain(`${base}${routes.big(8 << 20)}`, 8 << 20))
    }
    for (let r = 0; r < rounds; r++) {
      options.onProgress(
        `streams: round ${r + 1}/${rounds}, ${firstN} first chunks and ${downloads} downloads of 64 MiB each side`,
      )
      const order = r % 2 === 0 ? SIDES : [...SIDES].reverse()
      const firsts: Record<Side, number[]> = { httpipe: [], undici: [] }
      for (let i = 0; i < firstN; i++)
        for (const side of i % 2 === 0 ? order : [...order].reverse()) {
          const ms = await attempt(side, () => readers[side].firstChunk(firstUrl))
          if (ms !== null) firsts[side].push(ms)
        }
      const rates: Record<Side, number[]> = { httpipe: [], undici: [] }
      const cpus: Record<Side, number[]> = { httpipe: [], undici: [] }
      for (let i = 0; i < downloads; i++)
        for (const side of i % 2 === 0 ? order : [...order].reverse()) {
          const cpu0 = process.cpuUsage()
          const t0 = performance.now()
          const done = await attempt(side, () => readers[side].drain(bigUrl, BIG).then(() => true))
          const seconds = (performance.now() - t0) / 1000
          const cpu = process.cpuUsage(cpu0)
          if (done === null) continue
          rates[side].push(BIG / (1 << 20) / seconds)
          cpus[side].push((cpu.user + cpu.system) / 1000)
        }
      const of = (side: Side): RoundSide => ({
        firstChunkMs: median(firsts[side]),
        mibPerS: median(rates[side]),
        cpuMs: median(cpus[side]),
      })
      out.push({ httpipe: of('httpipe'), undici: of('undici') })
    }
  } finally {
    await agent.close()
  }
  return { rounds: out, firstN, downloads, failures, firstError }
}

const fixed = (x: number, digits: number): string => (Number.isFinite(x) ? x.toFixed(digits) : '–')
const met = (ok: boolean): string => (ok ? 'met' : 'MISSED')

/** The table (one row per measure, the two sides and their ratio) and the verdict. */
export const streamsTable = (
  r: StreamsResult,
): {
  readonly table: { head: ReadonlyArray<string>; rows: ReadonlyArray<ReadonlyArray<string>>; left: number }
  readonly verdict: string
} => {
  const side = (s: Side, k: keyof RoundSide): number => median(r.rounds.map((x) => x[s][k]))
  const ratios = (k: keyof RoundSide): ReadonlyArray<number> => r.rounds.map((x) => x.httpipe[k] / x.undici[k])
  const broken = r.failures.httpipe + r.failures.undici > 0
  const row = (label: string, k: keyof RoundSide, digits: number, target: string): ReadonlyArray<string> => [
    label,
    fixed(side('httpipe', k), digits),
    fixed(side('undici', k), digits),
    broken ? 'broken' : fixed(median(ratios(k)), 2),
    target,
  ]
  const first = median(ratios('firstChunkMs'))
  const rate = median(ratios('mibPerS'))
  const perRound = (k: keyof RoundSide): string =>
    ratios(k)
      .map((x) => fixed(x, 2))
      .join(', ')
  return {
    table: {
      head: ['measure', 'H.streamRequest', 'undici.request, for await', 'httpipe ÷ undici', 'target'],
      rows: [
        row(
          `time to first chunk, ms (${FIRST} B at once, ${LATER.bytes} B ${LATER.ms} ms later)`,
          'firstChunkMs',
          3,
          `≤ ${STREAMS_TARGET.firstChunk}`,
        ),
        row(`throughput, MiB/s (${BIG >> 20} MiB body)`, 'mibPerS', 0, `≥ ${STREAMS_TARGET.throughput}`),
        row(`client CPU per ${BIG >> 20} MiB body, ms`, 'cpuMs', 0, ''),
      ],
      left: 1,
    },
    verdict:
      `time to first chunk ${fixed(first, 2)}× undici's (target ≤ ${STREAMS_TARGET.firstChunk}: ${met(first <= STREAMS_TARGET.firstChunk)}; per round ${perRound('firstChunkMs')}); ` +
      `throughput ${fixed(rate, 2)}× (target ≥ ${STREAMS_TARGET.throughput}: ${met(rate >= STREAMS_TARGET.throughput)}; per round ${perRound('mibPerS')})` +
      (broken
        ? `; FAILED requests: httpipe ${r.failures.httpipe}, undici ${r.failures.undici} (first: ${r.firstError ?? '?'})`
        : ''),
  }
}

/** What the rows measure, for BENCHMARKS.md. */
export const streamsMethod = (r: StreamsResult): string =>
  `\`H.streamRequest('GET')\` on the default transport next to \`undici.request\` through an Agent of its own, each body read with \`for await\` chunk by chunk, in the bench process. ` +
  `Time to first chunk: GET of an answer whose first ${FIRST} bytes come with the head and ${LATER.bytes} more ${LATER.ms} ms later, from the start of the request (the Request value built before) to the first chunk in hand, the rest read too (the connection is reused); ${r.firstN} requests per side per round, the sides alternating request by request. ` +
  `Throughput: ${r.downloads} downloads of a ${BIG >> 20} MiB body per side per round, alternating, each checked to be ${BIG >> 20} MiB; client CPU is this process's user + system time per download. ` +
  `A side's value in a round is the median of its samples; the table gives medians over ${r.rounds.length} rounds, "httpipe ÷ undici" the median of the same-round ratios.`

/** The rows in the report: text for stdout, or Markdown (with the method) for BENCHMARKS.md. */
export const streamsLines = (
  r: StreamsResult | null,
  render: (t: ReturnType<typeof streamsTable>['table']) => string,
  markdown: boolean,
): ReadonlyArray<string> => {
  if (r === null) return []
  const { table, verdict } = streamsTable(r)
  const title = 'Streams: H.streamRequest next to undici.request iterated with for await'
  return markdown
    ? [`## ${title}`, '', streamsMethod(r), '', render(table), '', verdict, '']
    : [title, render(table), verdict, '']
}
