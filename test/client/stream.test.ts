/**
 * streamRequest up to the head: the same run as processRequest (redirects, retried heads, the
 * Digest challenge, AWS4 signing, the log), settled with an HttpStream whose head fields are
 * those of the final answer and whose body is still to be read; an answer that is not a 2xx
 * (404) and one without a body (HEAD, 204) come read whole; a body is read once; hostile input
 * is one InvalidInput, never a throw or a rejection. Transport-dependent cases run on undici,
 * cross-fetch and global fetch.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import type * as TE from 'fp-ts/lib/TaskEither.js'
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import * as H from '../../src/index.js'
import { asTag, leftOf, lines, rightOf } from '../execute/helpers.js'
import { startDigestServer, type DigestServer } from '../support/digest-server.js'
import { withFaultyServer, withStatusServer } from '../support/faulty.js'
import { useEchoServer } from '../support/fixtures.js'
import { startSigV4Verifier, type SigV4Verifier } from '../support/sigv4-verifier.js'
import { collect } from '../support/streams.js'
import { useTransports } from '../support/transports.js'
import { settlesWithin } from '../support/wait.js'
import { withStreamServer } from '../execute/streams/server.js'

const CEILING = 30_000
const transports = useTransports()
const echo = useEchoServer()
const noWait: H.Env = { sleep: async () => undefined }

type Item = E.Either<H.ClientError, Uint8Array>

const stream = (req: H.Request, method: H.Method = 'GET', env: H.Env = {}) =>
  settlesWithin(H.streamRequest(method, env)(req)(), CEILING, 'the head')

const all = (st: H.HttpStream): Promise<Item[]> => settlesWithin(collect(st.body), CEILING, 'reading the body')

/** The body as text, failing on a Left. */
const text = async (st: H.HttpStream): Promise<string> =>
  Buffer.concat((await all(st)).map((r) => rightOf(r))).toString('utf8')

