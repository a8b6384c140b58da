/**
 * Misbehaving HTTP servers for the fault tests (not a test file itself).
 *
 * - `startFaultyServer(kind)`: a raw `node:net` listener on 127.0.0.1 (port 0) that counts
 *   connections and requests and breaks HTTP/1.1 the way `kind` says. A request is counted
 *   when its head has been received in full (up to CRLF CRLF) and its body too (Content-Length
 *   or chunked). A request whose path starts with `/ok` is always answered normally (the
 *   target of `redirect-never-ends`).
 * - `startStatusServer(options)`: a `node:http` server answering `status` to the first
 *   `failures` requests of each method, then `okStatus`; it counts requests per method.
 * - `useFaultyServer` / `useStatusServer`: the same as before/after fixtures of a suite;
 *   `withFaultyServer` / `withStatusServer`: one fresh server around one function.
 *
 * Every server destroys every socket it accepted, and clears every timer it set, on close.
 */
import { spawn } from 'node:child_process'
import http from 'node:http'
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net'
import { after, before } from 'node:test'

/** The close() of every server started here and not closed yet (see {@link closeAllServers}). */
const live = new Set<() => Promise<void>>()
const track = <S extends { close: () => Promise<void> }>(s: S): S => {
  let closing: Promise<void> | null = null
  const close = (): Promise<void> => {
    live.delete(close)
    closing ??= s.close()
    return closing
  }
  live.add(close)
  return { ...s, close }
}

/**
 * Closes every server of this module still open: put it in a file's `after` hook, so that a
 * test that timed out (its own `finally` never ran) leaves no listener keeping the file alive.
 * @example
 * after(closeAllServers)
 */
export const closeAllServers = async (): Promise<void> => {
  await Promise.all([...live].map((c) => c()))
}

export type FaultKind =
  /** a normal keep-alive `200 OK` with the body `ok` */
  | 'ok'
  /** reads the request, then destroys the socket with a TCP RST: no byte of a response */
  | 'reset-before-headers'
  /** a head with Content-Length 1000, 100 bytes of body, then a TCP RST */
  | 'reset-mid-body'
  /** reads the request and says nothing, the socket kept open */
  | 'never-answers'
  /** a valid head (Content-Length 100), then one body byte per `trickleMs` (default 1 s) */
  | 'trickle'
  /** `HTTP/1.1 abc nonsense` CRLF CRLF, the socket kept open */
  | 'malformed-status'
  /** `HTXP/1.1 200 OK` with a Content-Length 2 body, the socket kept open */
  | 'malformed-protocol'
  /** a head with Content-Length 50, 10 bytes of body, then end() (a FIN) */
  | 'short-body-fin'
  /** Transfer-Encoding: chunked, one chunk, then silence with the socket open */
  | 'chunked-never-ends'
  /** a head with Content-Length 1000 and nothing more, the socket kept open (fine for HEAD) */
  | 'head-then-silence'
  /** `302 Found` with `Location: /ok` and a chunked body that never ends */
  | 'redirect-never-ends'

/** A request as the server saw it. */
export interface SeenRequest {
  readonly method: string
  readonly path: string
  /** lower-case names; repeated values joined by `, ` */
  readonly headers: Readonly<Record<string, string>>
  readonly body: Buffer
}

export interface FaultyServer {
  /** `http://127.0.0.1:<port>` (no trailing slash) */
  readonly url: string
  readonly port: number
  /** complete requests received */
  readonly count: () => number
  /** TCP connections accepted */
  readonly connections: () => number
  /** accepted connections not closed yet */
  readonly openConnections: () => number
  readonly requests: () => ReadonlyArray<SeenRequest>
  readonly close: () => Promise<void>
}

export interface FaultyOptions {
  /** the pause between two bytes of `trickle` (default 1000 ms) */
  readonly trickleMs?: number
}

const CRLF2 = Buffer.from('\r\n\r\n')

