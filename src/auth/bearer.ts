/**
 * Bearer token authorization (RFC 6750).
 * @module
 */
import { isSecretRef, showSecret, type SecretRef } from '../model/secret.js'
import { SECRET } from '../model/log.js'
import type { ResolvedAuth, Step } from '../model/request.js'
import type { Scheme } from './schemes.js'
import { hasCrLfNul } from '../model/valid.js'
import { change, invalid, makeStep } from '../steps/step.js'

/**
 * Sends `Authorization: Bearer <token>`. Replaces any other auth scheme.
 * @example
 * pipe(req, addBearerAuthorization('eyJhbGciOi…'))
 * @category auth
 * @since 0.1.0
 */
export const addBearerAuthorization = (token: string | SecretRef): Step =>
  makeStep('addBearerAuthorization', () =>
    isSecretRef(token)
      ? change({ auth: { _tag: 'Bearer', token } }, `Bearer authorization set, token ${showSecret(token)}`)
      : typeof token !== 'string' || token === ''
        ? invalid('the token must be a non-empty string or secretFromEnv(name)')
        : hasCrLfNul(token)
          ? invalid('the token must not contain CR, LF or NUL')
          : change({ auth: { _tag: 'Bearer', token } }, `Bearer authorization set, token ${SECRET}`),
  )

/**
 * The Bearer scheme's record: its header sent with every attempt, the token its secret.
 * @example
 * bearerScheme.preemptive({ _tag: 'Bearer', token: 't' }) // [['Authorization', 'Bearer t']]
 * @category auth
 * @since 0.3.0
 */
export const bearerScheme: Scheme<Extract<ResolvedAuth, { readonly _tag: 'Bearer' }>> = {
  preemptive: (a) => [['Authorization', `Bearer ${a.token}`]],
  sign: null,
  challenge: null,
  secrets: (a) => [a.token],
  crossOriginDrop: [],
}
