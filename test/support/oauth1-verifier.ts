/**
 * An OAuth 1.0a verifying HTTP server for tests (not a test file itself). It recomputes the
 * signature of every request from what actually arrived on the socket, as an RFC 5849 server does
 * (§3.2): the method, the Host header, the raw request target (path and query as received), the
 * body when it is `application/x-www-form-urlencoded`, and the Authorization header's protocol
 * parameters. Its signature base string is an implementation of its own, written from the RFC
 * (§3.4.1, §3.6), independent of httpipe; for every request it also asks the `oauth-1.0a`
 * package for the base string of the same received request and records whether both agree.
 *
 * Answers: 400 for a malformed or incomplete OAuth header, 401 for an unknown consumer or token,
 * a bad signature, a reused nonce, or an unsupported version; otherwise 200 with a JSON echo.
 * Routes (after verification): `/flaky/*` answers 503 to the first request for that path;
 * `/redirect307/<rest>` answers 307 with `Location: /<rest>` (the query is kept).
 */
import { createHmac, createPublicKey, verify as cryptoVerify, type KeyObject } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import OAuth from 'oauth-1.0a'

/** A consumer: its shared secret (HMAC, PLAINTEXT) and/or its RSA public key (PEM). */
export interface Consumer {
  readonly secret: string
  readonly publicKey?: string
}

export interface VerifierOptions {
  /** consumer key → consumer */
  readonly consumers: Readonly<Record<string, Consumer>>
  /** token → token secret ('' is two-legged: no token) */
  readonly tokens: Readonly<Record<string, string>>
}

/** What the verifier concluded about one request. */
export interface Verification {
  readonly method: string
  /** the request target as received */
  readonly target: string
  readonly status: number
  readonly reason: string
  /** the decoded protocol parameters from the Authorization header */
  readonly oauth: Readonly<Record<string, string>>
  /** the names of the non-oauth parameters in the base string (query + form body), sorted */
  readonly paramNames: ReadonlyArray<string>
  /** the verifier's own base string ('' when the header could not be parsed) */
  readonly baseString: string
  /** whether oauth-1.0a built the same base string for the same received request (null: not asked) */
  readonly libraryAgrees: boolean | null
}

export interface Verifier {
  readonly url: string
  readonly verifications: ReadonlyArray<Verification>
  close(): Promise<void>
}

// ---------------------------------------------------------------------------
// RFC 5849, written independently of httpipe
// ---------------------------------------------------------------------------

/** §3.6: UTF-8, then every byte outside ALPHA / DIGIT / "-" / "." / "_" / "~" as uppercase %XX. */
export const rfcEncode = (text: string): string => {
  let out = ''
  for (const byte of Buffer.from(text, 'utf8')) {
    const c = String.fromCharCode(byte)
    out += /[A-Za-z0-9\-._~]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`
  }
  return out
}

/** Percent-decoding of bytes (invalid escapes are kept as they are), read as UTF-8. */
const percentDecode = (text: string): string => {
  const bytes: number[] = []
  for (let i = 0; i < text.length; i++) {
    const hex = text.slice(i + 1, i + 3)
    if (text[i] === '%' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16))
      i += 2
    } else {
      bytes.push(...Buffer.from(text[i] ?? '', 'utf8'))
    }
  }
  return Buffer.from(bytes).toString('utf8')
}

/** application/x-www-form-urlencoded parsing (HTML 4.01 §17.13.4): "&"-separated, "+" is a space. */
export const parseFormEncoded = (text: string): Array<[string, string]> =>
  text === ''
    ? []
    : text
        .split('&')
        .filter((part) => part !== '')
        .map((part) => {
          const eq = part.indexOf('=')
          const [name, value] = eq === -1 ? [part, ''] : [part.slice(0, eq), part.slice(eq + 1)]
          return [percentDecode(name.replace(/\+/g, ' ')), percentDecode(value.replace(/\+/g, ' '))]
        })

/** §3.4.1.3.2: encode, sort by name then value (byte order), join with "=" and "&". */
export const normalizeParameters = (pairs: ReadonlyArray<readonly [string, string]>): string =>
  pairs
    .map(([n, v]) => [rfcEncode(n), rfcEncode(v)] as const)
    .sort(
      (a, b) =>
        Buffer.compare(Buffer.from(a[0]), Buffer.from(b[0])) || Buffer.compare(Buffer.from(a[1]), Buffer.from(b[1])),
    )
    .map(([n, v]) => `${n}=${v}`)
    .join('&')

/** §3.4.1.2: scheme and host lowercase, the default port dropped, the path as received. */
export const baseStringUri = (scheme: 'http' | 'https', host: string, rawPath: string): string => {
  const lower = host.toLowerCase()
  const dflt = scheme === 'http' ? ':80' : ':443'
  return `${scheme}://${lower.endsWith(dflt) ? lower.slice(0, -dflt.length) : lower}${rawPath === '' ? '/' : rawPath}`
}

/** §3.4.1.1: METHOD & encoded base string URI & encoded normalized parameters. */
export const rfcBaseString = (method: string, uri: string, pairs: ReadonlyArray<readonly [string, string]>): string =>
  `${rfcEncode(method.toUpperCase())}&${rfcEncode(uri)}&${rfcEncode(normalizeParameters(pairs))}`

/** §3.5.1: the protocol parameters of an `OAuth …` Authorization header, decoded; null when malformed or repeated. */
export const parseAuthorization = (header: string): Map<string, string> | null => {
  const m = /^OAuth\s+(.*)$/is.exec(header.trim())
  if (m === null) return null
  const out = new Map<string, string>()
  const re = /\s*([^\s=,]+)\s*=\s*"([^"]*)"\s*(?:,|$)/gy
  const rest = m[1] ?? ''
  let consumed = 0
  for (let p = re.exec(rest); p !== null; p = re.exec(rest)) {
    const name = percentDecode(p[1] ?? '')
    if (out.has(name)) return null
    out.set(name, percentDecode(p[2] ?? ''))
    consumed = re.lastIndex
  }
  return consumed === rest.length ? out : null
}

