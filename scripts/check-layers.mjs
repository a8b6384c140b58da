// Checks that the folders of src/ are the layers (scripts/layers.json):
//   model → encoding → steps, read → auth → execute → show → transport → client → index.ts → cli
// - src/ holds folders and one file, index.ts (the barrel);
// - every import, type-only ones included, points to the same folder or to a folder of an earlier rank;
//   folders of one rank (steps, read) may not import each other, and no two folders import each other;
// - index.ts never imports a folder listed in notFromIndex (cli/: the command line, never loaded by the library);
// - a folder listed in apart (testing/: the echo server) imports no other folder and is imported by none;
// - no cycle between files of imports that remain at run time, in the Node build and in the browser
//   build (where an import of X.ts is of its sibling X.browser.ts, when there is one);
// - no module longer than maxLines (layers.json; 300): a longer one is two concerns.
// Run by `npm test`; exits 1 naming each offence. Arguments: [srcDir] [layers.json].
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, normalize, relative, sep } from 'node:path'

const SRC = process.argv[2] ?? 'src'
const CONFIG = JSON.parse(readFileSync(process.argv[3] ?? new URL('./layers.json', import.meta.url), 'utf8'))
const walk = (dir) =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  )
const files = walk(SRC)
const rel = (f) => relative(SRC, f).split(sep).join('/')
const resolve = (f, spec) => normalize(join(dirname(f), spec.replace(/\.js$/, '.ts')))
const IMPORT =
  /^\s*(import|export)(\s+type)?\s[^'"]*?from\s+'(\.[^']+)'|^\s*import\s+'(\.[^']+)'|import\(\s*'(\.[^']+)'\s*\)/gm
// every import counts for the layers; type-only ones erase at run time, so not for the cycles of files
const graph = (typesToo) =>
  new Map(
    files.map((f) => {
      const found = [...readFileSync(f, 'utf8').matchAll(IMPORT)]
      const specs = found.filter((m) => typesToo || m[2] === undefined).map((m) => m[3] ?? m[4] ?? m[5])
      return [f, specs.map((s) => resolve(f, s)).filter((t) => files.includes(t))]
    }),
  )
const imports = graph(true)
const runtime = graph(false)
// the browser build's graph (scripts/build-browser.mjs): an import of X.ts is of X.browser.ts where
// that sibling exists (not from the sibling itself); its files are in the graphs above, so the layer
// rule holds for them as for any file, and its cycles are checked as well
const browserOf = (f, t) => {
  const sibling = t.replace(/\.ts$/, '.browser.ts')
  return sibling !== f && files.includes(sibling) ? sibling : t
}
const browserRuntime = new Map([...runtime].map(([f, ts]) => [f, ts.map((t) => browserOf(f, t))]))
const problems = []

// a file's unit: its top folder, or the root file's own name
const unitOf = (f) => rel(f).split('/')[0]
const rank = new Map(CONFIG.order.flatMap((u, i) => (Array.isArray(u) ? u : [u]).map((n) => [n, i])))
const apart = new Set(CONFIG.apart ?? [])
const notFromIndex = new Set(CONFIG.notFromIndex ?? [])

for (const f of files) {
  const u = unitOf(f)
  if (!u.endsWith('.ts')) continue
  if (u !== 'index.ts')
    problems.push(`root: ${u} is a file at the root of src/ (only index.ts lives there; put it in its layer's folder)`)
}
const MAX_LINES = CONFIG.maxLines ?? 300
for (const f of files) {
  const n = readFileSync(f, 'utf8').split('\n').length - 1
  if (n > MAX_LINES) problems.push(`size: ${rel(f)} has ${n} lines (at most ${MAX_LINES}; split it by concern)`)
}
for (const u of new Set(files.map(unitOf)))
  if (!rank.has(u) && !apart.has(u)) problems.push(`no layer for ${u} (add it to scripts/layers.json)`)

// imports by unit
const edges = new Map()
for (const [f, ts] of imports) {
  const from = unitOf(f)
  for (const t of ts) {
    const to = unitOf(t)
    if (to === from) continue
    if (!edges.has(from)) edges.set(from, new Map())
    if (!edges.get(from).has(to)) edges.get(from).set(to, `${rel(f)} imports ${rel(t)}`)
  }
}
for (const [from, tos] of edges)
  for (const [to, example] of tos) {
    const back = edges.get(to)?.get(from)
    if (back !== undefined && from < to)
      problems.push(`folders import each other: ${from} ↔ ${to} (${example}; ${back})`)
    if (apart.has(from) || apart.has(to)) {
      problems.push(`apart: ${example}, but ${apart.has(from) ? from : to} stands apart from the layers`)
      continue
    }
    if (!rank.has(from) || !rank.has(to)) continue
    if (from === 'index.ts' && notFromIndex.has(to)) problems.push(`layer: ${example}, which the library never loads`)
    else if (rank.get(to) > rank.get(from)) problems.push(`layer: ${example} (${to}), a later layer than ${from}`)
    else if (rank.get(to) === rank.get(from))
      problems.push(`layer: ${example}; ${from} and ${to} are of one rank and do not import each other`)
  }

// cycles of files at run time, in the Node build and in the browser build
const cycles = (g, label) => {
  const state = new Map()
  const stack = []
  const visit = (f) => {
    state.set(f, 'open')
    stack.push(f)
    for (const t of g.get(f) ?? []) {
      if (state.get(t) === 'open')
        problems.push(`${label}: ${[...stack.slice(stack.indexOf(t)), t].map(rel).join(' → ')}`)
      else if (!state.has(t)) visit(t)
    }
    stack.pop()
    state.set(f, 'done')
  }
  for (const f of files) if (!state.has(f)) visit(f)
}
cycles(runtime, 'cycle')
cycles(browserRuntime, 'cycle in the browser build')

const unique = [...new Set(problems)]
if (unique.length > 0) {
  console.error(`check-layers: ${unique.length} problem(s)\n${unique.join('\n')}`)
  process.exit(1)
}
const folders = new Set(files.map(unitOf).filter((u) => !u.endsWith('.ts')))
console.log(
  `check-layers: ${files.length} modules in ${folders.size} folders, no cycle, every import points to the same folder or an earlier layer`,
)
