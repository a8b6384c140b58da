/**
 * The signing layer: schemes that sign the request itself (AWS4, OAuth1) sign every attempt,
 * with the clock and randomness of the run, just before it is sent. A request prepared to run
 * at once (`processRequest`) was signed when it was prepared, for its log: its first attempt
 * sends that signature, and the body hashed then is not hashed again in the run.
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import { schemeOf } from '../../auth/schemes.js'
import { authError, fileError } from '../../model/errors.js'
import type { HeaderList } from '../../model/headers.js'
import type { BodyHasher, Hop, PreparedBody, SignFailure, SignInput } from '../../model/prepared.js'
import { redactSecrets } from '../../encoding/redact.js'
import { EXECUTE_STEP as STEP, type Failure, type Layer, type RunCtx } from '../context.js'

/** What a signature made when the request was prepared was made for: its first attempt. */
interface Presigned {
  readonly method: string
  readonly url: string
  readonly body: PreparedBody
  readonly hash: BodyHasher
}

/** Signed header lists of requests prepared to run at once, by the list; `sent` once its first attempt took it. */
const presigned = new WeakMap<HeaderList, Presigned & { sent: boolean }>()

/**
 * Hands the signature made when a request was prepared over to the run that follows at once
 * (`processRequest`, never `prepareRequest`, whose request may run later or twice): the first
 * attempt of that method, URL and body with exactly these headers sends them without signing
 * again, and every attempt of the run with that body reuses `hash`, the body's hashes so far.
 * @example
 * presign(signedHeaders, { method: 'PUT', url, body, hash: bodyHasher(body) })
 * @internal
 */
export const presign = (headers: HeaderList, made: Presigned): void =>
  void presigned.set(headers, { method: made.method, url: made.url, body: made.body, hash: made.hash, sent: false })

/** What was presigned for this hop's headers and body, if anything. */
const presignedFor = (hop: Hop): (Presigned & { sent: boolean }) | undefined => {
  const p = presigned.get(hop.headers)
  return p !== undefined && p.body === hop.body ? p : undefined
}

/** Whether this hop is the first attempt its presigned headers were made for (taken: once). */
const takePresigned = (hop: Hop): boolean => {
  const p = hop.attempt === 1 ? presignedFor(hop) : undefined
  if (p === undefined || p.sent || p.method !== hop.method || p.url !== hop.url) return false
  p.sent = true
  return true
}

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
  hash: presignedFor(hop)?.hash ?? ctx.hasher(hop.body),
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
      if (sign === null || takePresigned(hop)) return send(hop)
      const signed = await sign(hop.auth, signInput(ctx, hop))
      return E.isLeft(signed) ? E.left(signFailure(ctx, signed.left)) : send({ ...hop, headers: signed.right })
    }
  }
