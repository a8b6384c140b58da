/**
 * A body file that grows (or shrinks) while it is being sent is a `FileError` (`EFILECHANGED`)
 * on every transport, and the server never holds the whole declared request. The server is a
 * raw `net` listener on 127.0.0.1 that stops reading once part of the body arrived (so the client
 * is blocked mid-file), lets the test change the file, then reads on and answers `200` as soon as
 * it holds the declared bytes: the answer a client that checks too late would take as success.
 */
import assert from 'node:assert/strict'
import { appendFile, truncate, writeFile } from 'node:fs/promises'
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net'
import { before, describe, test } from 'node:test'
import { pipe } from 'fp-ts/function'
import * as H from '../../src/index.js'
import { useTempDir } from '../support/fixtures.js'
import { useTransports } from '../support/transports.js'
import { settlesWithin, waitFor } from '../support/wait.js'
import { asTag } from './helpers.js'

const transports = useTransports()
const tmp = useTempDir('body-grows')
/** Large enough that the loopback socket buffers cannot hold it: the client is mid-file when the server pauses. */
const SIZE = 48 * 1024 * 1024
/** Body bytes the server reads before it pauses. */
const PAUSE_AT = 1024 * 1024

/** What the server saw of one request. */
interface Seen {
  declared: number
  received: number
  answered: boolean
}

/** The slow reader: one request per connection, paused at PAUSE_AT body bytes until `resume()`. */
interface SlowReader {
  readonly url: string
  readonly seen: Seen[]
  /** settles when the current request is paused */
  paused: () => Promise<void>
  resume: () => void
  close: () => Promise<void>
}

const startSlowReader = async (): Promise<SlowReader> => {
  const seen: Seen[] = []
  const sockets = new Set<Socket>()
  let onPause: (() => void) | null = null
  let pausedNow: Socket | null = null
  let pausedYet = false
  const server: Server = createServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => undefined)
    let head = Buffer.alloc(0)
    let s: Seen | null = null
    socket.on('data', (chunk: Buffer) => {
      if (s === null) {
        head = Buffer.concat([head, chunk])
        const at = head.indexOf('\r\n\r\n')
        if (at < 0) return
        const m = /\r\ncontent-length: *(\d+)/i.exec(head.subarray(0, at).toString('latin1'))
        s = { declared: Number(m?.[1] ?? 0), received: head.byteLength - at - 4, answered: false }
        seen.push(s)
      } else s.received += chunk.byteLength
      if (!pausedYet && s.received >= PAUSE_AT && s.received < s.declared) {
        pausedYet = true
        pausedNow = socket
        socket.pause()
        onPause?.()
      }
      if (!s.answered && s.received >= s.declared) {
        s.answered = true
        socket.end('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok')
      }
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    paused: () =>
      pausedNow !== null
        ? Promise.resolve()
        : new Promise<void>((r) => {
            onPause = r
          }),
    resume: () => pausedNow?.resume(),
    close: async () => {
      for (const s of sockets) s.destroy()
      await new Promise<void>((r) => server.close(() => r()))
    },
  }
}

let data: Buffer
before(async () => {
  data = Buffer.alloc(SIZE, 0x61)
})

/** Runs `steps` against a paused slow reader, changes the file with `change`, lets the server read on. */
const sendWhileChanging = async (
  path: string,
  transport: H.Transport,
  steps: (url: string) => H.Request,
  change: () => Promise<void>,
  run: (req: H.Request, env: H.Env) => Promise<import('fp-ts/Either').Either<H.ClientError, H.HttpResponse>>,
): Promise<{ r: import('fp-ts/Either').Either<H.ClientError, H.HttpResponse>; seen: Seen[] }> => {
  await writeFile(path, data)
  const server = await startSlowReader()
  try {
    const running = run(steps(server.url), { transport, sleep: async () => {} })
    await settlesWithin(server.paused(), 30_000, 'the server pausing mid-body')
    await change()
    server.resume()
    const r = await settlesWithin(running, 30_000, 'the run')
    await waitFor(() => server.seen.every((s) => s.answered || s.received < s.declared), 10_000, 'the server')
    return { r, seen: [...server.seen] }
  } finally {
    await server.close()
  }
}

const expectChanged = (r: import('fp-ts/Either').Either<H.ClientError, H.HttpResponse>, path: string): void => {
  assert.ok(r._tag === 'Left', `expected a FileError, got Right ${r._tag === 'Right' ? r.right.status : ''}`)
  const e = asTag(r.left, 'FileError')
  assert.equal(e.path, path)
  assert.equal(e.cause, 'EFILECHANGED')
  assert.match(e.message, /changed size since the request was prepared/)
}

for (const [name, transport] of transports) {
  describe(`a body file that changes during the send, on ${name}`, () => {
    test('grows: a FileError, and the server never held the whole request', async () => {
      const path = tmp.file(`grows-${name}.bin`)
      const { r, seen } = await sendWhileChanging(
        path,
        transport,
        (url) => pipe(H.newRequest(), H.initialize(`${url}/put`), H.setBinaryBody(H.fromFile(path))),
        () => appendFile(path, 'more bytes'),
        (req, env) => H.processRequest('PUT', env)(req)(),
      )
      expectChanged(r, path)
      // PUT is retried on a failure of the body? No: a FileError is final, one request only
      assert.equal(seen.length, 1)
      assert.equal(seen[0]?.declared, SIZE)
      assert.ok((seen[0]?.received ?? 0) < SIZE, `the server received ${seen[0]?.received} of ${SIZE} bytes`)
      assert.equal(seen[0]?.answered, false)
    })

    test('shrinks: a FileError, and the server never held the whole request', async () => {
      const path = tmp.file(`shrinks-${name}.bin`)
      const { r, seen } = await sendWhileChanging(
        path,
        transport,
        (url) => pipe(H.newRequest(), H.initialize(`${url}/put`), H.setBinaryBody(H.fromFile(path))),
        () => truncate(path, SIZE - 10),
        (req, env) => H.processRequest('PUT', env)(req)(),
      )
      expectChanged(r, path)
      assert.equal(seen.length, 1)
      assert.ok((seen[0]?.received ?? 0) < SIZE)
    })

    test('a multipart file part that grows: a FileError', async () => {
      const path = tmp.file(`multipart-${name}.bin`)
      const { r, seen } = await sendWhileChanging(
        path,
        transport,
        (url) =>
          pipe(
            H.newRequest(),
            H.initialize(`${url}/post`),
            H.startMultipartBody(),
            H.addMultipartFormDataField('a', 'b'),
            H.addMultipartFormDataFile('file', 'f.bin', H.fromFile(path)),
          ),
        () => appendFile(path, 'more bytes'),
        (req, env) => H.processRequest('POST', env)(req)(),
      )
      expectChanged(r, path)
      assert.equal(seen.length, 1)
      assert.ok((seen[0]?.received ?? 0) < (seen[0]?.declared ?? 0))
    })

    test('a part of sendPart whose file grows: a FileError', async () => {
      const path = tmp.file(`part-${name}.bin`)
      const { r, seen } = await sendWhileChanging(
        path,
        transport,
        (url) => pipe(H.newRequest(), H.initialize(`${url}/upload`), H.setBinaryBody(H.fromFile(path))),
        () => appendFile(path, 'more bytes'),
        (req, env) => H.sendPart(10, SIZE - 20, 'PUT', env)(req)(),
      )
      expectChanged(r, path)
      assert.equal(seen.length, 1)
      assert.equal(seen[0]?.declared, SIZE - 20)
      assert.ok((seen[0]?.received ?? 0) < SIZE - 20)
    })
  })
}
