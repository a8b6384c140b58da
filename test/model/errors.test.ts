import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'

import * as H from '../../src/index.js'
import { base } from '../helpers.js'
import { log, samples } from '../support/client-errors.js'

/** Every handler returns its tag and a detail only that variant has. */
const describeError = H.matchClientError<string>({
  InvalidInput: (e) => `InvalidInput:${e.step}`,
  TransportError: (e) => `TransportError:${e.cause}`,
  Timeout: (e) => `Timeout:${e.timeoutMs}`,
  FileError: (e) => `FileError:${e.path}:${e.cause}`,
  AuthError: (e) => `AuthError:${e.message}`,
  ParseError: (e) => `ParseError:${e.message}`,
  DecodeError: (e) => `DecodeError:${e.errors.length}`,
  StatusError: (e) => `StatusError:${e.status}:${e.response.statusText}`,
  ResponseTooLarge: (e) => `ResponseTooLarge:${e.limit}`,
})

describe('matchClientError', () => {
  test('covers the 9 tags', () => {
    assert.deepStrictEqual(new Set(samples.map((e) => e._tag)).size, 9)
  })

  test('dispatches each tag to its own handler', () => {
    assert.deepStrictEqual(samples.map(describeError), [
      'InvalidInput:setJsonBody',
      'TransportError:ECONNREFUSED',
      'Timeout:100',
      'FileError:./x:ENOENT',
      'AuthError:executeRequest: unsupported digest algorithm',
      'ParseError:asJson: invalid JSON',
      'DecodeError:0',
      'StatusError:404:Not Found',
      'ResponseTooLarge:1024',
    ])
  })

  test('each handler gets the very error object, and only that handler runs', () => {
    for (const sample of samples) {
      const calls: string[] = []
      const seen: unknown[] = []
      const spy =
        (tag: string) =>
        (e: H.ClientError): number => {
          calls.push(tag)
          seen.push(e)
          return calls.length
        }
      const out = H.matchClientError<number>({
        InvalidInput: spy('InvalidInput'),
        TransportError: spy('TransportError'),
        Timeout: spy('Timeout'),
        FileError: spy('FileError'),
        AuthError: spy('AuthError'),
        ParseError: spy('ParseError'),
        DecodeError: spy('DecodeError'),
        StatusError: spy('StatusError'),
        ResponseTooLarge: spy('ResponseTooLarge'),
      })(sample)
      assert.equal(out, 1)
      assert.deepStrictEqual(calls, [sample._tag])
      assert.equal(seen[0], sample)
    }
  })

  test('getLog reads the log of any ClientError', () => {
    for (const e of samples) {
      assert.equal(H.getLog(e), log)
      assert.equal(H.getLog(e, true), 's: m')
    }
  })
})

describe('a sticky error reaches processRequest as InvalidInput (nothing is sent)', () => {
  test('processRequest returns the recorded error with the full log', async () => {
    let sent = 0
    const fetch: H.FetchLike = async () => {
      sent++
      throw new Error('must not be called')
    }
    const req = pipe(base(), H.addHeader('X-A', 'a\r\nb'), H.setJsonBody({ a: 1 }))
    const result = await H.processRequest('GET', { fetch })(req)()
    assert.equal(sent, 0)
    assert.ok(E.isLeft(result))
    const e = result.left
    assert.equal(e._tag, 'InvalidInput')
    assert.equal(describeError(e), 'InvalidInput:addHeader')
    assert.equal(e.message, req.error?.message)
    assert.match(e.message, /^addHeader: /)
    assert.ok(H.getLog(e, true).startsWith(H.getLog(req, true)))
    assert.match(H.getLog(e, true), /addHeader: error/)
  })
})
