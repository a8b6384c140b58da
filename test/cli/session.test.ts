/**
 * `--session` against the echo server, with real files in a temp folder: cookies set by one
 * run sent by the next (two processes), the file's mode, no secret value in it, secrets kept
 * only as env:NAME references, the command line winning over the session, read-only sessions,
 * and session files that cannot be used (a usage error naming the file, nothing sent).
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { httpipe, httpipeSpawned, MAIN, spawnCollect, useFixtures } from './helpers.js'

const fx = useFixtures()
let n = 0
/** A config folder of its own for each test, and where a named session of the echo server's host lives in it. */
const config = () => {
  const home = join(fx.dir, `config-${(n += 1)}`)
  const host = new URL(fx.server.url).host.replace(':', '_')
  return {
    env: { XDG_CONFIG_HOME: home },
    file: (name: string) => join(home, 'httpipe', 'sessions', host, `${name}.json`),
  }
}

describe('--session keeps cookies and headers between runs', () => {
  test('a cookie set by the first run is sent by the second; headers kept; the file is 0600 and holds no secret value', async () => {
    const c = config()
    const first = await httpipeSpawned(
      [
        '--session',
        'api',
        `${fx.server.url}/cookies/set?sid=abc123`,
        'X-Trace:1',
        'X-Api-Key:env:API_KEY',
        'Cookie:pref=c00kie-literal',
        '-u',
        'ann:pa55-literal',
      ],
      { env: { ...c.env, API_KEY: 'k3y-value' } },
    )
    assert.equal(first.code, 0, first.err)
    assert.match(first.err, /not kept in the session .*: Cookie, -u/)
    const st = await stat(c.file('api'))
    assert.equal(st.mode & 0o777, 0o600)
    assert.equal((await stat(join(c.file('api'), '..', '..'))).mode & 0o777, 0o700)
    const text = await readFile(c.file('api'), 'utf8')
    for (const secret of ['k3y-value', 'c00kie-literal', 'pa55-literal']) assert.ok(!text.includes(secret), secret)
    assert.ok(text.includes('"env:API_KEY"'))
    assert.ok(text.includes('abc123'), 'the cookie the server set is the session')

    const before = fx.server.requests.length
    const second = await httpipeSpawned(['--session', 'api', `${fx.server.url}/anything`], {
      env: { ...c.env, API_KEY: 'k3y-value' },
    })
    assert.equal(second.code, 0, second.err)
    assert.equal(fx.server.requests.length, before + 1)
    const got = fx.server.requests.at(-1)?.headers ?? {}
    assert.equal(got['cookie'], 'sid=abc123')
    assert.equal(got['x-trace'], '1')
    assert.equal(got['x-api-key'], 'k3y-value')
    assert.equal(got['authorization'], undefined, 'a password given as a value is not kept')
  })

  test('authorization given as env:NAME is kept by name; the command line wins over the session', async () => {
    const c = config()
    const env = { ...c.env, API_TOKEN: 't0ken-value' }
    assert.equal(
      (
        await httpipe(['--session', 's', `${fx.server.url}/get`, '--bearer', 'env:API_TOKEN', 'Accept:text/x-a'], {
          env,
        })
      ).code,
      0,
    )
    const text = await readFile(c.file('s'), 'utf8')
    assert.ok(!text.includes('t0ken-value'))
    assert.deepEqual(JSON.parse(text).auth, { type: 'bearer', token: 'env:API_TOKEN' })
    assert.equal((await httpipe(['--session', 's', `${fx.server.url}/get`], { env })).code, 0)
    assert.equal(fx.server.requests.at(-1)?.headers['authorization'], 'Bearer t0ken-value')
    assert.equal(fx.server.requests.at(-1)?.headers['accept'], 'text/x-a')
    assert.equal(
      (await httpipe(['--session', 's', `${fx.server.url}/get`, 'Accept:text/x-b', '-u', 'bo:pw'], { env })).code,
      0,
    )
    assert.equal(fx.server.requests.at(-1)?.headers['accept'], 'text/x-b')
    assert.equal(
      fx.server.requests.at(-1)?.headers['authorization'],
      `Basic ${Buffer.from('bo:pw').toString('base64')}`,
    )
    // the new header replaced the kept one; the literal password replaced the token and was not kept
    const after = JSON.parse(await readFile(c.file('s'), 'utf8'))
    assert.deepEqual(after.headers, [{ name: 'Accept', value: 'text/x-b' }])
    assert.equal(after.auth, null)
  })

  test('a path is used as given; --session-read-only sends what the session holds and writes nothing', async () => {
    const path = join(fx.dir, `path-${(n += 1)}`, 'my.json')
    assert.equal((await httpipe(['--session', path, `${fx.server.url}/cookies/set?a=1`, 'X-K:v'])).code, 0)
    const text = await readFile(path, 'utf8')
    const ro = await httpipe(['--session-read-only', path, `${fx.server.url}/cookies/set?b=2`, 'X-K:other'])
    assert.equal(ro.code, 0, ro.err)
    assert.equal(fx.server.requests.at(-1)?.headers['cookie'], 'a=1')
    assert.equal(await readFile(path, 'utf8'), text)
  })
})