for (const [name, transport] of transports)
  describe(`streamRequest on ${name}: the head`, () => {
    const env: H.Env = { ...noWait, transport }

    test('after redirects: the final status, headers, url, counts, timings and log; the body still to be read', async () => {
      const req = pipe(H.newRequest(), H.initialize(`${echo.url}/redirect/2`))
      const st = rightOf(await stream(req, 'GET', env))
      assert.equal(st._tag, 'HttpStream')
      assert.equal(st.status, 200)
      assert.equal(st.url, `${echo.url}/get`)
      assert.equal(st.redirects, 2)
      assert.equal(st.attempts, 3)
      assert.equal(st.file, null)
      assert.match(st.headers['content-type'] ?? '', /application\/json/)
      assert.ok(st.rawHeaders.some(([k]) => k.toLowerCase() === 'content-type'))
      assert.equal(st.timings.end, st.timings.headers)
      assert.equal(st.timings.total, st.timings.headers - st.timings.start)
      const log = lines(st)
      assert.equal(log.filter((l) => /redirection \d\/\d+, moving to/.test(l)).length, 2)
      assert.ok(log.includes('executeRequest: response received, code 200') || log.some((l) => /code 200/.test(l)))
      assert.equal(log.at(-1), 'executeRequest: head received - the body is streamed to its reader')
      const body = JSON.parse(await text(st)) as { method: string; path: string }
      assert.equal(body.method, 'GET')
      // the log of the HttpStream is the log up to the head: reading does not change it
      assert.equal(lines(st).at(-1), 'executeRequest: head received - the body is streamed to its reader')
    })

    test('the same run as processRequest up to the head: the same log lines', async () => {
      const req = pipe(H.newRequest(), H.initialize(`${echo.url}/redirect/2`), H.addHeader('X-Probe', '1'))
      const st = rightOf(await stream(req, 'GET', env))
      await all(st)
      const res = rightOf(await settlesWithin(H.processRequest('GET', env)(req)(), CEILING, 'processRequest'))
      /** a line without its durations, the runner's name as processRequest's */
      const same = (l: string): string =>
        l.replace(/\(\d+ ms\)/g, '(… ms)').replace(/^streamRequest:/, 'processRequest:')
      const head = lines(st).map(same).slice(0, -1)
      assert.deepEqual(head, lines(res).map(same).slice(0, head.length))
      assert.equal(lines(res).length, head.length + 1, 'processRequest adds one line: the body read')
    })

    test('a 200 with an empty body: done at once', async () => {
      await withStreamServer(
        (_req, res) => res.writeHead(200, { 'Content-Length': '0' }).end(),
        async (s) => {
          const st = rightOf(await stream(pipe(H.newRequest(), H.initialize(`${s.url}/empty`)), 'GET', env))
          assert.deepEqual(await all(st), [])
        },
      )
    })

    test('a retried 503 then a 200: the 200 is streamed, attempts 2', async () => {
      await withStatusServer({ status: 503, failures: 1 }, async (s) => {
        const req = pipe(H.newRequest(), H.initialize(`${s.url}/r`), H.maxAttempts(2))
        const st = rightOf(await stream(req, 'GET', env))
        assert.equal(st.status, 200)
        assert.equal(st.attempts, 2)
        assert.equal(await text(st), 'ok')
        assert.equal(s.count('GET'), 2)
        assert.ok(
          lines(st).some((l) => /retry 1\/2/i.test(l)),
          lines(st).join('\n'),
        )
      })
    })

    test('a head that fails (a reset before any byte) is retried as processRequest retries it', async () => {
      await withFaultyServer('reset-before-headers', async (s) => {
        const req = pipe(H.newRequest(), H.initialize(`${s.url}/x`), H.maxAttempts(2))
        asTag(leftOf(await stream(req, 'GET', env)), 'TransportError')
        assert.equal(s.count(), 3)
      })
    })

    test('a POST with a body: the body goes out, the answer is streamed back', async () => {
      const req = pipe(
        H.newRequest(),
        H.initialize(`${echo.url}/post`),
        H.setJsonBody({ n: 42, s: 'x'.repeat(100_000) }),
      )
      const st = rightOf(await stream(req, 'POST', env))
      assert.equal(st.status, 200)
      const body = JSON.parse(await text(st)) as { method: string; json: unknown }
      assert.equal(body.method, 'POST')
      assert.deepEqual(body.json, { n: 42, s: 'x'.repeat(100_000) })
    })

    test('a 404 is a Right HttpStream whose body is the whole 404 body, in one chunk', async () => {
      const body = 'not here '.repeat(500)
      await withStreamServer(
        (_req, res) => {
          res.writeHead(404, { 'Content-Type': 'text/plain' })
          res.write(body.slice(0, 100))
          res.end(body.slice(100))
        },
        async (s) => {
          const st = rightOf(await stream(pipe(H.newRequest(), H.initialize(`${s.url}/missing`)), 'GET', env))
          assert.equal(st.status, 404)
          const items = await all(st)
          assert.equal(items.length, 1)
          assert.equal(Buffer.from(rightOf(items[0] as Item)).toString(), body)
          assert.ok(lines(st).includes(`executeRequest: body read, ${body.length} bytes`))
        },
      )
    })

    test('HEAD and 204 give an empty body', async () => {
      const head = rightOf(await stream(pipe(H.newRequest(), H.initialize(`${echo.url}/get`)), 'HEAD', env))
      assert.equal(head.status, 200)
      assert.deepEqual(await all(head), [])
      const none = rightOf(await stream(pipe(H.newRequest(), H.initialize(`${echo.url}/status/204`)), 'GET', env))
      assert.equal(none.status, 204)
      assert.deepEqual(await all(none), [])
    })

    test('a body read twice: the second iteration is one InvalidInput, then done', async () => {
      const st = rightOf(await stream(pipe(H.newRequest(), H.initialize(`${echo.url}/bytes/5000`)), 'GET', env))
      const first = await all(st)
      assert.equal(Buffer.concat(first.map((r) => rightOf(r))).length, 5000)
      const second = await all(st)
      assert.equal(second.length, 1)
      assert.equal(asTag(leftOf(second[0] as Item), 'InvalidInput').step, 'streamRequest')
    })
  })

