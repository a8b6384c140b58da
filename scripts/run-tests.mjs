// Runs every test/**/*.test.ts file with node's built-in test runner; `node scripts/run-tests.mjs
// <substring>` runs the files whose path contains the substring.
//
// The TypeScript is compiled once, with esbuild, into a temporary copy of the repository
// (scripts/compile-tests.mjs), and node runs the JavaScript with source maps on (a failure's
// stack names the .ts file and line). Loading tsx and compiling the src tree again in every test
// process cost about a second of CPU each; a process start and the src tree's load cost most of
// another second, so the files that share nothing with the process but their module graph run
// several to a process: one generated file per group, each test file in it a `describe` named
// after the file (its tests, its `before`/`after` hooks and its output inside), one after the
// other, as node runs the top-level tests of one file. A file runs in a process of its own when
// it starts child processes itself (those are the long files: they gain nothing from sharing a
// process, and alone they pack best on the two workers) or changes the process for whatever else
// runs in it (the working directory, a global, a V8 flag, a process listener).
//
// The executor suites run once more on each of the other transports (HTTPIPE_TEST_TRANSPORT, read
// by the tests only, set by the generated file before it imports them), so that what holds on the
// default undici transport is seen to hold on cross-fetch and on Node's global fetch as well. The
// few files that measure real time (how soon a child process exits) run first, alone, one at a
// time (SERIAL), so no other test file competes with them for the CPU; the rest of the suite runs
// after, without them, in one `node --test`, so its closing lines are the summary.
//
// HTTPIPE_TEST_TSX=1 runs each file in its own process through tsx instead, as before;
// HTTPIPE_TEST_DRY=1 prints the processes (one test file or generated file a line) and keeps the
// compiled copy, without running them.
import { spawnSync } from 'node:child_process'
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { basename, join, relative, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { compileTests, removeCompiled } from './compile-tests.mjs'

const walk = (dir) =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.test.ts') ? [join(dir, e.name)] : [],
  )
const filter = process.argv[2]
// httpipe reads the proxy variables of the environment (env.proxyEnv's default): the tests give
// them through env.proxyEnv where they need them, and a machine's own never reach a test
for (const name of ['http_proxy', 'https_proxy', 'no_proxy', 'all_proxy'])
  for (const n of [name, name.toUpperCase()]) delete process.env[n]
const files = walk('test')
  .filter((f) => !filter || f.includes(filter))
  .sort()

/** The longest files (each 10-40 s, most of it child processes), longest first, each a path or the
 * start of one (`test/types-compile` is every test/types-compile*.test.ts): they run in processes
 * of their own and start first, so that the two workers finish together instead of one running a
 * long file alone at the end. */
const LONGEST = [
  'test/docs.test.ts',
  'test/doc-examples.test.ts',
  'test/cli/output.test.ts',
  'test/client/stream-memory.test.ts',
  'test/types-compile',
  'test/readme.test.ts',
  'test/execute/debug.test.ts',
  'test/cli/stream.test.ts',
  'test/package',
  'test/client/stream-backpressure.test.ts',
  'test/cli/hostile-output.test.ts',
]
const longest = (f) => LONGEST.findIndex((l) => f.startsWith(l))
const SERIAL = ['test/transport/exit.test.ts']
/** Files that run from the repository itself, through tsx, as every test file did before: those that
 * import TypeScript at run time (not through their own imports: files they write), and those that
 * pack the package (`npm pack` leaves out the copy's linked dist/). */
const IN_PLACE = ['test/doc-examples.test.ts']
const IN_PLACE_USE = /support\/pack\.js/
const ACROSS = [
  'test/execute/cookies.test.ts',
  'test/execute/run.test.ts',
  'test/execute/redirect.test.ts',
  'test/execute/retry.test.ts',
  'test/execute/limits.test.ts',
  'test/execute/parts.test.ts',
  'test/execute/progress.test.ts',
]
/** What makes a file run in a process of its own (see above). */
const OWN_PROCESS =
  /from 'node:child_process'|process\.chdir|setFlagsFromString|setGlobalDispatcher|mock\.timers|process\.(on|once|addListener)\(|globalThis\.\w+\s*=[^=]/
/** At most this many files share a process: enough to pay the start once for many, few enough that
 * the groups still pack on the two workers. */
const GROUP_SIZE = 8

const tsx = () => {
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--test', '--test-concurrency=2', ...files.filter((f) => !SERIAL.includes(f))],
    { stdio: 'inherit' },
  )
  return r.status ?? 1
}

const run = (args, env = process.env) =>
  spawnSync(process.execPath, ['--enable-source-maps', '--test', ...args], { stdio: 'inherit', env }).status ?? 1

