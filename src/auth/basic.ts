/**
 * HTTP Basic authorization (RFC 7617), sent pre-emptively.
 * @module
 */
import { isSecretInput, showSecret, type SecretRef } from '../model/secret.js'
import type { ResolvedAuth, Step } from '../model/request.js'
import type { Scheme } from './schemes.js'
import { change, invalid, makeStep } from '../steps/step.js'

/**
 * Sends `Authorization: Basic base64(user:password)` (UTF-8). Replaces any other auth scheme.
 * @example
 * pipe(req, addBasicAuthorization('ann', 's3cret'))
 * pipe(req, addBasicAuthorization('ann', H.secretFromEnv('ANN_PASSWORD')))
 * @category auth
 * @since 0.1.0
 */
export const addBasicAuthorization = (user: string, password: string | SecretRef): Step =>
  makeStep('addBasicAuthorization', () => {
    if (typeof user !== 'string' || !isSecretInput(password))
      return invalid('user must be a string and password a string or secretFromEnv(name)')
    if (user.includes(':')) return invalid('the user name must not contain ":" (RFC 7617)')
    return change(
      { auth: { _tag: 'Basic', user, password } },
      `Basic authorization set for user ${user}, password ${showSecret(password)}`,
    )
  })

/**
 * The header value of Basic authorization.
 * @example
 * basicHeader('Aladdin', 'open sesame') // 'Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=='
 */
export const basicHeader = (user: string, password: string): string =>
  `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`

/**
 * The Basic scheme's record: its header sent with every attempt, the password its secret.
 * @example
 * basicScheme.preemptive({ _tag: 'Basic', user: 'Aladdin', password: 'open sesame' }) // [['Authorization', 'Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==']]
 * @category auth
 * @since 0.3.0
 */
export const basicScheme: Scheme<Extract<ResolvedAuth, { readonly _tag: 'Basic' }>> = {
  preemptive: (a) => [['Authorization', basicHeader(a.user, a.password)]],
  sign: null,
  challenge: null,
  secrets: (a) => [a.password],
  crossOriginDrop: [],
}
