/**
 * A SigV4-verifying HTTP server for tests (not a test file itself).
 *
 * For every request it receives it recomputes the AWS Signature Version 4 with
 * `@smithy/signature-v4` (the AWS SDK v3 signer) from what actually arrived on the wire: the
 * method, the request-target exactly as received (node's `req.url`), the headers the client
 * listed in `SignedHeaders`, the body bytes (streamed through SHA-256 and counted, never held
 * in memory) and the `X-Amz-Date` of the request (given to smithy as `signingDate`). It answers
 * 200 `{ ok, method, path, query, bodyBytes, signedHeaders }` when the signature matches, and
 * 403 `{ ok: false, reason }` when it does not (or when the request is malformed).
 *
 * How the received request is turned into smithy's input, per service:
 *
 * - Path, S3 (`service === 's3'`): S3 does not normalize the path and encodes it once. S3
 *   reads the key from the path by percent-decoding it, a `+` counting as a space (S3 is the
 *   one service that does this, see aws/aws-sdk-net PR #4473 "S3 alone canonicalizes a path
 *   `+` as a space"; aws4 does the same: `decodeURIComponent(piece.replace(/\+/g, ' '))`).
 *   The verifier decodes the received path that way and re-encodes it with the RFC 3986
 *   unreserved set (keeping `/`, so an encoded `%2F` counts as `/`, as aws4's
 *   `decodeSlashesInPath` does), then gives it to smithy with `uriEscapePath: false` (smithy
 *   then uses the path as given, which is what the AWS SDK does for S3).
 * - Path, any other service: the received path is given as is, with smithy's default
 *   `uriEscapePath: true`: dot segments and empty segments are removed and the (already
 *   encoded) path is encoded again, the SigV4 rule for non-S3 services (aws4: `normalizePath`
 *   and `encodeRfc3986Full` of each raw piece).
 * - Query: the received query is parsed as `application/x-www-form-urlencoded` (URLSearchParams:
 *   `+` is a space, escapes decoded as UTF-8), and smithy encodes and sorts it. Pairs with an
 *   empty name are not part of a SigV4 canonical query (aws4 drops them too). A name that
 *   repeats keeps all its values (sorted) except for S3, where only the first value counts:
 *   S3 itself canonicalizes `?b=1&a=2&a=1` as `a=2&b=1` (shown by mhart in
 *   aws/aws-sdk-go issue #1495), and aws4 mirrors it with `firstValOnly` for s3.
 * - Headers: only the headers named in `SignedHeaders`, with the values node received (node
 *   trims them; smithy collapses inner runs of spaces). `signableHeaders` is set to that list so
 *   that smithy does not drop a header it would not sign itself. Every `x-amz-*` header that
 *   arrived must be signed. A signed `Date` header is refused: smithy always drops `date` when
 *   it signs (it regenerates it), so such a request cannot be checked here.
 * - Payload hash: the `X-Amz-Content-Sha256` header when present (it is required for S3); it
 *   must be `UNSIGNED-PAYLOAD` or the SHA-256 of the bytes that arrived. Without it, the hash of
 *   the bytes that arrived is used (given to smithy as an unsigned `x-amz-content-sha256`).
 * - `applyChecksum: false`: smithy must not add headers the client did not sign.
 *
 * Options make it fail the first N requests with a 5xx (after checking them) and answer
 * redirects for given paths, so tests can check re-signing per attempt and per redirect.
 */
import { createHash, createHmac, timingSafeEqual, type Hash, type Hmac } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { SignatureV4 } from '@smithy/signature-v4'

export interface SigV4VerifierOptions {
  readonly accessKey: string
  readonly secretKey: string
  readonly region: string
  readonly service: string
  /** When set, requests must carry exactly this `X-Amz-Security-Token`. */
  readonly sessionToken?: string
  /** Answer the first `failFirst` requests (checked first, recorded) with `failStatus` (503). */
  readonly failFirst?: number
  readonly failStatus?: number
  /** Validly signed requests to `path` (raw path, without the query) are answered with a redirect. */
  readonly redirects?: ReadonlyArray<{ readonly path: string; readonly location: string; readonly status?: number }>
}

/** One request as received, and the verdict on it. */
export interface VerifiedRequest {
  readonly method: string
  /** the raw path, without the query, exactly as received */
  readonly path: string
  /** the raw query (without `?`), exactly as received */
  readonly query: string
  /** lower-case header names as node received them */
  readonly headers: Readonly<Record<string, string>>
  readonly bodyBytes: number
  readonly bodySha256: string
  readonly signedHeaders: ReadonlyArray<string>
  readonly amzDate: string | null
  readonly signature: string | null
  /** whether the signature was valid */
  readonly ok: boolean
  readonly reason: string | null
  /** the status answered */
  readonly status: number
}

