/**
 * Every auth scheme as one record in a table keyed by `Auth['_tag']`, checked by the compiler:
 * its pre-emptive headers, how it signs an attempt, how it answers a challenge, its secrets and
 * what a cross-origin hop drops with it. Each record lives in its scheme's module (basic.ts,
 * bearer.ts, aws4.ts, oauth1.ts, digest-scheme.ts); this module is the interface and the table.
 * The executor asks the table; it has no `_tag` switch.
 * @module
 */
import type * as E from 'fp-ts/lib/Either.js'
import type { HeaderList } from '../model/headers.js'
import type { SignFailure, SignInput } from '../model/prepared.js'
import type { Proxy, ResolvedAuth as Auth, Tls } from '../model/request.js'
import { aws4Scheme } from './aws4.js'
import { basicScheme } from './basic.js'
import { bearerScheme } from './bearer.js'
import type { DigestState, onDigest401 } from './digest.js'
import { digestScheme } from './digest-scheme.js'
import { oauth1Scheme } from './oauth1.js'

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
  readonly authorize: (
    a: A,
    state: DigestState,
    input: SignInput,
  ) => Promise<E.Either<SignFailure, { readonly headers: HeaderList; readonly state: DigestState }>>
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

/**
 * The table of schemes: one row per `Auth['_tag']`, each scheme's record from its own module;
 * a missing or mistyped row is a compile error.
 * @example
 * schemeOf({ _tag: 'Basic', user: 'u', password: 'p' }).secrets // ['p']
 * @category auth
 * @since 0.2.0
 */
export const schemes: Schemes = {
  None: { preemptive: none, sign: null, challenge: null, secrets: () => [], crossOriginDrop: [] },
  Basic: basicScheme,
  Bearer: bearerScheme,
  Aws4: aws4Scheme,
  OAuth1: oauth1Scheme,
  Digest: digestScheme,
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
export const secretsOf = (p: {
  readonly auth: Auth
  readonly proxy: Proxy<string> | null
  readonly tls: Tls<string> | null
  readonly masked?: ReadonlyArray<string>
}): ReadonlyArray<string> => {
  const own = schemeOf(p.auth).secrets(p.auth)
  const masked = p.masked ?? NONE
  const proxy = p.proxy?.password
  const tls = p.tls?.passphrase
  // the common request (no masked value, no proxy or TLS secret): the scheme's list itself
  if (masked.length === 0 && proxy == null && tls == null) return own
  const out = own.concat(masked)
  if (proxy != null) out.push(proxy)
  if (tls != null) out.push(tls)
  return out
}

const NONE: ReadonlyArray<string> = []
