/**
 * Live Digest tests against Debian's apache2 with mod_auth_digest, started on 127.0.0.1 by
 * test/support/apache.ts (installed by scripts/install-peers.sh, which `npm test` runs first).
 */
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { after, before, describe, test } from 'node:test'
import { pipe } from 'fp-ts/function'

import * as H from '../../src/index.js'
import { ok } from '../execute/helpers.js'
import { startApacheDigest, type ApacheDigest } from '../support/apache.js'
import { useTempDir } from '../support/fixtures.js'

const REALM = 'httpipe live digest'
const USER = 'ann'
const PASSWORD = 'Pa55 "w0rd": ü, \\ s3cr3t'
const WRONG = 'Pa55 "w0rd": ü, \\ wrong!'

describe('live: apache2 mod_auth_digest', () => {
  let apache: ApacheDigest
  const tmp = useTempDir('digest-live')
  before(async () => {
    apache = await startApacheDigest({ realm: REALM, users: [{ user: USER, password: PASSWORD }] })
  })
  after(async () => {
    await apache.stop()
  })
  const req = (path: string, password = PASSWORD): H.Request =>
    pipe(H.newRequest(), H.initialize(`${apache.url}${path}`), H.addDigestAuthorization(USER, password))
  const text = (res: H.HttpResponse): string => Buffer.from(res.body).toString('utf8')
  /**
   * The access log lines for `request` (`'GET /path'`) written since `from` chars, sorted, once
   * there are `count` of them (waits up to 10 s). Apache writes a line after the response has
   * gone, from the worker that served it: the client can be faster, a line of the previous test
   * can come after `from`, and when the client uses two connections (undici opens a second one
   * for a request sent right after a body ended) the two lines can come in either order.
   */
  const accessSince = async (from: number, count: number, request: string): Promise<string[]> => {
    const until = Date.now() + 10_000
    for (;;) {
      const lines = apache
        .accessLog()
        .slice(from)
        .split('\n')
        .filter((l) => l.startsWith(`${request} `))
      if (lines.length >= count || Date.now() > until) return lines.sort()
      await new Promise((r) => setTimeout(r, 20))
    }
  }
  /** The error log once it matches `re` (written asynchronously too; waits up to 10 s). */
  const errorLogMatching = async (re: RegExp): Promise<string> => {
    const until = Date.now() + 10_000
    for (;;) {
      const log = apache.errorLog()
      if (re.test(log) || Date.now() > until) return log
      await new Promise((r) => setTimeout(r, 20))
    }
  }
  const noSecret = (res: H.HttpResponse, secret: string): void => {
    const log = H.getLog(res, true)
    assert.ok(!log.includes(secret), log)
  }

  test('GET of the protected file with the right password: 401 answered, then 200 with the file', async () => {
    const mark = apache.accessLog().length
    const res = await ok(pipe(req('/protected/index.html'), H.processRequest('GET')))
    assert.equal(res.status, 200, `${text(res)}\n${apache.errorLog()}`)
    assert.equal(text(res), apache.fileText)
    assert.equal(res.attempts, 2)
    assert.match(res.headers['authentication-info'] ?? '', /rspauth=/)
    assert.deepStrictEqual(await accessSince(mark, 2, 'GET /protected/index.html'), [
      `GET /protected/index.html 200 ${USER}`,
      'GET /protected/index.html 401 -',
    ])
    noSecret(res, PASSWORD)
  })

  test('POST with a JSON body to the CGI: the body is sent again and echoed', async () => {
    const doc = { field1: 10, field2: 'Text, "quoted" and ünïcode', list: [1, 2, 3] }
    const mark = apache.accessLog().length
    const res = await ok(pipe(req('/protected/echo.cgi'), H.setJsonBody(doc), H.processRequest('POST')))
    assert.equal(res.status, 200, `${text(res)}\n${apache.errorLog()}`)
    const body = JSON.stringify(doc)
    const [head, echoed] = text(res).split('\n\n')
    assert.deepStrictEqual(head?.split('\n'), ['method=POST', `length=${Buffer.byteLength(body)}`, `user=${USER}`])
    assert.deepStrictEqual(JSON.parse(echoed ?? ''), doc)
    assert.deepStrictEqual(await accessSince(mark, 2, 'POST /protected/echo.cgi'), [
      `POST /protected/echo.cgi 200 ${USER}`,
      'POST /protected/echo.cgi 401 -',
    ])
    noSecret(res, PASSWORD)
  })

  test('PUT of a file body to the CGI: the file is re-opened for the answer', async () => {
    const path = tmp.file('upload.txt')
    const content = 'line\n'.repeat(20_000)
    writeFileSync(path, content)
    const res = await ok(pipe(req('/protected/echo.cgi'), H.setBinaryBody(H.fromFile(path)), H.processRequest('PUT')))
    assert.equal(res.status, 200, `${text(res)}\n${apache.errorLog()}`)
    const [head, echoed] = text(res).split('\n\n')
    assert.deepStrictEqual(head?.split('\n'), ['method=PUT', `length=${content.length}`, `user=${USER}`])
    assert.equal(echoed, content)
  })

  test('a wrong password comes back as a Right 401 after one answer', async () => {
    const mark = apache.accessLog().length
    const res = await ok(pipe(req('/protected/index.html', WRONG), H.processRequest('GET')))
    assert.equal(res.status, 401)
    assert.match(res.headers['www-authenticate'] ?? '', /^Digest /)
    assert.deepStrictEqual(await accessSince(mark, 2, 'GET /protected/index.html'), [
      'GET /protected/index.html 401 -',
      `GET /protected/index.html 401 ${USER}`,
    ])
    assert.match(await errorLogMatching(/user ann: password mismatch/), /user ann: password mismatch/)
    assert.match(H.getLog(res, true), /Digest credentials refused/)
    noSecret(res, WRONG)
    noSecret(res, PASSWORD)
  })

  test('an unprotected file: no Authorization is sent at all', async () => {
    const mark = apache.accessLog().length
    const res = await ok(pipe(req('/open.txt'), H.processRequest('GET')))
    assert.equal(res.status, 200)
    assert.equal(text(res), 'open\n')
    assert.equal(res.attempts, 1)
    assert.deepStrictEqual(await accessSince(mark, 1, 'GET /open.txt'), ['GET /open.txt 200 -'])
  })
})
