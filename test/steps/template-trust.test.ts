/**
 * Templates from someone else (SPEC §13): a loaded template may describe a request but not act
 * on this machine. Without trust, one that reads an env secret, reads or writes a file, downloads
 * a body from a URL, uses a proxy or turns TLS checks off is refused field by field (nothing is sent); with the matching
 * trust it runs; a trusted secret is read only for its origin and never follows a redirect to
 * another; an env secret with CR/LF is an InvalidInput; hostile trust is an InvalidInput.
 * Servers are raw node:http on 127.0.0.1 that count what they receive.
 */
import assert from 'node:assert/strict'
import { request as httpRequest, type ServerResponse } from 'node:http'
import { readFile, writeFile, mkdir } from 'node:fs/promises'
import { describe, test } from 'node:test'
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import * as H from '../../src/index.js'
import { asTag, ko, ok } from '../execute/helpers.js'
import { useRecordingServer, useTempDir, type Recorded, type RecordingFixture } from '../support/fixtures.js'

/** What a recording server received, as its JSON echo carries it (the body as text). */
type Seen = Omit<Recorded, 'body'> & { readonly body: string }

/** A recording server (test/support/fixtures) whose `answer` sees the body as text. */
const counting = (answer: (seen: Seen, res: ServerResponse) => void = (_s, res) => res.end('ok')): RecordingFixture =>
  useRecordingServer((r, res) => answer({ ...r, body: r.body.toString() }, res))

const TRANSPORTS: ReadonlyArray<readonly [string, H.Env]> = [
  ['undici', {}],
  ['cross-fetch', { transport: H.crossFetchTransport }],
  ['global fetch', { transport: H.fromFetch(globalThis.fetch) }],
]

const SECRETS: Readonly<Record<string, string>> = {
  GITHUB_TOKEN: 'ghp-secret-value-1111',
  AWS_SECRET_ACCESS_KEY: 'aws-secret-value-2222',
}
const secrets = (n: string): string | undefined => SECRETS[n]

/** A template as a hostile author writes it: the request and toTemplate's envelope, as JSON text would carry it. */
const asTemplate = (req: H.Request): unknown => JSON.parse(JSON.stringify(H.toTemplate(req)))

const origin = counting((s, res) => res.end(JSON.stringify(s)))
// a forwarding proxy: what it receives in absolute form it sends on to the origin, and answers with the origin's answer
const proxy = useRecordingServer((r, res) => {
  const fwd = httpRequest(r.url, { method: r.method, headers: r.headers }, (up) => {
    res.writeHead(up.statusCode ?? 502, up.headers)
    up.pipe(res)
  })
  fwd.on('error', () => res.destroy())
  fwd.end(r.body)
})
const tmp = useTempDir('template-trust')

/** The hostile template: env secrets (in X-Trace and in auth), a file to read, a file to write, a proxy, TLS off. */
const hostile = async (): Promise<{ readonly json: unknown; readonly dir: string }> => {
  const dir = tmp.file('hostile')
  await mkdir(dir, { recursive: true })
  await writeFile(tmp.file('hostile', 'id_rsa'), 'PRIVATE-KEY-BYTES')
  await writeFile(tmp.file('hostile', '.bashrc'), 'original dotfile')
  const req = pipe(
    H.newRequest(),
    H.initialize(`${origin.url}/collect`),
    H.addHeader('Accept', 'application/json'),
    H.addHeader('X-Request', 'innocent'),
    H.addHeader('X-Trace', H.secretFromEnv('GITHUB_TOKEN')),
    H.addBearerAuthorization(H.secretFromEnv('AWS_SECRET_ACCESS_KEY')),
    H.setBinaryBody(H.fromFile(tmp.file('hostile', 'id_rsa'))),
    H.setResponseFile(tmp.file('hostile', '.bashrc')),
    H.setProxy(proxy.url),
    H.setTls({ rejectUnauthorized: false }),
  )
  return { json: asTemplate(req), dir }
}

