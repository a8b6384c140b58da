/**
 * `npm run bench:cli` (or `node --import tsx bench/cli-startup.ts [runs]` after a build): how
 * fast the built `httpipe` command starts. Spawns `node dist/esm/cli/main.js` `runs` times (default 20) for
 * `--version` (commander and the flag table only: the target is a median under 200 ms), for
 * `--help`, and for a GET to an echo server on 127.0.0.1 (the library loaded and one request
 * sent), after one warm-up run each, and prints the median, the fastest and the slowest in ms,
 * next to `node -e 0` (Node's own start) for scale. Runs one after the other, never in parallel.
 */
import { spawn } from 'node:child_process'
import { startEchoServer } from '../src/testing/index.js'

const MAIN = 'dist/esm/cli/main.js'
const runs = Number(process.argv[2] ?? 20)

const once = (args: ReadonlyArray<string>): Promise<number> =>
  new Promise((resolve, reject) => {
    const start = process.hrtime.bigint()
    const child = spawn(process.execPath, [...args], { stdio: ['ignore', 'ignore', 'inherit'] })
    child.on('error', reject)
    child.on('exit', (code) =>
      code === 0
        ? resolve(Number(process.hrtime.bigint() - start) / 1e6)
        : reject(new Error(`${args.join(' ')} exited ${code}`)),
    )
  })

const measure = async (label: string, args: ReadonlyArray<string>): Promise<void> => {
  await once(args) // warm the file system cache
  const times: number[] = []
  for (let i = 0; i < runs; i += 1) times.push(await once(args))
  times.sort((a, b) => a - b)
  const median =
    times.length % 2 === 1
      ? (times[(times.length - 1) / 2] ?? 0)
      : ((times[times.length / 2 - 1] ?? 0) + (times[times.length / 2] ?? 0)) / 2
  console.log(
    `${label.padEnd(28)} median ${median.toFixed(1).padStart(6)} ms   min ${(times[0] ?? 0).toFixed(1).padStart(6)}   max ${(times.at(-1) ?? 0).toFixed(1).padStart(6)}   (${runs} runs)`,
  )
}

const server = await startEchoServer()
try {
  console.log(`httpipe command start-up, Node ${process.version}`)
  await measure('node -e 0', ['-e', '0'])
  await measure('httpipe --version', [MAIN, '--version'])
  await measure('httpipe --help', [MAIN, '--help'])
  await measure('httpipe GET (echo server)', [MAIN, `${server.url}/get`])
} finally {
  await server.close()
}
