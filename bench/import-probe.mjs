// One fresh process's import of one package, for bench/import.ts and test/package-lazy.test.ts:
// `node bench/import-probe.mjs SPECIFIER [esm|cjs] [files]` prints one JSON line:
// { ms, cpuMs, files } — the time `import(SPECIFIER)` (or `require`) took in this process (wall
// clock, and the CPU time the process used meanwhile, which a busy machine disturbs less), and, with
// `files`, the list of files it loaded (ESM through a module hook, CommonJS from require.cache;
// the hook slows the import, so a timed run asks for no list). SPECIFIER resolves from this
// folder: `httpipe` is the package itself (through its package.json `exports`), the others
// come from node_modules.
import { createRequire, register } from 'node:module'
import { MessageChannel } from 'node:worker_threads'
import { fileURLToPath } from 'node:url'

const [specifier, format = 'esm', list] = process.argv.slice(2)
const require = createRequire(import.meta.url)
const seen = new Set()
let port = null
if (list === 'files') {
  const channel = new MessageChannel()
  port = channel.port1
  port.on('message', (url) => seen.add(url))
  const hook = `let port; export const initialize = (d) => { port = d.port };
export const load = async (url, context, next) => { if (url.startsWith('file:')) port.postMessage(url); return next(url, context) }`
  register(`data:text/javascript,${encodeURIComponent(hook)}`, {
    data: { port: channel.port2 },
    transferList: [channel.port2],
  })
}
const start = performance.now()
const cpuStart = process.cpuUsage()
if (format === 'cjs') require(specifier)
else await import(specifier)
const ms = performance.now() - start
const cpu = process.cpuUsage(cpuStart)
const cpuMs = (cpu.user + cpu.system) / 1000
let files
if (port !== null) {
  await new Promise((r) => setTimeout(r, 50)) // the hook's last messages
  port.close()
  const all = new Set([...seen].map((u) => fileURLToPath(u)))
  for (const f of Object.keys(require.cache)) all.add(f)
  all.delete(fileURLToPath(import.meta.url))
  files = [...all].sort()
}
console.log(JSON.stringify({ ms, cpuMs, files }))
