/**
 * Upload progress: counted once, where an attempt hands body bytes to the transport, for every
 * body kind; events rise to the total. Downloads keep their own events.
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { pipe } from 'fp-ts/function'
import * as H from '../../src/index.js'
import { ok, onTestTransport } from './helpers.js'
import { useEchoServer, useTempDir } from '../support/fixtures.js'

const tmp = useTempDir('progress')
const echo = useEchoServer()

/** Runs `req` as a PUT, returning the upload events and the Content-Length that was sent. */
const uploads = async (req: H.Request): Promise<{ readonly events: H.Progress[]; readonly length: number }> => {
  const events: H.Progress[] = []
  const res = await ok(H.processRequest('PUT', onTestTransport({ onProgress: (p) => events.push(p) }))(req))
  assert.equal(res.status, 200)
  const length = Number(echo.server.requests.at(-1)?.headers['content-length'])
  return { events: events.filter((e) => e.direction === 'upload'), length }
}

/** Events rise strictly, each with the total, and the last one is the total. */
const assertRises = (events: ReadonlyArray<H.Progress>, total: number): void => {
  assert.ok(events.length >= 1, 'no upload event')
  for (const [i, e] of events.entries()) {
    assert.equal(e.total, total)
    if (i > 0)
      assert.ok(
        e.loaded > (events[i - 1]?.loaded ?? 0),
        `event ${i} does not rise: ${JSON.stringify(events.slice(i - 1, i + 1))}`,
      )
  }
  assert.equal(events.at(-1)?.loaded, total)
}

const at = (path: string): H.Request => pipe(H.newRequest(), H.initialize(`${echo.url}${path}`))

describe('upload progress', () => {
  test('a file body: events rise to the file size, in several steps', async () => {
    const path = tmp.file('file.bin')
    await writeFile(path, Buffer.alloc(3 << 20, 'f'))
    const { events, length } = await uploads(H.setBinaryBody(H.fromFile(path))(at('/put')))
    assert.equal(length, 3 << 20)
    assertRises(events, length)
    assert.ok(events.length > 3, `${events.length} events for 3 MiB`)
  })
  test('a multipart body with a file part: events rise to the whole body length', async () => {
    const path = tmp.file('part.bin')
    await writeFile(path, Buffer.alloc(1 << 20, 'p'))
    const { events, length } = await uploads(
      pipe(
        at('/put'),
        H.startMultipartBody(),
        H.addMultipartFormDataField('a', 'b'),
        H.addMultipartFormDataFile('f', 'p.bin', H.fromFile(path)),
      ),
    )
    assert.ok(length > 1 << 20)
    assertRises(events, length)
  })
  test('small in-memory bodies report too: JSON and a form, one event at the total', async () => {
    for (const req of [H.setJsonBody({ a: 1 })(at('/put')), H.setFormBody({ a: 'b' })(at('/put'))]) {
      const { events, length } = await uploads(req)
      assertRises(events, length)
    }
  })
  test('a larger in-memory body goes out in chunks, each reported', async () => {
    const { events, length } = await uploads(H.setBinaryBody(new Uint8Array(1 << 20))(at('/put')))
    assertRises(events, length)
    assert.ok(events.length >= 16)
  })
  test('no body, no upload event', async () => {
    const { events } = await uploads(at('/put'))
    assert.deepEqual(events, [])
  })
})
