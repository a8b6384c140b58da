/**
 * The challenge layer: a scheme that answers a 401 (Digest) does so here, and keeps the state
 * of the run (the challenge, `nc` per nonce, the answers given) to itself.
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import { schemeOf } from '../../auth/schemes.js'
import type { DigestState } from '../../auth/digest.js'
import { authError } from '../../model/errors.js'
import { EXECUTE_STEP as STEP, type Layer, type RunCtx } from '../context.js'
import { toResponse } from '../response.js'
import { signFailure, signInput } from './signing.js'

/**
 * Answers challenges: once a challenge is known, every later attempt of the run carries its
 * answer (nc counted on); a 401 with a new or stale challenge is answered at once (no retry is
 * used up); a second 401 on the same hop is returned as it is; a 401 without a usable
 * challenge is an `AuthError` carrying the response.
 * @example
 * const send = withChallenge(ctx)(withSigning(ctx)(attempt(ctx)))
 * @internal
 */
export const withChallenge = (ctx: RunCtx): Layer => {
  let state: DigestState | null = null
  let answers = 0
  return (send) => {
    // a run's scheme only ever changes to none (on another origin): without a challenge, no layer
    if (schemeOf(ctx.p.auth).challenge === null) return send
    return async (hop) => {
      const auth = hop.auth
      const challenge = schemeOf(auth).challenge
      if (challenge === null) return send(hop)
      let answered = false
      for (;;) {
        let h = hop
        if (state !== null) {
          const a = await challenge.authorize(auth, state, signInput(ctx, hop))
          if (E.isLeft(a)) return E.left(signFailure(ctx, a.left))
          state = a.right.state
          h = { ...hop, headers: a.right.headers }
        }
        const r = await send(h)
        if (E.isLeft(r) || r.right.status !== 401) return r
        const www = r.right.headers
          .filter(([k]) => k.toLowerCase() === 'www-authenticate')
          .map(([, v]) => v)
          .join(', ')
        const d = challenge.decide(www, state, answered, answers)
        if (d._tag === 'Final') {
          ctx.log.add('Digest credentials refused')
          return r
        }
        if (d._tag === 'Unanswerable') {
          ctx.log.add(`cannot answer the challenge: ${d.reason}`)
          const res = await toResponse(ctx, r.right)
          if (E.isLeft(res)) return E.left({ error: res.left, phase: 'final' })
          return E.left({
            error: authError(`${STEP}: Digest authorization: ${d.reason}`, res.right.log, res.right),
            phase: 'final',
          })
        }
        const c = d.state.challenge
        state = d.state
        answers++
        answered = true
        ctx.log.add(
          `Digest challenge${d.stale ? ' (stale nonce)' : ''}: ${c.algorithm}${c.sess ? '-sess' : ''}, qop ${c.qop ?? 'none'}, realm ${c.realm} - answering`,
        )
      }
    }
  }
}
