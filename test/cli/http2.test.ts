/**
 * The command line's `--http2` (useHttp2) against a node:http2 server that also speaks
 * HTTP/1.1: with it the answer comes over HTTP/2 and `--log` says so; without it, HTTP/1.1;
 * `--curl` adds curl's `--http2` on https:, and a saved template keeps the setting.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { makePki, type Pki } from '../support/peers.js'
import { useTempDir } from '../support/fixtures.js'
import { startTlsServer, type TlsServer } from '../transport/http2-helpers.js'
import { httpipe, httpipeSpawned } from './helpers.js'

let pki: Pki
let server: TlsServer
const tmp = useTempDir('cli-http2')

before(async () => {
  pki = makePki()
  server = await startTlsServer(pki)
})
after(() => server.close())

describe('--http2', () => {
  test('the answer comes over HTTP/2, and --log says so', async () => {
    const r = await httpipe([`${server.url}/n/cli`, '--ca', pki.caPath, '--http2', '--log'])
    assert.equal(r.code, 0, r.err)
    assert.deepEqual(JSON.parse(r.out), { path: '/n/cli', version: '2.0' })
    assert.match(r.err, /useHttp2: HTTP\/2 on/)
    assert.match(r.err, /executeRequest: HTTP\/2 used/)
  })

  test('the built command, spawned as a user runs it, speaks HTTP/2 too', async () => {
    const r = await httpipeSpawned([`${server.url}/n/spawned`, '--ca', pki.caPath, '--http2'])
    assert.equal(r.code, 0, r.err)
    assert.deepEqual(JSON.parse(r.out), { path: '/n/spawned', version: '2.0' })
  })

  test('without it: HTTP/1.1, and the log has no version line', async () => {
    const r = await httpipe([`${server.url}/n/plain`, '--ca', pki.caPath, '--log'])
    assert.equal(r.code, 0, r.err)
    assert.deepEqual(JSON.parse(r.out), { path: '/n/plain', version: '1.1' })
    assert.doesNotMatch(r.err, /HTTP\/2|useHttp2/)
  })

  test('--curl prints curl’s --http2 on https: only', async () => {
    const on = await httpipe(['https://a.example/x', '--http2', '--curl'])
    assert.equal(on.code, 0, on.err)
    assert.match(on.out, /--http2/)
    const plain = await httpipe(['http://a.example/x', '--http2', '--curl'])
    assert.doesNotMatch(plain.out, /--http2/)
  })

  test('--save-template keeps the setting', async () => {
    const file = tmp.file('h2.json')
    const r = await httpipe(['https://a.example/x', '--http2', '--save-template', file])
    assert.equal(r.code, 0, r.err)
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { request: { settings: { http2: boolean } } }
    assert.equal(saved.request.settings.http2, true)
  })

  test('--help lists it', async () => {
    const r = await httpipe(['--help'])
    assert.match(r.out, /--http2\s+offer HTTP\/2 on https: \(useHttp2\)/)
  })
})
