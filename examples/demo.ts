/**
 * `npm run demo`: starts the embedded echo server on 127.0.0.1 and runs every example against
 * it, printing each result and the log of one request.
 */
import { pipe } from 'fp-ts/function'
import * as H from 'httpipe'
import { startEchoServer } from 'httpipe/testing'
import * as download from './download.js'
import * as formPost from './form-post.js'
import * as getWithCodec from './get-with-codec.js'
import * as jsonPost from './json-post.js'
import * as template from './template.js'
import * as upload from './upload.js'

const examples: ReadonlyArray<readonly [string, { main: (baseUrl: string) => Promise<string> }]> = [
  ['GET with params, decoded by a codec', getWithCodec],
  ['JSON POST with typed error handling', jsonPost],
  ['a reusable request template', template],
  ['form posts', formPost],
  ['download to a file', download],
  ['uploads: multipart, resumable in chunks, ranged download', upload],
]

const server = await startEchoServer()
console.log(`echo server on ${server.url}\n`)
let failed = 0
try {
  for (const [title, example] of examples) {
    console.log(`== ${title}`)
    try {
      const out = await example.main(server.url)
      console.log(out.replace(/^/gm, '   '), '\n')
      if (/^failed:/m.test(out)) failed++
    } catch (e) {
      failed++
      console.log(`   threw: ${String(e)}\n`)
    }
  }
  console.log('== the log of a request that redirects twice and posts with Basic auth')
  const res = await pipe(
    H.newRequest(),
    H.initialize(`${server.url}/redirect/2`),
    H.addBasicAuthorization('demo', 'hunter2'),
    H.processRequest('GET'),
  )()
  console.log(H.getLog(res._tag === 'Right' ? res.right : res.left, true).replace(/^/gm, '   '))
} finally {
  await server.close()
}
if (failed > 0) {
  console.error(`\n${failed} example(s) failed`)
  process.exitCode = 1
}
