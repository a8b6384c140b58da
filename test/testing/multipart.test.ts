import assert from 'node:assert/strict'
import { describe, test } from 'node:test'

import { MALFORMED_MULTIPART, call, echoOf, jsonOf, sendBody, sha256, useSharedServer } from './support.js'

useSharedServer()

const multipart = (body: string | Uint8Array, contentType: string): Promise<Response> =>
  sendBody('/post', body, contentType)

describe('multipart', () => {
  test('parses form-data with text fields and binary files', async () => {
    const binary = Uint8Array.from([0, 13, 10, 45, 45, 255, 13, 10])
    const body = new FormData()
    body.append('a', '1')
    body.append('a', 'two')
    body.append('doc', new Blob([binary], { type: 'application/x-bin' }), 'b.bin')
    const echo = await echoOf(await call('/post', { method: 'POST', body }))
    assert.deepEqual(echo.form, { a: ['1', 'two'] })
    const doc = echo.files['doc']
    assert.ok(doc)
    assert.equal(doc.filename, 'b.bin')
    assert.equal(doc.contentType, 'application/x-bin')
    assert.equal(doc.size, binary.length)
    assert.deepEqual(new Uint8Array(Buffer.from(doc.base64, 'base64')), binary)
    assert.equal(doc.sha256, sha256(binary))
    assert.equal(doc.headers['content-type'], 'application/x-bin')
    assert.deepEqual(
      echo.multipart.map((p) => [p.name, p.filename, p.text]),
      [
        ['a', undefined, '1'],
        ['a', undefined, 'two'],
        ['doc', 'b.bin', Buffer.from(binary).toString('utf8')],
      ],
    )
  })

  test('parses multipart/mixed with preamble, epilogue, an inline boundary and a part without headers', async () => {
    const body = [
      'preamble',
      '--XyZ',
      'Content-Type: text/plain',
      'X-Part: 1',
      '',
      'first',
      'not at line start --XyZ',
      '--XyZ',
      '',
      'no headers',
      '--XyZ--',
      'epilogue',
    ].join('\r\n')
    const echo = await echoOf(await multipart(body, 'multipart/mixed; boundary="XyZ"'))
    const first = 'first\r\nnot at line start --XyZ'
    assert.deepEqual(echo.multipart, [
      {
        headers: { 'content-type': 'text/plain', 'x-part': '1' },
        contentType: 'text/plain',
        size: first.length,
        sha256: sha256(first),
        text: first,
        base64: Buffer.from(first).toString('base64'),
      },
      {
        headers: {},
        size: 10,
        sha256: sha256('no headers'),
        text: 'no headers',
        base64: Buffer.from('no headers').toString('base64'),
      },
    ])
    assert.deepEqual(echo.form, {})
    assert.deepEqual(echo.files, {})
  })

  test('decodes filename* and defaults the file content type', async () => {
    const body = [
      '--b',
      `Content-Disposition: form-data; name="f"; filename="fallback.txt"; filename*=UTF-8''%E2%82%AC.txt`,
      '',
      'euro',
      '--b--',
      '',
    ].join('\r\n')
    const echo = await echoOf(await multipart(body, 'multipart/form-data; boundary=b'))
    assert.equal(echo.files['f']?.filename, '€.txt')
    assert.equal(echo.files['f']?.contentType, 'text/plain')
    assert.equal(echo.files['f']?.size, 4)
  })

  for (const [label, contentType, body] of MALFORMED_MULTIPART) {
    test(`malformed multipart → 400 (${label})`, async () => {
      const res = await multipart(body, contentType)
      assert.equal(res.status, 400)
      assert.match(String((await jsonOf(res))['error']), /multipart/)
    })
  }
})
