/**
 * The built package: both module formats load through the `exports` map (run after
 * `npm run build`, which `npm test` does first), and the version matches package.json.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { VERSION } from '../src/index.js'

const node = (code: string, type: 'module' | 'commonjs'): string =>
  execFileSync(process.execPath, [type === 'module' ? '--input-type=module' : '--input-type=commonjs', '-e', code], { encoding: 'utf8' }).trim()

test('ESM: import httpipe and httpipe/testing from dist', () => {
  const out = node(
    "const H = await import('httpipe'); const T = await import('httpipe/testing'); console.log(typeof H.processRequest, typeof H.newRequest, typeof T.startEchoServer)",
    'module',
  )
  assert.equal(out, 'function function function')
})

test('CommonJS: require httpipe and httpipe/testing from dist', () => {
  const out = node(
    "const H = require('httpipe'); const T = require('httpipe/testing'); console.log(typeof H.processRequest, typeof H.asJson, typeof T.startEchoServer)",
    'commonjs',
  )
  assert.equal(out, 'function function function')
})

test('CommonJS build runs a request end to end', () => {
  const out = node(
    `const H = require('httpipe'); const { startEchoServer } = require('httpipe/testing'); const { pipe } = require('fp-ts/function');
     (async () => { const s = await startEchoServer(); const r = await pipe(H.newRequest(), H.initialize(s.url + '/get?x=1'), H.processRequest('GET'))(); await s.close();
       console.log(r._tag, r.right.status, JSON.parse(Buffer.from(r.right.body).toString()).args.x) })()`,
    'commonjs',
  )
  assert.equal(out, 'Right 200 1')
})

test('VERSION and the User-Agent follow package.json', () => {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }
  assert.equal(VERSION, pkg.version)
})

test('a missing export is an error, not undefined behaviour', () => {
  assert.throws(() => node("require('httpipe/nope')", 'commonjs'), /ERR_PACKAGE_PATH_NOT_EXPORTED|not exported/)
})
