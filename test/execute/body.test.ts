/**
 * Bodies over segments: what an attempt sends, hashing, and a file that changes between
 * prepare and send (an error, never extra or missing bytes on the wire).
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { appendFile, truncate, writeFile } from 'node:fs/promises'
import * as E from 'fp-ts/Either'
import * as TE from 'fp-ts/TaskEither'
import { pipe } from 'fp-ts/function'
import * as H from '../../src/index.js'
import type { Segment } from '../../src/model/prepared.js'
import { BodyFileError, bodyHasher, openBody } from '../../src/execute/body.js'
import { segmentsBody } from '../../src/model/prepared.js'
import { useEchoServer, useTempDir } from '../support/fixtures.js'
import { asTag, ko, ok } from './helpers.js'

const tmp = useTempDir('body')
const echo = useEchoServer()

const collect = async (x: Uint8Array | AsyncIterable<Uint8Array> | null): Promise<Buffer | null> => {
  if (x === null) return null
  if (x instanceof Uint8Array) return Buffer.from(x)
  const parts: Buffer[] = []
  for await (const c of x) parts.push(Buffer.from(c))
  return Buffer.concat(parts)
}

const bytes = (s: string): Segment => ({ _tag: 'Bytes', bytes: Buffer.from(s) })

describe('openBody', () => {
  test('no body is null; one bytes segment is those bytes, not a stream', async () => {
    assert.equal(openBody({ _tag: 'None' }), null)
    const b = Buffer.from('abc')
    assert.equal(openBody(segmentsBody([{ _tag: 'Bytes', bytes: b }])), b)
    assert.deepEqual(await collect(openBody(segmentsBody([]))), Buffer.alloc(0))
  })

  test('segments are sent in order, file ranges read from disk', async () => {
    const path = tmp.file('range.bin')
    await writeFile(path, '0123456789')
    const body = segmentsBody([
      bytes('<'),
      { _tag: 'File', path, start: 2, end: 5, size: 10 },
      bytes('|'),
      { _tag: 'File', path, start: 9, end: 10, size: 10 },
      bytes('>'),
    ])
    assert.equal(body._tag === 'Segments' && body.length, 7)
    assert.equal((await collect(openBody(body)))?.toString(), '<234|9>')
  })

  test('a file whose size changed since it was prepared is an error, before any of its bytes', async () => {
    const path = tmp.file('changed.bin')
    await writeFile(path, 'abcdef')
    const body = segmentsBody([bytes('head'), { _tag: 'File', path, start: 0, end: 6, size: 6 }])
    await appendFile(path, 'g')
    await assert.rejects(
      collect(openBody(body)),
      (e: unknown) => e instanceof BodyFileError && e.code === 'EFILECHANGED' && e.path === path,
    )
    await truncate(path, 3)
    await assert.rejects(
      collect(openBody(body)),
      (e: unknown) => e instanceof BodyFileError && e.code === 'EFILECHANGED',
    )
  })

  test('a missing file is a BodyFileError with its code', async () => {
    const body = segmentsBody([{ _tag: 'File', path: tmp.file('nope'), start: 0, end: 1, size: 1 }])
    await assert.rejects(collect(openBody(body)), (e: unknown) => e instanceof BodyFileError && e.code === 'ENOENT')
  })
})

describe('bodyHasher', () => {
  test('hashes the bytes the segments send, once per algorithm', async () => {
    const path = tmp.file('hash.bin')
    await writeFile(path, 'hello world')
    const body = segmentsBody([bytes('say '), { _tag: 'File', path, start: 0, end: 5, size: 11 }])
    const hash = bodyHasher(body)
    const expected = createHash('sha256').update('say hello').digest('hex')
    assert.deepEqual(await hash('sha256'), E.right(expected))
    assert.equal(hash('sha256'), hash('sha256'))
    assert.deepEqual(await bodyHasher({ _tag: 'None' })('md5'), E.right(createHash('md5').digest('hex')))
  })

  test('an unreadable file is a file failure, not a throw', async () => {
    const r = await bodyHasher(segmentsBody([{ _tag: 'File', path: tmp.file('gone'), start: 0, end: 1, size: 1 }]))(
      'sha256',
    )
    assert.ok(E.isLeft(r) && r.left._tag === 'File' && r.left.code === 'ENOENT')
  })
})

describe('user callbacks', () => {
  test('an onProgress that throws is logged once and the transfer completes', async () => {
    let calls = 0
    const res = await ok(
      pipe(
        H.newRequest(),
        H.initialize(`${echo.url}/bytes/300000`),
        H.processRequest('GET', {
          onProgress: () => {
            calls++
            throw new Error('progress bar broke')
          },
        }),
      ),
    )
    assert.equal(res.body.byteLength, 300_000)
    assert.equal(calls, 1)
    assert.equal(H.getLog(res).filter((e) => /env\.onProgress threw \(progress bar broke\)/.test(e.message)).length, 1)
  })
})

describe('a file body on the wire', () => {
  test('the server receives the file exactly, with its Content-Length', async () => {
    const path = tmp.file('up.bin')
    const data = Buffer.alloc(200_000, 'x')
    await writeFile(path, data)
    const res = await ok(
      pipe(H.newRequest(), H.initialize(`${echo.url}/put`), H.setBinaryBody(H.fromFile(path)), H.processRequest('PUT')),
    )
    assert.equal(res.status, 200)
    const seen = echo.server.requests.at(-1)
    assert.equal(seen?.headers['content-length'], '200000')
    assert.equal(seen?.body.byteLength, 200_000)
  })

  test('a file that grew after prepareRequest is a FileError when sent, and the server got no whole request', async () => {
    const path = tmp.file('grows.bin')
    await writeFile(path, Buffer.alloc(1000, 'a'))
    const before = echo.server.requests.length
    const prepared = await ok(
      pipe(H.newRequest(), H.initialize(`${echo.url}/put`), H.setBinaryBody(H.fromFile(path)), H.prepareRequest('PUT')),
    )
    await appendFile(path, 'more')
    const e = asTag(await ko(pipe(TE.right(prepared), TE.flatMap(H.executeRequest()))), 'FileError')
    assert.equal(e.path, path)
    assert.equal(e.cause, 'EFILECHANGED')
    assert.match(e.message, /changed size since the request was prepared/)
    assert.equal(echo.server.requests.length, before)
  })
})
