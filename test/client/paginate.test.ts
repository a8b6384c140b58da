/**
 * paginate against the echo server's `/pages` route and loopback node:http servers that record
 * what they receive: pages in order (absolute and relative links, cross-fetch too), laziness,
 * maxPages, leaving early, a non-2xx page, a failed page, an aborted env.signal, `next` that throws or returns
 * nonsense, a custom `next` and method, the cross-origin guard (another port, another scheme, a
 * page redirected to another origin, https to http) and what `crossOrigin: true` leaves behind, AWS4 and
 * OAuth1 signed again for each page, hostile input.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import * as E from 'fp-ts/Either'
import * as O from 'fp-ts/Option'
import { pipe } from 'fp-ts/function'

import * as H from '../../src/index.js'
import { useEchoServer } from '../support/fixtures.js'
import { startOAuth1Verifier, type Verifier } from '../support/oauth1-verifier.js'
import { freePort, makePki } from '../support/peers.js'
import { startSigV4Verifier, type SigV4Verifier } from '../support/sigv4-verifier.js'
import { settlesWithin } from '../support/wait.js'

type Result = E.Either<H.ClientError, H.HttpResponse>

interface Seen {
  readonly method: string
  readonly url: string
  readonly headers: IncomingHttpHeaders
}

interface Recording {
  readonly url: string
  readonly seen: Seen[]
}

type Handler = (req: IncomingMessage, res: ServerResponse, n: number) => void

const servers: Array<ReturnType<typeof createServer>> = []
after(async () => {
  for (const s of servers) s.closeAllConnections()
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))))
  await H.defaultTransport.close()
})

/** A fresh loopback server that records each request (its number `n`, 1-based) and answers with `handler`. */
const serve = async (handler: Handler): Promise<Recording> => {
  const seen: Seen[] = []
  const server = createServer((req, res) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers })
    const n = seen.length
    req.resume()
    req.on('end', () => handler(req, res, n))
  })
  servers.push(server)
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen }
}

/** Pages without end: `/p?n=N` answers `{"n":N}` with a relative `Link` to `/p?n=N+1`. */
const endless: Handler = (req, res) => {
  const n = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('n') ?? '1')
  res.writeHead(200, { 'content-type': 'application/json', link: `</p?n=${n + 1}>; rel="next"` })
  res.end(JSON.stringify({ n }))
}

/** Every result of the stream (a 30 s ceiling only so that a hang fails). */
const collect = (it: AsyncIterable<Result>): Promise<ReadonlyArray<Result>> =>
  settlesWithin(
    (async () => {
      const out: Result[] = []
      for await (const r of it) out.push(r)
      return out
    })(),
    30_000,
    'paginate',
  )

const at = (url: string): H.Request => pipe(H.newRequest(), H.initialize(url))
const body = (r: Result | undefined): unknown => {
  if (r === undefined || E.isLeft(r)) return assert.fail(`not a page: ${r === undefined ? 'none' : r.left.message}`)
  const j = H.asJson()(r.right)
  return E.isRight(j) ? j.right : assert.fail(j.left.message)
}
const ids = (results: ReadonlyArray<Result>): unknown[] =>
  results.flatMap((r) => (body(r) as ReadonlyArray<{ id: number }>).map((x) => x.id))
const leftOf = (r: Result | undefined): H.ClientError =>
  r !== undefined && E.isLeft(r) ? r.left : assert.fail(`not a Left: ${r === undefined ? 'none' : r.right.status}`)
/** Lets anything still on its way arrive (a request sent after the stream stopped would be seen). */
const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 100))

const echo = useEchoServer()

