/**
 * HTTP Digest authorization (RFC 7616, RFC 2617): nothing is sent pre-emptively; the first
 * 401 challenge is answered. MD5 (also when the challenge names no algorithm), SHA-256 and
 * SHA-512-256, each with `-sess`; qop `auth` and `auth-int`; `opaque` echoed; nc in hex.
 * @module
 */
import { isSecretInput, showSecret, type SecretRef } from '../model/secret.js'
import { createHash } from 'node:crypto'
import * as E from 'fp-ts/lib/Either.js'
import type { Step } from '../model/request.js'
import { hasCrLfNul } from '../model/valid.js'
import { change, invalid, makeStep } from '../steps/step.js'
import { encodeComponent } from '../encoding/url.js'
import { parseChallenges, type Challenge } from './challenge.js'

/**
 * Answers a Digest challenge with this user and password. Replaces any other auth scheme.
 * @example
 * pipe(req, addDigestAuthorization('Mufasa', 'Circle of Life'))
 * @category auth
 * @since 0.1.0
 */
export const addDigestAuthorization = (user: string, password: string | SecretRef): Step =>
  makeStep('addDigestAuthorization', () =>
    typeof user !== 'string' || !isSecretInput(password)
      ? invalid('user must be a string and password a string or secretFromEnv(name)')
      : hasCrLfNul(user) || user.includes('"')
        ? invalid('the user name must not contain CR, LF, NUL or a double quote')
        : change(
            { auth: { _tag: 'Digest', user, password } },
            `Digest authorization set for user ${user}, password ${showSecret(password)}`,
          ),
  )

/**
 * Digest algorithms httpipe answers, strongest first.
 * @example
 * DIGEST_ALGORITHMS[0] // 'SHA-512-256'
 */
export const DIGEST_ALGORITHMS = ['SHA-512-256', 'SHA-256', 'MD5'] as const
type Base = (typeof DIGEST_ALGORITHMS)[number]

/**
 * Node's name of each Digest algorithm's hash.
 * @example
 * DIGEST_NODE_HASH['SHA-512-256'] // 'sha512-256'
 */
export const DIGEST_NODE_HASH: Readonly<Record<Base, string>> = {
  'SHA-512-256': 'sha512-256',
  'SHA-256': 'sha256',
  MD5: 'md5',
}

/**
 * A Digest challenge httpipe can answer.
 * @example
 * const c: DigestChallenge = { realm: 'r', nonce: 'n', opaque: null, algorithm: 'MD5', sess: false, qop: 'auth', stale: false }
 */
export interface DigestChallenge {
  readonly realm: string
  readonly nonce: string
  readonly opaque: string | null
  readonly algorithm: Base
  readonly sess: boolean
  /** the qop chosen: `auth` when offered, else `auth-int`; null for RFC 2069 challenges */
  readonly qop: 'auth' | 'auth-int' | null
  readonly stale: boolean
}

const readDigest = (c: Challenge): E.Either<string, DigestChallenge> => {
  const p = c.params
  if (p['realm'] === undefined || p['nonce'] === undefined) return E.left('a Digest challenge needs realm and nonce')
  const alg = (p['algorithm'] ?? 'MD5').toUpperCase()
  const sess = alg.endsWith('-SESS')
  const base = (sess ? alg.slice(0, -5) : alg) as Base
  if (!DIGEST_ALGORITHMS.includes(base)) return E.left(`unsupported Digest algorithm ${p['algorithm'] ?? ''}`)
  const offered = p['qop'] === undefined ? null : p['qop'].split(',').map((q) => q.trim().toLowerCase())
  const qop =
    offered === null ? null : offered.includes('auth') ? 'auth' : offered.includes('auth-int') ? 'auth-int' : undefined
  if (qop === undefined) return E.left(`unsupported Digest qop ${p['qop'] ?? ''}`)
  // -sess hashes the cnonce into A1, but without qop no cnonce may be sent (RFC 2617 §3.2.2)
  if (sess && qop === null) return E.left(`Digest algorithm ${p['algorithm'] ?? ''} needs a qop`)
  return E.right({
    realm: p['realm'],
    nonce: p['nonce'],
    opaque: p['opaque'] ?? null,
    algorithm: base,
    sess,
    qop,
    stale: (p['stale'] ?? '').toLowerCase() === 'true',
  })
}

/**
 * Picks the Digest challenge to answer from a WWW-Authenticate value: the strongest
 * algorithm httpipe supports. A Left when there is none or the header is malformed.
 * @example
 * chooseDigest('Digest realm="r", nonce="n", algorithm=SHA-256, qop="auth"') // right({ algorithm: 'SHA-256', … })
 */
export const chooseDigest = (header: string): E.Either<string, DigestChallenge> => {
  const parsed = parseChallenges(header)
  if (E.isLeft(parsed)) return E.left(`malformed WWW-Authenticate: ${parsed.left}`)
  const digests = parsed.right.filter((c) => c.scheme === 'digest')
  if (digests.length === 0)
    return E.left(
      `no Digest challenge in WWW-Authenticate (schemes: ${parsed.right.map((c) => c.scheme).join(', ') || 'none'})`,
    )
  const readable = digests.map(readDigest)
  const ok = readable.flatMap((r) => (E.isRight(r) ? [r.right] : []))
  if (ok.length === 0) return E.left((readable[0] as E.Left<string>).left)
  return E.right(
    [...ok].sort(
      (a, b) => DIGEST_ALGORITHMS.indexOf(a.algorithm) - DIGEST_ALGORITHMS.indexOf(b.algorithm),
    )[0] as DigestChallenge,
  )
}