describe('a hostile template', () => {
  test('is refused field by field, each naming the trust option that allows it; nothing is sent', async () => {
    const { json } = await hostile()
    const before = [origin.seen.length, proxy.seen.length]
    const r = H.fromTemplate(json)
    assert.ok(E.isLeft(r))
    const e = asTag(r.left, 'InvalidInput')
    assert.equal(e.step, 'fromTemplate')
    for (const expected of [
      'headers[2] (X-Trace) reads env GITHUB_TOKEN: allow with trust.secrets.GITHUB_TOKEN',
      'auth.token reads env AWS_SECRET_ACCESS_KEY: allow with trust.secrets.AWS_SECRET_ACCESS_KEY',
      `body reads the file ${tmp.file('hostile', 'id_rsa')}: allow with trust.files`,
      `responseFile writes the file ${tmp.file('hostile', '.bashrc')}: allow with trust.files`,
      `proxy (${proxy.url}) sends the request through a proxy: allow with trust.proxy`,
      'tls.rejectUnauthorized is false (TLS certificate checks off): allow with trust.insecureTls',
    ])
      assert.ok(e.message.includes(expected), `${expected}\nnot in\n${e.message}`)
    for (const v of Object.values(SECRETS)) assert.ok(!e.message.includes(v))
    // partial trust: what is still untrusted is still refused, and named
    const partial = H.fromTemplate(json, { secrets: { GITHUB_TOKEN: origin.url }, proxy: true })
    assert.ok(E.isLeft(partial))
    assert.doesNotMatch(partial.left.message, /GITHUB_TOKEN|trust\.proxy/)
    assert.match(partial.left.message, /AWS_SECRET_ACCESS_KEY.*trust\.files.*trust\.insecureTls/)
    assert.deepEqual([origin.seen.length, proxy.seen.length], before, 'nothing sent')
    assert.equal(await readFile(tmp.file('hostile', '.bashrc'), 'utf8'), 'original dotfile')
  })

  test('runs with the matching trust: secrets sent to their origin, the file read and written, through the proxy', async () => {
    const { json, dir } = await hostile()
    const trust: H.TemplateTrust = {
      secrets: { GITHUB_TOKEN: `${origin.url}/any/path`, AWS_SECRET_ACCESS_KEY: [origin.url, 'https://other.example'] },
      files: [dir],
      proxy: true,
      insecureTls: true,
    }
    const loaded = H.fromTemplate(json, trust)
    assert.ok(E.isRight(loaded), E.isLeft(loaded) ? loaded.left.message : '')
    assert.deepEqual(loaded.right.headers[2]?.[1], { _tag: 'SecretRef', env: 'GITHUB_TOKEN', origins: [origin.url] })
    const [o, p] = [origin.seen.length, proxy.seen.length]
    const res = await ok(H.processRequest('POST', { secrets })(loaded.right))
    assert.equal(res.status, 200)
    assert.equal(origin.seen.length, o + 1)
    assert.equal(proxy.seen.length, p + 1, 'through the proxy')
    const got = JSON.parse(await readFile(tmp.file('hostile', '.bashrc'), 'utf8')) as Seen
    assert.equal(got.headers['x-trace'], SECRETS['GITHUB_TOKEN'])
    assert.equal(got.headers['authorization'], `Bearer ${SECRETS['AWS_SECRET_ACCESS_KEY']}`)
    assert.equal(got.body, 'PRIVATE-KEY-BYTES')
  })

  test('files: a path is trusted only inside a trusted directory, resolved (no .. escape)', async () => {
    const dir = tmp.file('inside')
    const at = (path: string): H.Request =>
      pipe(H.newRequest(), H.initialize(`${origin.url}/f`), H.setBinaryBody(H.fromFile(path)))
    const cases: ReadonlyArray<readonly [string, boolean]> = [
      [tmp.file('inside', 'a.bin'), true],
      [tmp.file('inside', 'sub', 'b.bin'), true],
      [`${dir}/sub/../c.bin`, true],
      [`${dir}/../outside.bin`, false],
      [`${dir}-sibling/x.bin`, false],
      ['/etc/passwd', false],
    ]
    for (const [path, allowed] of cases) {
      const r = H.fromTemplate(asTemplate(at(path)), { files: [dir] })
      assert.equal(E.isRight(r), allowed, path)
    }
    // relative paths on both sides are resolved against the current directory
    const rel = H.fromTemplate(asTemplate(at('./inside-rel/x.bin')), { files: ['inside-rel'] })
    assert.ok(E.isRight(rel))
    assert.deepEqual(rel.right.body, {
      _tag: 'Binary',
      source: { _tag: 'File', path: `${process.cwd()}/inside-rel/x.bin` },
    })
  })
})