/** The end offset of a chunked body starting at `from`, or null while it is incomplete. */
const chunkedEnd = (buf: Buffer, from: number): number | null => {
  let p = from
  for (;;) {
    const eol = buf.indexOf('\r\n', p)
    if (eol < 0) return null
    const size = Number.parseInt(buf.subarray(p, eol).toString('latin1').split(';')[0] ?? '', 16)
    if (Number.isNaN(size)) throw new Error('bad chunk size')
    if (size === 0) {
      if (buf.length < eol + 4) return null
      if (buf.subarray(eol + 2, eol + 4).toString('latin1') === '\r\n') return eol + 4
      const t = buf.indexOf(CRLF2, eol + 2) // trailers
      return t < 0 ? null : t + 4
    }
    if (buf.length < eol + 2 + size + 2) return null
    p = eol + 2 + size + 2
  }
}

/** The first complete request in `buf` and the bytes after it, or null while incomplete. */
export const takeRequest = (buf: Buffer): { readonly req: SeenRequest; readonly rest: Buffer } | null => {
  const headEnd = buf.indexOf(CRLF2)
  if (headEnd < 0) return null
  const [requestLine = '', ...fields] = buf.subarray(0, headEnd).toString('latin1').split('\r\n')
  const [method = '', path = ''] = requestLine.split(' ')
  const headers: Record<string, string> = {}
  for (const f of fields) {
    const i = f.indexOf(':')
    if (i <= 0) continue
    const k = f.slice(0, i).trim().toLowerCase()
    const v = f.slice(i + 1).trim()
    headers[k] = headers[k] === undefined ? v : `${headers[k]}, ${v}`
  }
  const bodyStart = headEnd + 4
  let bodyEnd = bodyStart
  if (/chunked/i.test(headers['transfer-encoding'] ?? '')) {
    const end = chunkedEnd(buf, bodyStart)
    if (end === null) return null
    bodyEnd = end
  } else {
    const n = Number(headers['content-length'] ?? '0')
    if (buf.length < bodyStart + n) return null
    bodyEnd = bodyStart + n
  }
  return { req: { method, path, headers, body: buf.subarray(bodyStart, bodyEnd) }, rest: buf.subarray(bodyEnd) }
}

const listen = (server: Server | http.Server): Promise<number> =>
  new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port))
  })

/**
 * Starts a raw server that misbehaves as `kind` says.
 * @example
 * const s = await startFaultyServer('reset-mid-body'); …; assert.equal(s.count(), 3); await s.close()
 */
export const startFaultyServer = async (kind: FaultKind, options: FaultyOptions = {}): Promise<FaultyServer> => {
  const trickleMs = options.trickleMs ?? 1000
  const sockets = new Set<Socket>()
  const timers = new Set<NodeJS.Timeout>()
  const seen: SeenRequest[] = []
  let accepted = 0
  let closed = false

  const later = (ms: number, f: () => void): void => {
    const t = setTimeout(() => {
      timers.delete(t)
      f()
    }, ms)
    timers.add(t)
  }
  const ok = (socket: Socket, req: SeenRequest): void => {
    socket.write(
      `HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\n${req.method === 'HEAD' ? '' : 'ok'}`,
    )
  }
  const neverEndingChunks = (socket: Socket, head: string): void => {
    socket.write(`${head}Content-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n`)
  }

  /** Answers one request; returns whether the connection can take another one. */
  const respond = (socket: Socket, req: SeenRequest): boolean => {
    if (kind === 'ok' || req.path.startsWith('/ok')) {
      ok(socket, req)
      return true
    }
    switch (kind) {
      case 'reset-before-headers':
        socket.resetAndDestroy()
        break
      case 'reset-mid-body':
        // let the head and the first bytes reach the client before the RST (an RST can
        // discard data still queued), so that the failure is in the body
        socket.write(
          `HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: 1000\r\n\r\n${'x'.repeat(100)}`,
          () => later(50, () => socket.resetAndDestroy()),
        )
        break
      case 'never-answers':
        break
      case 'trickle': {
        socket.write('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\n')
        let sent = 0
        const t = setInterval(() => {
          if (socket.destroyed || sent >= 100) {
            clearInterval(t)
            timers.delete(t)
            return
          }
          sent++
          socket.write('t')
        }, trickleMs)
        timers.add(t)
        break
      }
      case 'malformed-status':
        socket.write('HTTP/1.1 abc nonsense\r\n\r\n')
        break
      case 'malformed-protocol':
        socket.write('HTXP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok')
        break
      case 'short-body-fin':
        socket.write(`HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 50\r\n\r\n${'s'.repeat(10)}`)
        socket.end()
        break
      case 'chunked-never-ends':
        neverEndingChunks(socket, 'HTTP/1.1 200 OK\r\n')
        break
      case 'head-then-silence':
        socket.write('HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: 1000\r\n\r\n')
        break
      case 'redirect-never-ends':
        neverEndingChunks(socket, 'HTTP/1.1 302 Found\r\nLocation: /ok\r\n')
        break
    }
    return false
  }

  const server = createServer((socket) => {
    if (closed) return void socket.destroy()
    accepted++
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => undefined) // clients reset and abort: that is the point
    let buf: Buffer = Buffer.alloc(0)
    let open = true // false once a fault took the connection: later bytes are ignored
    socket.on('data', (d: Buffer) => {
      if (!open) return
      buf = buf.length === 0 ? d : Buffer.concat([buf, d])
      for (;;) {
        let r: ReturnType<typeof takeRequest>
        try {
          r = takeRequest(buf)
        } catch {
          open = false
          socket.destroy()
          return
        }
        if (r === null) return
        buf = r.rest
        seen.push(r.req)
        if (!respond(socket, r.req)) {
          open = false
          return
        }
      }
    })
  })
  const port = await listen(server)
  return track({
    url: `http://127.0.0.1:${port}`,
    port,
    count: () => seen.length,
    connections: () => accepted,
    openConnections: () => sockets.size,
    requests: () => [...seen],
    close: () =>
      new Promise<void>((resolve) => {
        closed = true
        for (const t of timers) clearTimeout(t)
        timers.clear()
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      }),
  })
}

