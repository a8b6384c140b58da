/**
 * Transfers in parts end within a bound whatever the server answers, on every transport: an
 * upload against `308` answers that alternate or take a byte at a time, a download whose total
 * keeps growing, that trickles a byte per part, or that never names a total, under
 * `setMaxResponseSize` across all parts. Each server is a `node:http` listener on 127.0.0.1
 * that counts the requests it answered (and stops playing along after CAP of them, so that a
 * client without a bound fails on the count instead of hanging the suite).
 */
import assert from 'node:assert/strict'
import { appendFileSync, existsSync } from 'node:fs'
import { readFile, stat, writeFile } from 'node:fs/promises'
import http from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { before, describe, test } from 'node:test'
import { pipe } from 'fp-ts/function'
import * as H from '../../src/index.js'
import { useTempDir } from '../support/fixtures.js'
import { useTransports } from '../support/transports.js'
import { settlesWithin } from '../support/wait.js'
import { asTag, ko, ok } from './helpers.js'
import { progressStep, progressWatch } from '../../src/execute/parts/common.js'

const transports = useTransports()
const tmp = useTempDir('parts-bounds')

/** Requests a server answers as asked before it answers 400 to everything. */
const CAP = 200
const TOTAL = 1000
const CHUNK = 100
let source = ''
before(async () => {
  await tmp.ready
  source = tmp.file('source.bin')
  await writeFile(source, Buffer.alloc(TOTAL, 0x62))
})

/** What a scripted server answers: status, headers, body. */
interface Answer {
  readonly status: number
  readonly headers?: Readonly<Record<string, string>>
  readonly body?: Buffer
}
/** A request as the script sees it: its number (from 1), Content-Range and Range headers. */
interface Asked {
  readonly n: number
  readonly contentRange: string | undefined
  readonly range: string | undefined
  readonly bodyBytes: number
}

