/**
 * Memory per request in flight: `n` requests started at once against `GET /first/<bytes>/<ms>`
 * (the head and 1 KiB at once, the rest later), the heap measured after a full GC while all of
 * them wait for the rest of their answer, minus the heap before; per 1,000 requests, for raw
 * `Agent.dispatch` (the limit), `undici.request` and httpipe (default transport, `readOk`).
 * Each client runs in turn in the same process, `rounds` times in a shuffled order; medians.
 * @module
 */
import v8 from 'node:v8'
import vm from 'node:vm'
import { pipe } from 'fp-ts/lib/function.js'
import { Agent, request } from 'undici'
import * as H from '../dist/esm/index.js'
import { mulberry32, shuffle } from './harness.js'
import { dispatchOnce } from './raw-dispatch.js'

v8.setFlagsFromString('--expose-gc')
const gc = vm.runInNewContext('gc') as () => void

export interface InflightRow {
  readonly label: string
  /** MiB of heap per 1,000 requests in flight, median over rounds */
  readonly mibPer1000: number
  /** ratio to raw dispatch, median over rounds of the same-round ratio */
  readonly ratio: number
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/** Heap growth (bytes) while `n` requests of `start` are in flight; waits for them all after. */
const heapInFlight = async (n: number, holdMs: number, start: () => Promise<unknown>): Promise<number> => {
  gc()
  gc()
  const before = process.memoryUsage().heapUsed
  const all = Promise.allSettled(Array.from({ length: n }, start))
  await sleep(holdMs / 2) // every head and first KiB are in, the rest is held by the server
  gc()
  gc()
  const during = process.memoryUsage().heapUsed
  const settled = await all
  if (settled.some((s) => s.status === 'rejected')) throw new Error('inflight: a request failed')
  return during - before
}

/** Rows for raw dispatch, undici.request and httpipe: n requests in flight, `rounds` rounds. */
export const measureInflight = async (
  base: string,
  n: number,
  rounds: number,
  seed: number,
): Promise<ReadonlyArray<InflightRow>> => {
  const holdMs = 1_500
  const url = `${base}/first/1024/${holdMs}`
  const u = new URL(url)
  const agents = [0, 1].map(() => new Agent({ connections: n, keepAliveTimeout: 60_000 }))
  const env: H.Env = { transport: H.undiciTransport({ connections: n }) }
  const read = H.readOk(H.asString())
  const clients: ReadonlyArray<readonly [string, () => Promise<unknown>]> = [
    ['raw Agent.dispatch', () => dispatchOnce(agents[0] as Agent, u)],
    [
      'undici.request',
      async () => {
        const r = await request(url, { dispatcher: agents[1] })
        return r.body.text()
      },
    ],
    [
      'httpipe (readOk)',
      async () => {
        const r = await pipe(H.newRequest(), H.initialize(url), H.processRequest('GET', env), read)()
        if (r._tag === 'Left') throw new Error(r.left.message)
      },
    ],
  ]
  const random = mulberry32(seed)
  const bytes = new Map<string, number[]>(clients.map(([l]) => [l, []]))
  for (const [, start] of clients) await heapInFlight(Math.min(n, 100), holdMs, start) // warm-up, connections open
  for (let r = 0; r < rounds; r++)
    for (const [label, start] of shuffle(clients, random)) bytes.get(label)?.push(await heapInFlight(n, holdMs, start))
  await Promise.all(agents.map((a) => a.close()))
  await env.transport?.close?.()
  const med = (xs: ReadonlyArray<number>): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN
  const raw = bytes.get('raw Agent.dispatch') ?? []
  return clients.map(([label]) => {
    const xs = bytes.get(label) ?? []
    return {
      label,
      mibPer1000: med(xs) / 2 ** 20 / (n / 1000),
      ratio: med(xs.map((x, i) => x / (raw[i] ?? NaN))),
    }
  })
}

/** The section's lines, as text or Markdown (`table` renders a table either way). */
export const inflightLines = (
  rows: ReadonlyArray<InflightRow> | null,
  table: (t: { head: ReadonlyArray<string>; rows: ReadonlyArray<ReadonlyArray<string>>; left: number }) => string,
  md: boolean,
): ReadonlyArray<string> =>
  rows === null
    ? []
    : [
        md ? '## Memory per request in flight' : 'memory per request in flight',
        '',
        'Heap after a full GC while 1,000 requests wait for the rest of their answer (the head and 1 KiB came), minus the heap before, per 1,000 requests; medians over rounds, the ratio taken round by round.',
        '',
        table({
          head: ['client', 'MiB of heap per 1,000 in flight', '× raw dispatch'],
          rows: rows.map((r) => [r.label, r.mibPer1000.toFixed(1), r.ratio.toFixed(2)]),
          left: 1,
        }),
        '',
      ]
