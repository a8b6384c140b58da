import assert from 'node:assert/strict'
import { describe, test } from 'node:test'

import type { EchoPayload, MultipartEcho } from '../../src/testing/index.js'
import {
  MALFORMED_MULTIPART,
  assertBadRequest,
  call,
  jsonOf,
  sendBody,
  server,
  sha256,
  useSharedServer,
} from './support.js'

useSharedServer()

const echoOf = async (res: Response): Promise<MultipartEcho> => {
  assert.equal(res.status, 200)
  assert.equal(res.headers.get('content-type'), 'application/json')
  return (await res.json()) as MultipartEcho
}

const send = async (body: string | Uint8Array, contentType: string, method = 'POST'): Promise<MultipartEcho> =>
  echoOf(await sendBody('/multipart', body, contentType, method))

/** Binary content with CRLFs, a boundary-like line and every byte value. */
const BINARY = Buffer.concat([
  Buffer.from('\r\n--b\r\n--b--\r\n\r\n'),
  Buffer.from(Array.from({ length: 256 }, (_, i) => i)),
  Buffer.from('\r\n'),
])

describe('/multipart', () => {
  test('form-data from FormData: media type, boundary, parts in order, fields and files with sizes and hashes', async () => {
    const body = new FormData()
    body.append('a', '1')
    body.append('doc', new Blob([BINARY], { type: 'application/x-bin' }), 'b.bin')
    body.append('a', 'two')
    body.append('doc', new Blob([], { type: 'text/plain' }), 'empty.txt')
    body.append('q"x\r\n', 'v')
    body.append('f', new Blob(['€']), '€ \u00e9.txt')
    const res = await call('/multipart', { method: 'POST', body })
    const echo = await echoOf(res)
    const recorded = server.requests.at(-1)
    assert.ok(recorded)
    assert.equal(echo.mediaType, 'multipart/form-data')
    assert.match(echo.params['boundary'] ?? '', /^-+formdata-/)
    assert.equal(echo.bodySize, recorded.body.length)
    assert.equal(echo.preambleSize, 0)
    assert.equal(echo.epilogueSize, 2)
    assert.deepEqual(
      echo.parts.map((p) => [p.name, p.filename, p.contentType, p.size, p.sha256]),
      [
        ['a', undefined, undefined, 1, sha256('1')],
        ['doc', 'b.bin', 'application/x-bin', BINARY.length, sha256(BINARY)],
        ['a', undefined, undefined, 3, sha256('two')],
        ['doc', 'empty.txt', 'text/plain', 0, sha256('')],
        // Browsers send `"`, CR and LF in names as %22, %0D, %0A; the echo reports the name as sent.
        ['q%22x%0D%0A', undefined, undefined, 1, sha256('v')],
        ['f', '€ é.txt', 'application/octet-stream', 3, sha256('€')],
      ],
    )
    assert.match(echo.parts[1]?.headers['content-disposition'] ?? '', /^form-data; name="doc"; filename="b.bin"$/)
    assert.deepEqual(echo.fields, { a: ['1', 'two'], 'q%22x%0D%0A': 'v' })
    assert.deepEqual(echo.files, {
      doc: [
        { filename: 'b.bin', contentType: 'application/x-bin', size: BINARY.length, sha256: sha256(BINARY) },
        { filename: 'empty.txt', contentType: 'text/plain', size: 0, sha256: sha256('') },
      ],
      f: [{ filename: '€ é.txt', contentType: 'application/octet-stream', size: 3, sha256: sha256('€') }],
    })
  })

  test('multipart/related: the type parameter, each part with Content-Type and Content-ID', async () => {
    const meta = '{"name":"report.bin"}'
    const body = Buffer.concat([
      Buffer.from(`--rel\r\nContent-Type: application/json; charset=UTF-8\r\nContent-ID: <meta@x>\r\n\r\n${meta}\r\n`),
      Buffer.from('--rel\r\nContent-Type: application/octet-stream\r\nContent-ID: <media@x>\r\n\r\n'),
      BINARY,
      Buffer.from('\r\n--rel--'),
    ])
    const echo = await send(body, 'multipart/related; boundary=rel; type="application/json"; start="<meta@x>"', 'PUT')
    assert.equal(echo.mediaType, 'multipart/related')
    assert.deepEqual(echo.params, { boundary: 'rel', type: 'application/json', start: '<meta@x>' })
    assert.deepEqual(
      echo.parts.map((p) => [p.contentType, p.contentId, p.size, p.sha256, p.name, p.filename]),
      [
        ['application/json; charset=UTF-8', '<meta@x>', meta.length, sha256(meta), undefined, undefined],
        ['application/octet-stream', '<media@x>', BINARY.length, sha256(BINARY), undefined, undefined],
      ],
    )
    assert.equal(echo.epilogueSize, 0)
    assert.deepEqual(echo.fields, {})
    assert.deepEqual(echo.files, {})
  })

  test('multipart/mixed: preamble and epilogue sizes, a part without headers, filename* decoded', async () => {
    const body = [
      'pre',
      '--m',
      `Content-Disposition: attachment; filename="plain.txt"; filename*=UTF-8''%E2%82%AC.txt`,
      '',
      'x',
      '--m',
      '',
      '',
      '--m--',
      'epilogue',
    ].join('\r\n')
    const echo = await send(body, 'Multipart/Mixed; Boundary="m"')
    assert.equal(echo.mediaType, 'multipart/mixed')
    assert.deepEqual(echo.params, { boundary: 'm' })
    assert.equal(echo.preambleSize, 'pre\r\n'.length)
    assert.equal(echo.epilogueSize, '\r\nepilogue'.length)
    assert.deepEqual(echo.parts, [
      {
        headers: { 'content-disposition': `attachment; filename="plain.txt"; filename*=UTF-8''%E2%82%AC.txt` },
        filename: '€.txt',
        size: 1,
        sha256: sha256('x'),
      },
      { headers: {}, size: 0, sha256: sha256('') },
    ])
    assert.deepEqual(echo.files, {})
  })

  test('a quoted name with backslash escapes is unquoted; repeated part headers are joined', async () => {
    const body = '--b\r\nContent-Disposition: form-data; name="a\\"b;c"\r\nX-R: 1\r\nX-R: 2\r\n\r\nv\r\n--b--\r\n'
    const echo = await send(body, 'multipart/form-data; boundary=b')
    assert.equal(echo.parts[0]?.name, 'a"b;c')
    assert.equal(echo.parts[0]?.headers['x-r'], '1, 2')
    assert.deepEqual(echo.fields, { 'a"b;c': 'v' })
  })

  test('100 parts, in order', async () => {
    const body = new FormData()
    for (let i = 0; i < 100; i++) body.append(`f${i}`, new Blob([`content ${i}`]), `${i}.txt`)
    const echo = await echoOf(await call('/multipart', { method: 'POST', body }))
    assert.equal(echo.parts.length, 100)
    echo.parts.forEach((part, i) => {
      assert.equal(part.name, `f${i}`)
      assert.equal(part.sha256, sha256(`content ${i}`))
    })
    assert.equal(Object.keys(echo.files).length, 100)
  })

  test('/post reports the same part facts, with the contents', async () => {
    const body = Buffer.concat([
      Buffer.from('--z\r\nContent-Type: image/png\r\nContent-ID: <p>\r\n\r\n'),
      BINARY,
      Buffer.from('\r\n--z--\r\n'),
    ])
    const contentType = 'multipart/related; boundary=z; type="image/png"'
    const echo = await send(body, contentType)
    const post = (await (await sendBody('/post', body, contentType)).json()) as EchoPayload
    assert.deepEqual(
      post.multipart.map(({ text: _t, base64: _b, ...info }) => info),
      echo.parts,
    )
    assert.deepEqual(Buffer.from(post.multipart[0]?.base64 ?? '', 'base64'), BINARY)
  })

  test('a body that is not multipart → 400 naming what came', async () => {
    assert.match(await assertBadRequest('/multipart', { method: 'POST', body: 'x' }), /multipart.*text\/plain/)
    assert.match(await assertBadRequest('/multipart'), /expected a multipart\/\* Content-Type, got none/)
    const json = { method: 'POST', body: '{}', headers: { 'Content-Type': 'application/json' } }
    assert.match(await assertBadRequest('/multipart', json), /application\/json/)
    const bare = { method: 'POST', body: '--b--', headers: { 'Content-Type': 'multipart/' } }
    assert.match(await assertBadRequest('/multipart', bare), /expected a multipart/)
  })

  for (const [label, contentType, body] of MALFORMED_MULTIPART) {
    test(`malformed → 400 (${label})`, async () => {
      const res = await sendBody('/multipart', body, contentType)
      assert.equal(res.status, 400)
      assert.match(String((await jsonOf(res))['error']), /^malformed multipart body: /)
    })
  }
})