/**
 * The hex digest of text or bytes with a Digest algorithm.
 * @example
 * digestHex('MD5', 'abc') // '900150983cd24fb0d6963f7d28e17f72'
 */
export const digestHex = (algorithm: Base, data: string | Uint8Array): string =>
  createHash(DIGEST_NODE_HASH[algorithm]).update(data).digest('hex')

/**
 * The answer to a challenge.
 * @example
 * const a: DigestAnswer = { user: 'Mufasa', password: 'Circle of Life', method: 'GET', uri: '/dir/index.html', nc: 1, cnonce: '0a4f113b', bodyHash: null }
 */
export interface DigestAnswer {
  readonly user: string
  readonly password: string
  readonly method: string
  /** the request target: path and query */
  readonly uri: string
  readonly nc: number
  readonly cnonce: string
  /** hex hash of the body with the challenge's algorithm, for qop auth-int */
  readonly bodyHash: string | null
}

const q = (v: string): string => `"${v.replace(/(["\\])/g, '\\$1')}"`

/**
 * The Authorization header value answering a challenge (RFC 7616 §3.4).
 * @example
 * digestAuthorization(challenge, answer) // 'Digest username="Mufasa", realm="…", …, response="…"'
 */
export const digestAuthorization = (c: DigestChallenge, a: DigestAnswer): string => {
  const H = (s: string): string => digestHex(c.algorithm, s)
  const nc = a.nc.toString(16).padStart(8, '0')
  const ha1base = H(`${a.user}:${c.realm}:${a.password}`)
  const ha1 = c.sess ? H(`${ha1base}:${c.nonce}:${a.cnonce}`) : ha1base
  const ha2 =
    c.qop === 'auth-int'
      ? H(`${a.method}:${a.uri}:${a.bodyHash ?? digestHex(c.algorithm, '')}`)
      : H(`${a.method}:${a.uri}`)
  const response =
    c.qop === null ? H(`${ha1}:${c.nonce}:${ha2}`) : H(`${ha1}:${c.nonce}:${nc}:${a.cnonce}:${c.qop}:${ha2}`)
  const parts = [
    // RFC 7616 §3.4.4: a name that a quoted string cannot carry goes as username* (UTF-8)
    /^[\x20-\x7e]*$/.test(a.user) ? `username=${q(a.user)}` : `username*=UTF-8''${encodeComponent(a.user)}`,
    `realm=${q(c.realm)}`,
    `nonce=${q(c.nonce)}`,
    `uri=${q(a.uri)}`,
    `algorithm=${c.algorithm}${c.sess ? '-sess' : ''}`,
    `response=${q(response)}`,
    ...(c.opaque === null ? [] : [`opaque=${q(c.opaque)}`]),
    ...(c.qop === null ? [] : [`qop=${c.qop}`, `nc=${nc}`, `cnonce=${q(a.cnonce)}`]),
  ]
  return `Digest ${parts.join(', ')}`
}

/**
 * The challenge being answered in a run, and how many requests used its nonce (`nc`).
 * @example
 * const d: DigestState = { challenge, nc: 1 }
 */
export interface DigestState {
  readonly challenge: DigestChallenge
  readonly nc: number
}

/**
 * What a 401 means under Digest auth: `Answer` a (new or stale-renewed) challenge, accept the
 * 401 as `Final` (the credentials were refused), or `Unanswerable` (no usable challenge
 * before any answer). `answered` says whether this hop already answered one; `answers` counts
 * the answers of the whole run (at most 4, so a server cannot loop us).
 * @example
 * onDigest401('Digest realm="r", nonce="n"', null, false, 0) // { _tag: 'Answer', state: { challenge, nc: 0 }, stale: false }
 */
export const onDigest401 = (
  wwwAuthenticate: string,
  current: DigestState | null,
  answered: boolean,
  answers: number,
):
  | { readonly _tag: 'Answer'; readonly state: DigestState; readonly stale: boolean }
  | { readonly _tag: 'Final' }
  | { readonly _tag: 'Unanswerable'; readonly reason: string } => {
  const challenge = chooseDigest(wwwAuthenticate)
  if (E.isLeft(challenge)) return answered ? { _tag: 'Final' } : { _tag: 'Unanswerable', reason: challenge.left }
  const c = challenge.right
  const stale = c.stale && current !== null && current.challenge.nonce !== c.nonce
  if ((answered && !stale) || answers >= 4) return { _tag: 'Final' }
  // nc counts the requests made with one nonce: a new challenge with the same nonce continues it
  return {
    _tag: 'Answer',
    state: { challenge: c, nc: current !== null && current.challenge.nonce === c.nonce ? current.nc : 0 },
    stale,
  }
}