describe('paginate: page after page', () => {
  test('the /pages route: every page in order by its Link rel="next", then the stream ends', async () => {
    const results = await collect(pipe(at(`${echo.url}/pages?pages=3&per=2`), H.paginate()))
    assert.equal(results.length, 3)
    assert.ok(results.every(E.isRight))
    assert.deepStrictEqual(ids(results), [1, 2, 3, 4, 5, 6])
    assert.deepStrictEqual(
      results.map((r) => (E.isRight(r) ? new URL(r.right.url).searchParams.get('page') : null)),
      [null, '2', '3'],
    )
  })

  test('relative links are resolved against the page URL', async () => {
    const results = await collect(pipe(at(`${echo.url}/pages?pages=4&per=1&relative=1`), H.paginate()))
    assert.deepStrictEqual(ids(results), [1, 2, 3, 4])
  })

  test('on cross-fetch too (env.transport), with one env for every page', async () => {
    const results = await collect(
      pipe(at(`${echo.url}/pages?pages=3&per=3`), H.paginate({ env: { transport: H.crossFetchTransport } })),
    )
    assert.deepStrictEqual(ids(results), [1, 2, 3, 4, 5, 6, 7, 8, 9])
  })

  test('every page keeps the request’s headers, auth and settings (same origin)', async () => {
    const srv = await serve(endless)
    const req = pipe(
      at(`${srv.url}/p?n=1`),
      H.addHeader('X-Trace', 't-1'),
      H.addBearerAuthorization('tok-1'),
      H.setTimeout(20_000),
    )
    const results = await collect(pipe(req, H.paginate({ maxPages: 3 })))
    assert.deepStrictEqual(
      results.map((r) => (body(r) as { n: number }).n),
      [1, 2, 3],
    )
    assert.deepStrictEqual(
      srv.seen.map((s) => [s.url, s.headers['x-trace'], s.headers.authorization]),
      [
        ['/p?n=1', 't-1', 'Bearer tok-1'],
        ['/p?n=2', 't-1', 'Bearer tok-1'],
        ['/p?n=3', 't-1', 'Bearer tok-1'],
      ],
    )
  })

  test('a custom next (a cursor in the body) and method', async () => {
    const srv = await serve((req, res) => {
      const cursor = new URL(req.url ?? '/', 'http://x').searchParams.get('cursor') ?? 'a'
      const following = { a: 'b', b: 'c', c: null }[cursor] ?? null
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ cursor, after: following }))
    })
    const next = (res: H.HttpResponse, req: H.Request): O.Option<H.Request> =>
      pipe(
        H.asJson()(res),
        E.map((j) => (j as { after: string | null }).after),
        O.fromEither,
        O.flatMap(O.fromNullable),
        O.map((c) => pipe(req, H.setUrlParams({ cursor: c }))),
      )
    const results = await collect(pipe(at(`${srv.url}/items`), H.paginate({ next, method: 'POST' })))
    assert.deepStrictEqual(
      results.map((r) => (body(r) as { cursor: string }).cursor),
      ['a', 'b', 'c'],
    )
    assert.deepStrictEqual(
      srv.seen.map((s) => `${s.method} ${s.url}`),
      ['POST /items', 'POST /items?cursor=b', 'POST /items?cursor=c'],
    )
  })
})

describe('paginate: lazy, bounded, stopped by the consumer', () => {
  test('nothing is sent before the iteration starts; each iteration starts from the first page', async () => {
    const srv = await serve(endless)
    const pages = pipe(at(`${srv.url}/p?n=1`), H.paginate({ maxPages: 2 }))
    const iterator = pages[Symbol.asyncIterator]()
    await settle()
    assert.equal(srv.seen.length, 0, 'made, and its iterator asked for: nothing sent')
    assert.equal((body(((await iterator.next()) as IteratorResult<Result>).value as Result) as { n: number }).n, 1)
    await iterator.return?.()
    await collect(pages)
    await collect(pages)
    assert.deepStrictEqual(
      srv.seen.map((s) => s.url),
      ['/p?n=1', '/p?n=1', '/p?n=2', '/p?n=1', '/p?n=2'],
    )
  })

  test('maxPages: the stream ends after that many pages, with no Left and nothing logged', async () => {
    const srv = await serve(endless)
    const results = await collect(pipe(at(`${srv.url}/p?n=1`), H.paginate({ maxPages: 3 })))
    assert.equal(results.length, 3)
    assert.ok(results.every(E.isRight))
    await settle()
    assert.equal(srv.seen.length, 3)
    const last = results[2]
    assert.ok(last !== undefined && E.isRight(last))
    assert.deepStrictEqual(
      last.right.log.filter((e) => e.step === 'paginate'),
      [],
    )
  })

  test('maxPages is 1000 by default', async () => {
    const srv = await serve(endless)
    const results = await collect(pipe(at(`${srv.url}/p?n=1`), H.paginate()))
    assert.equal(results.length, 1000)
    assert.ok(results.every(E.isRight))
    await settle()
    assert.equal(srv.seen.length, 1000)
  })

  test('leaving the for await early requests no more pages', async () => {
    const srv = await serve(endless)
    const got: number[] = []
    for await (const r of pipe(at(`${srv.url}/p?n=1`), H.paginate())) {
      got.push((body(r) as { n: number }).n)
      if (got.length === 2) break
    }
    await settle()
    assert.deepStrictEqual(got, [1, 2])
    assert.equal(srv.seen.length, 2)
  })
})

