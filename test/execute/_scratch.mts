import { pipe } from 'fp-ts/function'
import * as H from '../../src/index.js'
import { freePort } from './helpers.js'
const p = await freePort()
const r = await pipe(H.newRequest(), H.initialize(`http://bob:urlPW-s3cr3t-666@127.0.0.1:${p}/x`), H.processRequest('GET'))()
if (r._tag === 'Left') console.log(H.getLog(r.left, true))
const r2 = await pipe(H.newRequest(), H.initialize(`http://127.0.0.1:${p}/x`), H.setProxy(`http://puser:ab@127.0.0.1:${p}`), H.processRequest('GET'))()
if (r2._tag === 'Left') console.log(r2.left.message)