export interface SigV4Verifier {
  /** `http://127.0.0.1:<port>` */
  readonly url: string
  readonly port: number
  /** every request received, in order (a live view) */
  readonly requests: ReadonlyArray<VerifiedRequest>
  close(): Promise<void>
}

/** Node's crypto behind smithy's hash interface (`new Sha256()` hashes, `new Sha256(key)` is an HMAC). */
class Sha256 {
  private readonly h: Hash | Hmac
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.h = secret === undefined ? createHash('sha256') : createHmac('sha256', toBuffer(secret))
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.h.update(toBuffer(data))
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.h.digest()))
  }
  reset(): void {
    throw new Error('not supported')
  }
}

const toBuffer = (d: string | ArrayBuffer | ArrayBufferView): Buffer =>
  typeof d === 'string'
    ? Buffer.from(d, 'utf8')
    : ArrayBuffer.isView(d)
      ? Buffer.from(d.buffer, d.byteOffset, d.byteLength)
      : Buffer.from(d)

const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'
const AUTH =
  /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request,\s*SignedHeaders=([a-z0-9!#$%&'*+.^_`|~-]+(?:;[a-z0-9!#$%&'*+.^_`|~-]+)*),\s*Signature=([0-9a-f]{64})$/
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/

/** RFC 3986 encoding of everything but the unreserved characters (smithy's escapeUri). */
const escapeUri = (s: string): string =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)

/** The canonical URI S3 computes: the key decoded (`+` is a space), encoded once, `/` kept. */
export const s3CanonicalPath = (rawPath: string): string => {
  const decoded = rawPath
    .split('/')
    .map((piece) => decodeURIComponent(piece.replace(/\+/g, ' ')))
    .join('/')
  return escapeUri(decoded).replace(/%2F/g, '/')
}

/**
 * The query as smithy wants it: decoded names mapped to a value or all values; empty names
 * dropped; for S3 only the first value of a repeated name.
 */
export const queryObject = (rawQuery: string, service: string): Record<string, string | string[]> => {
  const byName = new Map<string, string[]>()
  for (const [k, v] of new URLSearchParams(rawQuery)) {
    if (k === '') continue
    const values = byName.get(k)
    if (values === undefined) byName.set(k, [v])
    else if (service !== 's3') values.push(v)
  }
  // fromEntries makes own properties, whatever the names (`constructor`, `__proto__`, …)
  return Object.fromEntries([...byName].map(([k, vs]) => [k, vs.length === 1 ? (vs[0] ?? '') : vs]))
}

/** The smithy signer's Authorization header for a request. */
export const smithyAuthorization = async (o: {
  readonly accessKey: string
  readonly secretKey: string
  readonly sessionToken?: string | undefined
  readonly region: string
  readonly service: string
  readonly method: string
  /** for S3 the canonical (once-encoded) path; otherwise the path as sent */
  readonly path: string
  readonly query: Record<string, string | string[]>
  /** the signed headers only, lower-case names */
  readonly headers: Record<string, string>
  readonly payloadHash: string
  readonly signedHeaders: ReadonlyArray<string>
  readonly signingDate: Date
}): Promise<string> => {
  const signer = new SignatureV4({
    credentials: {
      accessKeyId: o.accessKey,
      secretAccessKey: o.secretKey,
      ...(o.sessionToken === undefined ? {} : { sessionToken: o.sessionToken }),
    },
    region: o.region,
    service: o.service,
    sha256: Sha256,
    uriEscapePath: o.service !== 's3',
    applyChecksum: false,
  })
  const headers: Record<string, string> = { ...o.headers }
  const unsignable = new Set<string>()
  if (!('x-amz-content-sha256' in headers)) {
    headers['x-amz-content-sha256'] = o.payloadHash
    unsignable.add('x-amz-content-sha256')
  }
  const host = headers['host'] ?? 'localhost'
  const signed = await signer.sign(
    { method: o.method, protocol: 'http:', hostname: host.replace(/:\d+$/, ''), path: o.path, query: o.query, headers },
    { signingDate: o.signingDate, signableHeaders: new Set(o.signedHeaders), unsignableHeaders: unsignable },
  )
  return String(signed.headers['authorization'] ?? '')
}

const signingDateOf = (amz: string): Date | null => {
  const m = AMZ_DATE.exec(amz)
  if (m === null) return null
  const [, y, mo, d, h, mi, s] = m
  return new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)))
}

