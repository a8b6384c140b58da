/**
 * toTemplate withholds every secret value (SPEC §13): secret-named JSON members at any depth,
 * form fields (given as fields or as text) and multipart text fields, PEM private key text,
 * X-Authorization / Authentication headers, the URL's user info (user name too) and a fragment
 * carrying a secret. A withheld field makes the run an InvalidInput naming it (nothing sent)
 * until it is set again; a safe request round-trips unchanged.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import * as H from '../../src/index.js'
import { asTag, ko, ok } from '../execute/helpers.js'
import { useEchoServer } from '../support/fixtures.js'

const echo = useEchoServer()

const PEM = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC-pem-secret\n-----END PRIVATE KEY-----\n'
const CERT = '-----BEGIN CERTIFICATE-----\nMIIBpublic\n-----END CERTIFICATE-----\n'

/** Saved and loaded back (no trust needed: nothing here reads the environment or a file). */
const roundTrip = (req: H.Request): { readonly text: string; readonly loaded: H.Request } => {
  const text = JSON.stringify(H.toTemplate(req))
  const loaded = H.fromTemplate(JSON.parse(text))
  if (E.isLeft(loaded)) assert.fail(loaded.left.message)
  return { text, loaded: loaded.right }
}

const sent = () => echo.server.requests.length

/** The run of a loaded request is an InvalidInput naming `field`, and nothing reaches the server. */
const refused = async (req: H.Request, field: RegExp): Promise<void> => {
  const before = sent()
  const e = asTag(await ko(H.processRequest('POST')(req)), 'InvalidInput')
  assert.match(e.message, field)
  assert.equal(sent(), before, 'nothing sent')
}

const start = (path = '/anything/w'): H.Request => pipe(H.newRequest(), H.initialize(`${echo.url}${path}`))

