/**
 * Shared helpers for the command-line tests (not a test file itself): the command run in this
 * process (`httpipe`: what it does) or the BUILT command (dist/esm/cli/main.js, which `npm test`
 * builds first) spawned as a user would run it (`httpipeSpawned`, `onTerminal`: what its process
 * does — exit codes, terminals, pipes, signals), each with its exit code, stdout bytes and stderr
 * text; a shell for curl commands; the echo payload.
 */
import { spawn } from 'node:child_process'
import { Writable } from 'node:stream'
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import type { EchoPayload, EchoServer } from '../../src/testing/index.js'
import { useEchoServer, useTempDir } from '../support/fixtures.js'

export const MAIN = resolve('dist/esm/cli/main.js')
if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run npm run build first`)

export interface Ran {
  readonly code: number | null
  readonly stdout: Buffer
  readonly out: string
  readonly err: string
}

/** The environment a run gets: none of the caller's secrets or colour settings, unless given. */
const baseEnv = (): NodeJS.ProcessEnv => {
  const { NO_COLOR: _n, FORCE_COLOR: _f, HTTPIPE_DEBUG: _d, ...rest } = process.env
  return rest
}

/** Spawns a program and collects what it writes (stdin closed, or given). */
export const spawnCollect = (
  command: string,
  args: ReadonlyArray<string>,
  o: { readonly env?: NodeJS.ProcessEnv; readonly cwd?: string; readonly input?: string } = {},
): Promise<Ran> =>
  new Promise((done, fail) => {
    const child = spawn(command, [...args], {
      env: { ...baseEnv(), ...o.env },
      cwd: o.cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout.on('data', (b: Buffer) => out.push(b))
    child.stderr.on('data', (b: Buffer) => err.push(b))
    child.on('error', fail)
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000)
    child.on('close', (code) => {
      clearTimeout(timer)
      const stdout = Buffer.concat(out)
      done({ code, stdout, out: stdout.toString('utf8'), err: Buffer.concat(err).toString('utf8') })
    })
    child.stdin.end(o.input ?? '')
  })

/** Runs `httpipe …args` (the built command) in a process of its own. */
export const httpipeSpawned = (
  args: ReadonlyArray<string>,
  o: { readonly env?: NodeJS.ProcessEnv; readonly cwd?: string } = {},
): Promise<Ran> => spawnCollect(process.execPath, [MAIN, ...args], o)

/** A stream that keeps what is written to it (not a terminal, as a pipe is not). */
const collector = (into: Buffer[]): Writable =>
  new Writable({
    write(chunk: Buffer, _encoding, done) {
      into.push(Buffer.from(chunk))
      done()
    },
  })

/**
 * Runs `httpipe …args` in this process, as dist/esm/cli/main.js runs it (the command line read,
 * then `run` with stdout, stderr and the environment given; a throw is exit 1): a process start
 * costs half a second, and most command-line tests are about what the command does, not about
 * its process. What is about the process — exit on a closed stdout, a terminal, signals, a run
 * in another working directory, `HTTPIPE_DEBUG` — runs spawned (`cwd` given, or
 * {@link httpipeSpawned}); `HTTPIPE_CLI_SPAWN=1` spawns every run, as a user's shell would.
 */
export const httpipe = async (
  args: ReadonlyArray<string>,
  o: { readonly env?: NodeJS.ProcessEnv; readonly cwd?: string } = {},
): Promise<Ran> => {
  if (o.cwd !== undefined || o.env?.['HTTPIPE_DEBUG'] !== undefined || process.env['HTTPIPE_CLI_SPAWN'] === '1')
    return httpipeSpawned(args, o)
  const [{ readCommandLine }, { run }] = await Promise.all([
    import('../../src/cli/program.js'),
    import('../../src/cli/run.js'),
  ])
  const out: Buffer[] = []
  const err: Buffer[] = []
  const stdout = collector(out)
  const stderr = collector(err)
  let code: number
  try {
    const read = readCommandLine(
      args,
      (s) => err.push(Buffer.from(s)),
      (s) => out.push(Buffer.from(s)),
    )
    code =
      read._tag === 'Exit'
        ? read.exit
        : await run(read.args, read.values, { stdout, stderr, env: { ...baseEnv(), ...o.env } })
  } catch (e) {
    err.push(Buffer.from(`httpipe: unexpected failure: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`))
    code = 1
  }
  const bytes = Buffer.concat(out)
  return { code, stdout: bytes, out: bytes.toString('utf8'), err: Buffer.concat(err).toString('utf8') }
}

/** Runs a script in sh, given on its stdin (a command line may be longer than one argument can be). */
export const shell = (script: string, env?: NodeJS.ProcessEnv): Promise<Ran> =>
  spawnCollect('sh', [], { input: script, ...(env === undefined ? {} : { env }) })

/** Runs `httpipe …args` and reads its stdout as the echo server's JSON, failing on a non-zero exit. */
export const echo = async (
  args: ReadonlyArray<string>,
  o: { readonly env?: NodeJS.ProcessEnv; readonly cwd?: string } = {},
): Promise<EchoPayload> => {
  const r = await httpipe(args, o)
  if (r.code !== 0) throw new Error(`httpipe ${args.join(' ')} exited ${r.code}: ${r.err}`)
  return JSON.parse(r.out) as EchoPayload
}

/** Runs a command under a pseudo-terminal (util-linux `script`): what a person sees on the screen. */
export const onTerminal = (args: ReadonlyArray<string>, env: NodeJS.ProcessEnv = {}): Promise<Ran> => {
  const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`
  return spawnCollect('script', ['-qec', [process.execPath, MAIN, ...args].map(quote).join(' '), '/dev/null'], {
    env: { TERM: 'xterm', COLUMNS: '100', ...env },
  })
}

/** An echo server and a temporary folder for the tests of one file, started before them and removed after (test/support/fixtures.ts). */
export const useFixtures = (): { readonly server: EchoServer; readonly dir: string } => {
  const echo = useEchoServer()
  const tmp = useTempDir('cli')
  return {
    get server() {
      return echo.server
    },
    get dir() {
      return tmp.path
    },
  }
}