describe('paginate: the stream ends after its first Left', () => {
  test('a page whose status is not 2xx: a StatusError carrying that response', async () => {
    const srv = await serve((_req, res, n) => {
      if (n === 1) res.writeHead(200, { link: '</p?n=2>; rel="next"' }).end('one')
      else res.writeHead(404, { link: '</p?n=3>; rel="next"' }).end('gone')
    })
    const results = await collect(pipe(at(`${srv.url}/p?n=1`), H.paginate()))
    assert.equal(results.length, 2)
    assert.ok(results[0] !== undefined && E.isRight(results[0]))
    const e = leftOf(results[1])
    assert.equal(e._tag, 'StatusError')
    assert.ok(e._tag === 'StatusError')
    assert.equal(e.status, 404)
    assert.equal(Buffer.from(e.response.body).toString(), 'gone')
    assert.match(e.message, /^paginate: unexpected status 404 .*\/p\?n=2 \(page 2\)$/)
    await settle()
    assert.equal(srv.seen.length, 2)
  })

  test('a page that fails to arrive: its ClientError', async () => {
    const closed = await freePort()
    const srv = await serve((_req, res) =>
      res.writeHead(200, { link: `<http://127.0.0.1:${closed}/p>; rel="next"` }).end('one'),
    )
    const results = await collect(pipe(at(`${srv.url}/p`), H.paginate({ crossOrigin: true })))
    assert.equal(results.length, 2)
    assert.equal(leftOf(results[1])._tag, 'TransportError')
  })

  test('env.signal aborted after the first page: the next one is a TransportError (ABORTED), not sent', async () => {
    const srv = await serve(endless)
    const controller = new AbortController()
    const got: Result[] = []
    for await (const r of pipe(at(`${srv.url}/p?n=1`), H.paginate({ env: { signal: controller.signal } }))) {
      got.push(r)
      controller.abort()
    }
    assert.equal(got.length, 2)
    const e = leftOf(got[1])
    assert.equal(e._tag === 'TransportError' ? e.cause : e._tag, 'ABORTED')
    await settle()
    assert.equal(srv.seen.length, 1)
  })

  test('next that throws, or returns anything but an Option of a Request: an InvalidInput of paginate', async () => {
    const srv = await serve(endless)
    const req = at(`${srv.url}/p?n=1`)
    const nexts: ReadonlyArray<readonly [string, unknown, RegExp]> = [
      [
        'throws',
        () => {
          throw new Error('no more')
        },
        /next threw: no more/,
      ],
      ['returns undefined', () => undefined, /Option of a Request/],
      ['returns a Request', (_res: H.HttpResponse, r: H.Request) => r, /Option of a Request/],
      ['returns some(42)', () => O.some(42), /Option of a Request .*, not 42$/],
      ['returns a promise', async () => O.none, /Option of a Request/],
      [
        'returns an Option whose _tag throws',
        () =>
          new Proxy(
            {},
            {
              get() {
                throw new Error('trap')
              },
            },
          ),
        /next returned a value that cannot be read: trap/,
      ],
    ]
    for (const [name, next, message] of nexts) {
      const before = srv.seen.length
      const results = await collect(pipe(req, H.paginate({ next: next as never })))
      assert.equal(results.length, 2, name)
      const e = leftOf(results[1])
      assert.equal(e._tag === 'InvalidInput' ? e.step : e._tag, 'paginate', name)
      assert.match(e.message, message, name)
      assert.equal(srv.seen.length, before + 1, `${name}: only the first page sent`)
    }
    const thrower = () => {
      throw 'a string'
    }
    const e = leftOf((await collect(pipe(req, H.paginate({ next: thrower }))))[1])
    assert.match(e.message, /next threw: a string/)
  })
})