/**
 * Runs `f` with a fresh faulty server, closed after whatever happens.
 * @example
 * await withFaultyServer('never-answers', async (s) => { … })
 */
export const withFaultyServer = async <A>(
  kind: FaultKind,
  f: (s: FaultyServer) => Promise<A>,
  options: FaultyOptions = {},
): Promise<A> => {
  const s = await startFaultyServer(kind, options)
  try {
    return await f(s)
  } finally {
    await s.close()
  }
}

/** A server started by `before` and closed by `after` of the enclosing suite (or file). */
const useServer = <S extends { close: () => Promise<void> }>(name: string, start: () => Promise<S>): (() => S) => {
  let s: S | null = null
  before(async () => {
    s = await start()
  })
  after(async () => {
    await s?.close()
    s = null
  })
  return () => {
    if (s === null) throw new Error(`${name}: the server is only there between the before and after hooks of its suite`)
    return s
  }
}

/**
 * A faulty server for a whole suite: call it in `describe` (or at the top of a file); read it
 * in tests through the returned getter.
 * @example
 * const server = useFaultyServer('reset-mid-body'); test('…', () => server().url)
 */
export const useFaultyServer = (kind: FaultKind, options: FaultyOptions = {}): (() => FaultyServer) =>
  useServer(`useFaultyServer(${kind})`, () => startFaultyServer(kind, options))

export interface StatusServerOptions {
  /** the status of the failing answers (default 503) */
  readonly status?: number
  /** how many requests of each method get `status` before `okStatus` (default: all of them) */
  readonly failures?: number
  /** a Retry-After value sent with every failing answer */
  readonly retryAfter?: string
  /** the status after the failures (default 200) */
  readonly okStatus?: number
}

export interface StatusServer {
  readonly url: string
  /** requests received, of one method or of all */
  readonly count: (method?: string) => number
  readonly close: () => Promise<void>
}

/**
 * A node:http server answering `status` to the first `failures` requests of each method, then
 * `okStatus`, counting requests per method. Bodies: `failure <n>` and `ok`.
 * @example
 * const s = await startStatusServer({ status: 503, failures: 2 }) // GET: 503, 503, 200, 200, …
 */
