/**
 * A node:http server that demands HTTP Digest authentication (RFC 7616 / RFC 2617) and checks
 * every answer itself, written independently of src/auth/digest.ts: its own header parser and
 * its own hashing. It offers MD5, SHA-256 and SHA-512-256 (each with or without `-sess`, or no
 * algorithm parameter at all), qop `auth` / `auth-int` / both / none (RFC 2069), an opaque
 * value, nonces that turn stale, and several challenges per WWW-Authenticate header (or one
 * header line each). Every request and the verdict on it are recorded.
 *
 * Routes, once authorized:
 * - `/redirect?to=<path>`: 302 to that path on the same server;
 * - `/rechallenge`: 401 with a challenge carrying the nonce just used, the first time;
 * - `/flaky`: 503 (Retry-After: 0) the first time it is reached authorized, then 200;
 * - anything else: 200 with a JSON `{ method, url, user, bodyLength, body, nc, algorithm, qop }`.
 */
import { createHash, randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export type DigestAlgorithmName = 'MD5' | 'MD5-sess' | 'SHA-256' | 'SHA-256-sess' | 'SHA-512-256' | 'SHA-512-256-sess'

/** One challenge the server sends: its algorithm (null: no algorithm parameter, which means MD5) and qop offer. */
export interface OfferedChallenge {
  readonly algorithm: DigestAlgorithmName | null
  /** the qop parameter as sent (`'auth'`, `'auth-int'`, `'auth,auth-int'`); null: none (RFC 2069) */
  readonly qop: string | null
}

export interface DigestServerOptions {
  readonly realm?: string
  readonly user?: string
  readonly password?: string
  /** the Digest challenges offered for each new nonce (default: MD5 with qop auth) */
  readonly challenges?: ReadonlyArray<OfferedChallenge>
  /** other challenges sent alongside (e.g. `Basic realm="x"`) */
  readonly extra?: ReadonlyArray<string>
  /** 'one': all challenges in one WWW-Authenticate header (default); 'many': one header line each */
  readonly headerStyle?: 'one' | 'many'
  /** send this exact WWW-Authenticate value instead (for malformed or unanswerable challenges) */
  readonly raw?: string
  /** send an opaque value (default true) */
  readonly opaque?: boolean
  /** the first this-many nonces are stale once answered: a correct answer gets 401 with stale=true */
  readonly staleNonces?: number
}

export interface DigestVerdict {
  /** 'none': no Authorization; 'ok': accepted; 'stale': correct but the nonce is stale; 'bad': refused (why) */
  readonly kind: 'none' | 'ok' | 'stale' | 'bad'
  readonly why: string
}

export interface DigestRecord {
  readonly method: string
  readonly url: string
  readonly headers: Readonly<Record<string, string | string[] | undefined>>
  readonly body: Buffer
  /** the parameters of the Digest Authorization header (null when there was none) */
  readonly auth: Readonly<Record<string, string>> | null
  readonly verdict: DigestVerdict
  readonly status: number
}

export interface DigestServer {
  readonly url: string
  readonly requests: ReadonlyArray<DigestRecord>
  /** the nonces issued, in order */
  readonly nonces: ReadonlyArray<string>
  readonly opaque: string
  readonly close: () => Promise<void>
}

const NODE_HASH: Readonly<Record<string, string>> = { MD5: 'md5', 'SHA-256': 'sha256', 'SHA-512-256': 'sha512-256' }

/** Parses `Digest a="b", c=d` (the server's own, simple parser: quoted strings with escapes, tokens). */
export const parseDigestAuthorization = (value: string): Record<string, string> | null => {
  const m = /^Digest\s+/i.exec(value)
  if (m === null) return null
  const out: Record<string, string> = {}
  const re = /\s*([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))\s*(?:,|$)/gy
  re.lastIndex = m[0].length
  let last = re.lastIndex
  for (let r = re.exec(value); r !== null; r = re.exec(value)) {
    const name = (r[1] ?? '').toLowerCase()
    out[name] = r[2] !== undefined ? r[2].replace(/\\(.)/g, '$1') : (r[3] ?? '')
    last = re.lastIndex
    if (last >= value.length) break
  }
  return last >= value.length ? out : null
}

const quote = (s: string): string => `"${s.replace(/(["\\])/g, '\\$1')}"`

/** Starts the server on a free 127.0.0.1 port. */
export const startDigestServer = async (o: DigestServerOptions = {}): Promise<DigestServer> => {
  const realm = o.realm ?? 'digest@httpipe.test'
  const user = o.user ?? 'Mufasa'
  const password = o.password ?? 'Circle of Life'
  const offered = o.challenges ?? [{ algorithm: 'MD5', qop: 'auth' }]
  const opaque = o.opaque === false ? '' : randomBytes(12).toString('base64')
  const requests: DigestRecord[] = []
  const nonces: string[] = []
  /** nonce → the highest nc seen, and whether it is stale */
  const seen = new Map<string, { nc: number; stale: boolean }>()
  let flakyHits = 0

  let rechallenged = false

  /** the challenges for a fresh nonce, or again for `reuse` (a nonce already issued) */
  const challengeHeaders = (stale: boolean, reuse?: string): string[] => {
    if (o.raw !== undefined) return [o.raw]
    const nonce = reuse ?? randomBytes(18).toString('base64')
    if (reuse === undefined) {
      nonces.push(nonce)
      seen.set(nonce, { nc: 0, stale: false })
    }
    const digests = offered.map((c) =>
      [
        `Digest realm=${quote(realm)}`,
        ...(c.qop === null ? [] : [`qop=${quote(c.qop)}`]),
        ...(c.algorithm === null ? [] : [`algorithm=${c.algorithm}`]),
        `nonce=${quote(nonce)}`,
        ...(opaque === '' ? [] : [`opaque=${quote(opaque)}`]),
        ...(stale ? ['stale=true'] : []),
      ].join(', '),
    )
    const all = [...(o.extra ?? []), ...digests]
    return o.headerStyle === 'many' ? all : [all.join(', ')]
  }

  const verify = (method: string, url: string, body: Buffer, a: Record<string, string>): DigestVerdict => {
    const bad = (why: string): DigestVerdict => ({ kind: 'bad', why })
    for (const k of ['username', 'realm', 'nonce', 'uri', 'response']) if (a[k] === undefined) return bad(`no ${k}`)
    if (a['username'] !== user) return bad('unknown user')
    if (a['realm'] !== realm) return bad('wrong realm')
    if (a['uri'] !== url) return bad(`uri ${a['uri'] ?? ''} is not the request target ${url}`)
    if (opaque !== '' && a['opaque'] !== opaque) return bad('opaque not echoed')
    const nonce = a['nonce'] ?? ''
    const state = seen.get(nonce)
    if (state === undefined) return bad('unknown nonce')
    const alg = a['algorithm'] ?? 'MD5'
    const match = offered.find((c) => (c.algorithm ?? 'MD5').toLowerCase() === alg.toLowerCase())
    if (match === undefined) return bad(`algorithm ${alg} was not offered`)
    const sess = /-sess$/i.test(alg)
    const hashName = NODE_HASH[alg.replace(/-sess$/i, '').toUpperCase()]
    if (hashName === undefined) return bad(`unknown algorithm ${alg}`)
    const H = (s: string | Buffer): string => createHash(hashName).update(s).digest('hex')
    const qop = a['qop'] ?? null
    const qops = match.qop === null ? [] : match.qop.split(',').map((x) => x.trim())
    if (qop === null ? qops.length > 0 : !qops.includes(qop)) return bad(`qop ${qop ?? 'none'} was not offered`)
    const cnonce = a['cnonce'] ?? ''
    let nc = 0
    if (qop !== null) {
      if (!/^[0-9a-f]{8}$/.test(a['nc'] ?? '')) return bad(`nc ${a['nc'] ?? ''} is not 8 lower-case hex digits`)
      if (cnonce === '') return bad('no cnonce')
      nc = parseInt(a['nc'] ?? '', 16)
      if (nc <= state.nc) return bad(`nc ${nc} replayed (last ${state.nc})`)
    }
    const base = H(`${user}:${realm}:${password}`)
    const ha1 = sess ? H(`${base}:${nonce}:${cnonce}`) : base
    const ha2 = qop === 'auth-int' ? H(`${method}:${url}:${H(body)}`) : H(`${method}:${url}`)
    const expected =
      qop === null ? H(`${ha1}:${nonce}:${ha2}`) : H(`${ha1}:${nonce}:${a['nc'] ?? ''}:${cnonce}:${qop}:${ha2}`)
    if (a['response'] !== expected) return bad('wrong response (password?)')
    if (qop !== null) state.nc = nc
    if (state.stale) return { kind: 'stale', why: 'nonce is stale' }
    if (nonces.indexOf(nonce) < (o.staleNonces ?? 0)) {
      // stale from now on: this answer is refused, and so is every later use of the nonce
      state.stale = true
      return { kind: 'stale', why: 'nonce is stale' }
    }
    return { kind: 'ok', why: '' }
  }

  const handle = (req: IncomingMessage, res: ServerResponse, body: Buffer): void => {
    const method = req.method ?? 'GET'
    const url = req.url ?? '/'
    const header = req.headers.authorization
    const auth = header === undefined ? null : parseDigestAuthorization(header)
    const verdict: DigestVerdict =
      header === undefined
        ? { kind: 'none', why: '' }
        : auth === null
          ? { kind: 'bad', why: 'not a Digest Authorization' }
          : verify(method, url, body, auth)
    const record = (status: number): void => {
      requests.push({ method, url, headers: { ...req.headers }, body, auth, verdict, status })
    }
    if (verdict.kind !== 'ok') {
      record(401)
      res.writeHead(401, {
        'WWW-Authenticate': challengeHeaders(verdict.kind === 'stale'),
        'Content-Type': 'text/plain',
        'X-Why': verdict.why.replace(/[^\x20-\x7e]/g, '?'),
      })
      res.end(`unauthorized: ${verdict.kind} ${verdict.why}\n`)
      return
    }
    const path = new URL(url, 'http://x').pathname
    if (path === '/redirect') {
      record(302)
      res.writeHead(302, { Location: new URL(url, 'http://x').searchParams.get('to') ?? '/' })
      res.end()
      return
    }
    if (path === '/rechallenge' && !rechallenged) {
      // challenged again, with the nonce just used (not stale): the count must go on
      rechallenged = true
      record(401)
      res.writeHead(401, { 'WWW-Authenticate': challengeHeaders(false, auth?.['nonce'] ?? '') })
      res.end('unauthorized: again')
      return
    }
    if (path === '/flaky' && flakyHits++ === 0) {
      record(503)
      res.writeHead(503, { 'Retry-After': '0' })
      res.end('try again')
      return
    }
    record(200)
    res.writeHead(200, { 'Content-Type': 'application/json' })
    res.end(
      JSON.stringify({
        method,
        url,
        user: auth?.['username'],
        bodyLength: body.byteLength,
        body: body.toString('utf8'),
        nc: auth?.['nc'] ?? null,
        algorithm: auth?.['algorithm'] ?? null,
        qop: auth?.['qop'] ?? null,
      }),
    )
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => handle(req, res, Buffer.concat(chunks)))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    nonces,
    opaque,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
