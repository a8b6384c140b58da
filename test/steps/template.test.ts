/**
 * secretFromEnv and templates: a credential given as a reference is read when the request runs
 * (through env.secrets, by default the process environment); toTemplate saves a request with no
 * literal secret and no log; fromTemplate loads it back.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { describe, test } from 'node:test'
import { promisify } from 'node:util'
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import * as H from '../../src/index.js'
import { asTag, echoOf, ko, ok } from '../execute/helpers.js'
import { assertInvalid, base } from '../helpers.js'
import { useEchoServer, useTempDir } from '../support/fixtures.js'

const run = promisify(execFile)
const INDEX = new URL('../../src/index.ts', import.meta.url).href

const echo = useEchoServer()
const tmp = useTempDir('template')

const LITERALS = [
  'basic-PW-1111',
  'proxy-PW-2222',
  'tls-PASS-3333',
  'api-KEY-4444',
  'url-PW-5555',
  'aws-SECRET-6666',
  'aws-TOKEN-7777',
  'oauth-T-8888',
  'oauth-TS-9999',
  'oauth-CS-0000',
]

describe('secretFromEnv', () => {
  test('a reference is stored as the name of its variable, shown as env:NAME, and read when the request runs', async () => {
    const req = pipe(
      H.newRequest(),
      H.initialize(`${echo.url}/anything/ref`),
      H.addBearerAuthorization(H.secretFromEnv('HTTPIPE_TEST_TOKEN')),
      H.addHeader('X-Api-Key', H.secretFromEnv('HTTPIPE_TEST_KEY')),
    )
    assert.deepEqual(req.auth, { _tag: 'Bearer', token: { _tag: 'SecretRef', env: 'HTTPIPE_TEST_TOKEN' } })
    assert.match(H.getLog(req, true), /token env:HTTPIPE_TEST_TOKEN/)
    const secrets = (name: string): string | undefined =>
      ({ HTTPIPE_TEST_TOKEN: 'tok-from-env', HTTPIPE_TEST_KEY: 'key-from-env' })[name]
    const res = await ok(H.processRequest('GET', { secrets })(req))
    const seen = echoOf(res).headers
    assert.equal(seen['authorization'], 'Bearer tok-from-env')
    assert.equal(seen['x-api-key'], 'key-from-env')
    const log = H.getLog(res, true)
    assert.ok(!log.includes('tok-from-env') && !log.includes('key-from-env'), log)
  })

  test('a variable that is not set is InvalidInput naming the field and the variable, and nothing is sent', async () => {
    const before = echo.server.requests.length
    const e = asTag(
      await ko(
        pipe(
          base(),
          H.addBasicAuthorization('ann', H.secretFromEnv('HTTPIPE_NOT_SET_ANYWHERE')),
          H.processRequest('GET', { secrets: () => undefined }),
        ),
      ),
      'InvalidInput',
    )
    assert.equal(e.step, 'processRequest')
    assert.match(e.message, /auth\.password: the environment variable HTTPIPE_NOT_SET_ANYWHERE is not set/)
    assert.equal(echo.server.requests.length, before)
  })

  test('every credential position takes a reference; a reference with a bad name is InvalidInput', () => {
    const ref = H.secretFromEnv('X')
    for (const step of [
      H.addBasicAuthorization('u', ref),
      H.addDigestAuthorization('u', ref),
      H.addBearerAuthorization(ref),
      H.addAws4Authorization('AKID', ref, 'us-east-1', 's3', { sessionToken: ref }),
      H.addOAuthV1Authorization(ref, ref, 'ck', ref),
      H.setProxy({ host: '127.0.0.1', port: 3128, user: 'u', password: ref }),
      H.setTls({ passphrase: ref }),
      H.addHeader('X-Token', ref),
    ])
      assert.equal(step(base()).error, null)
    const before = base()
    assertInvalid(before, H.addBearerAuthorization(H.secretFromEnv('not a name'))(before), 'addBearerAuthorization')
  })
})

const everySecret = (): H.Request =>
  pipe(
    H.newRequest(),
    H.initialize(`http://ann:${LITERALS[4]}@127.0.0.1:9/x`),
    H.setProxy({ host: '127.0.0.1', port: 3128, user: 'p', password: LITERALS[1] as string }),
    H.setTls({ passphrase: LITERALS[2] as string }),
    H.addHeader('X-Api-Key', LITERALS[3] as string),
    H.addHeader('X-Trace', 'kept'),
    H.addBasicAuthorization('ann', LITERALS[0] as string),
  )

describe('toTemplate and fromTemplate', () => {
  test('no literal secret and no log is saved; plain values and references are', () => {
    const saved = JSON.stringify(
      H.toTemplate(pipe(everySecret(), H.addHeader('Private-Token', H.secretFromEnv('GITLAB_TOKEN')))),
    )
    for (const s of LITERALS.slice(0, 5)) assert.ok(!saved.includes(s), `${s} in ${saved}`)
    assert.match(saved, /"X-Trace","kept"/)
    assert.match(saved, /"env":"GITLAB_TOKEN"/)
    assert.match(saved, /"log":\[\]/)
    for (const [auth, secrets] of [
      [
        H.addAws4Authorization('AKID', LITERALS[5] as string, 'us-east-1', 's3', {
          sessionToken: LITERALS[6] as string,
        }),
        LITERALS.slice(5, 7),
      ],
      [
        H.addOAuthV1Authorization(LITERALS[7] as string, LITERALS[8] as string, 'ck', LITERALS[9] as string),
        LITERALS.slice(7),
      ],
    ] as const) {
      const text = JSON.stringify(H.toTemplate(auth(base())))
      for (const s of secrets) assert.ok(!text.includes(s), `${s} in ${text}`)
    }
  })

  test('a withheld secret fails with InvalidInput naming the field until it is set again', async () => {
    const loaded = H.fromTemplate(
      JSON.parse(JSON.stringify(H.toTemplate(pipe(base(), H.addBasicAuthorization('ann', 'pw-literal'))))),
    )
    assert.ok(E.isRight(loaded))
    const e = asTag(await ko(H.prepareRequest('GET')(loaded.right)), 'InvalidInput')
    assert.match(e.message, /auth\.password was not saved in the template/)
    const again = await ok(pipe(loaded.right, H.addBasicAuthorization('ann', 'pw-again'), H.prepareRequest('GET')))
    assert.equal(again.auth._tag === 'Basic' && again.auth.password, 'pw-again')
  })

  test('a template round-trips: the loaded request prepares like the original', async () => {
    const req = pipe(
      H.newRequest(),
      H.initialize('http://127.0.0.1:9/anything/t'),
      H.addUrlParameter('q', [1, 2]),
      H.setJsonBody({ a: 'b' }),
      H.maxAttempts(2),
      H.setBaseUrl('http://127.0.0.1:9'),
      H.addBearerAuthorization(H.secretFromEnv('TOKEN')),
    )
    const loaded = H.fromTemplate(JSON.parse(JSON.stringify(H.toTemplate(req))), {
      secrets: { TOKEN: 'http://127.0.0.1:9' },
    })
    assert.ok(E.isRight(loaded))
    const env = { secrets: () => 'tok', now: () => 0 }
    const [a, b] = [await ok(H.prepareRequest('POST', env)(req)), await ok(H.prepareRequest('POST', env)(loaded.right))]
    assert.deepEqual({ ...a, log: [] }, { ...b, log: [] })
  })

  test('fromTemplate refuses what is not a template, naming the field', () => {
    for (const bad of [
      null,
      1,
      'x',
      {},
      { httpipeTemplate: 2, request: {} },
      { httpipeTemplate: 1, request: { _tag: 'Request' } },
      { httpipeTemplate: 1, request: { ...H.RequestCodec.encode(base()), headers: [['a', 1]] } },
    ]) {
      const r = H.fromTemplate(bad)
      assert.ok(E.isLeft(r) && r.left._tag === 'InvalidInput' && r.left.step === 'fromTemplate', JSON.stringify(bad))
    }
    const r = H.fromTemplate({ httpipeTemplate: 1, request: { ...H.RequestCodec.encode(base()), headers: [['a', 1]] } })
    assert.ok(E.isLeft(r) && /headers/.test(r.left.message), E.isLeft(r) ? r.left.message : '')
  })
})

describe('a template runs in another process', () => {
  const child = async (
    template: string,
    env: NodeJS.ProcessEnv,
    trust: H.TemplateTrust = { secrets: { HTTPIPE_CHILD_TOKEN: echo.url } },
  ): Promise<{ tag: string; detail: string }> => {
    const script = tmp.file('run-template.mts')
    await writeFile(
      script,
      `import * as H from ${JSON.stringify(INDEX)}
import { readFileSync } from 'node:fs'
const loaded = H.fromTemplate(JSON.parse(readFileSync(process.argv[2], 'utf8')), JSON.parse(process.argv[3]))
if (loaded._tag === 'Left') { process.stdout.write(JSON.stringify({ tag: 'Left', detail: loaded.left.message })); process.exit(0) }
const r = await H.processRequest('GET')(loaded.right)()
process.stdout.write(JSON.stringify(r._tag === 'Right' ? { tag: 'Right', detail: Buffer.from(r.right.body).toString() } : { tag: r.left._tag, detail: r.left.message }))
`,
    )
    const path = tmp.file('template.json')
    await writeFile(path, template)
    const clean: NodeJS.ProcessEnv = { ...process.env, ...env }
    delete clean['NODE_OPTIONS']
    for (const [k, v] of Object.entries(env)) if (v === undefined) delete clean[k]
    const { stdout } = await run(process.execPath, ['--import', 'tsx', script, path, JSON.stringify(trust)], {
      env: clean,
      timeout: 20_000,
    })
    return JSON.parse(stdout) as { tag: string; detail: string }
  }

  test('with the variable set it runs; without, it is an InvalidInput naming the variable', async () => {
    const req = pipe(
      H.newRequest(),
      H.initialize(`${echo.url}/bearer`),
      H.addBearerAuthorization(H.secretFromEnv('HTTPIPE_CHILD_TOKEN')),
    )
    const template = JSON.stringify(H.toTemplate(req))
    assert.ok(!template.includes('child-secret-value'))
    const withIt = await child(template, { HTTPIPE_CHILD_TOKEN: 'child-secret-value' })
    assert.equal(withIt.tag, 'Right', withIt.detail)
    assert.match(withIt.detail, /"token":\s*"child-secret-value"/)
    const without = await child(template, { HTTPIPE_CHILD_TOKEN: undefined })
    assert.equal(without.tag, 'InvalidInput')
    assert.match(without.detail, /HTTPIPE_CHILD_TOKEN is not set/)
    const untrusted = await child(template, { HTTPIPE_CHILD_TOKEN: 'child-secret-value' }, {})
    assert.equal(untrusted.tag, 'Left')
    assert.match(
      untrusted.detail,
      /auth\.token reads env HTTPIPE_CHILD_TOKEN: allow with trust\.secrets\.HTTPIPE_CHILD_TOKEN/,
    )
  })
})

describe('a template is exactly as valid as a request built step by step', () => {
  const template = (patch: (r: Record<string, unknown>) => Record<string, unknown>) => {
    const json = H.toTemplate(base()) as { httpipeTemplate: number; request: Record<string, unknown> }
    return { ...json, request: patch(json.request) }
  }
  for (const [what, patch, field] of [
    [
      'a header value with CR/LF',
      (r: Record<string, unknown>) => ({ ...r, headers: [['X-A', 'a\r\nEvil: 1']] }),
      /headers\[0\]\[1\]/,
    ],
    [
      'a header name that is no token',
      (r: Record<string, unknown>) => ({ ...r, headers: [['Bad Name', 'x']] }),
      /headers\[0\]\[0\]/,
    ],
    ['an ftp: URL', (r: Record<string, unknown>) => ({ ...r, url: 'ftp://h/x' }), /at url /],
    [
      'timeout 0',
      (r: Record<string, unknown>) => ({ ...r, settings: { ...(r['settings'] as object), timeout: 0 } }),
      /settings\.timeout/,
    ],
    [
      'an unknown encoding',
      (r: Record<string, unknown>) => ({ ...r, settings: { ...(r['settings'] as object), encoding: 'klingon' } }),
      /settings\.encoding/,
    ],
    ['a data type with CR/LF', (r: Record<string, unknown>) => ({ ...r, dataType: 'text/plain\r\nX: 1' }), /dataType/],
    [
      'a proxy port of 0',
      (r: Record<string, unknown>) => ({
        ...r,
        proxy: { protocol: 'http', host: '127.0.0.1', port: 0, user: null, password: null },
      }),
      /proxy\.port/,
    ],
    [
      'a proxy host with a slash',
      (r: Record<string, unknown>) => ({
        ...r,
        proxy: { protocol: 'http', host: 'a/b', port: 8080, user: null, password: null },
      }),
      /proxy\.host/,
    ],
    [
      'a retry status of 99',
      (r: Record<string, unknown>) => ({
        ...r,
        settings: { ...(r['settings'] as object), retryPolicy: { ...H.defaultRetryPolicy, statuses: [99] } },
      }),
      /settings\.retryPolicy\.statuses\[0\]/,
    ],
  ] as const)
    test(`${what} is InvalidInput naming the field, at load`, () => {
      const r = H.fromTemplate(template(patch))
      assert.ok(E.isLeft(r), what)
      assert.equal(r.left._tag, 'InvalidInput')
      assert.match(r.left.message, field)
    })

  test('a header value beyond Latin-1 is refused by addHeader too (it cannot go on the wire)', () => {
    const b = base()
    assertInvalid(b, H.addHeader('X-Price', '10 €')(b), 'addHeader', /cannot be sent in a header/)
    assert.equal(H.addHeader('X-Name', 'café')(b).error, null)
  })
})

describe('secret-named query params in templates', () => {
  test('are withheld, in the params and in the URL, and must be set again before the request runs', async () => {
    const req = pipe(
      H.newRequest(),
      H.initialize('http://127.0.0.1:9/x?page=2&access_token=url-TOKEN-1&q=a'),
      H.addUrlParameter('api_key', 'param-KEY-2'),
      H.addUrlParameter('n', 1),
    )
    const saved = JSON.stringify(H.toTemplate(req))
    assert.ok(!saved.includes('url-TOKEN-1') && !saved.includes('param-KEY-2'), saved)
    const loaded = H.fromTemplate(JSON.parse(saved))
    assert.ok(E.isRight(loaded))
    const e = asTag(await ko(H.prepareRequest('GET')(loaded.right)), 'InvalidInput')
    assert.match(e.message, /query param (access_token|api_key) was not saved in the template/)
    const fixed = pipe(loaded.right, H.addUrlParameter('access_token', 'T'), H.addUrlParameter('api_key', 'K'))
    const p = await ok(H.prepareRequest('GET')(fixed))
    assert.equal(p.url, 'http://127.0.0.1:9/x?page=2&q=a&access_token=T&api_key=K&n=1')
  })
})
