// Checks the import graph of src/: no cycles (of imports that remain at run time), and every import points from a layer to the same
// or an earlier one: model → encoding → steps → auth → execute → transport → client (→ cli),
// with testing/ (the echo server) on its own and index.ts the barrel, which may import any layer but one
// marked notFromIndex (cli/: the command line, never loaded by the library). Run by `npm test`; exits 1 naming each offence.
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, normalize, relative } from 'node:path'

const SRC = process.argv[2] ?? 'src'
const walk = (dir) => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []))
const files = walk(SRC)
const resolve = (f, spec) => normalize(join(dirname(f), spec.replace(/\.js$/, '.ts')))
// every import counts for the layers; type-only ones erase at run time, so not for cycles
const graph = (typesToo) =>
  new Map(
    files.map((f) => {
      const text = readFileSync(f, 'utf8')
      const found = [...text.matchAll(/^\s*(import|export)(\s+type)?\s[^'"]*?from\s+'(\.[^']+)'|^\s*import\s+'(\.[^']+)'/gm)]
      const specs = found.filter((m) => typesToo || m[2] === undefined).map((m) => m[3] ?? m[4])
      return [f, specs.map((s) => resolve(f, s)).filter((t) => files.includes(t))]
    }),
  )
const imports = graph(true)
const runtime = graph(false)
const problems = []
// cycles
const state = new Map()
const stack = []
const visit = (f) => {
  state.set(f, 'open')
  stack.push(f)
  for (const t of runtime.get(f) ?? []) {
    if (state.get(t) === 'open') problems.push(`cycle: ${[...stack.slice(stack.indexOf(t)), t].map((x) => relative(SRC, x)).join(' → ')}`)
    else if (!state.has(t)) visit(t)
  }
  stack.pop()
  state.set(f, 'done')
}
for (const f of files) if (!state.has(f)) visit(f)
// layers, by folder (first match wins)
const LAYERS = JSON.parse(readFileSync(process.argv[3] ?? new URL('./layers.json', import.meta.url), 'utf8'))
const layerOf = (f) => {
  const r = relative(SRC, f)
  const i = LAYERS.findIndex((l) => l.paths.some((p) => r === p || r.startsWith(p.endsWith('/') ? p : `${p}/`)))
  return i === -1 ? null : i
}
for (const [f, ts] of imports) {
  const lf = layerOf(f)
  if (lf === null) {
    problems.push(`no layer for ${relative(SRC, f)} (add it to scripts/layers.json)`)
    continue
  }
  for (const t of ts) {
    const lt = layerOf(t)
    if (lt !== null && lt > lf && LAYERS[lf].name !== 'index') problems.push(`layer: ${relative(SRC, f)} (${LAYERS[lf].name}) imports ${relative(SRC, t)} (${LAYERS[lt].name}), a later layer`)
    if (lt !== null && LAYERS[lf].name === 'index' && LAYERS[lt].notFromIndex === true) problems.push(`layer: ${relative(SRC, f)} (the library entry) imports ${relative(SRC, t)} (${LAYERS[lt].name}), which the library never loads`)
  }
}
const unique = [...new Set(problems)]
if (unique.length > 0) {
  console.error(`check-layers: ${unique.length} problem(s)\n${unique.join('\n')}`)
  process.exit(1)
}
console.log(`check-layers: ${files.length} modules, no cycle, every import points to the same or an earlier layer`)
