/**
 * Every auth scheme as one record in a table keyed by `Auth['_tag']`, checked by the compiler:
 * its pre-emptive headers, how it signs an attempt, how it answers a challenge, its secrets and
 * what a cross-origin hop drops with it. The executor asks the table; it has no `_tag` switch.
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import { putHeader, type HeaderList } from '../model/headers.js'
import type { SignFailure, SignInput } from '../model/prepared.js'
import type { Proxy, ResolvedAuth as Auth, Tls } from '../model/request.js'
import { signAws4 } from './aws4.js'
import { basicHeader } from './basic.js'
import { DIGEST_NODE_HASH, digestAuthorization, onDigest401, type DigestState } from './digest.js'
import { makeNonce, oauth1Header } from './oauth1.js'
import { oauthBodyFields } from './oauth1-fields.js'

/**
 * How a scheme answers a challenge (a 401): `decide` reads the challenge header into the next
 * state (pure), `authorize` writes the answer for one attempt and counts it.
 * @example
 * schemes.Digest.challenge?.decide('Digest realm="r", nonce="n"', null, false, 0)
 * @category auth
 * @since 0.2.0
 */
export interface Challenge<A extends Auth> {
  readonly decide: typeof onDigest401
  readonly authorize: (a: A, state: DigestState, input: SignInput) => Promise<E.Either<SignFailure, { readonly headers: HeaderList; readonly state: DigestState }>>
}

/**
 * One auth scheme: pre-emptive headers (Basic, Bearer), signing of each attempt (AWS4,
 * OAuth1), a challenge answer (Digest), the secrets it holds, and the headers that leave with
 * it when a redirect changes origin.
 * @example
 * schemes.Bearer.preemptive({ _tag: 'Bearer', token: 't' }) // [['Authorization', 'Bearer t']]
 * @category auth
 * @since 0.2.0
 */
export interface Scheme<A extends Auth> {
  readonly preemptive: (a: A) => HeaderList
  readonly sign: ((a: A, input: SignInput) => Promise<E.Either<SignFailure, HeaderList>>) | null
  readonly challenge: Challenge<A> | null
  readonly secrets: (a: A) => ReadonlyArray<string>
  readonly crossOriginDrop: ReadonlyArray<string>
}

type Schemes = { readonly [K in Auth['_tag']]: Scheme<Extract<Auth, { readonly _tag: K }>> }

const none = (): HeaderList => []
const authFailure = (message: string): SignFailure => ({ kind: 'auth', message })

/**
 * The table of schemes.
 * @example
 * schemeOf({ _tag: 'Basic', user: 'u', password: 'p' }).secrets // ['p']
 * @category auth
 * @since 0.2.0
 */
export const schemes: Schemes = {
  None: { preemptive: none, sign: null, challenge: null, secrets: () => [], crossOriginDrop: [] },
  Basic: {
    preemptive: (a) => [['Authorization', basicHeader(a.user, a.password)]],
    sign: null,
    challenge: null,
    secrets: (a) => [a.password],
    crossOriginDrop: [],
  },
  Bearer: { preemptive: (a) => [['Authorization', `Bearer ${a.token}`]], sign: null, challenge: null, secrets: (a) => [a.token], crossOriginDrop: [] },
  Aws4: {
    preemptive: none,
    sign: async (a, input) => {
      let payloadHash: string | null = null
      if (!a.unsignedPayload) {
        const h = await input.hash('sha256')
        if (E.isLeft(h)) return h
        payloadHash = h.right
      }
      const { method, url, headers } = input.hop
      return E.mapLeft(authFailure)(signAws4(a, { method, url, headers, payloadHash, now: input.now }))
    },
    challenge: null,
    secrets: (a) => (a.sessionToken === null ? [a.secretKey] : [a.secretKey, a.sessionToken]),
    crossOriginDrop: ['x-amz-date', 'x-amz-content-sha256', 'x-amz-security-token'],
  },
  OAuth1: {
    preemptive: none,
    sign: async (a, { hop, settings, now, random }) => {
      const header = oauth1Header(a, {
        method: hop.method,
        url: hop.url,
        bodyFields: settings.bodyFieldsAtOAuth ? oauthBodyFields(hop.headers, hop.body, settings.encoding) : [],
        timestamp: String(Math.floor(now / 1000)),
        nonce: makeNonce(random),
      })
      return E.bimap(authFailure, (value: string) => putHeader(hop.headers, 'Authorization', value))(header)
    },
    challenge: null,
    secrets: (a) => [a.token, a.tokenSecret, a.consumerSecret],
    crossOriginDrop: [],
  },
  Digest: {
    preemptive: none,
    sign: null,
    challenge: {
      decide: onDigest401,
      authorize: async (a, state, { hop, random, hash }) => {
        const c = state.challenge
        let bodyHash: string | null = null
        if (c.qop === 'auth-int') {
          const h = await hash(DIGEST_NODE_HASH[c.algorithm])
          if (E.isLeft(h)) return h
          bodyHash = h.right
        }
        const nc = state.nc + 1
        const u = new URL(hop.url)
        const cnonce = makeNonce(random).slice(0, 16)
        const value = digestAuthorization(c, { user: a.user, password: a.password, method: hop.method, uri: `${u.pathname}${u.search}`, nc, cnonce, bodyHash })
        return E.right({ headers: putHeader(hop.headers, 'Authorization', value), state: { challenge: c, nc } })
      },
    },
    secrets: (a) => [a.password],
    crossOriginDrop: [],
  },
}

/**
 * The scheme record of an auth value.
 * @example
 * schemeOf({ _tag: 'None' }).sign // null
 * @category auth
 * @since 0.2.0
 */
export const schemeOf = <A extends Auth>(a: A): Scheme<A> => schemes[a._tag] as unknown as Scheme<A>

/**
 * Every secret a request holds: its scheme's, the proxy password and the TLS passphrase. The
 * executor masks each wherever it appears in a log line or an error message (a URL path, a
 * server's text), whatever the name around it.
 * @example
 * secretsOf({ auth: { _tag: 'Bearer', token: 'tok' }, proxy: null, tls: null }) // ['tok']
 * @category auth
 * @since 0.2.0
 */
export const secretsOf = (p: { readonly auth: Auth; readonly proxy: Proxy<string> | null; readonly tls: Tls<string> | null; readonly masked?: ReadonlyArray<string> }): ReadonlyArray<string> => {
  const out: string[] = [...schemeOf(p.auth).secrets(p.auth), ...(p.masked ?? [])]
  if (p.proxy?.password != null) out.push(p.proxy.password)
  if (p.tls?.passphrase != null) out.push(p.tls.passphrase)
  return out
}
