/**
 * The multipart layout, byte for byte: names escaped as browsers escape them, RFC 8187 file
 * names, the boundary drawn from env.random, and a golden body.
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { pipe } from 'fp-ts/function'
import * as H from '../../src/index.js'
import type { PreparedBody } from '../../src/model/prepared.js'
import {
  drawBoundary,
  escapeParam,
  extendedValue,
  filenameParams,
  multipartContentType,
} from '../../src/encoding/multipart.js'
import { openBody } from '../../src/execute/body.js'
import { ok } from '../execute/helpers.js'
import { useTempDir } from '../support/fixtures.js'

const tmp = useTempDir('mp')

/** The bytes an attempt would send for a prepared body (files read as an attempt reads them). */
const wire = async (b: PreparedBody): Promise<Buffer> => {
  const opened = openBody(b)
  if (opened === null) return Buffer.alloc(0)
  if (opened instanceof Uint8Array) return Buffer.from(opened)
  const parts: Buffer[] = []
  for await (const c of opened) parts.push(Buffer.from(c))
  return Buffer.concat(parts)
}

/** A source of "random" numbers that walks a fixed list, for a body known in advance. */
const sequence = (...xs: number[]): (() => number) => {
  let i = 0
  return () => xs[i++ % xs.length] ?? 0
}

describe('names and file names in Content-Disposition', () => {
  test('quotes, CR and LF become %22 and %0D%0A (line breaks as CRLF first), as browsers do', () => {
    assert.equal(escapeParam('a"b'), 'a%22b')
    assert.equal(escapeParam('a\nb'), 'a%0D%0Ab')
    assert.equal(escapeParam('a\rb'), 'a%0D%0Ab')
    assert.equal(escapeParam('a\r\nb'), 'a%0D%0Ab')
  })
  test('a backslash is a quoted pair, other control characters %XX, tab and non-ASCII as they are', () => {
    assert.equal(escapeParam('a\\b'), 'a\\\\b')
    assert.equal(escapeParam('a\x00\x1f\x7fb'), 'a%00%1F%7Fb')
    assert.equal(escapeParam('a\tb'), 'a\tb')
    assert.equal(escapeParam('имя'), 'имя')
  })
  test('a plain ASCII file name is one quoted parameter; any other also gets filename*', () => {
    assert.equal(filenameParams('report 1.pdf'), '; filename="report 1.pdf"')
    assert.equal(
      filenameParams('отчёт.pdf'),
      `; filename="_____.pdf"; filename*=UTF-8''%D0%BE%D1%82%D1%87%D1%91%D1%82.pdf`,
    )
    assert.equal(filenameParams('a"b.txt'), `; filename="a%22b.txt"; filename*=UTF-8''a%22b.txt`)
    assert.equal(filenameParams('😀.png'), `; filename="_.png"; filename*=UTF-8''%F0%9F%98%80.png`)
  })
  test('extendedValue keeps RFC 8187 attr-chars and %-encodes every other byte', () => {
    assert.equal(extendedValue("a b'c*%.txt"), "UTF-8''a%20b%27c%2A%25.txt")
  })
})

describe('the boundary', () => {
  test('httpipe- and 32 characters from the alphabet, within RFC 2046 limits, whatever random gives', () => {
    for (const r of [() => 0, () => 0.999999999, Math.random, () => 1, () => -1, () => Number.NaN]) {
      const b = drawBoundary(r)
      assert.match(b, /^httpipe-[0-9A-Za-z]{32}$/)
      assert.ok(b.length <= 70)
    }
  })
  test('the Content-Type carries it, and the root type of multipart/related', () => {
    assert.equal(multipartContentType({ kind: 'form-data', rootType: null }, 'B'), 'multipart/form-data; boundary=B')
    assert.equal(
      multipartContentType({ kind: 'related', rootType: 'application/json' }, 'B'),
      'multipart/related; boundary=B; type="application/json"',
    )
  })
  test('two requests prepared with the same inputs get different boundaries (real randomness)', async () => {
    const req = pipe(
      H.newRequest(),
      H.initialize('http://127.0.0.1:9/x'),
      H.startMultipartBody(),
      H.addMultipartFormDataField('a', 'b'),
    )
    const [p1, p2] = [await ok(H.prepareRequest('POST')(req)), await ok(H.prepareRequest('POST')(req))]
    const ct = (p: H.PreparedRequest) => p.headers.find(([n]) => n === 'Content-Type')?.[1] ?? ''
    assert.match(ct(p1), /^multipart\/form-data; boundary=httpipe-[0-9A-Za-z]{32}$/)
    assert.notEqual(ct(p1), ct(p2))
  })
  test('a boundary that occurs in a part is drawn again', async () => {
    // the first draw (all "0") is inside the field's value: the second (all "1") is used
    const zeros = `--${drawBoundary(() => 0)}`
    const random = sequence(...Array<number>(32).fill(0), ...Array<number>(32).fill(1 / 62))
    const req = pipe(
      H.newRequest(),
      H.initialize('http://127.0.0.1:9/x'),
      H.startMultipartBody(),
      H.addMultipartFormDataField('a', `x${zeros}y`),
    )
    const p = await ok(H.prepareRequest('POST', { random })(req))
    assert.equal(
      p.headers.find(([n]) => n === 'Content-Type')?.[1],
      `multipart/form-data; boundary=${drawBoundary(() => 1 / 62)}`,
    )
  })
  test('a random source that always draws a boundary found in the body is an InvalidInput, not a loop', async () => {
    const zeros = `--${drawBoundary(() => 0)}`
    const req = pipe(
      H.newRequest(),
      H.initialize('http://127.0.0.1:9/x'),
      H.startMultipartBody(),
      H.addMultipartFormDataField('a', zeros),
    )
    const e = await H.prepareRequest('POST', { random: () => 0 })(req)()
    assert.ok(e._tag === 'Left' && e.left._tag === 'InvalidInput' && /boundary/.test(e.left.message))
  })
})

