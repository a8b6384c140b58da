/**
 * The measuring machinery: a seeded PRNG and shuffle, percentiles and medians, a closed-loop
 * load slice (c workers issuing requests back to back until a deadline), and the rounds that
 * interleave every client so that drift of a noisy machine hits them all alike.
 * @module
 */
import { performance } from 'node:perf_hooks'

/** mulberry32: a small seeded PRNG giving numbers in [0, 1). */
export const mulberry32 = (seed: number): (() => number) => {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let x = a
    x = Math.imul(x ^ (x >>> 15), x | 1)
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61)
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296
  }
}

/** Fisher-Yates on a copy. */
export const shuffle = <A>(xs: ReadonlyArray<A>, random: () => number): A[] => {
  const out = [...xs]
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    const tmp = out[i] as A
    out[i] = out[j] as A
    out[j] = tmp
  }
  return out
}

/** Nearest-rank percentile (p in 0..100) of an ascending array; NaN when empty. */
export const percentile = (sorted: ArrayLike<number>, p: number): number => {
  if (sorted.length === 0) return Number.NaN
  const rank = Math.ceil((p / 100) * sorted.length)
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number
}

/** The median (the mean of the two middle values for an even count); NaN when empty. */
export const median = (xs: ReadonlyArray<number>): number => {
  const s = xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b)
  if (s.length === 0) return Number.NaN
  const m = s.length >> 1
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2
}

/** One request: resolves when the answer was read, checked (status 200) and decoded; rejects otherwise. */
export type Op = () => Promise<void>

/** What one slice of load measured. */
export interface Slice {
  readonly ok: number
  readonly failures: number
  readonly firstError: string | null
  readonly seconds: number
  readonly rps: number
  /** latency in ms of the successful requests */
  readonly p50: number
  readonly p99: number
  /** user + system CPU of this (client) process per successful request, µs */
  readonly cpuUs: number
}

const describe = (e: unknown): string => {
  const err = e as { message?: unknown; code?: unknown; cause?: { message?: unknown; code?: unknown } } | null
  const code = err?.code ?? err?.cause?.code
  return `${code === undefined ? '' : `${String(code)}: `}${String(err?.message ?? e)}`.slice(0, 160)
}

/**
 * A closed loop: `concurrency` workers each await `op` back to back until `ms` have passed
 * (or `maxRequests` have been started). Requests in flight at the deadline are finished and
 * counted; the slice lasts until the last one ends.
 */
