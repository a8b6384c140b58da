/**
 * Shared set-up for the test files (not a test file itself). Each `use*` registers its own
 * `before`/`after` hooks in the suite it is called from (the file, or the enclosing `describe`)
 * and hands back a handle whose getters read the live value once the hook has run.
 *
 * @example
 * const echo = useEchoServer()
 * const tmp = useTempDir('run')
 * test('…', async () => { await send(echo.url + '/get'); await readFile(tmp.file('out.bin')) })
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before } from 'node:test'
import { startEchoServer, type EchoServer } from '../../src/testing/index.js'

/** A started echo server on 127.0.0.1, port 0. */
export interface EchoFixture {
  readonly server: EchoServer
  /** `http://127.0.0.1:PORT`, no trailing slash. */
  readonly url: string
}

const unset = (what: string): never => {
  throw new Error(`${what} is read before its before() hook ran`)
}

/** Starts an embedded echo server before the suite and closes it (by its handle) after. */
export const useEchoServer = (): EchoFixture => {
  let server: EchoServer | undefined
  before(async () => {
    server = await startEchoServer()
  })
  after(async () => {
    await server?.close()
  })
  return {
    get server() {
      return server ?? unset('useEchoServer().server')
    },
    get url() {
      return (server ?? unset('useEchoServer().url')).url
    },
  }
}

/** A fresh temporary directory. */
export interface TempDirFixture {
  readonly path: string
  /** `join(path, ...names)`. */
  file(...names: ReadonlyArray<string>): string
}

/** Makes a temporary directory (`httpipe-<label>-XXXX`) before the suite and removes it after. */
export const useTempDir = (label: string): TempDirFixture => {
  let dir: string | undefined
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), `httpipe-${label}-`))
  })
  after(async () => {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true })
  })
  const path = (): string => dir ?? unset(`useTempDir(${label}).path`)
  return {
    get path() {
      return path()
    },
    file: (...names) => join(path(), ...names),
  }
}
