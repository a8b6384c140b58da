#!/usr/bin/env node
/**
 * The `httpipe` command: reads the command line (commander, with only the flag table and the
 * version loaded), then loads the library to build, send and print the request.
 * @module
 */
import { readCommandLine } from './program.js'

const stdout = process.stdout
// A reader that stopped reading (`httpipe … | head`) is no error of the request: the rest of the
// body is dropped (a write to the closed stdout calls back with an error, which `write` ignores),
// while stderr (-v, --log, the --fail line) is still written in full and the exit code is the
// request's own (0, 1, 22…). Exiting here would lose them.
stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code !== 'EPIPE') throw e
})

const main = async (argv: ReadonlyArray<string>): Promise<number> => {
  const read = readCommandLine(
    argv,
    (s) => process.stderr.write(s),
    (s) => stdout.write(s),
  )
  if (read._tag === 'Exit') return read.exit
  const { run } = await import('./run.js')
  return run(read.args, read.values, { stdout, stderr: process.stderr, env: process.env })
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
  },
  (e: unknown) => {
    process.stderr.write(`httpipe: unexpected failure: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`)
    process.exitCode = 1
  },
)
