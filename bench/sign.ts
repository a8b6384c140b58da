/**
 * AWS4 signing cost per request: httpipe's signing step (headers in, signed headers out, as the
 * executor runs it before every attempt) against calling `aws4.sign` directly on the same
 * request, measured in the same run, interleaved in rounds. `npm run bench` runs it as one
 * section; `node --import tsx bench/sign.ts` runs it alone (BENCH_SIGN_N signatures each).
 */
import aws4 from 'aws4'
import { createHash } from 'node:crypto'
import { pathToFileURL } from 'node:url'
import { pipe } from 'fp-ts/lib/function.js'
import * as H from '../dist/esm/index.js'
import { schemes } from '../dist/cjs/auth/schemes.js'
import * as distBody from '../dist/cjs/execute/body.js'
import type * as SrcBody from '../src/execute/body.js'
import type { PreparedBody } from '../src/model/prepared.js'
import { microRounds } from './harness.js'

// bodyHasher is @internal: the built .d.ts leave it out (stripInternal), the built module has it
const { bodyHasher } = distBody as unknown as Pick<typeof SrcBody, 'bodyHasher'>

const body = Buffer.from(JSON.stringify({ field1: 10, field2: 'Text', list: [1, 2, 3] }))
const url = 'https://examplebucket.s3.amazonaws.com/photos/2024/a%20b.jpg?x-id=PutObject&tag=%C3%A9'
const headers: ReadonlyArray<readonly [string, string]> = [
  ['Accept', '*/*'],
  ['User-Agent', 'httpipe/bench'],
  ['Content-Type', 'application/json; charset=utf-8'],
  ['Content-Length', String(body.length)],
  ['x-amz-meta-owner', 'ann'],
]
const auth = {
  _tag: 'Aws4',
  accessKey: 'AKIDEXAMPLE',
  secretKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  region: 'us-east-1',
  service: 's3',
  sessionToken: null,
  unsignedPayload: false,
} as const
const settings = pipe(H.newRequest(), H.returnSettings())
const now = Date.UTC(2024, 0, 1)

const ours = async (): Promise<void> => {
  const b: PreparedBody = { _tag: 'Segments', segments: [{ _tag: 'Bytes', bytes: body }], length: body.length }
  const hop = { method: 'PUT', url, headers, body: b, auth, attempt: 1 }
  const r = await schemes.Aws4.sign!(auth, { hop, settings, now, random: Math.random, hash: bodyHasher(b) })
  if (r._tag === 'Left') throw new Error('signing failed')
}
const u = new URL(url)
const raw = (): void => {
  const h: Record<string, string> = Object.fromEntries(headers)
  h['X-Amz-Date'] = '20240101T000000Z'
  h['X-Amz-Content-Sha256'] = createHash('sha256').update(body).digest('hex')
  aws4.sign(
    { host: u.host, path: `${u.pathname}${u.search}`, method: 'PUT', service: 's3', region: 'us-east-1', headers: h },
    { accessKeyId: auth.accessKey, secretAccessKey: auth.secretKey },
  )
}

export interface SignResult {
  readonly n: number
  readonly aws4Us: number
  readonly httpipeUs: number
}

export const SIGN_CASE = 'PUT with a JSON body, 5 headers, encoded path and query'

/** µs per signature, aws4.sign directly and httpipe's AWS4 scheme; `n` signatures each, in `rounds` interleaved rounds. */
export const measureSigning = async (n: number, rounds: number, seed = 1): Promise<SignResult> => {
  const t = await microRounds(
    [
      ['aws4', raw],
      ['httpipe', ours],
    ],
    Math.ceil(n / rounds),
    rounds,
    seed,
  )
  return { n, aws4Us: t.get('aws4') ?? NaN, httpipeUs: t.get('httpipe') ?? NaN }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const r = await measureSigning(Number(process.env['BENCH_SIGN_N'] ?? 20000), 5)
  console.log(`AWS4 signing, ${r.n} signatures each (${SIGN_CASE})`)
  console.log(`aws4.sign directly   ${r.aws4Us.toFixed(1)} us/request`)
  console.log(`httpipe AWS4 scheme  ${r.httpipeUs.toFixed(1)} us/request`)
  console.log(`ratio httpipe/aws4   ${(r.httpipeUs / r.aws4Us).toFixed(2)}x`)
}
