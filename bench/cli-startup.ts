/**
 * `npm run bench:cli` (or `node --import tsx bench/cli-startup.ts [runs]` after a build): how
 * fast the built `httpipe` command starts. Spawns `node dist/esm/cli/main.js` `runs` times (default 20) for
 * `--version` (commander and the flag table only: the target is a median under 200 ms), for
 * `--help`, and for a GET to an echo server on 127.0.0.1 (the library loaded and one request
 * sent), after one warm-up run each, and prints the median, the fastest and the slowest in ms,
 * next to `node -e 0` (Node's own start) for scale, and HTTPie's `http --version` when the `http`
 * command is there (scripts/install-peers.sh installs it): httpipe's `--version` must stay below
 * 0.6× HTTPie's (the ratio is printed; exit 1 above it). Runs one after the other, never in parallel.
 */
import { execFileSync, spawn } from 'node:child_process'
import { startEchoServer } from '../src/testing/index.js'

const MAIN = 'dist/esm/cli/main.js'
const runs = Number(process.argv[2] ?? 20)

const once = (args: ReadonlyArray<string>, command = process.execPath): Promise<number> =>
  new Promise((resolve, reject) => {
    const start = process.hrtime.bigint()
    const child = spawn(command, [...args], { stdio: ['ignore', 'ignore', 'inherit'] })
    child.on('error', reject)
    child.on('exit', (code) =>
      code === 0
        ? resolve(Number(process.hrtime.bigint() - start) / 1e6)
        : reject(new Error(`${args.join(' ')} exited ${code}`)),
    )
  })

const measure = async (label: string, args: ReadonlyArray<string>, command?: string): Promise<number> => {
  await once(args, command) // warm the file system cache
  const times: number[] = []
  for (let i = 0; i < runs; i += 1) times.push(await once(args, command))
  times.sort((a, b) => a - b)
  const median =
    times.length % 2 === 1
      ? (times[(times.length - 1) / 2] ?? 0)
      : ((times[times.length / 2 - 1] ?? 0) + (times[times.length / 2] ?? 0)) / 2
  console.log(
    `${label.padEnd(28)} median ${median.toFixed(1).padStart(6)} ms   min ${(times[0] ?? 0).toFixed(1).padStart(6)}   max ${(times.at(-1) ?? 0).toFixed(1).padStart(6)}   (${runs} runs)`,
  )
  return median
}

const httpie = (() => {
  try {
    return execFileSync('sh', ['-c', 'command -v http'], { encoding: 'utf8' }).trim()
  } catch {
    return ''
  }
})()

const server = await startEchoServer()
try {
  console.log(`httpipe command start-up, Node ${process.version}`)
  await measure('node -e 0', ['-e', '0'])
  const ours = await measure('httpipe --version', [MAIN, '--version'])
  if (httpie === '') console.log('HTTPie (http) not installed: no comparison (scripts/install-peers.sh installs it)')
  else {
    const theirs = await measure('http --version (HTTPie)', ['--version'], httpie)
    const ratio = ours / theirs
    console.log(`httpipe --version / http --version: ${ratio.toFixed(2)}× (must stay below 0.6×)`)
    if (ratio >= 0.6) process.exitCode = 1
  }
  await measure('httpipe --help', [MAIN, '--help'])
  await measure('httpipe GET (echo server)', [MAIN, `${server.url}/get`])
} finally {
  await server.close()
}
