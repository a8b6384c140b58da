/**
 * Shared helpers for the builder-step tests (not a test file itself).
 */
import assert from 'node:assert/strict'
import { pipe } from 'fp-ts/function'

import * as H from '../src/index.js'
import type { PreparedBody } from '../src/model/prepared.js'

export const URL0 = 'http://127.0.0.1:8080/path'

/** A freshly initialized request with URL0. */
export const base = (): H.Request => pipe(H.newRequest(), H.initialize(URL0))

/** The rendered log lines of a request. */
export const lines = (req: H.Request): ReadonlyArray<string> => {
  const text = H.getLog(req, true)
  return text === '' ? [] : text.split('\n')
}

/** The last rendered log line. */
export const lastLine = (req: H.Request): string => lines(req).at(-1) ?? ''

/**
 * Asserts that `step` rejected its input: the error is recorded with the step's name, the
 * message starts with the step's name, exactly one log line was added and it names the step
 * and carries the error reason, and nothing else in the request changed.
 */
export const assertInvalid = (before: H.Request, after: H.Request, step: string, reason?: RegExp): void => {
  assert.equal(before.error, null, 'precondition: the input request has no error')
  assert.notEqual(after.error, null, `${step} should have recorded an InvalidInput error`)
  assert.equal(after.error?.step, step)
  const message = after.error?.message ?? ''
  assert.ok(message.startsWith(`${step}: `), `error message should name the step: ${message}`)
  const why = message.slice(step.length + 2)
  assert.ok(why.length > 0, 'the error message has a reason')
  if (reason !== undefined) assert.match(why, reason)
  assert.equal(after.log.length, before.log.length + 1, 'exactly one log line for the error')
  const last = lastLine(after)
  assert.ok(last.startsWith(`${step}: `), `last log line should name the step: ${last}`)
  assert.match(last, /error/i)
  assert.ok(last.includes(why), `last log line should carry the reason: ${last} / ${why}`)
  assert.deepEqual(after.log.slice(0, before.log.length), before.log, 'earlier log entries are kept')
  assert.deepEqual({ ...after, error: null, log: before.log }, before, 'nothing but error and log changed')
}

/** Asserts that `step` accepted its input and logged under its own name. */
export const assertOk = (before: H.Request, after: H.Request, step: string): void => {
  assert.equal(after.error, null, `unexpected error: ${after.error?.message ?? ''}`)
  assert.ok(after.log.length > before.log.length, `${step} should log`)
  for (const e of after.log.slice(before.log.length)) assert.equal(e.step, step)
  assert.ok(lastLine(after).startsWith(`${step}: `))
}

/** Recursively freezes a value (objects and arrays). */
export const deepFreeze = <T>(value: T): T => {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const k of Reflect.ownKeys(value)) deepFreeze((value as Record<PropertyKey, unknown>)[k])
  }
  return value
}

export const PEM_CERT = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUYQ==\n-----END CERTIFICATE-----\n'
export const PEM_KEY =
  '-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n-----END PRIVATE KEY-----\n'

/** One valid instance of every public builder step (used for the sticky-error tests). */
export const everyStep: ReadonlyArray<readonly [string, (req: H.Request) => H.Request]> = [
  ['initialize', H.initialize()],
  ['initialize(url)', H.initialize('http://127.0.0.1/other')],
  ['setUrl', H.setUrl('http://127.0.0.1/x')],
  ['setResponseFile', H.setResponseFile('/tmp/out.bin')],
  ['setDataType', H.setDataType('application/json')],
  ['setProxy', H.setProxy('http://127.0.0.1:3128')],
  ['setTls', H.setTls({ ca: PEM_CERT })],
  ['setUrlParams', H.setUrlParams({ a: 1 })],
  ['addUrlParameter', H.addUrlParameter('b', 2)],
  ['setHeaders', H.setHeaders({ 'X-A': '1' })],
  ['addHeader', H.addHeader('X-B', '2')],
  ['setBinaryBody', H.setBinaryBody(new Uint8Array([1, 2]))],
  ['setStringBody', H.setStringBody('text')],
  ['setJsonBody', H.setJsonBody({ a: 1 })],
  ['setFormBody', H.setFormBody({ a: '1' })],
  ['initializeJsonBody', H.initializeJsonBody()],
  ['initializeFormBody', H.initializeFormBody()],
  ['insertBodyField', H.insertBodyField('k', 'v')],
  ['addValue', H.addValue('list', 1)],
  ['addBasicAuthorization', H.addBasicAuthorization('ann', 'pw')],
  ['addBearerAuthorization', H.addBearerAuthorization('tok')],
  ['useEncoding', H.useEncoding('windows-1251')],
  ['useGzipCompression', H.useGzipCompression(false)],
  ['useBodyFieldsAtOAuth', H.useBodyFieldsAtOAuth(true)],
  ['useUrlEncoding', H.useUrlEncoding(false)],
  ['maxAttempts', H.maxAttempts(3)],
  ['maxRedirects', H.maxRedirects(1)],
  ['setTimeout', H.setTimeout(1000)],
  ['setTimeout(0)', H.setTimeout(0)],
  ['splitArraysInUrl', H.splitArraysInUrl(true, true)],
  ['startMultipartBody', H.startMultipartBody()],
  ['addMultipartFormDataField', H.addMultipartFormDataField('f', 'v')],
  ['addMultipartFormDataFile', H.addMultipartFormDataFile('f', 'a.txt', 'text', 'text/plain')],
  ['startMultipartBody(related)', H.startMultipartBody('related', 'application/json')],
  ['addDataAsRelated', H.addDataAsRelated('{}', 'application/json', 'meta')],
  // invalid ones must be no-ops too (they must not replace the first error)
  ['setJsonBody(invalid)', H.setJsonBody('{oops')],
  ['addHeader(invalid)', H.addHeader('X-C', 'a\r\nb')],
]

/** The bytes of a prepared body held in memory (empty for no body; throws on file or URL segments). */
export const sentBytes = (b: PreparedBody): Uint8Array => {
  if (b._tag === 'None') return new Uint8Array()
  return Buffer.concat(
    b.segments.map((s) => {
      if (s._tag !== 'Bytes') throw new Error(`a ${s._tag} segment is not in memory`)
      return s.bytes
    }),
  )
}
