/**
 * The Digest scheme's record (a sibling of digest.ts, which would pass 300 lines with it).
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import { putHeader } from '../model/headers.js'
import type { ResolvedAuth } from '../model/request.js'
import { DIGEST_NODE_HASH, digestAuthorization, onDigest401 } from './digest.js'
import { makeNonce } from './oauth1.js'
import type { Scheme } from './schemes.js'

/**
 * The Digest scheme's record: nothing pre-emptive, no signing; a 401's challenge is read by
 * `onDigest401` and answered with the next nonce count (the body hashed for `auth-int`).
 * @example
 * digestScheme.secrets({ _tag: 'Digest', user: 'Mufasa', password: 'Circle of Life' }) // ['Circle of Life']
 * @category auth
 * @since 0.3.0
 */
export const digestScheme: Scheme<Extract<ResolvedAuth, { readonly _tag: 'Digest' }>> = {
  preemptive: () => [],
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
      const value = digestAuthorization(c, {
        user: a.user,
        password: a.password,
        method: hop.method,
        uri: `${u.pathname}${u.search}`,
        nc,
        cnonce,
        bodyHash,
      })
      return E.right({ headers: putHeader(hop.headers, 'Authorization', value), state: { challenge: c, nc } })
    },
  },
  secrets: (a) => [a.password],
  crossOriginDrop: [],
}
