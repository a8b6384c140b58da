/**
 * processOrStream (what the command line runs): a 2xx answer of one of the media types asked
 * for is handed over unread, any other is read whole as processRequest reads it.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'

import * as H from '../../src/index.js'
import { processOrStream } from '../../src/client/stream.js'
import { useEchoServer } from '../support/fixtures.js'

const echo = useEchoServer()
const req = (path: string): H.Request => pipe(H.newRequest(), H.initialize(`${echo.url}${path}`))
const NDJSON = ['application/x-ndjson', 'text/event-stream']

/** Lets a stream's connection go (an unread stream holds it until the idle limit, and the file's process with it). */
const release = async (r: H.HttpResponse | H.HttpStream): Promise<void> => {
  if (r._tag === 'HttpStream') await r.body[Symbol.asyncIterator]().return?.()
}

test('an answer of a media type asked for is a stream; the others are read whole', async () => {
  const lines = await processOrStream('GET', NDJSON)(req('/ndjson/2'))()
  assert.ok(E.isRight(lines))
  assert.equal(lines.right._tag, 'HttpStream')
  await release(lines.right)
  const whole = await processOrStream('GET', NDJSON)(req('/drip?chunks=2&size=3'))()
  assert.ok(E.isRight(whole))
  assert.equal(whole.right._tag, 'HttpResponse')
  assert.equal(whole.right._tag === 'HttpResponse' && Buffer.from(whole.right.body).toString(), 'abcabc')
  assert.match(H.getLog(whole.right, true), /body read, 6 bytes/)
})

test('without a list of media types, every 2xx answer with a body is a stream', async () => {
  const r = await processOrStream('GET', undefined)(req('/drip?chunks=2&size=3'))()
  assert.ok(E.isRight(r))
  assert.equal(r.right._tag, 'HttpStream')
  await release(r.right)
})

test('a media type is compared without its parameters and case', async () => {
  const r = await processOrStream('GET', ['application/json'])(req('/get'))()
  assert.ok(E.isRight(r))
  assert.equal(r.right._tag, 'HttpStream')
  await release(r.right)
})

test('a request that is not one is an InvalidInput of processRequest, never a throw', async () => {
  const r = await processOrStream('GET', NDJSON)(42 as unknown as H.Request)()
  assert.ok(E.isLeft(r))
  assert.equal(r.left._tag, 'InvalidInput')
})
