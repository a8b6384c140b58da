/**
 * The Link header (RFC 8288) and nextLink: the RFC's examples, GitHub's header, commas inside
 * `<…>` and quoted strings, several headers, relative targets resolved against the page URL,
 * no next → none, targets that are not http(s), hostile headers.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import * as O from 'fp-ts/Option'
import { pipe } from 'fp-ts/function'
import { linkTarget, parseLinkHeader } from '../../src/encoding/link.js'
import type { HttpResponse } from '../../src/model/response.js'
import { newRequest, type Request } from '../../src/model/request.js'
import { addHeader } from '../../src/steps/headers.js'
import { initialize, setUrl } from '../../src/steps/init.js'
import { nextLink } from '../../src/steps/next-link.js'
import { setPathParam } from '../../src/steps/path-params.js'
import { addUrlParameter } from '../../src/steps/params.js'

const page = (
  rawHeaders: ReadonlyArray<readonly [string, string]>,
  url = 'https://api.example.com/v1/items?page=1',
): HttpResponse => ({
  _tag: 'HttpResponse',
  status: 200,
  statusText: 'OK',
  headers: {},
  rawHeaders,
  url,
  body: new Uint8Array(0),
  file: null,
  redirects: 0,
  attempts: 1,
  timings: { start: 0, headers: 1, end: 1, total: 1 },
  log: [],
})
const next = (value: string | ReadonlyArray<string>, url?: string): string | null =>
  linkTarget(
    (typeof value === 'string' ? [value] : value).map((v) => ['Link', v] as const),
    url ?? 'https://api.example.com/v1/items?page=1',
    'next',
  )

describe('parseLinkHeader (RFC 8288 §3)', () => {
  test('the RFC examples', () => {
    assert.deepEqual(
      parseLinkHeader('<http://example.com/TheBook/chapter2>; rel="previous"; title="previous chapter"'),
      [
        {
          target: 'http://example.com/TheBook/chapter2',
          params: { rel: 'previous', title: 'previous chapter' },
          rels: ['previous'],
        },
      ],
    )
    assert.deepEqual(parseLinkHeader('</>; rel="http://example.net/foo"')[0]?.rels, ['http://example.net/foo'])
    assert.deepEqual(parseLinkHeader('</terms>; rel="copyright"; anchor="#foo"')[0]?.params, {
      rel: 'copyright',
      anchor: '#foo',
    })
    const two = parseLinkHeader(
      '</TheBook/chapter2>; rel="previous"; title*=UTF-8\'de\'letztes%20Kapitel, </TheBook/chapter4>; rel="next"; title*=UTF-8\'de\'n%c3%a4chstes%20Kapitel',
    )
    assert.deepEqual(
      two.map((l) => [l.target, l.rels, l.params['title*']]),
      [
        ['/TheBook/chapter2', ['previous'], "UTF-8'de'letztes%20Kapitel"],
        ['/TheBook/chapter4', ['next'], "UTF-8'de'n%c3%a4chstes%20Kapitel"],
      ],
    )
    assert.deepEqual(parseLinkHeader('<http://example.org/>; rel="start http://example.net/relation/other"')[0]?.rels, [
      'start',
      'http://example.net/relation/other',
    ])
    assert.deepEqual(
      parseLinkHeader('<https://example.org/>; rel="start", <https://example.org/index>; rel="index"').map(
        (l) => l.rels,
      ),
      [['start'], ['index']],
    )
  })

  test('commas inside <…> and inside quoted strings; escapes; bare values; the first rel kept', () => {
    const links = parseLinkHeader(
      '<https://x.test/a?ids=1,2,3>; title="a, b; \\"c\\""; rel=next, <https://x.test/b>;rel=last;rel=next;type=text/html',
    )
    assert.deepEqual(links, [
      { target: 'https://x.test/a?ids=1,2,3', params: { title: 'a, b; "c"', rel: 'next' }, rels: ['next'] },
      { target: 'https://x.test/b', params: { rel: 'last', type: 'text/html' }, rels: ['last'] },
    ])
  })

  test('a link that cannot be read is skipped up to the next comma; never throws', () => {
    assert.deepEqual(
      parseLinkHeader(
        'garbage, <https://x.test/1>; rel=next; =bad, <https://x.test/2> junk "q,q", <https://x.test/3>; rel=next',
      ).map((l) => l.target),
      ['https://x.test/3'],
    )
    for (const v of ['', ',,,', '<', '<a', '"', ';', '<a>;', '<a>; rel="unterminated', '\u0000<a>'])
      assert.doesNotThrow(() => parseLinkHeader(v))
    assert.deepEqual(parseLinkHeader(42 as unknown as string), [])
  })

  test('hostile headers of a megabyte parse in linear time', () => {
    const started = Date.now()
    for (const v of [
      '<'.repeat(1 << 20),
      '<a>'.repeat(1 << 18),
      `<a>${';'.repeat(1 << 20)}`,
      `<a>; t="${'\\'.repeat(1 << 20)}`,
      '"'.repeat(1 << 20),
      `${'<a>; rel=prev, '.repeat(1 << 16)}<https://x.test/n>; rel=next`,
    ])
      parseLinkHeader(v)
    assert.ok(Date.now() - started < 20_000)
    assert.equal(next(`${'<a>; rel=prev, '.repeat(1 << 16)}<https://x.test/n>; rel=next`), 'https://x.test/n')
  })
})

describe('linkTarget', () => {
  test("GitHub's header: the next page among prev, last and first", () => {
    const gh =
      '<https://api.github.com/repositories/1300192/issues?page=2>; rel="prev", <https://api.github.com/repositories/1300192/issues?page=4>; rel="next", <https://api.github.com/repositories/1300192/issues?page=515>; rel="last", <https://api.github.com/repositories/1300192/issues?page=1>; rel="first"'
    assert.equal(next(gh), 'https://api.github.com/repositories/1300192/issues?page=4')
  })

  test('rel lists, case-insensitive; several headers; the first usable wins', () => {
    assert.equal(next('<https://x.test/2>; rel="NeXt last"'), 'https://x.test/2')
    assert.equal(next(['<https://x.test/p>; rel=prev', '<https://x.test/n>; rel=next']), 'https://x.test/n')
    assert.equal(next(['<https://x.test/n1>; rel=next', '<https://x.test/n2>; rel=next']), 'https://x.test/n1')
    assert.equal(next('<mailto:a@x.test>; rel=next, <https://x.test/ok>; rel=next'), 'https://x.test/ok')
  })

  test('relative targets are resolved against the page URL', () => {
    assert.equal(next('<?page=2>; rel=next'), 'https://api.example.com/v1/items?page=2')
    assert.equal(next('<items?page=2>; rel=next'), 'https://api.example.com/v1/items?page=2')
    assert.equal(next('</v2/items?cursor=a%2Cb>; rel=next'), 'https://api.example.com/v2/items?cursor=a%2Cb')
    assert.equal(next('<//other.test/x>; rel=next'), 'https://other.test/x')
    assert.equal(next('<https://x.test/abs>; rel=next', 'not a url'), 'https://x.test/abs')
    assert.equal(next('</rel>; rel=next', 'not a url'), null)
  })

  test('no next, a target that is not http(s), a link about another resource (anchor): none', () => {
    for (const v of [
      '<https://x.test/l>; rel=last',
      '<https://x.test/n>; rel=nextpage',
      '<https://x.test/n>; title=next',
      '<javascript:alert(1)>; rel=next',
      '<file:///etc/passwd>; rel=next',
      '<data:,x>; rel=next',
      '<https://x.test/n>; rel=next; anchor="https://other.test/"',
      '<http://[::1>; rel=next',
    ])
      assert.equal(next(v), null, v)
    assert.equal(linkTarget([['X-Link', '<https://x.test/n>; rel=next']], 'https://x.test/', 'next'), null)
  })
})

describe('nextLink', () => {
  const req: Request = pipe(
    newRequest(),
    initialize('https://api.example.com/v1/items'),
    addUrlParameter('page', '1'),
    addHeader('Accept', 'application/json'),
  )

  test('the request with its URL set to the next target, everything else kept but its URL params', () => {
    const res = page([['link', '<?page=2&per=10>; rel="next"']])
    const got = nextLink(res, req)
    assert.ok(O.isSome(got))
    assert.equal(got.value.url, 'https://api.example.com/v1/items?page=2&per=10')
    assert.deepEqual(got.value.params, [])
    assert.deepEqual(got.value.headers, req.headers)
    assert.equal(got.value.settings, req.settings)
    assert.deepEqual(got.value.log.at(-1)?.step, 'nextLink')
    assert.equal(got.value.error, null)
  })

  test('a templated request: the next page keeps no path params (the link is the path as sent)', () => {
    const templated = pipe(req, setUrl('https://api.example.com/v1/{kind}'), setPathParam('kind', 'a/b'))
    const got = nextLink(page([['link', '</v1/a%2Fb?page=2>; rel="next"']]), templated)
    assert.ok(O.isSome(got))
    assert.deepEqual(got.value.pathParams, [])
    assert.equal(got.value.error, null)
    assert.equal(got.value.url, 'https://api.example.com/v1/a%2Fb?page=2')
  })

  test('no next link, or not a response or not a request: none', () => {
    assert.ok(O.isNone(nextLink(page([]), req)))
    assert.ok(O.isNone(nextLink(page([['Link', '<https://x.test/l>; rel=last']]), req)))
    assert.ok(O.isNone(nextLink(null as unknown as HttpResponse, req)))
    assert.ok(O.isNone(nextLink(page([['Link', '<https://x.test/n>; rel=next']]), {} as Request)))
    const hostile = { ...page([]), rawHeaders: [null, ['Link'], ['Link', 7], 'x'] } as unknown as HttpResponse
    assert.ok(O.isNone(nextLink(hostile, req)))
    const throwing = Object.defineProperty(page([]), 'rawHeaders', {
      get: () => {
        throw new Error('no')
      },
    })
    assert.ok(O.isNone(nextLink(throwing, req)))
  })
})
