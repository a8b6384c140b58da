/**
 * `npm run bench:import` (or `node --import tsx bench/import.ts [runs]` after a build): how long
 * importing the package takes, next to got, ky, axios and undici. Each import is a fresh
 * `node bench/import-probe.mjs NAME` process timing `await import(NAME)` in itself (`httpipe`
 * resolved through its package.json `exports`, as a user's import is; the others from
 * node_modules); the contenders take turns within each round (a round's order rotates), `runs`
 * rounds (default 11, at least 11) after one warm-up round, so a drift in the machine's speed
 * falls on all alike. Prints each one's median, fastest and slowest import in ms (wall clock,
 * and the CPU time the process used meanwhile, which a busy machine disturbs less) and the files
 * it loaded (one more run, with a module hook listing them), then httpipe's medians over got's.
 * `httpipe (cjs)` is `require('httpipe')` for the CommonJS build.
 */
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const PROBE = fileURLToPath(new URL('./import-probe.mjs', import.meta.url))
const runs = Math.max(11, Number(process.argv[2] ?? 11))

interface Contender {
  readonly label: string
  readonly specifier: string
  readonly format: 'esm' | 'cjs'
}

const CONTENDERS: ReadonlyArray<Contender> = [
  { label: 'httpipe', specifier: 'httpipe', format: 'esm' },
  { label: 'httpipe (cjs)', specifier: 'httpipe', format: 'cjs' },
  { label: 'got', specifier: 'got', format: 'esm' },
  { label: 'ky', specifier: 'ky', format: 'esm' },
  { label: 'axios', specifier: 'axios', format: 'esm' },
  { label: 'undici', specifier: 'undici', format: 'esm' },
]

interface Probe {
  readonly ms: number
  readonly cpuMs: number
  readonly files?: ReadonlyArray<string>
}

const probe = (c: Contender, files = false): Promise<Probe> =>
  new Promise((resolve, reject) => {
    let out = ''
    const child = spawn(process.execPath, [PROBE, c.specifier, c.format, ...(files ? ['files'] : [])], {
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d))
    child.on('error', reject)
    child.on('exit', (code) =>
      code === 0 ? resolve(JSON.parse(out) as Probe) : reject(new Error(`${c.label}: the probe exited ${code}`)),
    )
  })

const median = (xs: ReadonlyArray<number>): number => {
  const s = [...xs].sort((a, b) => a - b)
  const mid = s.length >> 1
  return s.length % 2 === 1 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2
}

const times = new Map<string, number[]>(CONTENDERS.map((c) => [c.label, []]))
const cpus = new Map<string, number[]>(CONTENDERS.map((c) => [c.label, []]))
console.log(`import time, Node ${process.version}: ${runs} interleaved rounds of a fresh process each`)
for (const c of CONTENDERS) await probe(c) // warm-up: the file system cache
for (let round = 0; round < runs; round += 1)
  for (let i = 0; i < CONTENDERS.length; i += 1) {
    const c = CONTENDERS[(round + i) % CONTENDERS.length] as Contender
    const p = await probe(c)
    times.get(c.label)?.push(p.ms)
    cpus.get(c.label)?.push(p.cpuMs)
  }
const medians = new Map<string, readonly [number, number]>()
const fixed = (n: number, width = 7): string => n.toFixed(1).padStart(width)
for (const c of CONTENDERS) {
  const ts = times.get(c.label) ?? []
  const cs = cpus.get(c.label) ?? []
  const files = (await probe(c, true)).files?.length ?? 0
  medians.set(c.label, [median(ts), median(cs)])
  console.log(
    `${c.label.padEnd(14)} median ${fixed(median(ts))} ms (${fixed(Math.min(...ts), 0)}-${fixed(Math.max(...ts), 0)})` +
      `   cpu ${fixed(median(cs))} ms (${fixed(Math.min(...cs), 0)}-${fixed(Math.max(...cs), 0)})   files ${String(files).padStart(4)}`,
  )
}
const [wall, cpu] = medians.get('httpipe') ?? [0, 0]
const [gotWall, gotCpu] = medians.get('got') ?? [1, 1]
console.log(`httpipe / got (medians): ${(wall / gotWall).toFixed(2)} wall, ${(cpu / gotCpu).toFixed(2)} cpu`)