describe('a template that downloads a body from a URL', () => {
  // the URL is on this machine's network: what the template's author cannot reach, the user's machine can
  const internal = counting((_s, res) => res.end('internal-only-data'))
  const downloading = (): unknown =>
    asTemplate(
      pipe(
        H.newRequest(),
        H.initialize(`${origin.url}/collect`),
        H.startMultipartBody(),
        H.addMultipartFormDataField('note', 'hello'),
        H.addMultipartFormDataFile('f', 'a.txt', H.fromUrl(`${internal.url}/secret?token=t0k`)),
      ),
    )

  test('is refused, naming the part and trust.downloads (the URL redacted); nothing is fetched or sent', async () => {
    const before = [internal.seen.length, origin.seen.length]
    const r = H.fromTemplate(downloading())
    assert.ok(E.isLeft(r))
    assert.match(
      r.left.message,
      /body\.parts\[1\] \(f\) downloads http:\/\/127\.0\.0\.1:\d+\/secret\?token=\*\*\* from this machine: allow with trust\.downloads/,
    )
    assert.ok(!r.left.message.includes('t0k'))
    assert.ok(
      E.isLeft(H.fromTemplate(downloading(), { downloads: 'yes' } as unknown as H.TemplateTrust)),
      'a non-boolean is refused',
    )
    assert.deepEqual([internal.seen.length, origin.seen.length], before)
  })

  test('runs with trust.downloads', async () => {
    const loaded = H.fromTemplate(downloading(), { downloads: true })
    assert.ok(E.isRight(loaded), E.isLeft(loaded) ? loaded.left.message : '')
    const [i, o] = [internal.seen.length, origin.seen.length]
    const res = await ok(H.processRequest('POST')(loaded.right))
    assert.equal(res.status, 200)
    assert.deepEqual([internal.seen.length, origin.seen.length], [i + 1, o + 1])
    assert.match((JSON.parse(new TextDecoder().decode(res.body)) as Seen).body, /internal-only-data/)
  })
})

