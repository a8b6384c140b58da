/**
 * A loopback server for the stream tests (not a test file itself): a raw `node:http` server on
 * 127.0.0.1 (port 0) whose handler each test gives, and what it saw of its connections: how many
 * were accepted, how many closed (each `close` event can be awaited), and requests per path.
 *
 * @example
 * await withStreamServer((req, res) => res.end('ok'), async (s) => { …; await s.allClosed() })
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { pipe } from 'fp-ts/lib/function.js'
import * as H from '../../../src/index.js'
import { rightOf } from '../helpers.js'
import { settlesWithin } from '../../support/wait.js'

export type Handler = (req: IncomingMessage, res: ServerResponse, n: number) => void

export interface StreamServer {
  /** `http://127.0.0.1:PORT`, no trailing slash */
  readonly url: string
  /** requests received so far */
  readonly count: () => number
  /** the request paths received, in order */
  readonly paths: () => ReadonlyArray<string>
  /** connections accepted so far */
  readonly accepted: () => number
  /** connections accepted and not closed yet */
  readonly open: () => number
  /**
   * settles once every socket that carried a request has had its `close` event (a fetch may open
   * a spare connection that carries nothing: global fetch does after an abort)
   */
  readonly allClosed: () => Promise<void>
  readonly close: () => Promise<void>
}

/** Starts a server answering with `handler` (its third argument: the request's number, from 1). */
export const startStreamServer = async (handler: Handler): Promise<StreamServer> => {
  const sockets = new Set<Socket>()
  const served = new Set<Socket>()
  const paths: string[] = []
  let accepted = 0
  let waiters: Array<() => void> = []
  const settle = (): void => {
    if (served.size > 0) return
    const ws = waiters
    waiters = []
    for (const w of ws) w()
  }
  const server = createServer((req, res) => {
    paths.push(req.url ?? '')
    if (!req.socket.destroyed) served.add(req.socket)
    res.on('error', () => undefined)
    handler(req, res, paths.length)
  })
  server.on('connection', (s: Socket) => {
    accepted++
    sockets.add(s)
    s.on('error', () => undefined)
    s.on('close', () => {
      sockets.delete(s)
      served.delete(s)
      settle()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${port}`,
    count: () => paths.length,
    paths: () => [...paths],
    accepted: () => accepted,
    open: () => sockets.size,
    allClosed: () =>
      new Promise<void>((resolve) => {
        waiters.push(resolve)
        settle()
      }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      }),
  }
}

/** Runs `f` with a fresh server, closed after whatever happens. */
export const withStreamServer = async <A>(handler: Handler, f: (s: StreamServer) => Promise<A>): Promise<A> => {
  const s = await startStreamServer(handler)
  try {
    return await f(s)
  } finally {
    await s.close()
  }
}

/** A promise with its resolve, for a server and a test that wait on each other (no timers). */
export interface Latch<A = void> {
  readonly promise: Promise<A>
  readonly open: (a: A) => void
  /** whether `open` was called */
  readonly opened: () => boolean
}

/** A fresh latch. */
export const latch = <A = void>(): Latch<A> => {
  let open: (a: A) => void = () => undefined
  let opened = false
  const promise = new Promise<A>((resolve) => {
    open = (a) => {
      opened = true
      resolve(a)
    }
  })
  return { promise, open, opened: () => opened }
}

/** A stream of GET `/s` on the server through `transport` (its head within 30 s), after `steps`. */
export const openStream = async (
  s: StreamServer,
  transport: H.Transport,
  steps: H.Step = (r) => r,
  env: H.Env = {},
): Promise<H.HttpStream> =>
  rightOf(
    await settlesWithin(
      pipe(H.newRequest(), H.initialize(`${s.url}/s`), steps, H.streamRequest('GET', { ...env, transport }))(),
      30_000,
      'the head',
    ),
  )
