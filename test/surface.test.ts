/**
 * The package root's public surface: small (at most MAX_ROOT_NAMES names, values and types
 * counted once each, as the TypeScript compiler lists the exports of src/index.ts), free of the
 * executor's internals, and still holding every name the product specification makes public (a
 * test suite outside this repository calls them; the list below was taken from the
 * specification once and is kept here as data). Every export's `@category` is one of its entry
 * point's sections (scripts/check-docs.mjs enforces it; this test pins the sets).
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'

import { CATEGORIES, publicApi } from '../scripts/api-docs.mjs'

// 125 until the typed endpoints (setPathParams, setPathParam, asJsonByStatus, endpoint, processAll
// and their option and result types); it grows with the names the specification makes public,
// never with helpers a user can write from them; 150 with the streams (streamRequest, asNdjson,
// asEventStream, streamEvents, paginate, nextLink and their types); 155 with readOk, ResponseReader,
// useHttp2 and HttpVersion
const MAX_ROOT_NAMES = 155

/** Executor plumbing that once leaked into the root: reachable from their modules only. */
const INTERNAL = ['Hop', 'SignInput', 'SignFailure', 'BodyHasher', 'ResolvedAuth', 'targetUrl']

/**
 * The names the specification makes public that the package exports today (values and types).
 * Those it names for features still to come (`asJsonByStatus`,
 * `endpoint`, `processAll`, `streamRequest`, `HttpStream`, `asNdjson`, `asEventStream`,
 * `ServerSentEvent`, `streamEvents`, `paginate`, `nextLink`, `useHttp2`) join the list with them.
 */
const SPEC_NAMES = [
  'HttpStream',
  'ServerSentEvent',
  'asEventStream',
  'asNdjson',
  'nextLink',
  'streamRequest',
  'streamEvents',
  'StreamEventsOptions',
  'AuthError',
  'ClientError',
  'DecodeError',
  'Encoder',
  'FileError',
  'HttpResponse',
  'InvalidInput',
  'ParseError',
  'PreparedRequest',
  'Proxy',
  'Request',
  'RequestCodec',
  'ResponseTooLarge',
  'StatusError',
  'Timeout',
  'TransportError',
  'TemplateTrust',
  'addAws4Authorization',
  'addBasicAuthorization',
  'addBearerAuthorization',
  'addDataAsRelated',
  'addDigestAuthorization',
  'addHeader',
  'addMultipartFormDataField',
  'addMultipartFormDataFile',
  'addOAuthV1Authorization',
  'addUrlParameter',
  'addValue',
  'asBinary',
  'asJson',
  'asJsonByStatus',
  'asString',
  'paginate',
  'PaginateOptions',
  'crossFetchTransport',
  'defaultTransport',
  'delete',
  'deleteWithBody',
  'endpoint',
  'ensureStatus',
  'executeRequest',
  'fromBase64',
  'fromFetch',
  'fromFile',
  'fromTemplate',
  'fromUrl',
  'get',
  'getLog',
  'getPart',
  'head',
  'initialize',
  'initializeFormBody',
  'initializeJsonBody',
  'insertBodyField',
  'matchClientError',
  'matchClientErrorW',
  'maxAttempts',
  'maxRedirects',
  'newRequest',
  'patchWithBody',
  'postWithBody',
  'prepareRequest',
  'processAll',
  'processRequest',
  'put',
  'putWithBody',
  'responseFilename',
  'returnSettings',
  'secretFromEnv',
  'sendDataInParts',
  'sendPart',
  'setBaseUrl',
  'setBinaryBody',
  'setConnectTimeout',
  'setDataType',
  'setDeadline',
  'setFormBody',
  'setHeaders',
  'setIdleTimeout',
  'setJsonBody',
  'setMaxResponseSize',
  'setOAuthV1Algorithm',
  'setPathParam',
  'setPathParams',
  'setProxy',
  'setResponseFile',
  'setRetryPolicy',
  'setStringBody',
  'setTimeout',
  'setTls',
  'setUrl',
  'setUrlParams',
  'splitArraysInUrl',
  'startMultipartBody',
  'toCurl',
  'toTemplate',
  'undiciTransport',
  'useBodyFieldsAtOAuth',
  'useEncoding',
  'useGzipCompression',
  'useUrlEncoding',
]

const api = publicApi()
const root = api.filter((x) => x.module === 'httpipe')
const names = new Set(root.map((x) => x.name))

test(`the package root exports at most ${MAX_ROOT_NAMES} names, each once`, () => {
  assert.equal(names.size, root.length, 'no name exported twice')
  const values = root.filter((x) => x.kind !== 'type').length
  assert.ok(
    root.length <= MAX_ROOT_NAMES,
    `${root.length} names (${values} values, ${root.length - values} types), more than ${MAX_ROOT_NAMES}`,
  )
})

test('no internal name is exported from the package root', () => {
  assert.deepStrictEqual(
    INTERNAL.filter((n) => names.has(n)),
    [],
  )
})

test('every name the specification makes public is exported from the package root', () => {
  assert.equal(new Set(SPEC_NAMES).size, SPEC_NAMES.length)
  assert.deepStrictEqual(
    SPEC_NAMES.filter((n) => !names.has(n)),
    [],
  )
})

test('the Step and Sink types are exported, for annotating steps and reading a prepared request', () => {
  for (const n of ['Step', 'Sink']) assert.equal(root.find((x) => x.name === n)?.kind, 'type', n)
})

test('every export is in one of the sections named by what a user does', () => {
  assert.deepStrictEqual(CATEGORIES, {
    httpipe: ['request', 'headers', 'bodies', 'auth', 'settings', 'running', 'responses', 'errors', 'transports'],
    'httpipe/testing': ['testing'],
  })
  const outside = api.flatMap((x) =>
    x.tags
      .filter((t) => t.name === 'category' && !(CATEGORIES[x.module] ?? []).includes(t.text.trim()))
      .map((t) => `${x.module} ${x.name}: ${t.text.trim()}`),
  )
  assert.deepStrictEqual(outside, [])
})
