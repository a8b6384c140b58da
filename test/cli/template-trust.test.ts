/**
 * `httpipe --template` with a template from someone else (SPEC §13), on the BUILT command: a
 * template that reads env secrets, reads and writes files, uses a proxy and turns TLS checks off
 * is a usage error (exit 2) naming every field and the flag that allows it, and nothing is sent;
 * with `--trust-secret`, `--trust-files`, `--trust-proxy` and `--insecure` it runs, after a
 * summary on stderr of what it will do. `env:` with a bad variable name is a usage error.
 * Servers are raw node:http on 127.0.0.1 that count what they receive.
 */
import assert from 'node:assert/strict'
import { request as httpRequest } from 'node:http'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { pipe } from 'fp-ts/function'
import * as H from '../../src/index.js'
import { httpipe } from './helpers.js'
import { useRecordingServer, useTempDir, type Recorded, type RecordingFixture } from '../support/fixtures.js'

/** What a recording server received, as its JSON echo carries it (the body as text). */
type Seen = Omit<Recorded, 'body'> & { readonly body: string }

/** A recording server on 127.0.0.1 that echoes what it received as JSON; `forward` makes it a forwarding proxy. */
const counting = (forward = false): RecordingFixture =>
  useRecordingServer((r, res) => {
    if (!forward) return void res.end(JSON.stringify({ ...r, body: r.body.toString() }))
    const up = httpRequest(r.url, { method: r.method, headers: r.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers)
      answer.pipe(res)
    })
    up.on('error', () => res.destroy())
    up.end(r.body)
  })

const origin = counting()
const proxy = counting(true)
const internal = counting()
const tmp = useTempDir('cli-trust')
const ENV = { GITHUB_TOKEN: 'ghp-cli-secret-1111', AWS_SECRET_ACCESS_KEY: 'aws-cli-secret-2222' }

/** Writes the hostile template (and the files it names) into a fresh directory. */
const hostile = async (name: string): Promise<{ readonly path: string; readonly dir: string }> => {
  const dir = tmp.file(name)
  await mkdir(dir, { recursive: true })
  await writeFile(join(dir, 'id_rsa'), 'LOCAL-KEY-FILE')
  await writeFile(join(dir, '.bashrc'), 'original dotfile')
  const req = pipe(
    H.newRequest(),
    H.initialize(`${origin.url}/collect`),
    H.addHeader('Accept', 'application/json'),
    H.addHeader('X-Request', 'innocent'),
    H.addHeader('X-Trace', H.secretFromEnv('GITHUB_TOKEN')),
    H.addBearerAuthorization(H.secretFromEnv('AWS_SECRET_ACCESS_KEY')),
    H.setBinaryBody(H.fromFile(join(dir, 'id_rsa'))),
    H.setResponseFile(join(dir, '.bashrc')),
    H.setProxy(proxy.url),
    H.setTls({ rejectUnauthorized: false }),
  )
  const path = join(dir, 'shared.json')
  await writeFile(path, JSON.stringify(H.toTemplate(req)))
  return { path, dir }
}

const trustFlags = (dir: string): ReadonlyArray<string> => [
  '--trust-secret',
  `GITHUB_TOKEN=${origin.url}`,
  '--trust-secret',
  `AWS_SECRET_ACCESS_KEY=${origin.url}/`,
  '--trust-files',
  dir,
  '--trust-proxy',
  '--insecure',
]