// ---------------------------------------------------------------------------
// the server
// ---------------------------------------------------------------------------

const readBody = (req: IncomingMessage): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => resolve(Buffer.concat(chunks)))
    req.on('error', reject)
  })

/** The base string oauth-1.0a builds for the same received request (its own query and body handling). */
const libraryBaseString = (
  method: string,
  uri: string,
  rawQuery: string,
  form: ReadonlyArray<readonly [string, string]>,
  oauth: Map<string, string>,
): string => {
  const data: Record<string, string | string[]> = {}
  for (const [n, v] of form) {
    const prev = data[n]
    data[n] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v]
  }
  const lib = new OAuth({
    consumer: { key: oauth.get('oauth_consumer_key') ?? '', secret: '' },
    signature_method: 'PLAINTEXT',
  })
  const protocol = Object.fromEntries(
    [...oauth].filter(([n]) => n !== 'oauth_signature' && n !== 'realm'),
  ) as unknown as OAuth.Data
  return lib.getBaseString({ url: rawQuery === '' ? uri : `${uri}?${rawQuery}`, method, data }, protocol)
}

const verify = (
  opts: VerifierOptions,
  keys: ReadonlyMap<string, KeyObject>,
  seen: Set<string>,
  req: IncomingMessage,
  body: Buffer,
): Omit<Verification, 'method' | 'target'> => {
  const method = req.method ?? 'GET'
  const target = req.url ?? '/'
  const q = target.indexOf('?')
  const rawPath = q === -1 ? target : target.slice(0, q)
  const rawQuery = q === -1 ? '' : target.slice(q + 1)
  const fail = (
    status: number,
    reason: string,
    oauth: Map<string, string> = new Map(),
    base = '',
    paramNames: string[] = [],
    libraryAgrees: boolean | null = null,
  ) => ({
    status,
    reason,
    oauth: Object.fromEntries(oauth),
    baseString: base,
    paramNames,
    libraryAgrees,
  })
  const header = req.headers.authorization
  if (header === undefined) return fail(401, 'no Authorization header')
  const oauth = parseAuthorization(header)
  if (oauth === null) return fail(400, 'malformed OAuth Authorization header')
  const need = ['oauth_consumer_key', 'oauth_signature_method', 'oauth_signature']
  const sigMethod = oauth.get('oauth_signature_method') ?? ''
  if (sigMethod !== 'PLAINTEXT') need.push('oauth_timestamp', 'oauth_nonce')
  const missing = need.filter((n) => !oauth.has(n))
  if (missing.length > 0) return fail(400, `missing ${missing.join(', ')}`, oauth)
  if (oauth.has('oauth_version') && oauth.get('oauth_version') !== '1.0')
    return fail(400, 'oauth_version must be 1.0', oauth)
  if (sigMethod !== 'PLAINTEXT' && !/^[1-9][0-9]*$/.test(oauth.get('oauth_timestamp') ?? ''))
    return fail(400, 'oauth_timestamp must be a positive integer', oauth)

  const type = (req.headers['content-type'] ?? '').toLowerCase()
  const form =
    type.split(';')[0]?.trim() === 'application/x-www-form-urlencoded' ? parseFormEncoded(body.toString('utf8')) : []
  const query = parseFormEncoded(rawQuery)
  const protocol = [...oauth].filter(([n]) => n !== 'oauth_signature' && n !== 'realm')
  const others = [...query, ...form]
  const uri = baseStringUri('http', req.headers.host ?? '', rawPath)
  const base = rfcBaseString(method, uri, [...others, ...protocol])
  const paramNames = others.map(([n]) => n).sort()
  let libraryAgrees: boolean | null = null
  try {
    libraryAgrees = libraryBaseString(method, uri, rawQuery, form, oauth) === base
  } catch {
    libraryAgrees = false
  }

  const consumer = opts.consumers[oauth.get('oauth_consumer_key') ?? '']
  if (consumer === undefined) return fail(401, 'unknown consumer', oauth, base, paramNames, libraryAgrees)
  const token = oauth.get('oauth_token') ?? ''
  const tokenSecret = opts.tokens[token]
  if (tokenSecret === undefined) return fail(401, 'unknown token', oauth, base, paramNames, libraryAgrees)
  const given = oauth.get('oauth_signature') ?? ''
  const key = `${rfcEncode(consumer.secret)}&${rfcEncode(tokenSecret)}`
  let good: boolean
  switch (sigMethod) {
    case 'HMAC-SHA1':
    case 'HMAC-SHA256':
      good =
        createHmac(sigMethod === 'HMAC-SHA1' ? 'sha1' : 'sha256', key)
          .update(base, 'utf8')
          .digest('base64') === given
      break
    case 'RSA-SHA1':
    case 'RSA-SHA256': {
      const pub = keys.get(oauth.get('oauth_consumer_key') ?? '')
      if (pub === undefined)
        return fail(401, 'the consumer has no RSA public key', oauth, base, paramNames, libraryAgrees)
      good = cryptoVerify(
        sigMethod === 'RSA-SHA1' ? 'sha1' : 'sha256',
        Buffer.from(base, 'utf8'),
        pub,
        Buffer.from(given, 'base64'),
      )
      break
    }
    case 'PLAINTEXT':
      good = given === key
      break
    default:
      return fail(400, `unsupported signature method ${sigMethod}`, oauth, base, paramNames, libraryAgrees)
  }
  if (!good) return fail(401, 'invalid signature', oauth, base, paramNames, libraryAgrees)
  if (sigMethod !== 'PLAINTEXT') {
    const once = `${oauth.get('oauth_timestamp') ?? ''}|${oauth.get('oauth_nonce') ?? ''}|${oauth.get('oauth_consumer_key') ?? ''}|${token}`
    if (seen.has(once)) return fail(401, 'nonce already used', oauth, base, paramNames, libraryAgrees)
    seen.add(once)
  }
  return { status: 200, reason: 'ok', oauth: Object.fromEntries(oauth), baseString: base, paramNames, libraryAgrees }
}