describe('a trusted secret is bound to its origin', () => {
  const a = counting((s, res) => {
    if (s.url.startsWith('/redirect')) {
      res.writeHead(302, { location: `${b.url}/landed` })
      res.end()
    } else res.end(JSON.stringify(s))
  })
  const b = counting((s, res) => res.end(JSON.stringify(s)))
  const template = (): unknown =>
    asTemplate(
      pipe(
        H.newRequest(),
        H.initialize(`${a.url}/redirect`),
        H.addHeader('X-Trace', H.secretFromEnv('GITHUB_TOKEN')),
        H.addBearerAuthorization(H.secretFromEnv('AWS_SECRET_ACCESS_KEY')),
      ),
    )
  const trust = (): H.TemplateTrust => ({ secrets: { GITHUB_TOKEN: a.url, AWS_SECRET_ACCESS_KEY: a.url } })

  for (const [name, env] of TRANSPORTS) {
    test(`${name}: not read for a request to another origin (InvalidInput, nothing sent to it)`, async () => {
      const loaded = H.fromTemplate(template(), trust())
      assert.ok(E.isRight(loaded))
      const before = b.seen.length
      const e = asTag(
        await ko(pipe(loaded.right, H.setUrl(`${b.url}/direct`), H.processRequest('GET', { ...env, secrets }))),
        'InvalidInput',
      )
      assert.match(
        e.message,
        new RegExp(
          `auth\\.token: the environment variable AWS_SECRET_ACCESS_KEY is trusted only for ${a.url}, not for ${b.url}`,
        ),
      )
      for (const v of Object.values(SECRETS)) assert.ok(!e.message.includes(v))
      assert.equal(b.seen.length, before, 'nothing sent to the other origin')
    })

    test(`${name}: sent to its origin, never after a redirect to another (by value)`, async () => {
      const loaded = H.fromTemplate(template(), trust())
      assert.ok(E.isRight(loaded))
      const [na, nb] = [a.seen.length, b.seen.length]
      const res = await ok(H.processRequest('GET', { ...env, secrets })(loaded.right))
      assert.equal(res.status, 200)
      assert.equal(a.seen.length, na + 1)
      assert.equal(b.seen.length, nb + 1)
      const atA = a.seen[a.seen.length - 1] as Recorded
      assert.equal(atA.headers['x-trace'], SECRETS['GITHUB_TOKEN'])
      assert.equal(atA.headers['authorization'], `Bearer ${SECRETS['AWS_SECRET_ACCESS_KEY']}`)
      const lastB = b.seen[b.seen.length - 1] as Recorded
      const atB = JSON.stringify({ ...lastB, body: lastB.body.toString() })
      for (const v of Object.values(SECRETS)) assert.ok(!atB.includes(v), `${v} reached the other origin: ${atB}`)
    })
  }

  test('a reference made by code (no origins) is read for any origin, as before', async () => {
    const res = await ok(
      pipe(
        H.newRequest(),
        H.initialize(`${b.url}/code`),
        H.addHeader('X-Api-Key', H.secretFromEnv('GITHUB_TOKEN')),
        H.processRequest('GET', { secrets }),
      ),
    )
    assert.equal((JSON.parse(Buffer.from(res.body).toString()) as Seen).headers['x-api-key'], SECRETS['GITHUB_TOKEN'])
  })

  test('a Proxy-Authorization header is read for the proxy origin, not the target: a secret trusted for the target never reaches the proxy', async () => {
    const req = pipe(
      H.newRequest(),
      H.initialize(`${b.url}/pa`),
      H.addHeader('Proxy-Authorization', H.secretFromEnv('GITHUB_TOKEN')),
      H.setProxy(proxy.url),
    )
    const before = [b.seen.length, proxy.seen.length]
    const forTarget = H.fromTemplate(asTemplate(req), { proxy: true, secrets: { GITHUB_TOKEN: b.url } })
    assert.ok(E.isRight(forTarget))
    const e = asTag(await ko(H.processRequest('GET', { secrets })(forTarget.right)), 'InvalidInput')
    assert.match(
      e.message,
      /headers\[0\] \(Proxy-Authorization\): the environment variable GITHUB_TOKEN is trusted only for/,
    )
    assert.deepEqual([b.seen.length, proxy.seen.length], before, 'nothing sent to the proxy or the target')
    const forProxy = H.fromTemplate(asTemplate(req), { proxy: true, secrets: { GITHUB_TOKEN: proxy.url } })
    assert.ok(E.isRight(forProxy))
    assert.ok(E.isRight(await H.prepareRequest('GET', { secrets })(forProxy.right)()))
  })

  test('the proxy password is bound to the proxy origin', async () => {
    const req = pipe(
      H.newRequest(),
      H.initialize(`${b.url}/p`),
      H.setProxy({
        host: '127.0.0.1',
        port: Number(new URL(proxy.url).port),
        user: 'u',
        password: H.secretFromEnv('GITHUB_TOKEN'),
      }),
    )
    const forOrigin = H.fromTemplate(asTemplate(req), { proxy: true, secrets: { GITHUB_TOKEN: b.url } })
    assert.ok(E.isRight(forOrigin))
    const e = asTag(await ko(H.prepareRequest('GET', { secrets })(forOrigin.right)), 'InvalidInput')
    assert.match(e.message, /proxy\.password: the environment variable GITHUB_TOKEN is trusted only for/)
    const forProxy = H.fromTemplate(asTemplate(req), { proxy: true, secrets: { GITHUB_TOKEN: proxy.url } })
    assert.ok(E.isRight(forProxy))
    assert.ok(E.isRight(await H.prepareRequest('GET', { secrets })(forProxy.right)()))
  })
})

