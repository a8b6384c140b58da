/**
 * setBaseUrl: a base for relative URLs (ky's prefixUrl), joined when the request is prepared.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { flow, pipe } from 'fp-ts/function'
import fc from 'fast-check'
import * as H from '../../src/index.js'
import { asTag, echoOf, ko, ok } from '../execute/helpers.js'
import { assertInvalid, base } from '../helpers.js'
import { useEchoServer } from '../support/fixtures.js'

const urlOf = async (req: H.Request): Promise<string> => (await ok(H.prepareRequest('GET')(req))).url

describe('setBaseUrl and a path in setUrl', () => {
  test('the path is joined onto the base with exactly one slash, whatever the slashes given', async () => {
    for (const [b, path] of [
      ['https://api.example.com/v2', '/users'],
      ['https://api.example.com/v2/', '/users'],
      ['https://api.example.com/v2//', '//users'.slice(1)],
    ] as const)
      assert.equal(
        await urlOf(pipe(H.newRequest(), H.setBaseUrl(b), H.setUrl(path))),
        'https://api.example.com/v2/users',
      )
  })

  test('the order of the two steps does not matter, and the path keeps its query; params are appended', async () => {
    const u = await urlOf(
      pipe(
        H.newRequest(),
        H.setUrl('/users?active=1'),
        H.setBaseUrl('http://127.0.0.1:9/api'),
        H.addUrlParameter('page', 2),
      ),
    )
    assert.equal(u, 'http://127.0.0.1:9/api/users?active=1&page=2')
  })

  test('a template of base and auth composes with any path', async () => {
    const api = flow(H.setBaseUrl('https://api.example.com/v2'), H.addBearerAuthorization('tok-123'))
    const p = await ok(pipe(H.newRequest(), api, H.setUrl('/me'), H.prepareRequest('GET')))
    assert.equal(p.url, 'https://api.example.com/v2/me')
    assert.equal(p.headers.find(([n]) => n === 'Authorization')?.[1], 'Bearer tok-123')
  })

  test('an absolute URL ignores the base; a base without a URL is the URL', async () => {
    assert.equal(
      await urlOf(pipe(H.newRequest(), H.setBaseUrl('https://a.example'), H.setUrl('http://b.example/x'))),
      'http://b.example/x',
    )
    assert.equal(await urlOf(pipe(H.newRequest(), H.setBaseUrl('https://a.example/root'))), 'https://a.example/root')
  })

  test('a path without a base is InvalidInput when prepared, never https:///users', async () => {
    const e = asTag(await ko(pipe(H.newRequest(), H.setUrl('/users'), H.prepareRequest('GET'))), 'InvalidInput')
    assert.equal(e.step, 'prepareRequest')
    assert.match(e.message, /path \/users and there is no base URL/)
  })

  test('property: for any base and path segments, the joined URL has the base then one slash then the path', async () => {
    const segment = fc.stringMatching(/^[a-z0-9._~-]{1,8}$/)
    await fc.assert(
      fc.asyncProperty(
        fc.array(segment, { maxLength: 3 }),
        fc.array(segment, { minLength: 1, maxLength: 3 }),
        fc.boolean(),
        async (b, p, trailing) => {
          const baseUrl = `http://127.0.0.1:9/${b.join('/')}${trailing ? '/' : ''}`
          const u = await urlOf(pipe(H.newRequest(), H.setBaseUrl(baseUrl), H.setUrl(`/${p.join('/')}`)))
          assert.equal(u, `http://127.0.0.1:9/${[...b, ...p].join('/')}`)
        },
      ),
      { numRuns: 200 },
    )
  })

  test('property: a URL without a scheme or leading slash joins exactly as the path does, in either order', async () => {
    const segment = fc.stringMatching(/^[a-z0-9._~-]{1,8}$/)
    await fc.assert(
      fc.asyncProperty(
        fc.array(segment, { minLength: 1, maxLength: 3 }),
        fc.boolean(),
        fc.option(segment, { nil: undefined }),
        async (p, baseFirst, query) => {
          const given = `${p.join('/')}${query === undefined ? '' : `?q=${query}`}`
          const b = H.setBaseUrl('http://127.0.0.1:9/api')
          const req = baseFirst ? pipe(H.newRequest(), b, H.setUrl(given)) : pipe(H.newRequest(), H.setUrl(given), b)
          assert.equal(req.error, null)
          assert.equal(await urlOf(req), `http://127.0.0.1:9/api/${given}`)
          assert.equal(await urlOf(pipe(H.newRequest(), b, H.setUrl(`/${given}`))), `http://127.0.0.1:9/api/${given}`)
        },
      ),
      { numRuns: 200 },
    )
  })

  test('a base with a query or a fragment is refused (a path joined after it would land in the query); one from a template joins nothing', async () => {
    const before = base()
    for (const bad of ['https://h.example/v1/?k=1', 'https://h.example/v1#top', 'https://h.example/v1?'])
      assertInvalid(before, pipe(before, H.setBaseUrl(bad)), 'setBaseUrl')
    const loaded: H.Request = { ...pipe(H.newRequest(), H.setUrl('users')), baseUrl: 'https://h.example/v1/?k=1' }
    const e = asTag(await ko(H.prepareRequest('GET')(loaded)), 'InvalidInput')
    assert.match(e.message, /base URL https:\/\/h\.example\/v1\/\?k=1 has a query or a fragment/)
  })

  test('hostile input is InvalidInput naming the step', () => {
    const before = base()
    for (const bad of ['/relative', 'ftp://h/x', '//host/x', 'http://', 42, null, undefined, {}, 10n, Symbol('s')])
      assertInvalid(before, pipe(before, H.setBaseUrl(bad as never)), 'setBaseUrl')
    for (const bad of ['/a\\b', '//evil/x']) assertInvalid(before, pipe(before, H.setUrl(bad)), 'setUrl')
  })

  test('initialize resets the base, and RequestCodec keeps it', () => {
    const r = pipe(H.newRequest(), H.setBaseUrl('https://a.example/v1'), H.setUrl('/x'))
    assert.equal(r.baseUrl, 'https://a.example/v1')
    assert.equal(pipe(r, H.initialize()).baseUrl, null)
    const back = H.RequestCodec.decode(JSON.parse(JSON.stringify(H.RequestCodec.encode(r))))
    assert.ok(back._tag === 'Right' && back.right.baseUrl === 'https://a.example/v1' && back.right.url === '/x')
  })
})

describe('setBaseUrl on the wire', () => {
  const echo = useEchoServer()

  test('the request reaches base + path', async () => {
    const res = await ok(
      pipe(H.newRequest(), H.setBaseUrl(`${echo.url}/anything/v2`), H.setUrl('/users'), H.processRequest('GET')),
    )
    assert.equal(echoOf(res).path, '/anything/v2/users')
    assert.equal(res.url, `${echo.url}/anything/v2/users`)
  })
})