describe('paginate: another origin', () => {
  test('a next page on another origin (another port) is a Left naming both origins, redacted; nothing sent there', async () => {
    const other = await serve(endless)
    const port = new URL(other.url).port
    const srv = await serve((_req, res) =>
      res
        .writeHead(200, { link: `<http://ann:pw-9@127.0.0.1:${port}/p?n=2&access_token=tok-9>; rel="next"` })
        .end('one'),
    )
    const results = await collect(pipe(at(`${srv.url}/p`), H.addBearerAuthorization('tok-1'), H.paginate()))
    assert.equal(results.length, 2)
    const e = leftOf(results[1])
    assert.equal(e._tag, 'InvalidInput')
    assert.ok(e._tag === 'InvalidInput')
    assert.equal(e.step, 'paginate')
    assert.ok(e.message.startsWith('paginate: '), e.message)
    assert.ok(e.message.includes(`(${other.url})`) && e.message.includes(`(${srv.url})`), e.message)
    assert.ok(!/pw-9|tok-9|tok-1|ann/.test(e.message), e.message)
    assert.ok(!/pw-9|tok-9|tok-1/.test(JSON.stringify(e.log)), 'nor in its log')
    await settle()
    assert.equal(other.seen.length, 0)
  })

  test('another scheme on the same host and port is another origin too', async () => {
    const srv = await serve(endless)
    const next = (_res: H.HttpResponse, req: H.Request) =>
      O.some(pipe(req, H.setUrl(srv.url.replace('http:', 'https:'))))
    const results = await collect(pipe(at(`${srv.url}/p?n=1`), H.paginate({ next })))
    assert.equal(results.length, 2)
    assert.match(leftOf(results[1]).message, /another origin \(https:\/\/127\.0\.0\.1:\d+\) than its page \(http:/)
    assert.equal(srv.seen.length, 1)
  })

  test('https to http on the same host and port is another origin: a Left, nothing sent', async () => {
    const pki = makePki()
    const seen: string[] = []
    const server = createHttpsServer({ key: pki.serverKey, cert: pki.serverCert }, (req, res) => {
      seen.push(req.url ?? '')
      const port = (server.address() as AddressInfo).port
      res.writeHead(200, { link: `<http://127.0.0.1:${port}/p2>; rel="next"` }).end('one')
    })
    try {
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
      const origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`
      const req = pipe(at(`${origin}/p1`), H.setTls({ ca: pki.ca }), H.addBearerAuthorization('tok-1'))
      const results = await collect(pipe(req, H.paginate()))
      assert.equal(results.length, 2)
      assert.ok(results[0] !== undefined && E.isRight(results[0]))
      const e = leftOf(results[1])
      assert.equal(e._tag, 'InvalidInput')
      assert.ok(e.message.includes(`(${origin.replace('https:', 'http:')}) than its page (${origin})`), e.message)
      assert.deepStrictEqual(seen, ['/p1'])
    } finally {
      server.closeAllConnections()
      await new Promise((r) => server.close(r))
      pki.cleanup()
    }
  })

  test('the origin compared is the page request’s, not where a redirect took it', async () => {
    // page 1 is asked of A, redirected to B's /pages; B's next page is on B, where A's
    // credentials must not go (the redirect dropped them; the next page would carry them again)
    const a = await serve((_req, res) => res.writeHead(302, { location: `${echo.url}/pages?pages=2` }).end())
    const req = pipe(at(`${a.url}/start`), H.addBasicAuthorization('ann', 'pw-1'))
    const results = await collect(pipe(req, H.paginate()))
    assert.equal(results.length, 2)
    assert.ok(results[0] !== undefined && E.isRight(results[0]))
    assert.equal(results[0].right.url, `${echo.url}/pages?pages=2`)
    const e = leftOf(results[1])
    assert.equal(e._tag, 'InvalidInput')
    assert.ok(e.message.includes(`(${echo.url})`) && e.message.includes(`(${a.url})`), e.message)
  })

  test('crossOrigin: true follows it without the first origin’s credentials', async () => {
    const b = await serve((_req, res) => res.end('two'))
    const a = await serve((_req, res) => res.writeHead(200, { link: `<${b.url}/p?n=2>; rel="next"` }).end('one'))
    const req = pipe(
      at(`${a.url}/p`),
      H.addUrlParameter('access_token', 'qs-secret'),
      H.addUrlParameter('q', 'kept'),
      H.addHeader('X-Trace', 't-1'),
      H.addHeader('X-Api-Key', 'key-1'),
      H.addHeader('Cookie', 'sid=1'),
      H.addHeader('X-Tenant', H.secretFromEnv('TENANT')),
      H.addBearerAuthorization('tok-1'),
    )
    const env = { secrets: (n: string) => (n === 'TENANT' ? 'tenant-secret' : undefined) }
    const next = (res: H.HttpResponse, r: H.Request) =>
      pipe(
        H.nextLink(res, r),
        // keep the request's params, as a custom next may
        O.map((n) => ({ ...n, params: r.params })),
      )
    const results = await collect(pipe(req, H.paginate({ crossOrigin: true, env, next })))
    assert.deepStrictEqual(
      results.map((r) => (E.isRight(r) ? Buffer.from(r.right.body).toString() : r.left.message)),
      ['one', 'two'],
    )
    const [first] = a.seen
    assert.equal(first?.headers.authorization, 'Bearer tok-1')
    assert.equal(first?.headers['x-api-key'], 'key-1')
    assert.equal(first?.headers['x-tenant'], 'tenant-secret')
    assert.equal(b.seen.length, 1)
    const h = b.seen[0]?.headers ?? {}
    for (const gone of ['authorization', 'x-api-key', 'cookie', 'x-tenant']) assert.equal(h[gone], undefined, gone)
    assert.equal(h['x-trace'], 't-1')
    assert.equal(b.seen[0]?.url, '/p?n=2&q=kept')
    const two = results[1]
    assert.ok(two !== undefined && E.isRight(two))
    assert.ok(
      two.right.log.some((e) => e.step === 'paginate' && /another origin .* sent without credentials/.test(e.message)),
    )
    assert.ok(!JSON.stringify(two.right.log).includes('tok-1'))
  })

  test('crossOrigin: true with AWS4: the next origin gets no signature and no x-amz headers', async () => {
    const b = await serve((_req, res) => res.end('two'))
    const a = await serve((_req, res) => res.writeHead(200, { link: `<${b.url}/p>; rel="next"` }).end('one'))
    const req = pipe(
      at(`${a.url}/p`),
      H.addAws4Authorization('AKID', 'SECRET', 'us-east-1', 's3', { sessionToken: 'sess-1' }),
    )
    const results = await collect(pipe(req, H.paginate({ crossOrigin: true })))
    assert.equal(results.length, 2)
    assert.ok(results.every(E.isRight))
    assert.match(String(a.seen[0]?.headers.authorization), /^AWS4-HMAC-SHA256 /)
    const h = b.seen[0]?.headers ?? {}
    assert.deepStrictEqual(
      Object.keys(h).filter((n) => n === 'authorization' || n.startsWith('x-amz-')),
      [],
    )
  })
})

describe('paginate: each page signed again', () => {
  const AK = 'AKIDPAGINATE'
  const SK = 'wJalr/S3cr3t+K3y=pages'
  let sig: SigV4Verifier
  let oauth: Verifier
  before(async () => {
    sig = await startSigV4Verifier({ accessKey: AK, secretKey: SK, region: 'eu-west-1', service: 's3' })
    oauth = await startOAuth1Verifier({ consumers: { ck: { secret: 'cs' } }, tokens: { tok: 'ts' } })
  })
  after(async () => {
    await sig.close()
    await oauth.close()
  })

  /** Pages 1 to 3 by a `page` URL param. */
  const byParam = (res: H.HttpResponse, req: H.Request): O.Option<H.Request> => {
    const page = Number(new URL(res.url).searchParams.get('page') ?? '1')
    return page < 3 ? O.some(pipe(req, H.setUrlParams({ page: page + 1 }))) : O.none
  }

  test('AWS4: every page carries its own signature, and each verifies', async () => {
    const req = pipe(at(`${sig.url}/bucket/items`), H.addAws4Authorization(AK, SK, 'eu-west-1', 's3'))
    const results = await collect(pipe(req, H.paginate({ next: byParam })))
    assert.equal(results.length, 3)
    assert.ok(results.every(E.isRight), JSON.stringify(results.map((r) => (E.isLeft(r) ? r.left.message : 'ok'))))
    const got = sig.requests.slice(-3)
    assert.deepStrictEqual(
      got.map((r) => [r.query, r.ok, r.reason]),
      [
        ['', true, null],
        ['page=2', true, null],
        ['page=3', true, null],
      ],
    )
    assert.equal(new Set(got.map((r) => r.signature)).size, 3, 'three different signatures')
  })

  test('OAuth1: every page carries its own nonce and signature, and each verifies', async () => {
    const req = pipe(at(`${oauth.url}/items`), H.addOAuthV1Authorization('tok', 'ts', 'ck', 'cs'))
    const results = await collect(pipe(req, H.paginate({ next: byParam })))
    assert.equal(results.length, 3)
    assert.ok(results.every(E.isRight))
    const got = oauth.verifications.slice(-3)
    assert.deepStrictEqual(
      got.map((v) => [v.target, v.reason]),
      [
        ['/items', 'ok'],
        ['/items?page=2', 'ok'],
        ['/items?page=3', 'ok'],
      ],
    )
    assert.equal(new Set(got.map((v) => v.oauth['oauth_nonce'])).size, 3)
    assert.equal(new Set(got.map((v) => v.oauth['oauth_signature'])).size, 3)
  })
})

describe('paginate: hostile input is one InvalidInput, never a throw, nothing sent', () => {
  const throwing = new Proxy(
    {},
    {
      ownKeys() {
        throw new Error('keys trap')
      },
    },
  )
  const cases: ReadonlyArray<readonly [string, unknown, RegExp]> = [
    ['maxPages 0', { maxPages: 0 }, /maxPages must be a whole number ≥ 1, not 0/],
    ['maxPages -1', { maxPages: -1 }, /maxPages/],
    ['maxPages NaN', { maxPages: NaN }, /maxPages .* not NaN/],
    ['maxPages 1.5', { maxPages: 1.5 }, /maxPages/],
    ['maxPages Infinity', { maxPages: Infinity }, /maxPages/],
    ['maxPages "3"', { maxPages: '3' }, /maxPages .* not "3"/],
    ['next not a function', { next: 'nextLink' }, /next must be a function/],
    ['next null', { next: null }, /next must be a function/],
    ['method with a space', { method: 'GET POST' }, /method must be an HTTP method/],
    ['method empty', { method: '' }, /method/],
    ['method a number', { method: 42 }, /method/],
    ['env a string', { env: 'prod' }, /env must be an object/],
    ['crossOrigin "yes"', { crossOrigin: 'yes' }, /crossOrigin must be true or false/],
    ['an unknown option', { maxpages: 2 }, /unknown option "maxpages"/],
    ['options null', null, /the options must be an object/],
    ['options a number', 5, /the options must be an object/],
    ['options an array', [], /the options must be an object/],
    ['options that throw when read', throwing, /the options cannot be read: keys trap/],
  ]
  for (const [name, options, message] of cases)
    test(name, async () => {
      const srv = await serve(endless)
      let results: ReadonlyArray<Result> = []
      await assert.doesNotReject(async () => {
        const pages = H.paginate(options as H.PaginateOptions)(at(`${srv.url}/p`))
        results = await collect(pages)
      })
      assert.equal(results.length, 1)
      const e = leftOf(results[0])
      assert.equal(e._tag === 'InvalidInput' ? e.step : e._tag, 'paginate')
      assert.match(e.message, message)
      assert.equal(srv.seen.length, 0)
    })

  test('a req that is not a Request', async () => {
    for (const req of [null, undefined, 'http://127.0.0.1/', {}, { _tag: 'HttpResponse' }]) {
      const results = await collect(H.paginate()(req as never))
      assert.equal(results.length, 1)
      const e = leftOf(results[0])
      assert.equal(e._tag === 'InvalidInput' ? e.step : e._tag, 'paginate')
      assert.match(e.message, /the request must be a Request/)
    }
  })

  test('an env whose getters throw: one InvalidInput naming the field, not a rejection', async () => {
    const srv = await serve(endless)
    const env = new Proxy(
      {},
      {
        get() {
          throw new Error('env trap')
        },
      },
    )
    const results = await collect(pipe(at(`${srv.url}/p`), H.paginate({ env })))
    assert.equal(results.length, 1)
    assert.equal(leftOf(results[0])._tag, 'InvalidInput')
    assert.match(leftOf(results[0]).message, /^paginate: env\.transport cannot be read \(env trap\)/)
    assert.equal(srv.seen.length, 0)
  })

  test('a request holding a step error: its InvalidInput, nothing sent', async () => {
    const srv = await serve(endless)
    const results = await collect(pipe(at(`${srv.url}/p`), H.addHeader('Bad Name', 'x'), H.paginate()))
    assert.equal(results.length, 1)
    assert.equal(leftOf(results[0])._tag, 'InvalidInput')
    assert.equal(srv.seen.length, 0)
  })
})