describe('a golden body', () => {
  test('with an injected random source the whole body is byte for byte the expected text', async () => {
    const file = tmp.file('golden.bin')
    await writeFile(file, 'FILE\r\nDATA')
    const req = pipe(
      H.newRequest(),
      H.initialize('http://127.0.0.1:9/upload'),
      H.startMultipartBody(),
      H.addMultipartFormDataField('title', 'Quarterly "report"'),
      H.addMultipartFormDataField('na"me\n2', 42),
      H.addMultipartFormDataFile('doc', 'отчёт.txt', H.fromFile(file), 'text/plain'),
      H.addMultipartFormDataFile('blob', 'b.bin', new Uint8Array([0, 13, 10, 255])),
      H.addMultipartFormDataFile('skipped', 'e.txt', '', undefined, true),
      H.addMultipartFormDataFile('empty', 'e.txt', ''),
    )
    const p = await ok(H.prepareRequest('POST', { random: () => 0.5 })(req))
    const B = 'httpipe-VVVVVVVVVVVVVVVVVVVVVVVVVVVVVVVV'
    const expected = Buffer.concat([
      Buffer.from(
        `--${B}\r\nContent-Disposition: form-data; name="title"\r\n\r\nQuarterly "report"` +
          `\r\n--${B}\r\nContent-Disposition: form-data; name="na%22me%0D%0A2"\r\n\r\n42` +
          `\r\n--${B}\r\nContent-Disposition: form-data; name="doc"; filename="_____.txt"; filename*=UTF-8''%D0%BE%D1%82%D1%87%D1%91%D1%82.txt\r\nContent-Type: text/plain\r\n\r\nFILE\r\nDATA` +
          `\r\n--${B}\r\nContent-Disposition: form-data; name="blob"; filename="b.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`,
      ),
      Buffer.from([0, 13, 10, 255]),
      Buffer.from(
        `\r\n--${B}\r\nContent-Disposition: form-data; name="empty"; filename="e.txt"\r\nContent-Type: text/plain\r\n\r\n\r\n--${B}--\r\n`,
      ),
    ])
    const sent = await wire(p.body)
    assert.equal(sent.toString('latin1'), expected.toString('latin1'))
    assert.deepEqual(
      p.headers.filter(([n]) => /^content-/i.test(n)),
      [
        ['Content-Type', `multipart/form-data; boundary=${B}`],
        ['Content-Length', String(expected.byteLength)],
      ],
    )
    // the file is a segment read when sent, not bytes copied into memory
    assert.ok(p.body._tag === 'Segments' && p.body.segments.some((s) => s._tag === 'File' && s.path === file))
  })

  test('multipart/related: Content-Type and Content-ID per part, the root type on the body', async () => {
    const req = pipe(
      H.newRequest(),
      H.initialize('http://127.0.0.1:9/upload'),
      H.startMultipartBody('related', 'application/json'),
      H.addDataAsRelated('{"name":"a.txt"}', 'application/json; charset=UTF-8', 'meta'),
      H.addDataAsRelated(H.fromBase64('aGVsbG8='), 'text/plain', '<media@x>'),
      H.addDataAsRelated('plain', 'text/plain'),
    )
    const p = await ok(H.prepareRequest('POST', { random: () => 0 })(req))
    const B = 'httpipe-00000000000000000000000000000000'
    assert.equal(
      (await wire(p.body)).toString('utf8'),
      `--${B}\r\nContent-Type: application/json; charset=UTF-8\r\nContent-ID: <meta>\r\n\r\n{"name":"a.txt"}` +
        `\r\n--${B}\r\nContent-Type: text/plain\r\nContent-ID: <media@x>\r\n\r\nhello` +
        `\r\n--${B}\r\nContent-Type: text/plain\r\n\r\nplain\r\n--${B}--\r\n`,
    )
    assert.equal(
      p.headers.find(([n]) => n === 'Content-Type')?.[1],
      `multipart/related; boundary=${B}; type="application/json"`,
    )
  })

  test('a body with no parts is the close delimiter alone; text parts use the request encoding', async () => {
    const empty = await ok(
      H.prepareRequest('POST', { random: () => 0 })(
        pipe(H.newRequest(), H.initialize('http://127.0.0.1:9/'), H.startMultipartBody('mixed')),
      ),
    )
    assert.equal((await wire(empty.body)).toString(), `--httpipe-00000000000000000000000000000000--\r\n`)
    const cp = await ok(
      H.prepareRequest('POST', { random: () => 0 })(
        pipe(
          H.newRequest(),
          H.initialize('http://127.0.0.1:9/'),
          H.useEncoding('windows-1251'),
          H.startMultipartBody(),
          H.addMultipartFormDataField('имя', 'Я'),
        ),
      ),
    )
    const bytes = await wire(cp.body)
    // the header is UTF-8 (as browsers send names), the value in the request's encoding
    assert.ok(bytes.includes(Buffer.from('name="имя"', 'utf8')))
    assert.ok(bytes.includes(Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0xdf, 0x0d, 0x0a])))
  })
})