const sameHex = (a: string, b: string): boolean =>
  a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b))

interface Received {
  readonly method: string
  readonly path: string
  readonly query: string
  readonly headers: Record<string, string>
  readonly bodyBytes: number
  readonly bodySha256: string
}

type Verdict =
  | {
      readonly ok: true
      readonly signedHeaders: ReadonlyArray<string>
      readonly amzDate: string
      readonly signature: string
    }
  | {
      readonly ok: false
      readonly reason: string
      readonly signedHeaders: ReadonlyArray<string>
      readonly amzDate: string | null
      readonly signature: string | null
    }

/** Checks one received request against the options' credentials. */
const verify = async (o: SigV4VerifierOptions, r: Received): Promise<Verdict> => {
  const amzDate = r.headers['x-amz-date'] ?? null
  const authz = r.headers['authorization']
  const no = (reason: string, signedHeaders: ReadonlyArray<string> = [], signature: string | null = null): Verdict => ({
    ok: false,
    reason,
    signedHeaders,
    amzDate,
    signature,
  })
  if (authz === undefined) return no('no Authorization header')
  const m = AUTH.exec(authz)
  if (m === null) return no('malformed Authorization header')
  const [, key = '', date = '', region = '', service = '', signedList = '', signature = ''] = m
  const signedHeaders = signedList.split(';')
  if (key !== o.accessKey) return no(`unknown access key ${key}`, signedHeaders, signature)
  if (amzDate === null) return no('no X-Amz-Date header', signedHeaders, signature)
  const signingDate = signingDateOf(amzDate)
  if (signingDate === null) return no('malformed X-Amz-Date', signedHeaders, signature)
  if (date !== amzDate.slice(0, 8)) return no('credential scope date differs from X-Amz-Date', signedHeaders, signature)
  if (region !== o.region) return no(`wrong region ${region}`, signedHeaders, signature)
  if (service !== o.service) return no(`wrong service ${service}`, signedHeaders, signature)
  if ([...signedHeaders].sort().join(';') !== signedList || new Set(signedHeaders).size !== signedHeaders.length)
    return no('SignedHeaders is not sorted or repeats a name', signedHeaders, signature)
  for (const required of ['host', 'x-amz-date'])
    if (!signedHeaders.includes(required)) return no(`${required} is not signed`, signedHeaders, signature)
  if (signedHeaders.includes('date'))
    return no('a signed Date header cannot be checked by this verifier', signedHeaders, signature)
  for (const name of signedHeaders)
    if (r.headers[name] === undefined) return no(`signed header ${name} did not arrive`, signedHeaders, signature)
  for (const name of Object.keys(r.headers))
    if (name.startsWith('x-amz-') && !signedHeaders.includes(name))
      return no(`${name} is not signed`, signedHeaders, signature)
  const token = r.headers['x-amz-security-token']
  if (o.sessionToken !== undefined && token !== o.sessionToken)
    return no('missing or wrong session token', signedHeaders, signature)
  const claimed = r.headers['x-amz-content-sha256']
  if (o.service === 's3' && claimed === undefined)
    return no('S3 requires X-Amz-Content-Sha256', signedHeaders, signature)
  if (claimed !== undefined && claimed !== 'UNSIGNED-PAYLOAD' && claimed !== r.bodySha256)
    return no(`X-Amz-Content-Sha256 does not match the ${r.bodyBytes} bytes received`, signedHeaders, signature)
  let path: string
  try {
    path = o.service === 's3' ? s3CanonicalPath(r.path) : r.path
  } catch {
    return no('malformed percent-encoding in the path', signedHeaders, signature)
  }
  const headers: Record<string, string> = {}
  for (const name of signedHeaders) headers[name] = r.headers[name] ?? ''
  const expected = await smithyAuthorization({
    accessKey: o.accessKey,
    secretKey: o.secretKey,
    sessionToken: token,
    region: o.region,
    service: o.service,
    method: r.method,
    path,
    query: queryObject(r.query, o.service),
    headers,
    payloadHash: claimed ?? r.bodySha256,
    signedHeaders,
    signingDate,
  })
  const e = AUTH.exec(expected)
  if (e === null) return no('the reference signer produced no Authorization', signedHeaders, signature)
  if (e[5] !== signedList) return no(`SignedHeaders differ: expected ${e[5] ?? ''}`, signedHeaders, signature)
  if (!sameHex(e[6] ?? '', signature)) return no('signature mismatch', signedHeaders, signature)
  return { ok: true, signedHeaders, amzDate, signature }
}