const main = async () => {
  if (files.length === 0) {
    console.error(`no test file matches ${JSON.stringify(filter)}`)
    return 1
  }
  let status = 0
  const serial = SERIAL.filter((f) => files.includes(f))
  const rest = files.filter((f) => !SERIAL.includes(f))
  if (process.env['HTTPIPE_TEST_TSX'] === '1') {
    for (const f of serial) {
      console.log(`# real time, one file at a time: ${f} (not counted in the summary below)`)
      const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', f], { stdio: 'inherit' })
      if ((r.status ?? 1) !== 0) status = r.status ?? 1
    }
    const code = tsx()
    return status || code
  }

  const dir = await compileTests()
  // Ctrl-C reaches the test processes too; this one waits for them, then removes the copy
  process.on('SIGINT', () => {})
  try {
    const js = (f) => join(dir, f.replace(/\.ts$/, '.js'))
    const dry = process.env['HTTPIPE_TEST_DRY'] === '1'
    for (const f of serial) {
      if (dry) {
        console.log(`${js(f)} (alone)`)
        continue
      }
      console.log(`# real time, one file at a time: ${f} (not counted in the summary below)`)
      const code = run(['--test-concurrency=1', js(f)])
      if (code !== 0) status = code
    }

    // The generated files that run several test files in one process. Each file's module is
    // imported inside its describe (so that its tests, hooks and output are the describe's), and
    // no describe's tests start before every file of the process is loaded: loading (compiling)
    // a module blocks the event loop, which would stretch the timers of a test already running.
    mkdirSync(join(dir, 'test-groups'))
    const group = (name, members, transport, inPlace = false) => {
      const path = join(dir, 'test-groups', `${name}.test.js`)
      const lines = ["import { describe } from 'node:test'"]
      if (inPlace) lines.push("await import('tsx')")
      if (transport !== undefined) lines.push(`process.env.HTTPIPE_TEST_TRANSPORT = ${JSON.stringify(transport)}`)
      lines.push(
        'const loads = []',
        'const file = (label, url) =>',
        '  describe(label, async () => {',
        '    const load = import(url)',
        '    loads.push(load)',
        '    await load',
        '    await Promise.allSettled(loads)',
        '  })',
      )
      for (const f of members) {
        const label = transport === undefined ? f : `${f} [HTTPIPE_TEST_TRANSPORT=${transport}]`
        const url = pathToFileURL(inPlace ? resolve(f) : js(f)).href
        lines.push(`file(${JSON.stringify(label)}, ${JSON.stringify(url)})`)
      }
      writeFileSync(path, lines.join('\n') + '\n')
      return path
    }
    // each unit is one process: a file alone, or a generated file running several
    const rank = (f) => (longest(f) >= 0 ? longest(f) : LONGEST.length)
    const units = []
    const shared = new Map()
    for (const f of rest) {
      const text = readFileSync(f, 'utf8')
      if (IN_PLACE.includes(f) || IN_PLACE_USE.test(text))
        units.push({ rank: rank(f), weight: 1, path: group(basename(f, '.test.ts'), [f], undefined, true) })
      else if (longest(f) >= 0 || OWN_PROCESS.test(text)) units.push({ rank: rank(f), weight: 1, path: js(f) })
      else {
        const folder = relative('test', f).split('/').slice(0, -1)[0] ?? 'top'
        shared.set(folder, [...(shared.get(folder) ?? []), f])
      }
    }
    const last = LONGEST.length + 1
    /** the larger groups (by source size, roughly how much they test) start first */
    const size = (part) => part.reduce((n, f) => n + statSync(f).size, 0)
    for (const [folder, members] of shared) {
      const n = Math.ceil(members.length / GROUP_SIZE)
      const each = Math.ceil(members.length / n)
      for (let i = 0; i < n; i++) {
        const part = members.slice(i * each, (i + 1) * each)
        units.push({ rank: last, weight: size(part), path: group(n === 1 ? folder : `${folder}-${i + 1}`, part) })
      }
    }
    for (const transport of ['cross-fetch', 'fetch']) {
      const part = ACROSS.filter((f) => files.includes(f))
      if (part.length > 0)
        units.push({ rank: last, weight: size(part), path: group(`execute-${transport}`, part, transport) })
    }
    const order = units.sort((a, b) => a.rank - b.rank || b.weight - a.weight).map((u) => u.path)
    if (dry) {
      // the processes, one a line, and the copy kept: to time or run them one by one
      for (const p of order) console.log(p)
      return 0
    }
    const code = run(['--test-concurrency=2', ...order])
    if (code !== 0) status = code
  } finally {
    if (process.env['HTTPIPE_TEST_DRY'] !== '1') removeCompiled(dir)
  }
  return status
}

process.exit(await main())
