/**
 * The page script of test/runtime/browser.test.ts: bundled with esbuild, `../../src/index.js`
 * resolved as the package `httpipe` under the `browser` condition (dist/browser/index.js), and
 * run in headless Chromium from the test's loopback server. It runs each request and POSTs what
 * came back to `/result`, as plain JSON.
 */
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import * as TE from 'fp-ts/lib/TaskEither.js'
import * as t from 'io-ts'
import * as H from '../../src/index.js'
import { aws4Request, BASIC, oauth1Request, SIGNING_ENV } from './browser-cases.js'

type Outcome =
  | { readonly tag: 'Right'; readonly value: unknown }
  | { readonly tag: 'Left'; readonly error: string; readonly step: string | null; readonly message: string }

const outcome = (r: E.Either<H.ClientError, unknown>): Outcome =>
  E.isRight(r)
    ? { tag: 'Right', value: r.right }
    : { tag: 'Left', error: r.left._tag, step: 'step' in r.left ? r.left.step : null, message: r.left.message }

const User = t.type({ id: t.number, name: t.string, tags: t.array(t.string) })
const Echo = t.type({ method: t.string, contentType: t.string, body: t.unknown })
const Authorized = t.type({ user: t.string })
const Digested = t.exact(t.type({ method: t.string, algorithm: t.string, qop: t.string, bodyLength: t.number }))

const base = location.origin
const json =
  <A>(codec: t.Type<A, unknown>) =>
  (te: TE.TaskEither<H.ClientError, H.HttpResponse>): Promise<Outcome> =>
    pipe(te, TE.flatMapEither(H.asJson(codec)))().then(outcome)
const status = (te: TE.TaskEither<H.ClientError, H.HttpResponse>): Promise<Outcome> =>
  pipe(
    te,
    TE.map((r) => r.status),
  )().then(outcome)

/** NDJSON read as it arrives: the names, or the first Left. */
const streamed = async (): Promise<Outcome> => {
  const items = await pipe(H.newRequest(), H.initialize(`${base}/api/ndjson`), H.streamRequest('GET'))()
  if (E.isLeft(items)) return outcome(items)
  const names: string[] = []
  for await (const item of H.asNdjson(t.type({ name: t.string }))(items.right)) {
    if (E.isLeft(item)) return outcome(item)
    names.push(item.right.name)
  }
  return { tag: 'Right', value: names }
}

const run = async (): Promise<Record<string, Outcome>> => ({
  ndjson: await streamed(),
  get: await pipe(H.newRequest(), H.initialize(`${base}/api/user`), H.processRequest('GET'), json(User)),
  post: await pipe(
    H.newRequest(),
    H.initialize(`${base}/api/echo`),
    H.setJsonBody({ a: 1, list: ['x', 'ÿ'] }),
    H.processRequest('POST'),
    json(Echo),
  ),
  basic: await pipe(
    H.newRequest(),
    H.initialize(`${base}/api/basic`),
    H.addBasicAuthorization(BASIC.user, BASIC.password),
    H.processRequest('GET'),
    json(Authorized),
  ),
  digestMd5: await pipe(
    H.newRequest(),
    H.initialize(`${base}/digest-md5/resource?x=1`),
    H.addDigestAuthorization('Mufasa', 'Circle of Life'),
    H.processRequest('GET'),
    json(Digested),
  ),
  digestSha512: await pipe(
    H.newRequest(),
    H.initialize(`${base}/digest-sha512/upload`),
    H.setStringBody('a body hashed for auth-int'),
    H.addDigestAuthorization('Mufasa', 'Circle of Life'),
    H.processRequest('PUT'),
    json(Digested),
  ),
  aws4: await status(pipe(aws4Request(base), H.processRequest('GET', SIGNING_ENV))),
  oauth1: await status(pipe(oauth1Request(base), H.processRequest('POST', SIGNING_ENV))),
  responseFile: await status(
    pipe(H.newRequest(), H.initialize(`${base}/api/user`), H.setResponseFile('user.json'), H.processRequest('GET')),
  ),
  proxy: await status(
    pipe(H.newRequest(), H.initialize(`${base}/api/user`), H.setProxy('http://127.0.0.1:9'), H.processRequest('GET')),
  ),
  fileBody: await status(
    pipe(
      H.newRequest(),
      H.initialize(`${base}/api/echo`),
      H.setBinaryBody(H.fromFile('./photo.jpg')),
      H.processRequest('POST'),
    ),
  ),
  undici: await status(
    pipe(H.newRequest(), H.initialize(`${base}/api/user`), H.processRequest('GET', { transport: H.undiciTransport() })),
  ),
})

const report = (body: unknown): Promise<Response> =>
  fetch('/result', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })

run().then(
  (results) => report({ results }),
  (e: unknown) => report({ crash: e instanceof Error ? `${e.name}: ${e.message}\n${e.stack ?? ''}` : String(e) }),
)
