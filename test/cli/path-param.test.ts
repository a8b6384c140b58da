/**
 * `--path-param NAME=VALUE` (setPathParam) on the built command, against the echo server: each
 * value one encoded segment, in the URL and the base URL, after a template; what a step refuses
 * is a usage error (exit 2), a placeholder without a value an InvalidInput (exit 1), nothing sent.
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { echo, httpipe, useFixtures } from './helpers.js'

const fx = useFixtures()

describe('--path-param', () => {
  test('fills {name} placeholders of the URL and the base URL, each value one encoded segment', async () => {
    const e = await echo([
      `${fx.server.url}/anything/{org}/repos/{name}?q={name}`,
      '--path-param',
      'org=a/b',
      '--path-param',
      'name=é x%',
    ])
    assert.equal(e.path, '/anything/a%2Fb/repos/%C3%A9%20x%25')
    assert.equal(e.rawQuery, 'q=%7Bname%7D')
    const b = await echo([
      '/items/{id}',
      '--base-url',
      `${fx.server.url}/anything/{t}`,
      '--path-param',
      't=acme',
      '--path-param',
      'id=7',
    ])
    assert.equal(b.path, '/anything/acme/items/7')
  })
  test('a saved template keeps the placeholder; --path-param after --template fills it', async () => {
    const path = join(fx.dir, 'path-param.json')
    const saved = await httpipe([`${fx.server.url}/anything/u/{id}`, '--path-param', 'id=1', '--save-template', path])
    assert.equal(saved.code, 0, saved.err)
    assert.equal((await echo(['--template', path])).path, '/anything/u/1')
    assert.equal((await echo(['--template', path, '--path-param', 'id=../x'])).path, '/anything/u/..%2Fx')
  })
  test('.. is a usage error naming setPathParam; a placeholder without a value is InvalidInput; nothing is sent', async () => {
    const before = fx.server.requests.length
    const dots = await httpipe([`${fx.server.url}/anything/{id}`, '--path-param', 'id=..'])
    assert.equal(dots.code, 2, dots.err)
    assert.match(dots.err, /setPathParam: the path param id is '\.\.'/)
    const missing = await httpipe([`${fx.server.url}/anything/{id}`])
    assert.equal(missing.code, 1, missing.err)
    assert.match(missing.err, /the path placeholder \{id\} has no value/)
    const bad = await httpipe([`${fx.server.url}/anything/{id}`, '--path-param', 'novalue'])
    assert.equal(bad.code, 2, bad.err)
    assert.match(bad.err, /expected name=value/)
    assert.equal(fx.server.requests.length, before)
  })
})