export const startStatusServer = async (options: StatusServerOptions = {}): Promise<StatusServer> => {
  const { status = 503, failures = Number.POSITIVE_INFINITY, retryAfter, okStatus = 200 } = options
  const counts = new Map<string, number>()
  const sockets = new Set<Socket>()
  const server = http.createServer((req, res) => {
    const method = req.method ?? ''
    req.resume()
    req.on('end', () => {
      const n = (counts.get(method) ?? 0) + 1
      counts.set(method, n)
      const failing = n <= failures
      const body = failing ? `failure ${n}` : 'ok'
      res.writeHead(failing ? status : okStatus, {
        'Content-Type': 'text/plain',
        'Content-Length': String(Buffer.byteLength(body)),
        ...(failing && retryAfter !== undefined ? { 'Retry-After': retryAfter } : {}),
      })
      res.end(method === 'HEAD' ? undefined : body)
    })
  })
  server.on('connection', (s: Socket) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  const port = await listen(server)
  return track({
    url: `http://127.0.0.1:${port}`,
    count: (method?: string) =>
      method === undefined ? [...counts.values()].reduce((a, b) => a + b, 0) : (counts.get(method) ?? 0),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      }),
  })
}

/**
 * Runs `f` with a fresh status server, closed after whatever happens.
 * @example
 * await withStatusServer({ status: 501 }, async (s) => { … })
 */
export const withStatusServer = async <A>(
  options: StatusServerOptions,
  f: (s: StatusServer) => Promise<A>,
): Promise<A> => {
  const s = await startStatusServer(options)
  try {
    return await f(s)
  } finally {
    await s.close()
  }
}

/**
 * A status server for a whole suite (see {@link useFaultyServer}).
 * @example
 * const flaky = useStatusServer({ status: 503, failures: 2 })
 */
export const useStatusServer = (options: StatusServerOptions = {}): (() => StatusServer) =>
  useServer('useStatusServer', () => startStatusServer(options))

export interface BlockedListener {
  readonly url: string
  readonly port: number
  /** whether a probe connection hung, as a connect timeout needs (false: skip the test) */
  readonly reliable: boolean
  readonly close: () => Promise<void>
}

/**
 * A child node process listening with backlog 1 whose event loop is blocked (Atomics.wait),
 * so it never accepts. This process fills the kernel's accept queue with connections it holds;
 * after that, Linux drops the SYN of every new connection (tcp_conn_request drops when the
 * accept queue is full, syncookies or not), so a client's connect hangs until its own connect
 * timeout. The child blocks 60 s at most, then exits, even if nobody calls close(). Node's
 * `backlog: 0` means the default (511), hence 1.
 * @example
 * const l = await startBlockedListener(); if (l.reliable) …; await l.close()
 */
export const startBlockedListener = async (): Promise<BlockedListener> => {
  const code =
    "const s = require('net').createServer(); s.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {" +
    " process.stdout.write(s.address().port + '\\n'); Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60000); process.exit(0) })"
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'ignore'] })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const port = await new Promise<number>((resolve, reject) => {
    child.once('error', reject)
    child.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim())))
  })
  const held: Socket[] = []
  // what a probe connection does within `ms`: a connection the kernel completes is
  // 'connected' as soon as this event loop gets to it, which on a busy machine can take longer
  // than a first short look, so a probe that seems to hang is given a longer second look
  const state = (c: Socket): ((ms: number) => Promise<'connected' | 'hangs' | 'error'>) => {
    const settled = new Promise<'connected' | 'error'>((resolve) => {
      c.once('connect', () => resolve('connected'))
      c.once('error', () => resolve('error'))
    })
    return (ms) => {
      let t: NodeJS.Timeout | undefined
      return Promise.race([
        settled,
        new Promise<'hangs'>((resolve) => (t = setTimeout(() => resolve('hangs'), ms))),
      ]).finally(() => clearTimeout(t))
    }
  }
  let reliable = false
  for (let i = 0; i < 16 && !reliable; i++) {
    const c = connect(port, '127.0.0.1')
    c.on('error', () => undefined)
    held.push(c)
    const look = state(c)
    let s = await look(200)
    if (s === 'hangs') s = await look(800)
    if (s === 'error') break
    reliable = s === 'hangs'
  }
  return track({
    url: `http://127.0.0.1:${port}`,
    port,
    reliable,
    close: async () => {
      for (const c of held) c.destroy()
      child.kill()
      await exited
    },
  })
}
