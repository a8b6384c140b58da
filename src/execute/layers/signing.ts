/**
 * The signing layer: schemes that sign the request itself (AWS4, OAuth1) sign every attempt,
 * with the clock and randomness of the run, just before it is sent.
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import { schemeOf } from '../../auth/schemes.js'
import { authError, fileError } from '../../model/errors.js'
import type { Hop, SignFailure, SignInput } from '../../model/prepared.js'
import { redactSecrets } from '../../encoding/redact.js'
import { EXECUTE_STEP as STEP, type Failure, type Layer, type RunCtx } from '../context.js'

/**
 * What a scheme gets to sign or answer one hop.
 * @example
 * signInput(ctx, hop).now // env.now()
 * @internal
 */
export const signInput = (ctx: RunCtx, hop: Hop): SignInput => ({
  hop,
  settings: ctx.p.settings,
  now: ctx.env.now(),
  random: ctx.env.random,
  hash: ctx.hasher(hop.body),
})

/**
 * The failure of a signature: a file that could not be read, or an `AuthError`.
 * @example
 * signFailure(ctx, { _tag: 'Auth', message: 'AWS4 signing failed: …' })
 * @internal
 */
export const signFailure = (ctx: RunCtx, f: SignFailure): Failure => {
  if (f._tag === 'File') {
    ctx.log.add(`cannot read body file ${f.path} to sign it: ${f.code}`)
    return {
      error: fileError(`${STEP}: cannot read body file ${f.path} to sign it: ${f.code}`, f.path, f.code, ctx.log.log),
      phase: 'final',
    }
  }
  const message = redactSecrets(f.message, ctx.secrets)
  ctx.log.add(message)
  return { error: authError(`${STEP}: ${message}`, ctx.log.log), phase: 'final' }
}

/**
 * Signs each hop with its scheme (a no-op for schemes that do not sign).
 * @example
 * const send = withSigning(ctx)(attempt(ctx))
 * @internal
 */
export const withSigning =
  (ctx: RunCtx): Layer =>
  (send) => {
    // a run's scheme only ever changes to none (on another origin): without signing, no layer
    if (schemeOf(ctx.p.auth).sign === null) return send
    return async (hop) => {
      const sign = schemeOf(hop.auth).sign
      if (sign === null) return send(hop)
      const signed = await sign(hop.auth, signInput(ctx, hop))
      return E.isLeft(signed) ? E.left(signFailure(ctx, signed.left)) : send({ ...hop, headers: signed.right })
    }
  }