/**
 * Starts a verifier on 127.0.0.1 (a free port).
 * @example
 * const v = await startOAuth1Verifier({ consumers: { ck: { secret: 'cs' } }, tokens: { tok: 'ts' } })
 */
export const startOAuth1Verifier = async (opts: VerifierOptions): Promise<Verifier> => {
  const keys = new Map<string, KeyObject>()
  for (const [k, c] of Object.entries(opts.consumers))
    if (c.publicKey !== undefined) keys.set(k, createPublicKey(c.publicKey))
  const verifications: Verification[] = []
  const seen = new Set<string>()
  const flakyHits = new Map<string, number>()
  const sockets = new Set<Socket>()

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body = await readBody(req)
    const v = verify(opts, keys, seen, req, body)
    const target = req.url ?? '/'
    const path = target.split('?')[0] ?? ''
    let status = v.status
    const headers: Record<string, string> = { 'content-type': 'application/json' }
    if (status === 200 && path.startsWith('/flaky/')) {
      const hits = (flakyHits.get(path) ?? 0) + 1
      flakyHits.set(path, hits)
      if (hits === 1) status = 503
    }
    if (status === 200 && path.startsWith('/redirect307/')) {
      status = 307
      headers['location'] = `/${target.slice('/redirect307/'.length)}`
    }
    verifications.push({ method: req.method ?? '', target, ...v, status })
    res.writeHead(status, headers)
    res.end(JSON.stringify({ status, reason: v.reason, method: req.method, target, paramNames: v.paramNames }))
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      res.writeHead(500)
      res.end(String(e))
    })
  })
  server.on('connection', (s: Socket) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    verifications,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      }),
  }
}
