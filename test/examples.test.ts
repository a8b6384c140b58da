/**
 * The examples run against the echo server and say what they should (they import the built
 * package by name, as users do; `npm test` builds first).
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { useEchoServer } from './support/fixtures.js'
import * as download from '../examples/download.js'
import * as formPost from '../examples/form-post.js'
import * as getWithCodec from '../examples/get-with-codec.js'
import * as jsonPost from '../examples/json-post.js'
import * as template from '../examples/template.js'

const echo = useEchoServer()

test('GET with params decoded by a codec', async () => {
  assert.equal(await getWithCodec.main(echo.url), 'GET with args {"q":"functional http","page":"2","tags":["fp","ts"]}')
})

test('JSON POST with typed error handling: success, bad input, status and shape errors', async () => {
  const lines = (await jsonPost.main(echo.url)).split('\n')
  assert.equal(lines[0], 'created: {"field1":10,"field2":"Text"}')
  assert.match(lines[1] ?? '', /^bad input at setJsonBody: setJsonBody: invalid JSON text/)
  assert.equal(lines[2], 'HTTP 503')
  assert.match(lines[3] ?? '', /^unexpected shape: .*json\.field1: expected number, got "not a number"/)
})

test('a template saved as JSON, loaded back and run', async () => {
  assert.match(await template.main(echo.url), /^authenticated=true \(template is \d+ bytes of JSON/)
})

test('form posts, whole and field by field', async () => {
  assert.equal(
    await formPost.main(echo.url),
    'form received: {"name":"Ann Lee","city":"Zürich"}\nform received: {"name":"Bob","born":"1990-05-17","admin":"true"}',
  )
})

test('a download streamed to a file', async () => {
  assert.match(
    await download.main(echo.url),
    /^saved 1048576 bytes to .*bytes\.bin \(\d+ progress events, 0 bytes kept in memory\)$/,
  )
})
