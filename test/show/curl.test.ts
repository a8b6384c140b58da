/**
 * toCurl: the command it renders is run by the real curl against the echo server, and what the
 * server received is compared with what httpipe itself sends for the same prepared request
 * (method, target, every header, body bytes); secrets are `***` unless asked for; file names
 * and bytes that a shell would read otherwise survive quoting.
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile, spawn } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { promisify } from 'node:util'
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import * as H from '../../src/index.js'
import { segmentsBody } from '../../src/model/prepared.js'
import { printfCommands, shellQuote, showableText } from '../../src/encoding/shell.js'
import type { RecordedRequest } from '../../src/testing/index.js'
import { startDigestServer, type DigestServer } from '../support/digest-server.js'
import { useEchoServer, useTempDir } from '../support/fixtures.js'

const sh = promisify(execFile)
/** Runs a script in sh, given on its stdin (a command line may be longer than one argument can be). */
const shell = (script: string): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const child = spawn('sh', [], { stdio: ['pipe', 'pipe', 'inherit'] })
    const out: Buffer[] = []
    child.stdout.on('data', (b: Buffer) => out.push(b))
    child.on('error', reject)
    child.on('close', (code) =>
      code === 0 ? resolve(Buffer.concat(out)) : reject(new Error(`sh exited ${code}: ${script.slice(0, 500)}`)),
    )
    child.stdin.end(script)
  })
const env: H.Env = { now: () => 1_700_000_000_000, random: () => 0.25 }
const echo = useEchoServer()
const tmp = useTempDir('curl')

const prepare = async (req: H.Request, method: string): Promise<H.PreparedRequest> => {
  const p = await H.prepareRequest(method, env)(req)()
  if (E.isLeft(p)) throw new Error(p.left.message)
  return p.right
}

/** Runs a command in sh (curl quiet, its answer dropped) and returns the request the echo server got. */
const runCurl = async (command: string): Promise<RecordedRequest> => {
  const before = echo.server.requests.length
  await shell(`${command} -sS -o /dev/null\n`)
  const got = echo.server.requests.slice(before).at(-1)
  assert.ok(got, 'the echo server received the request')
  return got
}

/** What httpipe itself sends for the prepared request. */
const runHttpipe = async (p: H.PreparedRequest): Promise<RecordedRequest> => {
  const before = echo.server.requests.length
  const r = await H.executeRequest(env)(p)()
  assert.ok(E.isRight(r), E.isLeft(r) ? r.left.message : '')
  const got = echo.server.requests.slice(before).at(-1)
  assert.ok(got)
  return got
}

const headerSet = (r: RecordedRequest): ReadonlyArray<string> =>
  r.rawHeaders
    .filter(([n]) => n.toLowerCase() !== 'connection') // undici says keep-alive; HTTP/1.1 means it anyway
    .map(([n, v]) => `${n.toLowerCase()}: ${v}`)
    .sort()

const assertSame = async (req: H.Request, method: string): Promise<string> => {
  const p = await prepare(req, method)
  const command = H.toCurl(p, { showSecrets: true })
  const viaCurl = await runCurl(command)
  const viaHttpipe = await runHttpipe(p)
  assert.equal(viaCurl.method, viaHttpipe.method, command)
  assert.equal(viaCurl.url, viaHttpipe.url, command)
  assert.deepEqual(headerSet(viaCurl), headerSet(viaHttpipe), command)
  assert.deepEqual(Buffer.from(viaCurl.body), Buffer.from(viaHttpipe.body), command)
  return command
}

const at = (path: string): H.Request => pipe(H.newRequest(), H.initialize(`${echo.url}${path}`))

