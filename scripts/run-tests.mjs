// Runs every test/**/*.test.ts file with node's built-in test runner (TypeScript through tsx).
// Node 20's --test takes no globs, so the files are listed here. The executor suites then run
// once more on each of the other transports (HTTPIPE_TEST_TRANSPORT, read by the tests only),
// so that what holds on the default undici transport is seen to hold on cross-fetch and on
// Node's global fetch as well. The few files that measure real time (how soon a child process
// exits) run alone, one at a time (SERIAL), so no other test file competes with them for the
// CPU; the rest of the suite runs last, without them, so its closing lines are the summary.
import { spawnSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'

const walk = (dir) =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.test.ts') ? [join(dir, e.name)] : [],
  )
const filter = process.argv[2]
// the longest files (each 10-40 s, most of it child processes) start first, so that the two
// workers finish together instead of one running a long file alone at the end
const LONGEST = [
  'test/types-compile.test.ts',
  'test/readme.test.ts',
  'test/docs.test.ts',
  'test/cli/curl.test.ts',
  'test/execute/limits.test.ts',
  'test/doc-examples.test.ts',
  'test/cli/flags.test.ts',
  'test/cli/output.test.ts',
  'test/cli/template.test.ts',
  'test/cli/units.test.ts',
  'test/cli/stream.test.ts',
  'test/client/stream-backpressure.test.ts',
  'test/client/stream-memory.test.ts',
  'test/client/stream-limits.test.ts',
]
const rank = (f) => (LONGEST.includes(f) ? LONGEST.indexOf(f) : LONGEST.length)
const files = walk('test')
  .filter((f) => !filter || f.includes(filter))
  .sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0))
const SERIAL = ['test/transport/exit.test.ts']
const ACROSS = [
  'test/execute/run.test.ts',
  'test/execute/redirect.test.ts',
  'test/execute/retry.test.ts',
  'test/execute/limits.test.ts',
  'test/execute/parts.test.ts',
  'test/execute/progress.test.ts',
]
const runs = [
  { label: 'other transports', files: ACROSS.filter((f) => files.includes(f)), envs: ['cross-fetch', 'fetch'] },
  {
    label: 'real time, one file at a time',
    files: SERIAL.filter((f) => files.includes(f)),
    envs: [undefined],
    concurrency: 1,
  },
  { label: 'all', files: files.filter((f) => !SERIAL.includes(f)), envs: [undefined] },
]
let status = 0
for (const run of runs) {
  for (const transport of run.envs) {
    if (run.files.length === 0) continue
    if (transport !== undefined) console.log(`# executor suites on HTTPIPE_TEST_TRANSPORT=${transport}`)
    else if (run.concurrency === 1)
      console.log(`# ${run.label}: ${run.files.join(', ')} (not counted in the summary below)`)
    const env = transport === undefined ? process.env : { ...process.env, HTTPIPE_TEST_TRANSPORT: transport }
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', '--test', `--test-concurrency=${run.concurrency ?? 2}`, ...run.files],
      { stdio: 'inherit', env },
    )
    if ((r.status ?? 1) !== 0) status = r.status ?? 1
  }
}
process.exit(status)
