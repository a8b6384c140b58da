/**
 * AWS4 signing cost per request: httpipe's signing step (headers in, signed headers out, as the
 * executor runs it before every attempt) against calling `aws4.sign` directly on the same
 * request, measured in the same run. Prints the ratio (1.0 = no overhead).
 */
import aws4 from 'aws4'
import { createHash } from 'node:crypto'
import { pipe } from 'fp-ts/function'
import * as H from '../dist/esm/index.js'
import { schemes } from '../dist/esm/auth/schemes.js'
import { bodyHasher } from '../dist/esm/execute/body.js'

const N = Number(process.env['BENCH_SIGN_N'] ?? 20000)
const ROUNDS = 5
const body = Buffer.from(JSON.stringify({ field1: 10, field2: 'Text', list: [1, 2, 3] }))
const url = 'https://examplebucket.s3.amazonaws.com/photos/2024/a%20b.jpg?x-id=PutObject&tag=%C3%A9'
const headers: ReadonlyArray<readonly [string, string]> = [
  ['Accept', '*/*'],
  ['User-Agent', 'httpipe/bench'],
  ['Content-Type', 'application/json; charset=utf-8'],
  ['Content-Length', String(body.length)],
  ['x-amz-meta-owner', 'ann'],
]
const auth = { _tag: 'Aws4', accessKey: 'AKIDEXAMPLE', secretKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', region: 'us-east-1', service: 's3', sessionToken: null, unsignedPayload: false } as const
const settings = pipe(H.newRequest(), H.returnSettings())
const now = Date.UTC(2024, 0, 1)

const ours = async (): Promise<void> => {
  const b: H.PreparedBody = { _tag: 'Segments', segments: [{ _tag: 'Bytes', bytes: body }], length: body.length }
  const hop = { method: 'PUT', url, headers, body: b, auth, attempt: 1 }
  const r = await schemes.Aws4.sign!(auth, { hop, settings, now, random: Math.random, hash: bodyHasher(b) })
  if (r._tag === 'Left') throw new Error('signing failed')
}
const u = new URL(url)
const raw = async (): Promise<void> => {
  const h: Record<string, string> = Object.fromEntries(headers)
  h['X-Amz-Date'] = '20240101T000000Z'
  h['X-Amz-Content-Sha256'] = createHash('sha256').update(body).digest('hex')
  aws4.sign({ host: u.host, path: `${u.pathname}${u.search}`, method: 'PUT', service: 's3', region: 'us-east-1', headers: h }, { accessKeyId: auth.accessKey, secretAccessKey: auth.secretKey })
}

const time = async (f: () => Promise<void>, n: number): Promise<number> => {
  const t0 = process.hrtime.bigint()
  for (let i = 0; i < n; i++) await f()
  return Number(process.hrtime.bigint() - t0) / 1e3 / n
}
for (let i = 0; i < 2000; i++) (await ours(), await raw()) // warm up
const a: number[] = []
const b: number[] = []
for (let r = 0; r < ROUNDS; r++) {
  a.push(await time(raw, N / ROUNDS))
  b.push(await time(ours, N / ROUNDS))
}
const med = (xs: number[]): number => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] ?? 0
console.log(`AWS4 signing, ${N} signatures each (PUT with a JSON body, 5 headers, encoded path and query)`)
console.log(`aws4.sign directly   ${med(a).toFixed(1)} us/request`)
console.log(`httpipe AWS4 scheme  ${med(b).toFixed(1)} us/request`)
console.log(`ratio httpipe/aws4   ${(med(b) / med(a)).toFixed(2)}x`)