/** Runs `f` against a node:http server answering `script`; returns what `f` gave and the server's counts. */
const withScript = async <A>(
  script: (a: Asked) => Answer,
  f: (url: string) => Promise<A>,
): Promise<{ result: A; requests: number; bytesOut: number }> => {
  let requests = 0
  let bytesOut = 0
  const sockets = new Set<Socket>()
  const server = http.createServer((req, res) => {
    let bodyBytes = 0
    req.on('data', (c: Buffer) => (bodyBytes += c.byteLength))
    req.on('end', () => {
      const n = ++requests
      const a: Answer =
        n > CAP
          ? { status: 400 }
          : script({ n, contentRange: req.headers['content-range'], range: req.headers['range'], bodyBytes })
      const body = a.body ?? Buffer.alloc(0)
      bytesOut += body.byteLength
      res.writeHead(a.status, { ...a.headers, 'Content-Length': String(body.byteLength) })
      res.end(body)
    })
  })
  server.on('connection', (s) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  try {
    const result = await settlesWithin(
      f(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
      30_000,
      'the transfer',
    )
    return { result, requests, bytesOut }
  } finally {
    for (const s of sockets) s.destroy()
    await new Promise<void>((r) => server.close(() => r()))
  }
}

/** The start of a request's `Content-Range: bytes s-e/total`. */
const startOf = (contentRange: string | undefined): number => Number(/bytes (\d+)-/.exec(contentRange ?? '')?.[1] ?? -1)
/** The [start, end] of a request's `Range: bytes=s-e`. */
const asked = (range: string | undefined): readonly [number, number] => {
  const m = /bytes=(\d+)-(\d+)/.exec(range ?? '')
  return [Number(m?.[1] ?? 0), Number(m?.[2] ?? 0)]
}
/** A 206 of the bytes [s, e] with the given total. */
const part = (s: number, e: number, total: number | '*'): Answer => ({
  status: 206,
  headers: { 'Content-Range': `bytes ${s}-${e}/${total}` },
  body: Buffer.alloc(e - s + 1, 0x63),
})

for (const [name, transport] of transports) {
  const env: H.Env = { transport, sleep: async () => {} }
  const upload = (url: string): Promise<H.ClientError> =>
    ko(
      pipe(
        H.newRequest(),
        H.initialize(`${url}/up`),
        H.setBinaryBody(H.fromFile(source)),
        H.sendDataInParts(CHUNK, 'PUT', env),
      ),
    )

  describe(`sendDataInParts is bounded, on ${name}`, () => {
    test('308 answers alternating bytes=0-99 and bytes=0-49: a StatusError after 4 requests, not a loop', async () => {
      const { result, requests } = await withScript(
        ({ n }) => ({ status: 308, headers: { Range: n % 2 === 1 ? 'bytes=0-99' : 'bytes=0-49' } }),
        upload,
      )
      const e = asTag(result, 'StatusError')
      assert.equal(e.status, 308)
      // 1: 0-99 is progress; 2 (0-49), 3 (0-99 again), 4 (0-49): three answers in a row past nothing new
      assert.equal(requests, 4)
      assert.match(
        e.message,
        /^sendDataInParts: the server took fewer than 25 bytes past the most it held \(a quarter of the 100-byte chunk, at most 64 KiB\) in 3 answers in a row: it holds 50 of 1000 bytes, the most it held was 100$/,
      )
    })

    test('a server that takes one more byte per answer: a StatusError after 3 requests, not one per byte', async () => {
      const { result, requests } = await withScript(
        ({ contentRange }) => ({ status: 308, headers: { Range: `bytes=0-${startOf(contentRange)}` } }),
        upload,
      )
      assert.match(asTag(result, 'StatusError').message, /in 3 answers in a row: it holds 3 of 1000 bytes/)
      assert.equal(requests, 3)
    })

    test('a server that takes nothing: a StatusError after 3 requests', async () => {
      const { result, requests } = await withScript(() => ({ status: 308 }), upload)
      assert.match(asTag(result, 'StatusError').message, /it holds 0 of 1000 bytes, the most it held was 0$/)
      assert.equal(requests, 3)
    })

    test('a body file that grows between chunks: a FileError, no further chunk taken', async () => {
      const path = tmp.file(`growing-${name.replace(/\W/g, '')}.bin`)
      await writeFile(path, Buffer.alloc(TOTAL, 0x62))
      const { result, requests } = await withScript(
        ({ n }) => {
          if (n === 1) appendFileSync(path, 'more')
          return { status: 308, headers: { Range: `bytes=0-${n * CHUNK - 1}` } }
        },
        (url) =>
          ko(
            pipe(
              H.newRequest(),
              H.initialize(`${url}/up`),
              H.setBinaryBody(H.fromFile(path)),
              H.sendDataInParts(CHUNK, 'PUT', env),
            ),
          ),
      )
      const e = asTag(result, 'FileError')
      assert.equal(e.cause, 'EFILECHANGED')
      assert.equal(requests, 1)
    })

    test('a server that keeps only half of each chunk but the last still completes, in two requests per chunk', async () => {
      const { result, requests } = await withScript(
        ({ contentRange, bodyBytes }) => {
          const start = startOf(contentRange)
          if (start + bodyBytes >= TOTAL) return { status: 201 }
          return { status: 308, headers: { Range: `bytes=0-${start + bodyBytes / 2 - 1}` } }
        },
        (url) =>
          ok(
            pipe(
              H.newRequest(),
              H.initialize(`${url}/up`),
              H.setBinaryBody(H.fromFile(source)),
              H.sendDataInParts(CHUNK, 'PUT', env),
            ),
          ),
      )
      assert.equal(result.status, 201)
      // from 0, 50, …, 900: the chunk from 900 reaches the end
      assert.equal(requests, 19)
    })
  })

  describe(`getDataInParts is bounded, on ${name}`, () => {
    let k = 0
    const download = (url: string, ...steps: ReadonlyArray<(r: H.Request) => H.Request>) => {
      const out = tmp.file(`down-${name.replace(/\W/g, '')}-${++k}.bin`)
      const req = steps.reduce(
        (r, s) => s(r),
        pipe(H.newRequest(), H.initialize(`${url}/file`), H.setResponseFile(out)),
      )
      return { out, run: () => H.getDataInParts(CHUNK, 'GET', env)(req)() }
    }

    test('a total that grows with every answer: a StatusError at the second part, the file holding the first', async () => {
      let out = ''
      const { result, requests } = await withScript(
        ({ range }) => {
          const [s, e] = asked(range)
          return part(s, e, e + 1 + 10 * CHUNK)
        },
        async (url) => {
          const d = download(url)
          out = d.out
          return d.run()
        },
      )
      assert.ok(result._tag === 'Left')
      const e = asTag(result.left, 'StatusError')
      assert.match(
        e.message,
        /^getDataInParts: the representation changed size during the download: the first answer said 1100 bytes, this one 1200$/,
      )
      assert.equal(requests, 2)
      assert.equal((await stat(out)).size, CHUNK)
    })

    test('a known total sent a byte per part: a StatusError after 3 requests, not one per byte', async () => {
      const { result, requests, bytesOut } = await withScript(
        ({ range }) => {
          const [s] = asked(range)
          return part(s, s, 1_000_000)
        },
        (url) => download(url).run(),
      )
      assert.ok(result._tag === 'Left')
      assert.match(
        asTag(result.left, 'StatusError').message,
        /fewer than 25 new bytes \(a quarter of the 100-byte chunk, at most 64 KiB\) in 3 answers in a row: .* holds 3 of 1000000 bytes$/,
      )
      assert.equal(requests, 3)
      assert.equal(bytesOut, 3)
    })

    for (const [end, headers] of [
      ['bytes */200', { 'Content-Range': 'bytes */200' }],
      ['no Content-Range', {}],
    ] as const)
      test(`a total of * with parts capped below the chunk: not taken for the end; the 416 (${end}) is`, async () => {
        let out = ''
        const { result, requests } = await withScript(
          ({ range }) => {
            const [s] = asked(range)
            return s >= 200 ? { status: 416, headers } : part(s, Math.min(s + 29, 199), '*') // 30 bytes of 100
          },
          async (url) => {
            const d = download(url)
            out = d.out
            return d.run()
          },
        )
        assert.ok(result._tag === 'Right', result._tag === 'Left' ? result.left.message : '')
        assert.deepEqual(await readFile(out), Buffer.alloc(200, 0x63), 'the whole file, not its first 30 bytes')
        assert.equal(requests, 8, 'seven parts and the 416')
      })

    test('a total of * with full parts forever: ResponseTooLarge at setMaxResponseSize across all parts', async () => {
      let out = ''
      const { result, requests } = await withScript(
        ({ range }) => {
          const [s, e] = asked(range)
          return part(s, e, '*')
        },
        async (url) => {
          const d = download(url, H.setMaxResponseSize(450))
          out = d.out
          return d.run()
        },
      )
      assert.ok(result._tag === 'Left')
      const e = asTag(result.left, 'ResponseTooLarge')
      assert.equal(e.limit, 450)
      assert.match(
        e.message,
        /^getDataInParts: the download is over the limit of 450 bytes \(setMaxResponseSize, across all parts\)$/,
      )
      // parts 1-4 (400 bytes) fit; the fifth would take the file past 450
      assert.equal(requests, 5)
      assert.deepEqual(await readFile(out), Buffer.alloc(400, 0x63))
    })

    test('a total over setMaxResponseSize: ResponseTooLarge at the first answer, nothing kept', async () => {
      let out = ''
      const { result, requests } = await withScript(
        ({ range }) => {
          const [s, e] = asked(range)
          return part(s, e, 1_000_000)
        },
        async (url) => {
          const d = download(url, H.setMaxResponseSize(5000))
          out = d.out
          return d.run()
        },
      )
      assert.ok(result._tag === 'Left')
      const e = asTag(result.left, 'ResponseTooLarge')
      assert.equal(e.limit, 5000)
      assert.match(e.message, /has 1000000 bytes, over the limit of 5000 bytes/)
      assert.equal(requests, 1)
      assert.equal(existsSync(out), false)
    })

    test('a server that caps its parts below a quarter of the chunk (but at 64 KiB or more) still completes', async () => {
      const size = 1_000_000
      const cap = 100 * 1024
      const { result, requests } = await withScript(
        ({ range }) => {
          const [s, e] = asked(range)
          return part(s, Math.min(e, s + cap - 1, size - 1), size)
        },
        (url) =>
          H.getDataInParts(
            1024 * 1024,
            'GET',
            env,
          )(
            pipe(
              H.newRequest(),
              H.initialize(`${url}/f`),
              H.setResponseFile(tmp.file(`capped-${name.replace(/\W/g, '')}.bin`)),
            ),
          )(),
      )
      assert.ok(result._tag === 'Right', JSON.stringify(result._tag === 'Left' ? result.left.message : ''))
      assert.equal(requests, Math.ceil(size / cap))
    })

    test('a total that fits the limit exactly downloads whole; a limit below one chunk is one of the file too', async () => {
      const serve = ({ range }: Asked): Answer => {
        const [s, e] = asked(range)
        return s >= 250 ? { status: 416, headers: { 'Content-Range': 'bytes */250' } } : part(s, Math.min(e, 249), 250)
      }
      const whole = await withScript(serve, (url) => download(url, H.setMaxResponseSize(250)).run())
      assert.ok(whole.result._tag === 'Right', JSON.stringify(whole.result))
      assert.equal(whole.requests, 3)
      const small = await withScript(serve, (url) => download(url, H.setMaxResponseSize(50)).run())
      assert.ok(small.result._tag === 'Left')
      assert.equal(asTag(small.result.left, 'ResponseTooLarge').limit, 50)
      assert.equal(small.requests, 1)
    })
  })
}

describe('hostile input to the bounded transfers', () => {
  test('a bad chunk size is InvalidInput naming the step, and nothing is sent', async () => {
    const bad: ReadonlyArray<unknown> = [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, '100', null, {}]
    const { requests } = await withScript(
      () => ({ status: 500 }),
      async (url) => {
        for (const n of bad) {
          const up = await ko(
            pipe(
              H.newRequest(),
              H.initialize(`${url}/up`),
              H.setBinaryBody(H.fromFile(source)),
              H.sendDataInParts(n as number, 'PUT'),
            ),
          )
          assert.match(
            asTag(up, 'InvalidInput').message,
            /^sendDataInParts: the chunk size must be a whole number >= 1/,
          )
          const down = await ko(
            pipe(
              H.newRequest(),
              H.initialize(`${url}/file`),
              H.setResponseFile(tmp.file('hostile.bin')),
              H.getDataInParts(n as number),
            ),
          )
          assert.match(
            asTag(down, 'InvalidInput').message,
            /^getDataInParts: the chunk size must be a whole number >= 1/,
          )
        }
      },
    )
    assert.equal(requests, 0)
  })

  test('setMaxResponseSize(0): the first part is ResponseTooLarge, nothing kept; env.maxResponseBytes is the same cap', async () => {
    const serve = ({ range }: Asked): Answer => {
      const [s, e] = asked(range)
      return part(s, e, '*')
    }
    const out = tmp.file('zero.bin')
    const zero = await withScript(serve, (url) =>
      ko(
        pipe(
          H.newRequest(),
          H.initialize(`${url}/f`),
          H.setResponseFile(out),
          H.setMaxResponseSize(0),
          H.getDataInParts(CHUNK),
        ),
      ),
    )
    assert.equal(asTag(zero.result, 'ResponseTooLarge').limit, 0)
    assert.equal(zero.requests, 1)
    assert.equal(existsSync(out), false)
    const viaEnv = await withScript(serve, (url) =>
      ko(
        pipe(
          H.newRequest(),
          H.initialize(`${url}/f`),
          H.setResponseFile(out),
          H.getDataInParts(CHUNK, 'GET', { maxResponseBytes: 250 }),
        ),
      ),
    )
    assert.equal(asTag(viaEnv.result, 'ResponseTooLarge').limit, 250)
    assert.equal(viaEnv.requests, 3)
    assert.equal((await stat(out)).size, 200)
  })

  test('a total past what a number holds exactly is no valid part: a StatusError, nothing kept', async () => {
    const out = tmp.file('huge.bin')
    const { result, requests } = await withScript(
      ({ range }) => {
        const [s, e] = asked(range)
        return { ...part(s, e, 1), headers: { 'Content-Range': `bytes ${s}-${e}/99999999999999999999` } }
      },
      (url) => ko(pipe(H.newRequest(), H.initialize(`${url}/f`), H.setResponseFile(out), H.getDataInParts(CHUNK))),
    )
    assert.match(asTag(result, 'StatusError').message, /no valid Content-Range/)
    assert.equal(requests, 1)
    assert.equal(existsSync(out), false)
  })
})

describe('progressWatch', () => {
  test('a quarter of a chunk, at most 64 KiB, at least 1; stalls counted in a row, reset only by progress past the highest', () => {
    assert.deepEqual([1, 3, 4, 100, 262_144, 5 * 1024 * 1024].map(progressStep), [1, 1, 1, 25, 65_536, 65_536])
    const w = progressWatch(100, 0)
    assert.deepEqual([100, 50, 100, 110, 150, 160, 170, 180].map(w.note), [0, 1, 2, 3, 0, 1, 2, 3])
    assert.equal(w.highest(), 180)
  })
})
