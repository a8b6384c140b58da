/**
 * Multipart bodies on the wire, parsed by busboy (an independent parser): hostile names, empty
 * and binary files, 100 parts, random parts (a property), multipart/related part by part, files
 * that cannot be read or change while sent, retries, AWS4 and OAuth1 over multipart.
 */
import { mediaTypeOf } from '../../src/model/media-type.js'
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { appendFile, mkdir, truncate, writeFile } from 'node:fs/promises'
import fc from 'fast-check'
import { pipe } from 'fp-ts/function'
import * as H from '../../src/index.js'
import { startBusboyServer, type BusboyAnswer, type BusboyServer } from '../support/busboy-server.js'
import { asTag, echoOf, ko, ok } from './helpers.js'
import { useEchoServer, useTempDir } from '../support/fixtures.js'

const tmp = useTempDir('multipart')
const echo = useEchoServer()
let bb: BusboyServer
before(async () => {
  bb = await startBusboyServer()
})
after(async () => {
  await bb.close()
})

const sha = (b: Uint8Array | string): string => createHash('sha256').update(b).digest('hex')
const answerOf = (res: H.HttpResponse): BusboyAnswer =>
  JSON.parse(Buffer.from(res.body).toString('utf8')) as BusboyAnswer
/** What a browser-escaped name reads back as from any RFC 7230 parser (see encoding/multipart.ts). */
const asSent = (name: string): string =>
  name
    .replace(/\r\n|\r|\n/g, '\r\n')
    .replace(/[\x00-\x08\x0a-\x1f\x7f"]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`)
const form = (...steps: Array<(r: H.Request) => H.Request>): H.Request =>
  steps.reduce((r, s) => s(r), pipe(H.newRequest(), H.initialize(`${bb.url}/upload`), H.startMultipartBody()))

describe('what busboy reads is what was given', () => {
  test('names and file names with quotes, backslashes, CR/LF and non-ASCII; empty and binary files', async () => {
    const binary = Buffer.concat([
      Buffer.from('\r\n--httpipe-\r\n--\r\n\r\n'),
      Buffer.from([0, 255, 13, 10]),
      Buffer.from('\r\n--'),
    ])
    const path = tmp.file('binary.bin')
    await writeFile(path, binary)
    await writeFile(tmp.file('empty.bin'), '')
    const names = ['plain', 'with "quotes"', 'back\\slash\\', 'cr\rlf\nboth\r\n', 'имя 名前 😀', 'semi;colon=eq']
    const req = form(
      ...names.map((n, i) => H.addMultipartFormDataField(n, `value ${i} ${n}`)),
      H.addMultipartFormDataFile('file "one"', 'отчёт "q" \\ \r\n.bin', H.fromFile(path), 'application/x-test'),
      H.addMultipartFormDataFile('empty', 'empty.bin', H.fromFile(tmp.file('empty.bin'))),
      H.addMultipartFormDataFile('bytes\\', 'a\\b.txt', new Uint8Array([1, 2, 3])),
    )
    const a = answerOf(await ok(H.processRequest('POST')(req)))
    assert.equal(a.ok, true, a.error)
    assert.deepEqual(
      a.parts.slice(0, names.length),
      names.map((n, i) => ({ _tag: 'Field', name: asSent(n), value: `value ${i} ${n}` })),
    )
    assert.deepEqual(a.parts.slice(names.length), [
      // filename* carries the exact name, whatever it holds
      {
        _tag: 'File',
        name: asSent('file "one"'),
        filename: 'отчёт "q" \\ \r\n.bin',
        mimeType: 'application/x-test',
        size: binary.byteLength,
        sha256: sha(binary),
      },
      {
        _tag: 'File',
        name: 'empty',
        filename: 'empty.bin',
        mimeType: 'application/octet-stream',
        size: 0,
        sha256: sha(''),
      },
      {
        _tag: 'File',
        name: 'bytes\\',
        filename: 'a\\b.txt',
        // no type given: the one the file name says (mime-types)
        mimeType: 'text/plain',
        size: 3,
        sha256: sha(new Uint8Array([1, 2, 3])),
      },
    ])
  })

  test('100 parts, half of them files from disk, arrive in order with their bytes', async () => {
    const steps: Array<(r: H.Request) => H.Request> = []
    const expected: BusboyAnswer['parts'][number][] = []
    for (let i = 0; i < 100; i++) {
      if (i % 2 === 0) {
        steps.push(H.addMultipartFormDataField(`f${i}`, `v${i}`))
        expected.push({ _tag: 'Field', name: `f${i}`, value: `v${i}` })
      } else {
        const bytes = Buffer.alloc(i * 97, i)
        const path = tmp.file(`p${i}.bin`)
        await writeFile(path, bytes)
        steps.push(H.addMultipartFormDataFile(`file${i}`, `p${i}.bin`, H.fromFile(path), 'application/octet-stream'))
        expected.push({
          _tag: 'File',
          name: `file${i}`,
          filename: `p${i}.bin`,
          mimeType: 'application/octet-stream',
          size: bytes.byteLength,
          sha256: sha(bytes),
        })
      }
    }
    const res = await ok(H.processRequest('POST')(form(...steps)))
    const a = answerOf(res)
    assert.equal(a.ok, true, a.error)
    assert.deepEqual(a.parts, expected)
    assert.equal(
      String(a.bodyBytes),
      res.log.find((e) => e.message.startsWith('header Content-Length'))?.message.split(': ')[1],
    )
  })

  test('property: random fields and files round-trip through busboy', async () => {
    const name = fc.string({ unit: 'grapheme', maxLength: 12 })
    const part = fc.oneof(
      fc.record({ kind: fc.constant('field' as const), name, value: fc.string({ unit: 'grapheme', maxLength: 40 }) }),
      fc.record({
        kind: fc.constant('file' as const),
        name,
        filename: name.filter((f) => f !== '' && !/[\x00-\x1f\x7f]/.test(f)),
        bytes: fc.uint8Array({ maxLength: 300 }),
      }),
    )
    await fc.assert(
      fc.asyncProperty(fc.array(part, { maxLength: 8 }), async (parts) => {
        const req = form(
          ...parts.map((p) =>
            p.kind === 'field'
              ? H.addMultipartFormDataField(p.name, p.value)
              : H.addMultipartFormDataFile(p.name, p.filename, p.bytes),
          ),
        )
        const a = answerOf(await ok(H.processRequest('POST')(req)))
        assert.equal(a.ok, true, a.error)
        assert.deepEqual(
          a.parts,
          parts.map((p) =>
            p.kind === 'field'
              ? { _tag: 'Field', name: asSent(p.name), value: p.value }
              : {
                  _tag: 'File',
                  name: asSent(p.name),
                  filename: p.filename,
                  mimeType: mediaTypeOf(p.filename) ?? 'application/octet-stream',
                  size: p.bytes.byteLength,
                  sha256: sha(p.bytes),
                },
          ),
        )
      }),
      { numRuns: 40 },
    )
  })

  test('multipart/related, parsed part by part: each Content-Type and Content-ID, the root type', async () => {
    const media = tmp.file('media.txt')
    await writeFile(media, 'media bytes\r\n')
    const res = await ok(
      pipe(
        H.newRequest(),
        H.initialize(`${echo.url}/post`),
        H.startMultipartBody('related', 'application/json'),
        H.addDataAsRelated('{"name":"media.txt"}', 'application/json; charset=UTF-8', 'meta@example'),
        H.addDataAsRelated(H.fromFile(media), 'text/plain', '<media@example>'),
        H.processRequest('POST'),
      ),
    )
    const seen = echoOf(res)
    assert.match(
      seen.headers['content-type'] ?? '',
      /^multipart\/related; boundary=httpipe-[0-9A-Za-z]{32}; type="application\/json"$/,
    )
    const parts = (seen as unknown as { multipart: Array<{ headers: Record<string, string>; text: string }> }).multipart
    assert.deepEqual(
      parts.map((p) => [p.headers['content-type'], p.headers['content-id'], p.text]),
      [
        ['application/json; charset=UTF-8', '<meta@example>', '{"name":"media.txt"}'],
        ['text/plain', '<media@example>', 'media bytes\r\n'],
      ],
    )
  })
})

describe('files that cannot be sent', () => {
  test('a missing file part is a FileError naming the step and the path, before any byte is sent', async () => {
    const before = bb.count()
    const missing = tmp.file('missing.bin')
    const e = asTag(
      await ko(
        H.processRequest('POST')(
          form(H.addMultipartFormDataField('a', 'b'), H.addMultipartFormDataFile('doc', 'm.bin', H.fromFile(missing))),
        ),
      ),
      'FileError',
    )
    assert.equal(e.path, missing)
    assert.equal(e.cause, 'ENOENT')
    assert.match(e.message, /^processRequest: cannot read the file of part 2 \("doc", file "m\.bin"\)/)
    assert.equal(bb.count(), before)
  })
  test('a directory given as a file part is a FileError too', async () => {
    const sub = tmp.file('a-directory')
    await mkdir(sub, { recursive: true })
    const e = asTag(
      await ko(H.prepareRequest('POST')(form(H.addMultipartFormDataFile('doc', 'd', H.fromFile(sub))))),
      'FileError',
    )
    assert.equal(e.cause, 'EISDIR')
    assert.match(e.message, /^prepareRequest: /)
  })
  for (const [what, change] of [
    ['shrinks', (p: string) => truncate(p, 1000)],
    ['grows', (p: string) => appendFile(p, Buffer.alloc(1000, 'g'))],
  ] as const)
    test(`a file part that ${what} while it is being sent is a FileError, not a truncated success`, async () => {
      const path = tmp.file(`${what}.bin`)
      await writeFile(path, Buffer.alloc(4 << 20, 'x'))
      bb.onFirstChunk = () => change(path)
      try {
        const e = asTag(
          await ko(
            pipe(
              form(H.addMultipartFormDataFile('f', 'f.bin', H.fromFile(path))),
              H.setUrl(`${bb.url}/upload?slow=1`),
              H.processRequest('POST'),
            ),
          ),
          'FileError',
        )
        assert.equal(e.cause, 'EFILECHANGED')
        assert.equal(e.path, path)
      } finally {
        bb.onFirstChunk = null
      }
    })
})

describe('multipart through the other layers', () => {
  test('a fromUrl part is downloaded before the first attempt; the Content-Length then counts it', async () => {
    const res = await ok(
      pipe(
        H.newRequest(),
        H.initialize(`${echo.url}/multipart`),
        H.startMultipartBody(),
        H.addMultipartFormDataFile('u', 'u.bin', H.fromUrl(`${echo.url}/bytes/1000`)),
        H.addMultipartFormDataField('a', 'b'),
        H.processRequest('POST'),
      ),
    )
    const seen = JSON.parse(Buffer.from(res.body).toString()) as {
      bodySize: number
      parts: Array<{ name: string; size: number }>
    }
    assert.deepEqual(
      seen.parts.map((p) => [p.name, p.size]),
      [
        ['u', 1000],
        ['a', 1],
      ],
    )
    assert.equal(String(seen.bodySize), echo.server.requests.at(-1)?.headers['content-length'])
  })

  test('a retried request re-opens its file parts: the second attempt carries the whole body', async () => {
    const path = tmp.file('retry.bin')
    const data = Buffer.alloc(300_000, 'r')
    await writeFile(path, data)
    const res = await ok(
      pipe(
        H.newRequest(),
        H.initialize(`${echo.url}/flaky/multipart-retry?failures=1&status=503`),
        H.startMultipartBody(),
        H.addMultipartFormDataFile('f', 'r.bin', H.fromFile(path)),
        H.maxAttempts(2),
        H.processRequest('PUT'),
      ),
    )
    assert.equal(res.attempts, 2)
    const files = (echoOf(res) as unknown as { files: Record<string, { size: number; base64: string }> }).files
    assert.equal(files['f']?.size, data.byteLength)
    assert.equal(sha(Buffer.from(files['f']?.base64 ?? '', 'base64')), sha(data))
  })

  test('OAuth1 with useBodyFieldsAtOAuth leaves multipart fields out of the base string (RFC 5849 §3.4.1.3)', async () => {
    const prepared = await ok(
      pipe(
        form(H.addMultipartFormDataField('a', '1')),
        H.useBodyFieldsAtOAuth(true),
        H.addOAuthV1Authorization('tok', 'ts', 'ck', 'cs'),
        H.prepareRequest('POST', { now: () => 0, random: () => 0.5 }),
      ),
    )
    const header = prepared.headers.find(([n]) => n === 'Authorization')?.[1] ?? ''
    assert.match(header, /^OAuth /)
    const same = await ok(
      pipe(
        H.newRequest(),
        H.initialize(`${bb.url}/upload`),
        H.addOAuthV1Authorization('tok', 'ts', 'ck', 'cs'),
        H.prepareRequest('POST', { now: () => 0, random: () => 0.5 }),
      ),
    )
    // same signature as with no body at all: the fields were not signed
    assert.equal(header, same.headers.find(([n]) => n === 'Authorization')?.[1])
  })
})