describe('toTemplate withholds', () => {
  test('secret-named JSON members at any depth, and PEM key text under any name', async () => {
    const req = pipe(
      start(),
      H.setJsonBody({
        user: 'ann',
        password: 'json-pw-1',
        nested: { deeper: [{ client_secret: 'json-cs-2', kept: 'visible' }], api_key: 7777 },
        note: PEM,
        flag: true,
      }),
    )
    const { text, loaded } = roundTrip(req)
    for (const s of ['json-pw-1', 'json-cs-2', '7777', 'pem-secret']) assert.ok(!text.includes(s), `${s} in ${text}`)
    assert.match(text, /"user":"ann"/)
    assert.match(text, /"kept":"visible"/)
    assert.match(text, /"flag":true/)
    await refused(
      loaded,
      /body\.password, body\.nested\.deeper\[0\]\.client_secret, body\.nested\.api_key, body\.note were not saved in the template/,
    )
    const again = await ok(pipe(loaded, H.setJsonBody({ user: 'ann', password: 'new' }), H.processRequest('POST')))
    assert.equal(again.status, 200)
  })

  test('secret-named members of JSON given as text (kept verbatim when nothing is withheld)', async () => {
    const secretText = '{"user":"ann","auth":{"password":"text-pw-3"},"id":12345678901234567890}'
    const { text, loaded } = roundTrip(pipe(start(), H.setJsonBody(secretText)))
    assert.ok(!text.includes('text-pw-3'), text)
    assert.match(text, /"user":"ann"/)
    await refused(loaded, /body\.auth was not saved in the template/)
    // nothing secret: the text itself is saved, byte for byte
    const plain = '{ "id": 12345678901234567890, "id": 1, "big": 1e400 }'
    const kept = roundTrip(pipe(start(), H.setJsonBody(plain))).loaded
    assert.deepEqual(kept.body, { _tag: 'JsonText', text: plain })
    // deeper than a template holds: the whole body is withheld, and the template still saves and loads
    const deepText = `${'['.repeat(100_000)}{"password":"deep-pw-4"}${']'.repeat(100_000)}`
    const deep = roundTrip(pipe(start(), H.setJsonBody(deepText)))
    assert.ok(!deep.text.includes('deep-pw-4'))
    await refused(deep.loaded, /body was not saved in the template/)
  })

  test('form fields, given as fields or as text', async () => {
    for (const form of [
      H.setFormBody({ grant_type: 'client_credentials', client_secret: 'form-cs-3' }),
      H.setFormBody('grant_type=client_credentials&client_secret=form-cs-3'),
      (r: H.Request) => pipe(r, H.initializeFormBody(), H.insertBodyField('client_secret', 'form-cs-3')),
    ]) {
      const { text, loaded } = roundTrip(pipe(start(), form))
      assert.ok(!text.includes('form-cs-3'), text)
      await refused(loaded, /body\.fields\[\d\] \(client_secret\) was not saved in the template/)
    }
  })

  test('multipart text fields (a file part keeps its path: no secret)', async () => {
    const req = pipe(
      start(),
      H.startMultipartBody(),
      H.addMultipartFormDataField('title', 'Report'),
      H.addMultipartFormDataField('token', 'mp-token-4'),
      H.addMultipartFormDataFile('doc', 'a.txt', 'file text'),
    )
    const { text, loaded } = roundTrip(req)
    assert.ok(!text.includes('mp-token-4'), text)
    assert.match(text, /"Report"/)
    await refused(loaded, /body\.parts\[1\] \(token\) was not saved in the template/)
  })

  test('a PEM private key given as text to setTls (a key file is a path, kept)', async () => {
    const withKey = pipe(start(), H.setTls({ cert: CERT, key: PEM }))
    assert.equal(withKey.error, null)
    const { text, loaded } = roundTrip(withKey)
    assert.ok(!text.includes('pem-secret'), text)
    assert.equal(loaded.tls?.key, null)
    await refused(loaded, /tls\.key \(PEM text.*was not saved in the template/)
    const file = H.toTemplate(
      pipe(start(), H.setTls({ cert: H.fromFile('/keys/c.pem'), key: H.fromFile('/keys/k.pem') })),
    )
    assert.match(JSON.stringify(file), /"path":"\/keys\/k\.pem"/)
  })

  test('X-Authorization, Authentication and the other secret-named headers', async () => {
    const req = pipe(
      start(),
      H.addHeader('X-Authorization', 'hdr-xa-5'),
      H.addHeader('Authentication', 'hdr-an-6'),
      H.addHeader('X-Auth', 'hdr-x-7'),
      H.addHeader('X-Request-Id', 'kept-id'),
    )
    const { text, loaded } = roundTrip(req)
    for (const s of ['hdr-xa-5', 'hdr-an-6', 'hdr-x-7']) assert.ok(!text.includes(s), `${s} in ${text}`)
    assert.match(text, /kept-id/)
    await refused(loaded, /headers\[0\] \(X-Authorization\) was not saved in the template/)
  })

  test("the URL's user info (the user name too), in url and baseUrl", async () => {
    for (const req of [
      pipe(
        H.newRequest(),
        H.initialize(echo.url.replace('//', '//ann-user:url-pw-8@') + '/basic-auth/ann-user/url-pw-8'),
      ),
      pipe(
        H.newRequest(),
        H.setBaseUrl(echo.url.replace('//', '//ann-user:url-pw-8@')),
        H.setUrl('/basic-auth/ann-user/url-pw-8'),
      ),
    ]) {
      const saved = H.toTemplate(req) as { request: { url: string | null; baseUrl: string | null } }
      const urls = `${saved.request.url} ${saved.request.baseUrl}`
      assert.ok(!urls.includes('ann-user:') && !urls.includes('ann-user@') && !urls.includes('url-pw-8@'), urls)
      const { text, loaded } = roundTrip(req)
      assert.ok(!text.includes('url-pw-8@'), text)
      await refused(loaded, /(url|baseUrl) user info \(addBasicAuthorization sets it\) was not saved in the template/)
      const again = await ok(pipe(loaded, H.addBasicAuthorization('ann-user', 'url-pw-8'), H.processRequest('GET')))
      assert.equal(again.status, 200)
    }
  })

  test("a secret-named query param of the base URL, and a protocol-relative URL's password in the step error", () => {
    const withBase: H.Request = { ...start(), url: null, baseUrl: 'https://h.example/v1?api_key=K1-base-secret&page=2' }
    const text = JSON.stringify(H.toTemplate(withBase))
    assert.ok(!text.includes('K1-base-secret'), text)
    assert.match(text, /page=2/)
    const relative = H.initialize('//ann:rel-s3cret@api.example.com/x')(H.newRequest())
    assert.match(relative.error?.message ?? '', /\/\/ann:\*\*\*@api\.example\.com/)
    assert.ok(!JSON.stringify(H.toTemplate(relative)).includes('rel-s3cret'))
  })

  test('a fragment that carries a secret (#access_token=…) is dropped; another is kept', () => {
    const dropped = H.toTemplate(
      pipe(H.newRequest(), H.initialize('https://app.example.com/cb#access_token=frag-at-9&token_type=bearer')),
    )
    assert.ok(!JSON.stringify(dropped).includes('frag-at-9'))
    assert.equal((dropped as { request: { url: string } }).request.url, 'https://app.example.com/cb')
    const kept = H.toTemplate(pipe(H.newRequest(), H.initialize('https://app.example.com/docs#section-2')))
    assert.equal((kept as { request: { url: string } }).request.url, 'https://app.example.com/docs#section-2')
  })
})

test('a safe request round-trips unchanged', () => {
  const req = pipe(
    H.newRequest(),
    H.initialize('https://api.example.com/v2/items?sort=asc#top'),
    H.setBaseUrl('https://api.example.com/v2'),
    H.addUrlParameter('page', 2),
    H.addUrlParameter('tags', ['a', 'b']),
    H.addHeader('Accept', 'application/json'),
    H.addHeader('X-Request-Id', 'r-1'),
    H.setJsonBody({ name: 'Ann', nested: { list: [1, 2, { deep: null }] }, active: true }),
    H.maxAttempts(3),
    H.setTimeout(5000),
    H.setDeadline(20_000),
    H.setTls({ ca: CERT }),
  )
  assert.equal(req.error, null)
  // its own CA (PEM text) is a TLS trust decision: loaded with insecureTls only
  const ownCa = H.fromTemplate(JSON.parse(JSON.stringify(H.toTemplate(req))))
  assert.ok(
    E.isLeft(ownCa) && /tls\.ca is the template's own CA.*allow with trust\.insecureTls/.test(ownCa.left.message),
  )
  const loaded = H.fromTemplate(JSON.parse(JSON.stringify(H.toTemplate(req))), { insecureTls: true })
  assert.ok(E.isRight(loaded), E.isLeft(loaded) ? loaded.left.message : '')
  assert.deepEqual({ ...loaded.right, log: [] }, { ...req, log: [] })
})