export const runSlice = async (
  op: Op,
  concurrency: number,
  ms: number,
  maxRequests = Number.POSITIVE_INFINITY,
): Promise<Slice> => {
  const latencies: number[] = []
  let failures = 0
  let firstError: string | null = null
  let started = 0
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  const deadline = t0 + ms
  const worker = async (): Promise<void> => {
    while (started < maxRequests && performance.now() < deadline) {
      started++
      const s = performance.now()
      try {
        await op()
        latencies.push(performance.now() - s)
      } catch (e) {
        failures++
        firstError ??= describe(e)
      }
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  const seconds = (performance.now() - t0) / 1000
  const cpu = process.cpuUsage(cpu0)
  const sorted = Float64Array.from(latencies).sort()
  return {
    ok: latencies.length,
    failures,
    firstError,
    seconds,
    rps: latencies.length / seconds,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    cpuUs: latencies.length === 0 ? Number.NaN : (cpu.user + cpu.system) / latencies.length,
  }
}

/** A client under test, one request per call of `op(url)()`. */
export interface Contender {
  readonly id: string
  readonly label: string
  /** concurrencies it runs at (all when absent) */
  readonly concurrencies?: ReadonlyArray<number>
  readonly op: (url: string) => Op
}

/** One table of the results: an answer size at a concurrency. */
export interface Cell {
  readonly key: string
  readonly title: string
  readonly url: string
  readonly concurrency: number
}

export interface Plan {
  readonly cells: ReadonlyArray<Cell>
  readonly contenders: ReadonlyArray<Contender>
  /** id of the contender the others are compared to, in the same round */
  readonly baseline: string
  /** id of the limit they are also compared to (raw dispatch): req/s ratio and CPU per request over it */
  readonly limit?: string
  readonly rounds: number
  readonly sliceMs: number
  readonly warmupMs: number
  readonly seed: number
  readonly onProgress?: (message: string) => void
}

/** The slices of every contender in every cell, one per round, in round order. */
export type Results = ReadonlyMap<string, ReadonlyMap<string, ReadonlyArray<Slice>>>

const runsIn = (c: Contender, cell: Cell): boolean =>
  c.concurrencies === undefined || c.concurrencies.includes(cell.concurrency)

/**
 * Warm-up (every contender in every cell once, not recorded), then `rounds` rounds; a round
 * runs every cell, and in each cell every contender once for `sliceMs`, in an order shuffled
 * per round and cell by a PRNG seeded with `seed`.
 */
export const runRounds = async (plan: Plan): Promise<Results> => {
  const random = mulberry32(plan.seed)
  const ops = new Map<string, Op>()
  for (const cell of plan.cells) for (const c of plan.contenders) ops.set(`${cell.key}|${c.id}`, c.op(cell.url))
  const results = new Map<string, Map<string, Slice[]>>(
    plan.cells.map((cell) => [
      cell.key,
      new Map(plan.contenders.filter((c) => runsIn(c, cell)).map((c) => [c.id, [] as Slice[]])),
    ]),
  )
  const opOf = (cell: Cell, c: Contender): Op => ops.get(`${cell.key}|${c.id}`) as Op

  plan.onProgress?.('warm-up')
  for (const cell of plan.cells)
    for (const c of plan.contenders) if (runsIn(c, cell)) await runSlice(opOf(cell, c), cell.concurrency, plan.warmupMs)
  for (let r = 0; r < plan.rounds; r++) {
    plan.onProgress?.(`round ${r + 1}/${plan.rounds}`)
    for (const cell of plan.cells)
      for (const c of shuffle(plan.contenders, random)) {
        if (!runsIn(c, cell)) continue
        results
          .get(cell.key)
          ?.get(c.id)
          ?.push(await runSlice(opOf(cell, c), cell.concurrency, plan.sliceMs))
      }
  }
  return results
}

/** A contender's results in one cell, as medians over the rounds. */
export interface Summary {
  readonly id: string
  readonly label: string
  readonly rounds: number
  readonly ok: number
  readonly failures: number
  readonly firstError: string | null
  readonly rps: number
  readonly p50: number
  readonly p99: number
  readonly cpuUs: number
  /** median over rounds of (req/s / the baseline's req/s in the same round and cell) */
  readonly ratio: number
  /** the same against the limit (NaN without one) */
  readonly limitRatio: number
  /** median over rounds of (client CPU µs/req − the limit's in the same round and cell): the whole in-I/O cost over raw dispatch */
  readonly overLimitUs: number
}

/** Medians over rounds, with the ratio to the baseline taken round by round. */
export const summarize = (plan: Plan, results: Results): ReadonlyMap<string, ReadonlyArray<Summary>> =>
  new Map(
    plan.cells.map((cell) => {
      const byId = results.get(cell.key) ?? new Map<string, ReadonlyArray<Slice>>()
      const base = byId.get(plan.baseline) ?? []
      const limit = plan.limit === undefined ? [] : (byId.get(plan.limit) ?? [])
      const rows = plan.contenders.flatMap((c): Summary[] => {
        const slices = byId.get(c.id)
        if (slices === undefined) return []
        const sum = (f: (s: Slice) => number): number => slices.reduce((n, s) => n + f(s), 0)
        return [
          {
            id: c.id,
            label: c.label,
            rounds: slices.length,
            ok: sum((s) => s.ok),
            failures: sum((s) => s.failures),
            firstError: slices.find((s) => s.firstError !== null)?.firstError ?? null,
            rps: median(slices.map((s) => s.rps)),
            p50: median(slices.map((s) => s.p50)),
            p99: median(slices.map((s) => s.p99)),
            cpuUs: median(slices.map((s) => s.cpuUs)),
            ratio: median(slices.map((s, i) => s.rps / (base[i]?.rps ?? Number.NaN))),
            limitRatio: median(slices.map((s, i) => s.rps / (limit[i]?.rps ?? Number.NaN))),
            overLimitUs: median(slices.map((s, i) => s.cpuUs - (limit[i]?.cpuUs ?? Number.NaN))),
          },
        ]
      })
      return [cell.key, rows]
    }),
  )

/**
 * µs per call of each of `fns`, measured interleaved: `rounds` rounds, each calling every
 * function `n` times in a shuffled order; medians over rounds. Sync or async functions.
 */
export const microRounds = async (
  fns: ReadonlyArray<readonly [string, () => unknown]>,
  n: number,
  rounds: number,
  seed: number,
): Promise<ReadonlyMap<string, number>> => {
  const random = mulberry32(seed)
  const times = new Map<string, number[]>(fns.map(([name]) => [name, []]))
  for (const [, f] of fns) for (let i = 0; i < Math.max(200, n / 5); i++) await f() // warm-up
  for (let r = 0; r < rounds; r++)
    for (const [name, f] of shuffle(fns, random)) {
      const t0 = performance.now()
      for (let i = 0; i < n; i++) await f()
      times.get(name)?.push(((performance.now() - t0) * 1000) / n)
    }
  return new Map([...times].map(([name, xs]) => [name, median(xs)]))
}
