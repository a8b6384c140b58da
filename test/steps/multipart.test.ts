/**
 * The multipart steps: what they record, what they refuse (naming the step), and how a
 * multipart request is saved, loaded and prepared.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { createHash } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import * as H from '../../src/index.js'
import type { MultipartKind } from '../../src/model/multipart.js'
import { assertInvalid, assertOk, base, lastLine } from '../helpers.js'
import { asTag, ko, ok } from '../execute/helpers.js'
import { startSigV4Verifier, type SigV4Verifier } from '../support/sigv4-verifier.js'
import { useTempDir } from '../support/fixtures.js'

const started = (): H.Request => H.startMultipartBody()(base())

describe('startMultipartBody', () => {
  test('form-data by default; related with a root type; mixed', () => {
    const r = started()
    assertOk(base(), r, 'startMultipartBody')
    assert.deepEqual(r.body, { _tag: 'Multipart', kind: 'form-data', rootType: null, parts: [] })
    assert.deepEqual(H.startMultipartBody('related', 'application/json')(base()).body, {
      _tag: 'Multipart',
      kind: 'related',
      rootType: 'application/json',
      parts: [],
    })
    assert.equal(H.startMultipartBody('mixed')(base()).body._tag, 'Multipart')
    assert.match(
      lastLine(H.startMultipartBody('related', 'application/json')(base())),
      /multipart\/related body started, root type application\/json/,
    )
  })
  test('an unknown kind, a root type on another kind or a root type that is no media type is InvalidInput', () => {
    assertInvalid(
      base(),
      H.startMultipartBody('alternative' as MultipartKind)(base()),
      'startMultipartBody',
      /kind must be/,
    )
    assertInvalid(
      base(),
      H.startMultipartBody('form-data', 'application/json')(base()),
      'startMultipartBody',
      /multipart\/related only/,
    )
    assertInvalid(
      base(),
      H.startMultipartBody('related', 'application/json; x="1"')(base()),
      'startMultipartBody',
      /root type/,
    )
    assertInvalid(base(), H.startMultipartBody('related', 'a"b/c')(base()), 'startMultipartBody', /root type/)
  })
  test('a multipart body replaces the body before, and any other body setter discards it', () => {
    const r = pipe(base(), H.setJsonBody({ a: 1 }), H.startMultipartBody(), H.addMultipartFormDataField('a', 'b'))
    assert.equal(r.body._tag, 'Multipart')
    assert.equal(H.setStringBody('text')(r).body._tag, 'String')
    assert.equal(H.initializeFormBody()(r).body._tag, 'Form')
  })
})

describe('the part steps', () => {
  test('before startMultipartBody each is InvalidInput that says what to call first', () => {
    for (const [name, step] of [
      ['addMultipartFormDataField', H.addMultipartFormDataField('a', 'b')],
      ['addMultipartFormDataFile', H.addMultipartFormDataFile('a', 'b.txt', 'x')],
      ['addDataAsRelated', H.addDataAsRelated('x', 'text/plain')],
    ] as const)
      assertInvalid(base(), step(base()), name, /call startMultipartBody\(\) first/)
  })
  test('fields: strings, finite numbers and booleans, as text', () => {
    const r = pipe(
      started(),
      H.addMultipartFormDataField('n', 1.5),
      H.addMultipartFormDataField('b', false),
      H.addMultipartFormDataField('s', ''),
    )
    assert.deepEqual(r.body._tag === 'Multipart' ? r.body.parts : null, [
      { _tag: 'Field', name: 'n', value: '1.5' },
      { _tag: 'Field', name: 'b', value: 'false' },
      { _tag: 'Field', name: 's', value: '' },
    ])
    for (const bad of [Number.NaN, Infinity, null, undefined, {}, ['a'], 1n])
      assertInvalid(
        started(),
        H.addMultipartFormDataField('x', bad as unknown as string)(started()),
        'addMultipartFormDataField',
        /must be a string, a finite number or a boolean/,
      )
    assertInvalid(
      started(),
      H.addMultipartFormDataField(7 as unknown as string, 'v')(started()),
      'addMultipartFormDataField',
      /field name must be a string/,
    )
  })
  test('files: bytes, text and sources; octet-stream by default; ignoreEmpty skips known-empty data', () => {
    const r = pipe(
      started(),
      H.addMultipartFormDataFile('a', 'a.bin', new Uint8Array([1, 2])),
      H.addMultipartFormDataFile('b', 'b.txt', 'text', 'text/plain; charset=utf-8'),
      H.addMultipartFormDataFile('c', 'c.jpg', H.fromFile('./c.jpg'), 'image/jpeg', true),
      H.addMultipartFormDataFile('d', 'd.txt', '', undefined, true),
    )
    assert.deepEqual(r.body._tag === 'Multipart' ? r.body.parts : null, [
      {
        _tag: 'File',
        name: 'a',
        filename: 'a.bin',
        source: { _tag: 'Bytes', base64: 'AQI=' },
        mime: 'application/octet-stream',
        ignoreEmpty: false,
      },
      {
        _tag: 'File',
        name: 'b',
        filename: 'b.txt',
        source: { _tag: 'Text', text: 'text' },
        mime: 'text/plain; charset=utf-8',
        ignoreEmpty: false,
      },
      {
        _tag: 'File',
        name: 'c',
        filename: 'c.jpg',
        source: { _tag: 'File', path: './c.jpg' },
        mime: 'image/jpeg',
        ignoreEmpty: true,
      },
    ])
    assert.match(lastLine(r), /file "d\.txt" is empty - skipped/)
    assertInvalid(
      started(),
      H.addMultipartFormDataFile('a', 'a', 'x', 'image/png\r\nX-Evil: 1')(started()),
      'addMultipartFormDataFile',
      /media type/,
    )
    assertInvalid(
      started(),
      H.addMultipartFormDataFile('a', 'a', H.fromUrl('ftp://x/y'))(started()),
      'addMultipartFormDataFile',
      /fromUrl/,
    )
    assertInvalid(
      started(),
      H.addMultipartFormDataFile('a', null as unknown as string, 'x')(started()),
      'addMultipartFormDataFile',
      /file name must be a string/,
    )
  })
  test('related parts: media type and Content-ID checked; not in a multipart/form-data body', () => {
    const rel = H.startMultipartBody('related')(base())
    const r = pipe(
      rel,
      H.addDataAsRelated('{}', 'application/json', '<meta@x>'),
      H.addDataAsRelated(new Uint8Array([1]), 'image/png'),
    )
    assert.deepEqual(
      r.body._tag === 'Multipart' ? r.body.parts.map((p) => (p._tag === 'Related' ? p.contentId : null)) : null,
      ['<meta@x>', null],
    )
    assertInvalid(rel, H.addDataAsRelated('x', 'png')(rel), 'addDataAsRelated', /media type/)
    assertInvalid(rel, H.addDataAsRelated('x', 'text/plain', 'a b')(rel), 'addDataAsRelated', /Content-ID/)
    assertInvalid(rel, H.addDataAsRelated('x', 'text/plain', 'a\r\nX: y')(rel), 'addDataAsRelated', /Content-ID/)
    assertInvalid(started(), H.addDataAsRelated('x', 'text/plain')(started()), 'addDataAsRelated', /needs a name/)
    assert.equal(pipe(H.startMultipartBody('mixed')(base()), H.addDataAsRelated('x', 'text/plain')).error, null)
  })
})

describe('a multipart request as data', () => {
  const req = pipe(
    H.startMultipartBody('related', 'application/json')(base()),
    H.addDataAsRelated('{"a":1}', 'application/json', 'meta'),
    H.addDataAsRelated(H.fromFile('/data/big.iso'), 'application/octet-stream'),
    H.addMultipartFormDataFile('f', 'ф.bin', new Uint8Array([0, 1, 2])),
  )
  test('RequestCodec round-trips it, files as path references', () => {
    const saved = JSON.parse(JSON.stringify(H.RequestCodec.encode(req))) as unknown
    assert.deepEqual(H.RequestCodec.decode(saved), E.right(req))
    assert.match(JSON.stringify(saved), /"path":"\/data\/big\.iso"/)
  })
  test('a template round-trips it; a template with an invalid part is refused, naming the field', () => {
    // the file part reads /data/big.iso: a template may only with trust in that directory
    assert.ok(E.isLeft(H.fromTemplate(JSON.parse(JSON.stringify(H.toTemplate(req))))))
    const loaded = H.fromTemplate(JSON.parse(JSON.stringify(H.toTemplate(req))), { files: ['/data'] })
    assert.ok(E.isRight(loaded))
    assert.deepEqual(loaded.right.body, req.body)
    const t = JSON.parse(JSON.stringify(H.toTemplate(req))) as { request: { body: { parts: Array<{ mime: string }> } } }
    const first = t.request.body.parts[0]
    if (first !== undefined) first.mime = 'text/plain\r\nX-Evil: 1'
    const bad = H.fromTemplate(t)
    assert.ok(E.isLeft(bad) && /body/.test(bad.left.message), E.isLeft(bad) ? bad.left.message : 'loaded')
  })
  test("a Content-Type header on a multipart body is InvalidInput when prepared (the boundary is httpipe's)", async () => {
    const e = asTag(
      await ko(
        pipe(
          started(),
          H.addMultipartFormDataField('a', 'b'),
          H.addHeader('Content-Type', 'multipart/form-data'),
          H.prepareRequest('POST'),
        ),
      ),
      'InvalidInput',
    )
    assert.match(e.message, /^prepareRequest: a Content-Type header cannot be set on a multipart body/)
  })
  test('setDataType does not replace the multipart Content-Type', async () => {
    const p = await ok(
      pipe(
        started(),
        H.setDataType('application/json'),
        H.addMultipartFormDataField('a', 'b'),
        H.prepareRequest('POST'),
      ),
    )
    assert.match(p.headers.find(([n]) => n === 'Content-Type')?.[1] ?? '', /^multipart\/form-data; boundary=/)
  })
})

describe('AWS4 over a multipart body', () => {
  const tmp = useTempDir('mp-aws')
  let v: SigV4Verifier
  before(async () => {
    v = await startSigV4Verifier({ accessKey: 'AKID', secretKey: 'SECRET', region: 'us-east-1', service: 's3' })
  })
  after(async () => {
    await v.close()
  })
  test('the payload hash is the SHA-256 of the bytes on the wire, file parts streamed through it', async () => {
    const path = tmp.file('part.bin')
    await writeFile(path, Buffer.alloc(1 << 20, 7))
    const res = await ok(
      pipe(
        H.newRequest(),
        H.initialize(`${v.url}/bucket/key`),
        H.startMultipartBody(),
        H.addMultipartFormDataField('meta', 'x'),
        H.addMultipartFormDataFile('file', 'part.bin', H.fromFile(path)),
        H.addAws4Authorization('AKID', 'SECRET', 'us-east-1'),
        H.processRequest('POST'),
      ),
    )
    const seen = v.requests.at(-1)
    assert.equal(res.status, 200, seen?.reason ?? '')
    assert.equal(seen?.ok, true)
    assert.equal(seen?.headers['x-amz-content-sha256'], seen?.bodySha256)
    assert.ok((seen?.bodyBytes ?? 0) > 1 << 20)
    assert.notEqual(seen?.bodySha256, createHash('sha256').update('').digest('hex'))
  })
})
