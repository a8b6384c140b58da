/**
 * Shared set-up for the test files (not a test file itself). Each `use*` registers its own
 * `before`/`after` hooks in the suite it is called from (the file, or the enclosing `describe`)
 * and hands back a handle whose getters read the live value once the hook has run.
 *
 * Tests may read a handle directly. A file's own `before()` that needs one must first
 * `await handle.ready`: on Node 20, `before()` hooks at the top of a file all start at once (as
 * they are registered), not one after the other.
 *
 * @example
 * const echo = useEchoServer()
 * const tmp = useTempDir('run')
 * before(async () => { await tmp.ready; await writeFile(tmp.file('in.bin'), 'x') })
 * test('…', async () => { await send(echo.url + '/get'); await readFile(tmp.file('out.bin')) })
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before } from 'node:test'
import { startEchoServer, type EchoServer } from '../../src/testing/index.js'

/** A started echo server on 127.0.0.1, port 0. */
export interface EchoFixture {
  readonly server: EchoServer
  /** `http://127.0.0.1:PORT`, no trailing slash. */
  readonly url: string
  /** Settles once the server is started (or failed to start). */
  readonly ready: Promise<void>
}

const unset = (what: string): never => {
  throw new Error(`${what} is read before its before() hook ran (await its .ready in a before() hook)`)
}

/** Runs `setUp` as a before() hook; the promise settles as the hook does (a rejection nobody awaits is not reported). */
const beforeReady = (setUp: () => Promise<void>): Promise<void> => {
  let settle: (run: Promise<void>) => void = () => undefined
  const ready = new Promise<void>((resolve) => {
    settle = resolve
  })
  ready.catch(() => undefined)
  before(() => {
    const run = setUp()
    settle(run)
    return run
  })
  return ready
}

/** Starts an embedded echo server before the suite and closes it (by its handle) after. */
export const useEchoServer = (): EchoFixture => {
  let server: EchoServer | undefined
  const ready = beforeReady(async () => {
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
    ready,
  }
}

/** A fresh temporary directory. */
export interface TempDirFixture {
  readonly path: string
  /** `join(path, ...names)`. */
  file(...names: ReadonlyArray<string>): string
  /** Settles once the directory is made (or could not be). */
  readonly ready: Promise<void>
}

/** Makes a temporary directory (`httpipe-<label>-XXXX`) before the suite and removes it after. */
export const useTempDir = (label: string): TempDirFixture => {
  let dir: string | undefined
  const ready = beforeReady(async () => {
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
    ready,
  }
}

/** One request a recording server received, its body read whole. */
export interface Recorded {
  readonly method: string
  /** The request target as sent: a path, or an absolute URL through a forwarding proxy. */
  readonly url: string
  readonly headers: IncomingHttpHeaders
  readonly body: Buffer
}

/** A started raw node:http server on 127.0.0.1 that records every request it receives. */
export interface RecordingFixture {
  /** What it received, in order. */
  readonly seen: Recorded[]
  readonly server: Server
  /** `http://127.0.0.1:PORT`, no trailing slash. */
  readonly url: string
  /** Settles once the server listens (or failed to). */
  readonly ready: Promise<void>
}

/**
 * Starts a raw node:http server on 127.0.0.1, port 0, before the suite: each request is recorded
 * once its body is read, then `answer` answers it (by default `ok`). Closed (by its handle) after.
 */
export const useRecordingServer = (
  answer: (r: Recorded, res: ServerResponse) => void = (_r, res) => res.end('ok'),
): RecordingFixture => {
  const seen: Recorded[] = []
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const r = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) }
      seen.push(r)
      answer(r, res)
    })
  })
  let url: string | undefined
  const ready = beforeReady(
    () =>
      new Promise<void>((resolve) =>
        server.listen(0, '127.0.0.1', () => {
          url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
          resolve()
        }),
      ),
  )
  after(async () => {
    server.closeAllConnections()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  })
  return {
    seen,
    server,
    get url() {
      return url ?? unset('useRecordingServer().url')
    },
    ready,
  }
}