describe('streamRequest: auth up to the head', () => {
  let digest: DigestServer
  let sigv4: SigV4Verifier
  before(async () => {
    digest = await startDigestServer()
    sigv4 = await startSigV4Verifier({
      accessKey: 'AKIDEXAMPLE',
      secretKey: 'sekrit-key',
      region: 'us-east-1',
      service: 's3',
    })
  })
  after(async () => {
    await digest.close()
    await sigv4.close()
  })

  test('the Digest challenge is answered before the head is handed over; the password is not in the log', async () => {
    const req = pipe(
      H.newRequest(),
      H.initialize(`${digest.url}/dir/index.html`),
      H.addDigestAuthorization('Mufasa', 'Circle of Life'),
    )
    const st = rightOf(await stream(req))
    assert.equal(st.status, 200)
    assert.equal(st.attempts, 2)
    const body = JSON.parse(await text(st)) as { user: string; url: string }
    assert.equal(body.user, 'Mufasa')
    assert.deepEqual(
      digest.requests.map((r) => r.verdict.kind),
      ['none', 'ok'],
    )
    assert.ok(!lines(st).join('\n').includes('Circle of Life'))
  })

  test('an AWS4-signed stream: the server checks the signature; a retried head is signed again', async () => {
    const flaky = await startSigV4Verifier({
      accessKey: 'AKIDEXAMPLE',
      secretKey: 'sekrit-key',
      region: 'us-east-1',
      service: 's3',
      failFirst: 1,
    })
    try {
      for (const [server, attempts] of [
        [sigv4, 1],
        [flaky, 2],
      ] as const) {
        const req = pipe(
          H.newRequest(),
          H.initialize(`${server.url}/bucket/key.bin`),
          H.addAws4Authorization('AKIDEXAMPLE', 'sekrit-key', 'us-east-1', 's3'),
          H.maxAttempts(2),
        )
        const st = rightOf(await stream(req, 'GET', noWait))
        assert.equal(st.status, 200)
        assert.equal(st.attempts, attempts)
        assert.equal((JSON.parse(await text(st)) as { ok: boolean }).ok, true)
        assert.ok(
          server.requests.every((r) => r.ok),
          'every request was validly signed',
        )
        assert.ok(!lines(st).join('\n').includes('sekrit-key'))
      }
    } finally {
      await flaky.close()
    }
  })
})

describe('streamRequest: hostile input is one Left, never a throw or a rejection', () => {
  const req = (): H.Request => pipe(H.newRequest(), H.initialize(`${echo.url}/get`))
  type Make = () => TE.TaskEither<H.ClientError, H.HttpStream>
  /** Runs `make` to its Left, failing on a throw, a rejection or a Right (whose body is let go). */
  const leftFrom = async (title: string, make: Make): Promise<H.ClientError> => {
    let r: E.Either<H.ClientError, H.HttpStream>
    try {
      r = await settlesWithin(make()(), CEILING, title)
    } catch (e) {
      return assert.fail(`threw or rejected: ${String(e)}`)
    }
    if (E.isRight(r)) {
      await r.right.body[Symbol.asyncIterator]().return?.()
      return assert.fail(`a Right (status ${r.right.status})`)
    }
    return r.left
  }
  const invalid: ReadonlyArray<readonly [string, Make]> = [
    ['not a Request', () => H.streamRequest('GET')({ hello: 'world' } as unknown as H.Request)],
    ['null', () => H.streamRequest('GET')(null as unknown as H.Request)],
    ['a bad method', () => H.streamRequest('GE T' as H.Method)(req())],
    ['a method that is not a string', () => H.streamRequest(42 as unknown as H.Method)(req())],
    [
      'a request whose step failed (nothing is sent)',
      () => H.streamRequest('GET')(pipe(req(), H.addHeader('bad name', 'x'))),
    ],
  ]
  for (const [title, make] of invalid)
    test(`${title}: InvalidInput`, async () => {
      const e = asTag(await leftFrom(title, make), 'InvalidInput')
      assert.ok(e.message.length > 0)
    })

  // a hostile env is an InvalidInput naming the step (checked before anything runs), a transport
  // that throws a TransportError; never a throw, a rejection or a Right
  const hostileEnv: ReadonlyArray<readonly [string, Make]> = [
    ['a non-function env.fetch', () => H.streamRequest('GET', { fetch: 'nope' } as unknown as H.Env)(req())],
    ['a non-function env.transport', () => H.streamRequest('GET', { transport: {} } as unknown as H.Env)(req())],
    ['env.signal not an AbortSignal', () => H.streamRequest('GET', { signal: 'stop' } as unknown as H.Env)(req())],
    ['a non-function env.now', () => H.streamRequest('GET', { now: 'x' } as unknown as H.Env)(req())],
    [
      'a transport that throws',
      () =>
        H.streamRequest('GET', {
          transport: () => {
            throw new Error('boom')
          },
        })(req()),
    ],
  ]
  /** Timers alive in this process (a run that failed must leave none of its own behind). */
  const timers = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length
  for (const [title, make] of hostileEnv)
    test(`${title}: a Left, no timer left behind`, async () => {
      const before = timers()
      const e = await leftFrom(title, make)
      assert.equal(e._tag, title === 'a transport that throws' ? 'TransportError' : 'InvalidInput', e.message)
      assert.ok(timers() <= before, `${timers() - before} more timers alive after the run`)
    })
})
