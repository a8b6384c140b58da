/**
 * Transfers in parts against the echo server's resumable-upload endpoint (308 + Range, with
 * injected failures and short acknowledgements) and its httpbin-style /range/:n.
 */
import { before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { readFile, writeFile } from 'node:fs/promises'
import { pipe } from 'fp-ts/function'
import * as H from '../../src/index.js'
import { asTag, ko, lines, ok, onTestTransport, TEST_TRANSPORT } from './helpers.js'
import { startSigV4Verifier } from '../support/sigv4-verifier.js'
import { useEchoServer, useTempDir } from '../support/fixtures.js'

const tmp = useTempDir('parts')
const echo = useEchoServer()
let source = ''
let data: Buffer
before(async () => {
  await tmp.ready
  data = Buffer.alloc(1_000_003)
  for (let i = 0; i < data.length; i++) data[i] = (i * 7 + (i >> 11)) & 255
  source = tmp.file('source.bin')
  await writeFile(source, data)
})

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex')
/** The bytes /range/:n serves: a-z repeated. */
const letters = (start: number, end: number): Buffer =>
  Buffer.from(Array.from({ length: end - start }, (_, i) => 97 + ((start + i) % 26)))
let ids = 0
const upload = (query = ''): { readonly id: string; readonly req: H.Request } => {
  const id = `u${++ids}`
  return {
    id,
    req: pipe(H.newRequest(), H.initialize(`${echo.url}/upload/${id}${query}`), H.setBinaryBody(H.fromFile(source))),
  }
}
const statusOf = (res: H.HttpResponse): { size: number; sha256: string; complete: boolean; chunks: number } =>
  JSON.parse(Buffer.from(res.body).toString()) as never

describe('sendPart', () => {
  test('sends the bytes [start, start + count) with Content-Range and the part length', async () => {
    const res = await ok(
      pipe(
        H.newRequest(),
        H.initialize(`${echo.url}/put`),
        H.setBinaryBody(H.fromFile(source)),
        H.sendPart(1000, 5000, 'PUT', onTestTransport()),
      ),
    )
    const seen = echo.server.requests.at(-1)
    assert.equal(res.status, 200)
    assert.equal(seen?.headers['content-range'], `bytes 1000-5999/${data.length}`)
    assert.equal(seen?.headers['content-length'], '5000')
    assert.equal(sha(seen?.body ?? new Uint8Array()), sha(data.subarray(1000, 6000)))
  })
  test('parts sent one after the other complete a resumable upload; the last is cut at the end', async () => {
    const { id, req } = upload()
    const first = await ok(H.sendPart(0, 600_000, 'PUT', onTestTransport())(req))
    assert.equal(first.status, 308)
    assert.equal(first.headers['range'], 'bytes=0-599999')
    const last = await ok(H.sendPart(600_000, 10_000_000, 'PUT', onTestTransport())(req))
    assert.equal(last.status, 200)
    assert.equal(statusOf(last).sha256, sha(data))
    assert.equal(sha(echo.server.uploaded(id) ?? new Uint8Array()), sha(data))
  })
  test('with AWS4 each part is signed as it is sent: its own bytes, Content-Range and length', async () => {
    const v = await startSigV4Verifier({ accessKey: 'AKID', secretKey: 'SECRET', region: 'us-east-1', service: 's3' })
    try {
      const res = await ok(
        pipe(
          H.newRequest(),
          H.initialize(`${v.url}/b/k`),
          H.setBinaryBody(H.fromFile(source)),
          H.addAws4Authorization('AKID', 'SECRET', 'us-east-1'),
          H.sendPart(100, 200, 'PUT', onTestTransport()),
        ),
      )
      const seen = v.requests.at(-1)
      assert.equal(res.status, 200, seen?.reason ?? '')
      assert.equal(seen?.bodySha256, sha(data.subarray(100, 300)))
      assert.ok(seen?.signedHeaders.includes('content-range'))
    } finally {
      await v.close()
    }
  })
  test('bad numbers, a start past the end and a body of unknown length are InvalidInput naming sendPart', async () => {
    const { req } = upload()
    for (const [s, c] of [
      [-1, 10],
      [0, 0],
      [1.5, 10],
      [0, Number.NaN],
      [data.length, 1],
    ] as const)
      assert.match(
        asTag(await ko(H.sendPart(s, c, 'PUT', onTestTransport())(req)), 'InvalidInput').message,
        /^sendPart: /,
      )
    const url = pipe(
      H.newRequest(),
      H.initialize(`${echo.url}/put`),
      H.setBinaryBody(H.fromUrl(`${echo.url}/bytes/10`)),
    )
    assert.match(
      asTag(await ko(H.sendPart(0, 5, 'PUT', onTestTransport())(url)), 'InvalidInput').message,
      /length is not known/,
    )
  })
})

describe('sendDataInParts', () => {
  test('the whole file in chunks, following 308 + Range; the server holds exactly the source', async () => {
    const { id, req } = upload()
    const res = await ok(H.sendDataInParts(128 * 1024, 'PUT', onTestTransport())(req))
    assert.equal(res.status, 200)
    assert.equal(statusOf(res).sha256, sha(data))
    assert.equal(statusOf(res).chunks, Math.ceil(data.length / (128 * 1024)))
    assert.equal(sha(echo.server.uploaded(id) ?? new Uint8Array()), sha(data))
    assert.ok(lines(res).filter((l) => /^sendDataInParts: chunk bytes/.test(l)).length === statusOf(res).chunks)
  })
  test('a 5xx injected mid-upload is retried through the retry layer; the file arrives whole', async () => {
    const { id, req } = upload('?fail=3,5')
    const res = await ok(H.sendDataInParts(200_000, 'PUT', onTestTransport())(req))
    assert.equal(res.status, 200)
    assert.equal(sha(echo.server.uploaded(id) ?? new Uint8Array()), sha(data))
    // 6 chunks, two of them sent twice
    assert.equal(res.attempts, 8)
    assert.ok(
      lines(res).some((l) => /retry/i.test(l) && /503/.test(l)),
      lines(res).join('\n'),
    )
  })
  test('a POST upload is retried too (the chunk method joins the retry policy)', async () => {
    const { id, req } = upload('?fail=2')
    const res = await ok(H.sendDataInParts(400_000, 'POST', onTestTransport())(req))
    assert.equal(res.status, 200)
    assert.equal(sha(echo.server.uploaded(id) ?? new Uint8Array()), sha(data))
  })
  test('a server that keeps fewer bytes than were sent: the next chunk starts where it says', async () => {
    const { id, req } = upload('?short=1000')
    const res = await ok(H.sendDataInParts(100_000, 'PUT', onTestTransport())(req))
    assert.equal(res.status, 200)
    assert.equal(sha(echo.server.uploaded(id) ?? new Uint8Array()), sha(data))
    assert.ok(lines(res).some((l) => /the server holds \d+ bytes: resuming from there/.test(l)))
  })
  test('a connection dropped without an answer is retried as a transport error', async () => {
    const { id, req } = upload('?drop=2')
    const res = await ok(H.sendDataInParts(300_000, 'PUT', onTestTransport())(req))
    assert.equal(res.status, 200)
    assert.equal(sha(echo.server.uploaded(id) ?? new Uint8Array()), sha(data))
  })
  test('a server that takes nothing new three times in a row ends in a StatusError, not a loop', async () => {
    const { req } = upload('?short=5000')
    const e = asTag(await ko(H.sendDataInParts(4000, 'PUT', onTestTransport())(req)), 'StatusError')
    assert.match(
      e.message,
      /took fewer than 1000 bytes past the most it held \(a quarter of the 4000-byte chunk, at most 64 KiB\) in 3 answers in a row/,
    )
  })
  test('upload progress rises monotonically to the total across chunks, resends and short acknowledgements', async () => {
    const { req } = upload('?fail=2&short=777')
    const events: H.Progress[] = []
    await ok(H.sendDataInParts(150_000, 'PUT', onTestTransport({ onProgress: (p) => events.push(p) }))(req))
    const up = events.filter((e) => e.direction === 'upload')
    assert.ok(up.length > 7)
    for (let i = 1; i < up.length; i++) assert.ok((up[i]?.loaded ?? 0) > (up[i - 1]?.loaded ?? 0))
    assert.deepEqual(up.at(-1), { direction: 'upload', loaded: data.length, total: data.length })
  })
  test('a 4xx ends the upload: it is the response', async () => {
    const { req } = upload('?fail=2&failStatus=403')
    const res = await ok(H.sendDataInParts(300_000, 'PUT', onTestTransport())(req))
    assert.equal(res.status, 403)
  })
  test('a bad chunk size is InvalidInput', async () => {
    for (const n of [0, -5, 1.5, Number.POSITIVE_INFINITY])
      assert.match(
        asTag(await ko(H.sendDataInParts(n, 'PUT', onTestTransport())(upload().req)), 'InvalidInput').message,
        /^sendDataInParts: the chunk size/,
      )
  })
})

describe('getPart', () => {
  const range = (q = ''): H.Request => pipe(H.newRequest(), H.initialize(`${echo.url}/range/1000${q}`))
  test('the 206 of the range, its bytes exactly', async () => {
    const res = await ok(H.getPart(100, 50, 'GET', onTestTransport())(range()))
    assert.equal(res.status, 206)
    assert.equal(res.headers['content-range'], 'bytes 100-149/1000')
    assert.deepEqual(Buffer.from(res.body), letters(100, 150))
    assert.equal(echo.server.requests.at(-1)?.headers['range'], 'bytes=100-149')
    // a WHATWG fetch owns Accept-Encoding (a forbidden header name): only the other transports send identity
    if (TEST_TRANSPORT !== 'fetch') assert.equal(echo.server.requests.at(-1)?.headers['accept-encoding'], 'identity')
  })
  test('a server that ignores Range (200): a clear StatusError, and no response file written', async () => {
    const out = tmp.file('part-ignored.bin')
    const e = asTag(
      await ko(pipe(range('?ignoreRange=1'), H.setResponseFile(out), H.getPart(0, 100, 'GET', onTestTransport()))),
      'StatusError',
    )
    assert.equal(e.status, 200)
    assert.match(
      e.message,
      /^getPart: the server answered 200 instead of 206 Partial Content: it ignored the Range header/,
    )
    assert.equal(existsSync(out), false)
  })
  test('a 206 of another range, or with no Content-Range, is a StatusError', async () => {
    for (const mode of ['shift', 'missing', 'garbage'])
      assert.equal(
        asTag(await ko(H.getPart(10, 10, 'GET', onTestTransport())(range(`?badRange=${mode}`))), 'StatusError').status,
        206,
      )
  })
  test('a part to a response file: the file holds the part', async () => {
    const out = tmp.file('part.bin')
    const res = await ok(pipe(range(), H.setResponseFile(out), H.getPart(990, 100, 'GET', onTestTransport())))
    assert.equal(res.file, out)
    assert.deepEqual(await readFile(out), letters(990, 1000))
  })
})

describe('getDataInParts', () => {
  const big = (q = ''): H.Request => pipe(H.newRequest(), H.initialize(`${echo.url}/range/300000${q}`))
  test('downloads the whole file part by part', async () => {
    const out = tmp.file('whole.bin')
    const res = await ok(pipe(big(), H.setResponseFile(out), H.getDataInParts(65_536, 'GET', onTestTransport())))
    assert.equal(res.file, out)
    assert.deepEqual(await readFile(out), letters(0, 300_000))
    assert.equal(res.attempts, 5)
  })
  test('an interrupted download leaves the parts that arrived; run again, it continues from there', async () => {
    const out = tmp.file('resumed.bin')
    await writeFile(out, letters(0, 100_000))
    const events: H.Progress[] = []
    const res = await ok(
      pipe(
        big(),
        H.setResponseFile(out),
        H.getDataInParts(65_536, 'GET', onTestTransport({ onProgress: (p) => events.push(p) })),
      ),
    )
    assert.deepEqual(await readFile(out), letters(0, 300_000))
    assert.ok(lines(res).some((l) => /holds 100000 bytes: continuing from there/.test(l)))
    assert.equal(echo.server.requests.filter((r) => r.headers['range'] === 'bytes=100000-165535').length >= 1, true)
    assert.equal(events.at(-1)?.loaded, 300_000)
    const cut = tmp.file('cut.bin')
    // node-fetch (cross-fetch) cannot tell a cut body from a slow one: the idle limit ends it
    const e = await ko(
      pipe(
        big('?dropAfter=1000'),
        H.setResponseFile(cut),
        H.setIdleTimeout(1000),
        H.getDataInParts(65_536, 'GET', onTestTransport()),
      ),
    )
    assert.equal(e._tag, TEST_TRANSPORT === 'cross-fetch' ? 'Timeout' : 'TransportError', e.message)
    assert.equal(existsSync(cut), false)
  })
  test('a part cut off mid-body is cut from the file again: it ends at the last whole part', async () => {
    const out = tmp.file('cut-mid.bin')
    await writeFile(out, letters(0, 100_000))
    const e = await ko(
      pipe(
        big('?dropAfter=1000'),
        H.setResponseFile(out),
        H.setIdleTimeout(1000),
        H.getDataInParts(65_536, 'GET', onTestTransport()),
      ),
    )
    assert.equal(e._tag, TEST_TRANSPORT === 'cross-fetch' ? 'Timeout' : 'TransportError', e.message)
    assert.ok(
      lines(e).some((l) => /partial part cut from .*: back to 100000 bytes/.test(l)),
      lines(e).join('\n'),
    )
    assert.deepEqual(await readFile(out), letters(0, 100_000))
    // run again without the break: it continues from the part boundary
    await ok(pipe(big(), H.setResponseFile(out), H.getDataInParts(65_536, 'GET', onTestTransport())))
    assert.deepEqual(await readFile(out), letters(0, 300_000))
  })
  test('a part shorter than its Content-Range is cut from the file again, with an error that says so', async () => {
    const out = tmp.file('short.bin')
    await writeFile(out, letters(0, 100_000))
    const e = asTag(
      await ko(
        pipe(big('?badRange=length'), H.setResponseFile(out), H.getDataInParts(65_536, 'GET', onTestTransport())),
      ),
      'TransportError',
    )
    assert.match(e.message, /^getDataInParts: the part holds 65535 bytes, its Content-Range says 65536/)
    assert.deepEqual(await readFile(out), letters(0, 100_000))
    const fresh = tmp.file('short-fresh.bin')
    asTag(
      await ko(
        pipe(big('?badRange=length'), H.setResponseFile(fresh), H.getDataInParts(65_536, 'GET', onTestTransport())),
      ),
      'TransportError',
    )
    assert.equal(existsSync(fresh), false)
  })
  test('a file already complete is left as it is (the server answers 416 for its size)', async () => {
    const out = tmp.file('complete.bin')
    await writeFile(out, letters(0, 300_000))
    const res = await ok(pipe(big(), H.setResponseFile(out), H.getDataInParts(65_536, 'GET', onTestTransport())))
    assert.equal(res.status, 416)
    assert.equal(res.file, out)
    assert.deepEqual(await readFile(out), letters(0, 300_000))
  })
  test('a server that ignores Range: a StatusError, and the file is not touched', async () => {
    const out = tmp.file('ignored.bin')
    assert.equal(
      asTag(
        await ko(
          pipe(big('?ignoreRange=1'), H.setResponseFile(out), H.getDataInParts(65_536, 'GET', onTestTransport())),
        ),
        'StatusError',
      ).status,
      200,
    )
    assert.equal(existsSync(out), false)
  })
  test('no response file is InvalidInput', async () => {
    assert.match(
      asTag(await ko(H.getDataInParts()(big())), 'InvalidInput').message,
      /^getDataInParts: no file to download to: call setResponseFile/,
    )
  })
})
