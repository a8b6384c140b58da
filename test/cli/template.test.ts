/**
 * Templates from the built `httpipe` command: saved with secret references (never their values)
 * and literal secrets withheld, loaded back to send the same request, changed by further flags;
 * templates that cannot be loaded are usage errors (exit 2) that say why.
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { EchoPayload } from '../../src/testing/index.js'
import { echo, httpipe, useFixtures } from './helpers.js'

const fx = useFixtures()

const SECRETS = { CLI_API_TOKEN: 'tok-9f8e7d', CLI_KEY: 'key-1a2b3c' }
const same = (e: EchoPayload) => ({
  method: e.method,
  path: e.path,
  rawQuery: e.rawQuery,
  headers: e.headers,
  data: e.data,
})

describe('a template round trip', () => {
  test('secrets given as env:NAME are saved as references; the loaded template sends the same request', async () => {
    const path = join(fx.dir, 'api.json')
    const flags = [
      `${fx.server.url}/anything/items`,
      '--param',
      'page=2',
      '-H',
      'X-Api-Key: env:CLI_KEY',
      '--bearer',
      'env:CLI_API_TOKEN',
      '--json',
      '{"a":1}',
      '--retries',
      '2',
    ]
    const saved = await httpipe([...flags, '--save-template', path], { env: SECRETS })
    assert.equal(saved.code, 0, saved.err)
    assert.equal(saved.out, '')
    assert.equal(saved.err, `httpipe: template saved to ${path}\n`)
    assert.equal(fx.server.requests.filter((r) => r.url.startsWith('/anything/items')).length, 0, 'nothing sent')
    const text = await readFile(path, 'utf8')
    for (const v of Object.values(SECRETS)) assert.ok(!text.includes(v), `the template holds no ${v}`)
    const json = JSON.parse(text) as {
      httpipeTemplate: number
      request: { auth: unknown; headers: unknown; settings: { maxAttempts: number } }
    }
    assert.equal(json.httpipeTemplate, 1)
    assert.deepEqual(json.request.auth, { _tag: 'Bearer', token: { _tag: 'SecretRef', env: 'CLI_API_TOKEN' } })
    assert.deepEqual(json.request.headers, [['X-Api-Key', { _tag: 'SecretRef', env: 'CLI_KEY' }]])
    assert.equal(json.request.settings.maxAttempts, 2)

    const direct = await echo(flags, { env: SECRETS })
    const trust = Object.keys(SECRETS).flatMap((n) => ['--trust-secret', `${n}=${fx.server.url}`])
    const loaded = await echo(['POST', '--template', path, ...trust], { env: SECRETS })
    assert.deepEqual(same(loaded), same(direct))
    assert.equal(loaded.headers['authorization'], `Bearer ${SECRETS.CLI_API_TOKEN}`)
    assert.equal(loaded.headers['x-api-key'], SECRETS.CLI_KEY)
  })
  test('the loaded request is POST for its body, other flags change it, a URL replaces its URL', async () => {
    const path = join(fx.dir, 'change.json')
    assert.equal(
      (await httpipe([`${fx.server.url}/anything/a`, '--json', '{"x":1}', '--param', 'p=1', '--save-template', path]))
        .code,
      0,
    )
    const e = await echo(['--template', path, '--param', 'q=2', '-H', 'X-New: yes'])
    assert.equal(e.method, 'POST')
    assert.equal(e.rawQuery, 'p=1&q=2')
    assert.equal(e.headers['x-new'], 'yes')
    assert.equal(e.data, '{"x":1}')
    const moved = await echo(['PUT', `${fx.server.url}/anything/b`, '--template', path, '--data', 'text now'])
    assert.deepEqual([moved.method, moved.path, moved.data], ['PUT', '/anything/b', 'text now'])
  })
  test('a literal secret is withheld (said on stderr) and running the template without it is exit 1 naming the field', async () => {
    const path = join(fx.dir, 'literal.json')
    const saved = await httpipe([`${fx.server.url}/bearer`, '--bearer', 'literal-s3cret', '--save-template', path])
    assert.equal(saved.code, 0)
    assert.match(saved.err, /withheld from the template \(give them as env:NAME to save a reference\): auth\.token/)
    assert.ok(!(await readFile(path, 'utf8')).includes('literal-s3cret'))
    const run = await httpipe(['--template', path])
    assert.equal(run.code, 1)
    assert.match(run.err, /auth\.token was not saved in the template/)
    assert.deepEqual(JSON.parse((await httpipe(['--template', path, '--bearer', 'again'])).out), {
      authenticated: true,
      token: 'again',
    })
  })
  test('--save-template to a place that cannot be written is exit 1', async () => {
    const r = await httpipe([`${fx.server.url}/get`, '--save-template', join(fx.dir, 'no', 'such', 'dir.json')])
    assert.equal(r.code, 1)
    assert.match(r.err, /cannot save the template: ENOENT/)
  })
})

describe('templates that cannot be loaded are usage errors', () => {
  const cases: ReadonlyArray<readonly [string, string | null, RegExp]> = [
    ['missing.json', null, /^httpipe: cannot read the template .*missing\.json: ENOENT\n$/],
    ['broken.json', '{"httpipeTemplate": 1, "request": ', /^httpipe: the template .*broken\.json is not JSON: /],
    [
      'version.json',
      '{"httpipeTemplate": 99, "request": {}}',
      /^httpipe: the template .*version\.json: not an httpipe template of version 1\n$/,
    ],
    [
      'field.json',
      null,
      /^httpipe: the template .*field\.json: the template's request is not valid at settings\.timeout/,
    ],
  ]
  for (const [name, content, message] of cases)
    test(name, async () => {
      const path = join(fx.dir, name)
      if (name === 'field.json') {
        assert.equal((await httpipe([`${fx.server.url}/get`, '--save-template', path])).code, 0)
        const t = JSON.parse(await readFile(path, 'utf8')) as { request: { settings: { timeout: unknown } } }
        t.request.settings.timeout = -5
        await writeFile(path, JSON.stringify(t))
      } else if (content !== null) await writeFile(path, content)
      const before = fx.server.requests.length
      const r = await httpipe(['--template', path, `${fx.server.url}/get`])
      assert.equal(r.code, 2)
      assert.match(r.err, message)
      assert.equal(r.stdout.byteLength, 0)
      assert.equal(fx.server.requests.length, before, 'nothing sent')
    })
})
