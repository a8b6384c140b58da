/**
 * Limits that hold: the response size cap applies to decoded bytes, in memory and to files; a
 * failed or cut-off download leaves no partial file; in-memory bodies have a finite default.
 */
import { closeServer, listenLoopback } from '../support/peers.js'
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { pipe } from 'fp-ts/function'
import * as H from '../../src/index.js'
import { startFaultyServer } from '../support/faulty.js'
import { asTag, ko, ok, onTestTransport } from './helpers.js'

const BOMB_BYTES = 50 * 1024 * 1024
let bomb: Buffer
let server: Server
let url = ''
let dir = ''

before(async () => {
  bomb = gzipSync(Buffer.alloc(BOMB_BYTES)) // about 50 KiB on the wire
  dir = await mkdtemp(join(tmpdir(), 'httpipe-limits-'))
  server = createServer((req, res) => {
    if (req.url === '/bomb') {
      res.writeHead(200, {
        'content-type': 'application/octet-stream',
        'content-encoding': 'gzip',
        'content-length': String(bomb.length),
      })
      return void res.end(bomb)
    }
    if (req.url?.startsWith('/zeros/')) {
      const total = Number(req.url.slice('/zeros/'.length))
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(total) })
      const chunk = Buffer.alloc(1 << 20)
      let sent = 0
      const pump = (): void => {
        while (sent < total) {
          const n = Math.min(chunk.length, total - sent)
          sent += n
          if (!res.write(n === chunk.length ? chunk : chunk.subarray(0, n))) return void res.once('drain', pump)
        }
        res.end()
      }
      return pump()
    }
    if (req.url === '/redirect-big') {
      res.writeHead(302, { location: '/zeros/10', 'content-length': String(2 << 20) })
      return void res.end(Buffer.alloc(2 << 20))
    }
    res.writeHead(404).end()
  })
  url = await listenLoopback(server)
})

after(async () => {
  await closeServer(server)
  await rm(dir, { recursive: true, force: true })
})

const run = (req: H.Request, env?: H.Env) => H.processRequest('GET', onTestTransport(env))(req)

describe('setMaxResponseSize', () => {
  test('a gzip bomb streamed to a file stops at the cap: ResponseTooLarge, and no file is left', async () => {
    const file = join(dir, 'bomb.bin')
    const e = asTag(
      await ko(
        run(pipe(H.newRequest(), H.initialize(`${url}/bomb`), H.setResponseFile(file), H.setMaxResponseSize(1 << 20))),
      ),
      'ResponseTooLarge',
    )
    assert.equal(e.limit, 1 << 20)
    assert.equal(existsSync(file), false)
    assert.match(H.getLog(e, true), /partial response file .* removed/)
  })

  test('the same bomb in memory stops at the cap too (decoded bytes count)', async () => {
    const e = asTag(
      await ko(run(pipe(H.newRequest(), H.initialize(`${url}/bomb`), H.setMaxResponseSize(1 << 20)))),
      'ResponseTooLarge',
    )
    assert.equal(e.limit, 1 << 20)
  })

  test('under the cap the file is written whole', async () => {
    const file = join(dir, 'whole.bin')
    const res = await ok(
      run(pipe(H.newRequest(), H.initialize(`${url}/bomb`), H.setResponseFile(file), H.setMaxResponseSize(BOMB_BYTES))),
    )
    assert.equal(res.file, file)
    assert.equal((await stat(file)).size, BOMB_BYTES)
  })

  test('env.maxResponseBytes takes the place of the step', async () => {
    const e = asTag(
      await ko(
        run(pipe(H.newRequest(), H.initialize(`${url}/zeros/5000`), H.setMaxResponseSize(1 << 20)), {
          maxResponseBytes: 4096,
        }),
      ),
      'ResponseTooLarge',
    )
    assert.equal(e.limit, 4096)
  })

  test('the body of a redirect counts too', async () => {
    const e = asTag(
      await ko(run(pipe(H.newRequest(), H.initialize(`${url}/redirect-big`), H.setMaxResponseSize(1 << 20)))),
      'ResponseTooLarge',
    )
    assert.equal(e.limit, 1 << 20)
  })
})

describe('the default limit of in-memory bodies', () => {
  test(`is ${H.DEFAULT_MAX_MEMORY_BYTES} bytes: one byte more is ResponseTooLarge; to a file there is none`, async () => {
    assert.equal(H.defaultSettings.maxResponseSize, null)
    const over = H.DEFAULT_MAX_MEMORY_BYTES + 1
    const e = asTag(await ko(run(pipe(H.newRequest(), H.initialize(`${url}/zeros/${over}`)))), 'ResponseTooLarge')
    assert.equal(e.limit, H.DEFAULT_MAX_MEMORY_BYTES)
    const file = join(dir, 'big.bin')
    const res = await ok(run(pipe(H.newRequest(), H.initialize(`${url}/zeros/${over}`), H.setResponseFile(file))))
    assert.equal((await stat(res.file ?? '')).size, over)
    await rm(file)
  })
})

describe('partial files', () => {
  test('a download cut off mid-body leaves no partial file', async () => {
    const s = await startFaultyServer('reset-mid-body')
    try {
      const file = join(dir, 'cut.bin')
      const e = await ko(
        run(pipe(H.newRequest(), H.initialize(`${s.url}/x`), H.setResponseFile(file), H.setIdleTimeout(2000))),
      )
      assert.ok(e._tag === 'TransportError' || e._tag === 'Timeout', e._tag)
      assert.equal(existsSync(file), false)
    } finally {
      await s.close()
    }
  })
})