describe('httpipe --template with a template from someone else', () => {
  test('refused: exit 2, every field named with the flag that allows it, nothing sent, no file written', async () => {
    const { path, dir } = await hostile('refused')
    const before = [origin.seen.length, proxy.seen.length]
    const r = await httpipe(['--template', path], { env: ENV })
    assert.equal(r.code, 2, r.err)
    assert.equal(r.stdout.byteLength, 0)
    for (const line of [
      `httpipe: the template ${path} was refused, nothing was sent`,
      'httpipe:   headers[2] (X-Trace) reads env GITHUB_TOKEN: allow with --trust-secret GITHUB_TOKEN=ORIGIN',
      'httpipe:   auth.token reads env AWS_SECRET_ACCESS_KEY: allow with --trust-secret AWS_SECRET_ACCESS_KEY=ORIGIN',
      `httpipe:   body reads the file ${join(dir, 'id_rsa')}: allow with --trust-files DIR`,
      `httpipe:   responseFile writes the file ${join(dir, '.bashrc')}: allow with --trust-files DIR`,
      `httpipe:   proxy (${proxy.url}) sends the request through a proxy: allow with --trust-proxy`,
      'httpipe:   tls.rejectUnauthorized is false (TLS certificate checks off): allow with --insecure',
    ])
      assert.ok(r.err.includes(line), `${line}\nnot in\n${r.err}`)
    for (const v of Object.values(ENV)) assert.ok(!r.err.includes(v))
    // one flag short: still refused, naming only what is left
    const short = await httpipe(['--template', path, ...trustFlags(dir).slice(0, -1)], { env: ENV })
    assert.equal(short.code, 2)
    assert.match(short.err, /allow with --insecure/)
    assert.doesNotMatch(short.err, /--trust-secret|--trust-files|--trust-proxy/)
    assert.deepEqual([origin.seen.length, proxy.seen.length], before, 'nothing sent')
    assert.equal(await readFile(join(dir, '.bashrc'), 'utf8'), 'original dotfile')
  })

  test('trusted by the flags: runs, after a summary on stderr of what it will do', async () => {
    const { path, dir } = await hostile('trusted')
    const before = [origin.seen.length, proxy.seen.length]
    const r = await httpipe(['--template', path, ...trustFlags(dir)], { env: ENV })
    assert.equal(r.code, 0, r.err)
    assert.deepEqual([origin.seen.length, proxy.seen.length], [(before[0] ?? 0) + 1, (before[1] ?? 0) + 1])
    assert.equal(
      r.err,
      [
        `httpipe: template ${path}: POST ${origin.url}`,
        `httpipe:   secrets: AWS_SECRET_ACCESS_KEY (only to ${origin.url}), GITHUB_TOKEN (only to ${origin.url})`,
        `httpipe:   files: reads ${join(dir, 'id_rsa')}, writes ${join(dir, '.bashrc')}`,
        `httpipe:   proxy: ${proxy.url}`,
        'httpipe:   TLS certificate checks: off',
        '',
      ].join('\n'),
    )
    const got = JSON.parse(await readFile(join(dir, '.bashrc'), 'utf8')) as Seen
    assert.equal(got.headers['x-trace'], ENV.GITHUB_TOKEN)
    assert.equal(got.headers['authorization'], `Bearer ${ENV.AWS_SECRET_ACCESS_KEY}`)
    assert.equal(got.body, 'LOCAL-KEY-FILE')
  })

  test('a body downloaded from a URL: refused without --trust-downloads (nothing fetched), runs with it', async () => {
    const dir = tmp.file('downloads')
    await mkdir(dir, { recursive: true })
    const path = join(dir, 'download.json')
    const source = `${internal.url}/metadata`
    const req = pipe(H.newRequest(), H.initialize(`${origin.url}/collect`), H.setBinaryBody(H.fromUrl(source)))
    await writeFile(path, JSON.stringify(H.toTemplate(req)))
    const before = [internal.seen.length, origin.seen.length]
    const refused = await httpipe(['--template', path])
    assert.equal(refused.code, 2, refused.err)
    assert.match(
      refused.err,
      /body downloads http:\/\/127\.0\.0\.1:\d+\/metadata from this machine: allow with --trust-downloads/,
    )
    assert.deepEqual([internal.seen.length, origin.seen.length], before, 'nothing fetched, nothing sent')
    const r = await httpipe(['--template', path, '--trust-downloads'])
    assert.equal(r.code, 0, r.err)
    assert.match(r.err, new RegExp(`httpipe:   downloads ${source.replace(/[.]/g, '\\.')}\n`))
    assert.deepEqual([internal.seen.length, origin.seen.length], [(before[0] ?? 0) + 1, (before[1] ?? 0) + 1])
  })

  test('a secret trusted for the template origin is not read for another URL given on the command line', async () => {
    const { path, dir } = await hostile('moved')
    const other = `http://localhost:${new URL(origin.url).port}/elsewhere`
    const before = origin.seen.length
    const r = await httpipe(['--template', path, other, ...trustFlags(dir)], { env: ENV })
    assert.equal(r.code, 1, r.err)
    assert.match(r.err, /is trusted only for http:\/\/127\.0\.0\.1:\d+, not for http:\/\/localhost:\d+/)
    assert.equal(origin.seen.length, before, 'nothing sent')
  })

  test('flags typed after --template are the user’s own: a plain template runs with them, no trust needed', async () => {
    const dir = tmp.file('plain')
    await mkdir(dir, { recursive: true })
    const path = join(dir, 'plain.json')
    await writeFile(path, JSON.stringify(H.toTemplate(pipe(H.newRequest(), H.initialize(`${origin.url}/plain`)))))
    const r = await httpipe(['--template', path, '-H', 'X-Api-Key: env:GITHUB_TOKEN', '--out', join(dir, 'o.json')], {
      env: ENV,
    })
    assert.equal(r.code, 0, r.err)
    assert.match(r.err, /secrets: GITHUB_TOKEN\n/)
    const got = JSON.parse(await readFile(join(dir, 'o.json'), 'utf8')) as Seen
    assert.equal(got.headers['x-api-key'], ENV.GITHUB_TOKEN)
  })
})

describe('usage errors (exit 2, nothing sent)', () => {
  for (const [what, args, message] of [
    ['--bearer env:API-TOKEN', ['--bearer', 'env:API-TOKEN'], /--bearer.*env:API-TOKEN is not a variable name/],
    ['-H with env:API-TOKEN', ['-H', 'X-Api-Key: env:API-TOKEN'], /--header: env:API-TOKEN is not a variable name/],
    [
      '--trust-secret with a bad name',
      ['--trust-secret', 'A-B=https://a.example'],
      /--trust-secret.*not a variable name/,
    ],
    ['--trust-secret with no URL', ['--trust-secret', 'A=not a url'], /--trust-secret.*not an http\(s\) origin/],
  ] as const)
    test(what, async () => {
      const before = origin.seen.length
      const r = await httpipe([`${origin.url}/x`, ...args], { env: { 'API-TOKEN': 'literal-never-sent' } })
      assert.equal(r.code, 2, r.err)
      assert.match(r.err, message)
      assert.equal(origin.seen.length, before)
    })
})