/** Reads a body through SHA-256, counting bytes, holding nothing. */
const hashBody = (req: IncomingMessage): Promise<{ bytes: number; sha256: string }> =>
  new Promise((resolve, reject) => {
    const h = createHash('sha256')
    let bytes = 0
    req.on('data', (chunk: Buffer) => {
      bytes += chunk.byteLength
      h.update(chunk)
    })
    req.on('end', () => resolve({ bytes, sha256: bytes === 0 ? EMPTY_SHA256 : h.digest('hex') }))
    req.on('error', reject)
  })

const splitTarget = (target: string): { path: string; query: string } => {
  const q = target.indexOf('?')
  return q === -1 ? { path: target, query: '' } : { path: target.slice(0, q), query: target.slice(q + 1) }
}

const sendJson = (res: ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}): void => {
  const text = JSON.stringify(body)
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': String(Buffer.byteLength(text)),
    ...extra,
  })
  res.end(text)
}

/**
 * Starts a verifier on 127.0.0.1 (a free port).
 * @example
 * const v = await startSigV4Verifier({ accessKey: 'AKID', secretKey: 'SECRET', region: 'us-east-1', service: 's3' })
 */
export const startSigV4Verifier = async (o: SigV4VerifierOptions): Promise<SigV4Verifier> => {
  const requests: VerifiedRequest[] = []
  let failuresLeft = o.failFirst ?? 0
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const { path, query } = splitTarget(req.url ?? '/')
    const body = await hashBody(req)
    const headers: Record<string, string> = {}
    for (const [k, v] of Object.entries(req.headers))
      if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v
    const received: Received = {
      method: req.method ?? 'GET',
      path,
      query,
      headers,
      bodyBytes: body.bytes,
      bodySha256: body.sha256,
    }
    let verdict: Verdict
    try {
      verdict = await verify(o, received)
    } catch (e) {
      verdict = {
        ok: false,
        reason: `verification failed: ${e instanceof Error ? e.message : String(e)}`,
        signedHeaders: [],
        amzDate: null,
        signature: null,
      }
    }
    const redirect = o.redirects?.find((x) => x.path === path)
    const outcome = !verdict.ok
      ? 'refused'
      : failuresLeft > 0
        ? 'failed'
        : redirect !== undefined
          ? 'redirect'
          : 'accepted'
    if (outcome === 'failed') failuresLeft--
    const status =
      outcome === 'refused'
        ? 403
        : outcome === 'failed'
          ? (o.failStatus ?? 503)
          : outcome === 'redirect'
            ? (redirect?.status ?? 307)
            : 200
    requests.push({
      ...received,
      signedHeaders: verdict.signedHeaders,
      amzDate: verdict.amzDate,
      signature: verdict.signature,
      ok: verdict.ok,
      reason: verdict.ok ? null : verdict.reason,
      status,
    })
    if (!verdict.ok) return sendJson(res, status, { ok: false, reason: verdict.reason })
    if (outcome === 'failed') return sendJson(res, status, { ok: true, failed: true })
    if (outcome === 'redirect')
      return sendJson(res, status, { ok: true, location: redirect?.location }, { Location: redirect?.location ?? '/' })
    sendJson(res, 200, {
      ok: true,
      method: received.method,
      path,
      query,
      bodyBytes: body.bytes,
      signedHeaders: verdict.signedHeaders,
    })
  }
  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { ok: false, reason: String(e) })
      else res.destroy()
    })
  })
  const sockets = new Set<Socket>()
  server.on('connection', (s) => {
    sockets.add(s)
    s.once('close', () => sockets.delete(s))
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo
  let closing: Promise<void> | undefined
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve())
        for (const s of sockets) s.destroy()
      })),
  }
}

/**
 * Runs `f` with a fresh verifier, closed after whatever happens.
 * @example
 * await withSigV4Verifier({ accessKey: 'AKID', secretKey: 'SECRET', region: 'us-east-1', service: 's3' }, async (v) => { … })
 */
export const withSigV4Verifier = async <A>(
  o: SigV4VerifierOptions,
  f: (v: SigV4Verifier) => Promise<A>,
): Promise<A> => {
  const v = await startSigV4Verifier(o)
  try {
    return await f(v)
  } finally {
    await v.close()
  }
}
