/**
 * Uploads on every transport: an upload that moves is not idle, and a body file is closed
 * whatever the transport did with it (refused, answered early), so no descriptor leaks.
 */
import { closeServer, listenLoopback } from '../support/peers.js'
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync, readlinkSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import { pipe } from 'fp-ts/function'
import * as H from '../../src/index.js'
import { freePort, ok } from './helpers.js'
import { useTempDir } from '../support/fixtures.js'
import { useTransports } from '../support/transports.js'
import { waitFor } from '../support/wait.js'

const TRANSPORTS = useTransports()

/** Large enough that the upload outlasts the kernel's socket buffers (a few MiB on loopback). */
const UPLOAD = 40 << 20
/** The pace at which /slow reads: 40 MiB take about 1.5 s. */
const BYTES_PER_MS = 28_000

const tmp = useTempDir('upload')
let server: Server
let url = ''
let file = ''

before(async () => {
  await tmp.ready
  file = tmp.file('upload.bin')
  await writeFile(file, Buffer.alloc(UPLOAD, 'u'))
  server = createServer((req, res) => {
    if (req.url === '/slow') {
      // reads the upload at a steady pace, well below what loopback can carry
      let got = 0
      const start = Date.now()
      req.on('data', (c: Buffer) => {
        got += c.byteLength
        const ahead = got / BYTES_PER_MS - (Date.now() - start)
        if (ahead > 1) {
          req.pause()
          setTimeout(() => req.resume(), ahead)
        }
      })
      req.on('end', () => res.end(JSON.stringify({ got })))
      return
    }
    if (req.url === '/early') {
      // answers before reading the body (as a server refusing a too-large upload does)
      res.writeHead(413, { connection: 'close' }).end('too large')
      return
    }
    req.resume()
    req.on('end', () => res.end('ok'))
  })
  url = await listenLoopback(server)
})

after(async () => {
  await closeServer(server)
})

/** How many descriptors of this process are open on `path` (Linux /proc). */
const openOn = (path: string): number =>
  readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`) === path
    } catch {
      return false
    }
  }).length

for (const [name, transport] of TRANSPORTS) {
  describe(`uploads on ${name}`, () => {
    test(
      'an upload that keeps moving is not idle: 40 MiB read over ~1.5 s with setIdleTimeout(600)',
      { timeout: 30_000 },
      async () => {
        const big = Buffer.alloc(UPLOAD, 'b') // a bytes body goes out in chunks too
        for (const body of [H.fromFile(file), big] as const) {
          const t0 = Date.now()
          const res = await ok(
            pipe(
              H.newRequest(),
              H.initialize(`${url}/slow`),
              H.setBinaryBody(body),
              H.setIdleTimeout(600),
              H.processRequest('PUT', { transport }),
            ),
          )
          assert.equal(res.status, 200)
          assert.deepEqual(JSON.parse(Buffer.from(res.body).toString()), { got: UPLOAD })
          assert.ok(Date.now() - t0 > 900, 'the upload took longer than the idle limit')
        }
      },
    )

    test(
      'the body file is closed after a refused connection and after an early answer',
      { timeout: 20_000 },
      async () => {
        const dead = `http://127.0.0.1:${await freePort()}/x`
        for (let i = 0; i < 3; i++) {
          const refused = await pipe(
            H.newRequest(),
            H.initialize(dead),
            H.setBinaryBody(H.fromFile(file)),
            H.processRequest('PUT', { transport }),
          )()
          assert.equal(refused._tag, 'Left')
          const early = await pipe(
            H.newRequest(),
            H.initialize(`${url}/early`),
            H.setBinaryBody(H.fromFile(file)),
            H.processRequest('PUT', { transport }),
          )()
          assert.ok(
            early._tag === 'Left' || early.right.status === 413,
            early._tag === 'Left' ? early.left.message : String(early.right.status),
          )
        }
        // the descriptor is closed as the run settles; on a loaded machine that can take a moment
        await waitFor(() => openOn(file) === 0, 10_000, 'the body file closed').catch(() => undefined)
        assert.equal(openOn(file), 0, 'no descriptor left open on the body file')
      },
    )
  })
}