describe('an env secret with CR or LF', () => {
  const server = counting()
  for (const [name, env] of TRANSPORTS)
    test(`${name}: is an InvalidInput naming the field and the variable (never the value), not retried`, async () => {
      const before = server.seen.length
      for (const [step, field] of [
        [H.addHeader('X-Api-Key', H.secretFromEnv('NL_SECRET')), /headers\[0\] \(X-Api-Key\)/],
        [H.addBearerAuthorization(H.secretFromEnv('NL_SECRET')), /auth\.token/],
      ] as const) {
        const e = asTag(
          await ko(
            pipe(
              H.newRequest(),
              H.initialize(`${server.url}/nl`),
              H.maxAttempts(3),
              step,
              H.processRequest('GET', { ...env, secrets: () => 'line-one\r\nX-Evil: injected' }),
            ),
          ),
          'InvalidInput',
        )
        assert.match(e.message, field)
        assert.match(e.message, /NL_SECRET holds a CR, LF or NUL/)
        assert.ok(!e.message.includes('line-one') && !e.message.includes('injected'))
      }
      assert.equal(server.seen.length, before, 'nothing sent, nothing retried')
    })
})

describe('hostile trust', () => {
  const json = asTemplate(
    pipe(
      H.newRequest(),
      H.initialize('https://api.example.com/x'),
      H.addHeader('X-Trace', H.secretFromEnv('constructor')),
    ),
  )
  test('a trust of the wrong shape, an origin that is no URL, an unknown option: InvalidInput, never a throw', () => {
    const throwing = new Proxy(
      {},
      {
        ownKeys: () => {
          throw new Error('boom')
        },
      },
    )
    for (const [i, trust] of [
      null,
      1,
      'all',
      [],
      () => true,
      { secrets: [] },
      { secrets: 'GITHUB_TOKEN' },
      { secrets: { 'A-B': 'https://a.example' } },
      { secrets: { A: 'not a url' } },
      { secrets: { A: 'file:///etc/passwd' } },
      { secrets: { A: 'javascript:alert(1)' } },
      { secrets: { A: [] } },
      { secrets: { A: [1] } },
      { secrets: { A: null } },
      { files: '/tmp' },
      { files: [1] },
      { files: [''] },
      { files: ['/tmp\0x'] },
      { proxy: 'yes' },
      { insecureTls: 1 },
      { secret: {} },
      {
        get proxy(): boolean {
          throw new Error('getter')
        },
      },
      throwing,
      { secrets: throwing },
    ].entries()) {
      const r = H.fromTemplate(json, trust as never)
      assert.ok(E.isLeft(r) && r.left._tag === 'InvalidInput' && r.left.step === 'fromTemplate', `trust #${i}`)
      assert.match(r.left.message, /trust/)
    }
  })
  test('names are own properties only: {} trusts no `constructor`; `__proto__` from JSON is a name like any other', () => {
    const none = H.fromTemplate(json, { secrets: {} })
    assert.ok(E.isLeft(none) && /reads env constructor/.test(none.left.message))
    const proto = asTemplate(
      pipe(
        H.newRequest(),
        H.initialize('https://api.example.com/x'),
        H.addHeader('X-Trace', H.secretFromEnv('__proto__')),
      ),
    )
    const trusted = H.fromTemplate(
      proto,
      JSON.parse('{"secrets":{"__proto__":"https://api.example.com"}}') as H.TemplateTrust,
    )
    assert.ok(E.isRight(trusted), E.isLeft(trusted) ? trusted.left.message : '')
    assert.deepEqual(trusted.right.headers[0]?.[1], {
      _tag: 'SecretRef',
      env: '__proto__',
      origins: ['https://api.example.com'],
    })
    assert.ok(E.isLeft(H.fromTemplate(proto, { secrets: {} })))
  })
  test("a template's own origins are replaced by the trust's", () => {
    const t = asTemplate(pipe(H.newRequest(), H.initialize('https://api.example.com/x'))) as {
      request: { headers: unknown }
    }
    t.request.headers = [['X-Trace', { _tag: 'SecretRef', env: 'GITHUB_TOKEN', origins: ['https://evil.example'] }]]
    assert.ok(E.isLeft(H.fromTemplate(t)))
    const r = H.fromTemplate(t, { secrets: { GITHUB_TOKEN: 'https://api.example.com' } })
    assert.ok(E.isRight(r))
    assert.deepEqual(r.right.headers[0]?.[1], {
      _tag: 'SecretRef',
      env: 'GITHUB_TOKEN',
      origins: ['https://api.example.com'],
    })
  })
})
