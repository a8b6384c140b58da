import { pipe } from 'fp-ts/function'
import { writeFileSync } from 'node:fs'
import * as H from '../../src/index.js'
import { startEchoServer } from '../../src/testing/index.js'
const s = await startEchoServer()
const host = s.url.replace('http://', '')
const show = (r: any) => r._tag === 'Right' ? [r.right.status, r.right.url, r.right.redirects, Buffer.from(r.right.body).toString().slice(0, 300), H.getLog(r.right, true)] : [r.left, H.getLog(r.left, true)]
console.log(show(await pipe(H.newRequest(), H.initialize(`http://alice:pa55word-XYZ@${host}/redirect/1`), H.addUrlParameter('access_token', 'TOKEN-QP-123'), H.setProxy(`http://puser:proxy-PASS-999@${host}`), H.processRequest('GET'))()))
console.log(s.requests.map(r => [r.method, r.url, r.headers]))
writeFileSync('/tmp/explore/f.bin', Buffer.from('hello file body'))
console.log(show(await pipe(H.newRequest(), H.initialize(`${s.url}/post`), H.setBinaryBody(H.fromFile('/tmp/explore/f.bin')), H.processRequest('POST', {fetch: globalThis.fetch}))()))
console.log(show(await pipe(H.newRequest(), H.initialize(`${s.url}/post`), H.setJsonBody({a: 1}), H.processRequest('POST', {fetch: globalThis.fetch}))()))
await s.close()