describe('a session file that cannot be used is a usage error naming it, nothing sent', () => {
  const cases: ReadonlyArray<readonly [string, string | null, RegExp]> = [
    ['not JSON', '{"headers": [', /not JSON/],
    ['not an object', '[1, 2]', /not a session/],
    ['bad headers', '{"headers": 3}', /"headers" must be a list/],
    [
      'a secret header with a value',
      '{"headers": [{"name": "Authorization", "value": "Bearer x"}]}',
      /only an env:NAME reference/,
    ],
    [
      'a password as a value',
      '{"auth": {"type": "basic", "username": "a", "password": "pw"}}',
      /auth.password must be an env:NAME/,
    ],
    ['bad cookies', '{"cookies": {"cookies": 7}}', /"cookies" must be a cookie jar/],
    [
      'a header value with a line break',
      '{"headers": [{"name": "X-A", "value": "v\\r\\nInjected: 1"}]}',
      /headers\[0\] is no header/,
    ],
    [
      'a cookie value with a line break',
      '{"cookies": {"cookies": [{"key": "a", "value": "b\\r\\nX: y"}]}}',
      /cookies\[0\] must have/,
    ],
    [
      'a cookie date that is no date',
      '{"cookies": {"cookies": [{"key": "a", "value": "b", "expires": "soon"}]}}',
      /cookies\[0\]\.expires is no date/,
    ],
    ['a folder', null, /not a regular file/],
  ]
  for (const [what, content, message] of cases)
    test(what, async () => {
      const c = config()
      const file = c.file('bad')
      await mkdir(content === null ? file : join(file, '..'), { recursive: true })
      if (content !== null) await writeFile(file, content, { mode: 0o600 })
      const before = fx.server.requests.length
      const r = await httpipe(['--session', 'bad', `${fx.server.url}/get`], { env: c.env })
      assert.equal(r.code, 2, r.err)
      assert.ok(r.err.startsWith(`httpipe: session ${file}: `), r.err)
      assert.match(r.err, message)
      assert.doesNotMatch(r.err, /unexpected failure/)
      assert.equal(fx.server.requests.length, before)
    })

  test('a FIFO is refused, never read (a read would wait for a writer)', async () => {
    const c = config()
    await mkdir(join(c.file('fifo'), '..'), { recursive: true })
    execFileSync('mkfifo', ['-m', '600', c.file('fifo')])
    const r = await httpipe(['--session', 'fifo', `${fx.server.url}/get`], { env: c.env })
    assert.equal(r.code, 2)
    assert.match(r.err, /not a regular file/)
  })

  test('a file others may read (0644) is refused, with the chmod that fixes it', async () => {
    const c = config()
    await mkdir(join(c.file('open'), '..'), { recursive: true })
    await writeFile(c.file('open'), '{}')
    await chmod(c.file('open'), 0o644)
    const r = await httpipe(['--session', 'open', `${fx.server.url}/get`], { env: c.env })
    assert.equal(r.code, 2)
    assert.match(r.err, /others may read or write it \(mode 0644\).*chmod 600/)
  })

  test('a name that is neither a name nor a path', async () => {
    const r = await httpipe(['--session', 'a b', `${fx.server.url}/get`], { env: config().env })
    assert.equal(r.code, 2)
    assert.match(r.err, /neither a name/)
  })
})

describe('tough-cookie is loaded only when a session is used', () => {
  test('not by --version or a run without a session; by a run with one', async () => {
    const hook = join(fx.dir, 'hook.cjs')
    await writeFile(
      hook,
      `const Module = require('node:module'); const load = Module._load; let seen = false
Module._load = function (request, ...rest) { if (String(request).includes('tough-cookie')) seen = true; return load.call(this, request, ...rest) }
process.on('exit', () => process.stderr.write('tough-cookie loaded: ' + seen + '\\n'))`,
    )
    const loads = async (args: ReadonlyArray<string>): Promise<boolean> => {
      const r = await spawnCollect(process.execPath, ['--require', hook, MAIN, ...args], { env: config().env })
      const m = /tough-cookie loaded: (true|false)/.exec(r.err)
      assert.ok(m !== null, r.err)
      return m?.[1] === 'true'
    }
    assert.equal(await loads(['--version']), false)
    assert.equal(await loads([`${fx.server.url}/get`]), false)
    assert.equal(await loads(['--session', 'lazy', `${fx.server.url}/get`]), true)
  })
})