describe('curl sends what httpipe sends', () => {
  test('GET with params that need encoding, brackets (globbing off) and custom headers, one of them empty', async () => {
    const cmd = await assertSame(
      pipe(
        at('/get?x=[1]'),
        H.addUrlParameter('q', "it's {a} & b"),
        H.addHeader('X-Quote', `'"$HOME\`ls\``),
        H.addHeader('X-Empty', ''),
      ),
      'GET',
    )
    assert.match(cmd, /--globoff/)
  })
  test('a JSON POST, a form, a text body starting with @, an empty body', async () => {
    await assertSame(pipe(at('/post'), H.setJsonBody({ a: 1, s: "it's" })), 'POST')
    await assertSame(pipe(at('/post'), H.setFormBody({ name: 'Ann Lee', city: 'Zürich' })), 'POST')
    const cmd = await assertSame(pipe(at('/post'), H.setStringBody('@/etc/passwd')), 'POST')
    assert.doesNotMatch(cmd, /--data-binary '@\/etc/)
    await assertSame(pipe(at('/post'), H.setBinaryBody(new Uint8Array(0), true)), 'POST')
  })
  test('bytes that are not text (NUL, invalid UTF-8, every byte value), over several printf commands', async () => {
    const bytes = new Uint8Array(70_000).map((_, i) => (i * 7) % 256)
    const cmd = await assertSame(pipe(at('/put'), H.setBinaryBody(bytes)), 'PUT')
    assert.ok((cmd.match(/printf '/g) ?? []).length >= 5)
    assert.match(cmd, /--request PUT/)
  })
  test('a whole file with a hostile name (quote, space, $, newline) is --data-binary @file', async () => {
    const path = tmp.file(`it's a $HOME \`x\`\nfile.bin`)
    await writeFile(path, new Uint8Array([0, 1, 2, 255, 10, 13]))
    const cmd = await assertSame(pipe(at('/post'), H.setBinaryBody(H.fromFile(path))), 'POST')
    assert.match(cmd, /--data-binary '@/)
  })
  test('multipart form-data with a text field and two files, and a related body', async () => {
    const a = tmp.file('a.txt')
    const b = tmp.file("b'.bin")
    await writeFile(a, 'hello\r\n')
    await writeFile(b, new Uint8Array([0xff, 0, 0x25, 0x5c]))
    const form = pipe(
      at('/post'),
      H.startMultipartBody(),
      H.addMultipartFormDataField('name', 'Ann'),
      H.addMultipartFormDataFile('doc', 'a.txt', H.fromFile(a), 'text/plain'),
      H.addMultipartFormDataFile('bin', 'b.bin', H.fromFile(b)),
    )
    const cmd = await assertSame(form, 'POST')
    assert.match(cmd, /^\{ printf '.*cat .*\} \| curl /s)
    await assertSame(
      pipe(
        at('/post'),
        H.startMultipartBody('related', 'application/json'),
        H.addDataAsRelated('{"a":1}', 'application/json', 'root'),
        H.addDataAsRelated(H.fromFile(b), 'image/png'),
      ),
      'POST',
    )
  })
  test('file ranges and a URL segment in one body, through tail | head and an inner curl', async () => {
    const f = tmp.file('range.bin')
    await writeFile(f, 'abcdefghij')
    const p0 = await prepare(pipe(at('/post'), H.setStringBody('x')), 'POST')
    const body = segmentsBody([
      { _tag: 'Bytes', bytes: new TextEncoder().encode('<') },
      { _tag: 'File', path: f, start: 2, end: 5, size: 10 },
      { _tag: 'File', path: f, start: 0, end: 10, size: 10 },
      { _tag: 'Url', url: `${echo.url}/status/200` },
    ])
    const p = { ...p0, body, headers: p0.headers.filter(([n]) => n.toLowerCase() !== 'content-length') }
    const got = await runCurl(H.toCurl(p))
    assert.equal(Buffer.from(got.body).toString(), '<cdeabcdefghij{"status":200}')
  })
  test('file paths that start with - (-n, --help, -) are files for cat, tail and curl, never options or stdin', async () => {
    // curl is required by this file as a whole (every test runs the rendered command), as by test/cli/curl.test.ts
    const home = process.cwd()
    await writeFile(tmp.file('-n'), 'number me\nplease\n')
    await writeFile(tmp.file('--help'), new Uint8Array([0, 0xff, 0x2d, 0x2d, 10]))
    await writeFile(tmp.file('-'), 'a file named dash')
    process.chdir(tmp.path) // the paths are relative, as given: sh and curl run here too
    try {
      for (const name of ['-n', '-']) {
        const cmd = await assertSame(pipe(at('/post'), H.setBinaryBody(H.fromFile(name))), 'POST')
        assert.ok(cmd.includes(`--data-binary ${shellQuote(`@./${name}`)}`), cmd)
      }
      const form = pipe(
        at('/post'),
        H.startMultipartBody(),
        H.addMultipartFormDataFile('a', 'a.txt', H.fromFile('-n'), 'text/plain'),
        H.addMultipartFormDataFile('b', 'b.bin', H.fromFile('--help')),
        H.addMultipartFormDataFile('c', 'c.txt', H.fromFile('-')),
      )
      const cmd = await assertSame(form, 'POST')
      for (const name of ['-n', '--help', '-']) assert.ok(cmd.includes(`cat ${shellQuote(`./${name}`)}`), cmd)
      const p0 = await prepare(pipe(at('/post'), H.setStringBody('x')), 'POST')
      const body = segmentsBody([
        { _tag: 'File', path: '-n', start: 2, end: 6, size: 17 },
        { _tag: 'File', path: '--help', start: 1, end: 5, size: 5 },
        { _tag: 'File', path: '-', start: 0, end: 17, size: 17 },
      ])
      const ranged = H.toCurl({
        ...p0,
        body,
        headers: p0.headers.filter(([n]) => n.toLowerCase() !== 'content-length'),
      })
      assert.match(ranged, /tail -c \+3 \.\/-n \| head -c 4/)
      const got = await runCurl(ranged)
      assert.deepEqual(
        Buffer.from(got.body),
        Buffer.concat([Buffer.from('mber'), Buffer.from([0xff, 0x2d, 0x2d, 10]), Buffer.from('a file named dash')]),
      )
    } finally {
      process.chdir(home)
    }
  })
  test('HEAD, DELETE with a body, GET with a body', async () => {
    const head = await assertSame(at('/get'), 'HEAD')
    assert.match(head, /--head/)
    await assertSame(pipe(at('/delete'), H.setJsonBody({ id: 1 })), 'DELETE')
    const get = await assertSame(pipe(at('/anything'), H.setStringBody('q')), 'GET')
    assert.match(get, /--request GET/)
  })
  test('Basic, Bearer, AWS4 and OAuth1 headers as signed for the first attempt; no gzip', async () => {
    await assertSame(pipe(at('/get'), H.addBasicAuthorization('ann', "p'w")), 'GET')
    await assertSame(pipe(at('/get'), H.addBearerAuthorization('t0k3n')), 'GET')
    await assertSame(
      pipe(at('/post'), H.setJsonBody({ a: 1 }), H.addAws4Authorization('AKID', 'SECRET', 'us-east-1', 'execute-api')),
      'POST',
    )
    await assertSame(pipe(at('/get?a=1'), H.addOAuthV1Authorization('tok', 'toksecret', 'ck', 'cs')), 'GET')
    const cmd = await assertSame(pipe(at('/get'), H.useGzipCompression(false)), 'GET')
    assert.doesNotMatch(cmd, /--compressed/)
  })
})

describe('secrets', () => {
  const secretReq = (): H.Request =>
    pipe(
      H.newRequest(),
      H.initialize('http://ann:urlPass99@127.0.0.1:9/x?access_token=qTok55&a=1'),
      H.addBearerAuthorization('bearerTok77'),
      H.addHeader('X-Api-Key', 'apiKey88'),
      H.addHeader('X-Other', 'has bearerTok77 inside'),
      H.setFormBody({ user: 'ann', password: 'formPw66' }),
      H.setProxy('http://pu:proxyPw44@127.0.0.1:3128'),
    )
  // the URL's password is not sent (the Bearer header wins over the user info's Basic)
  const SECRETS = ['qTok55', 'bearerTok77', 'apiKey88', 'formPw66', 'proxyPw44']

  test('are *** by default, wherever they appear', async () => {
    const out = H.toCurl(await prepare(secretReq(), 'POST'))
    for (const s of [...SECRETS, 'urlPass99']) assert.ok(!out.includes(s), `${s} leaked: ${out}`)
    assert.match(out, /Authorization: \*\*\*/)
    assert.match(out, /--proxy-user 'pu:\*\*\*'/)
    assert.match(out, /password=\*\*\*/)
  })
  test('are written with showSecrets', async () => {
    const out = H.toCurl(await prepare(secretReq(), 'POST'), { showSecrets: true })
    for (const s of SECRETS) assert.ok(out.includes(s), `${s} missing: ${out}`)
  })
  test('a header given as secretFromEnv and JSON fields named like secrets are hidden', async () => {
    const req = pipe(
      at('/post'),
      H.addHeader('X-Token', H.secretFromEnv('CURL_TEST_TOKEN')),
      H.setJsonBody({ nested: { client_secret: 'jsonSecret33' }, ok: 1 }),
    )
    const p = await pipe(
      req,
      H.prepareRequest('POST', { ...env, secrets: (n) => (n === 'CURL_TEST_TOKEN' ? 'envValue22' : undefined) }),
    )()
    assert.ok(E.isRight(p))
    const out = H.toCurl(p.right)
    assert.ok(!out.includes('envValue22') && !out.includes('jsonSecret33'), out)
    assert.match(out, /"ok":1/)
  })
  test('Digest is --digest --user, and curl answers the challenge', async () => {
    const digest: DigestServer = await startDigestServer({ user: 'ann', password: 'dig3st' })
    try {
      const p = await prepare(
        pipe(H.newRequest(), H.initialize(`${digest.url}/x`), H.addDigestAuthorization('ann', 'dig3st')),
        'GET',
      )
      assert.match(H.toCurl(p), /--digest \\\n {2}--user 'ann:\*\*\*'/)
      const stdout = await shell(`${H.toCurl(p, { showSecrets: true })} -sS\n`)
      assert.equal((JSON.parse(stdout.toString()) as { user: string }).user, 'ann')
    } finally {
      await digest.close()
    }
  })
})

describe('hostile input', () => {
  test('anything but a PreparedRequest is an empty command, never a throw', () => {
    for (const x of [undefined, null, 1n, Symbol('s'), {}, [], H.newRequest(), { _tag: 'PreparedRequest', log: [] }])
      assert.equal(H.toCurl(x as unknown as H.PreparedRequest, x as unknown as H.CurlOptions), '')
  })
  test('shell quoting and printf round-trip any text and bytes through sh', async () => {
    const words = [
      '',
      'plain',
      "it's",
      '$(id) `id` ${x} \\ "q"',
      'line\nbreak\ttab',
      '-n',
      '*?[a]',
      '~user',
      'é ☃ \u202e',
    ]
    for (const w of words) {
      const { stdout } = await sh('sh', ['-c', `printf '%s' ${shellQuote(w)}`])
      assert.equal(stdout, w)
    }
    for (const text of ['-n x', '--', '%s %d \\n']) {
      const out = await shell(`${printfCommands(new TextEncoder().encode(text)).join('; ')}\n`)
      assert.equal(out.toString(), text)
    }
    const bytes = new Uint8Array(256).map((_, i) => i)
    const { stdout } = await sh('sh', ['-c', printfCommands(bytes, 100).join('; ')], { encoding: 'buffer' })
    assert.deepEqual(new Uint8Array(stdout), bytes)
    assert.equal(showableText(new TextEncoder().encode('bidi \u202e')), null)
    assert.equal(showableText(new Uint8Array([0xc3])), null)
  })
})
