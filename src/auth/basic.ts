/**
 * HTTP Basic authorization (RFC 7617), sent pre-emptively.
 * @module
 */
import { SECRET } from '../log.js'
import type { Request } from '../request/model.js'
import { change, invalid, makeStep } from '../request/step.js'

/**
 * Sends `Authorization: Basic base64(user:password)` (UTF-8). Replaces any other auth scheme.
 * @example
 * pipe(req, addBasicAuthorization('ann', 's3cret'))
 */
export const addBasicAuthorization = (user: string, password: string): ((req: Request) => Request) =>
  makeStep('addBasicAuthorization', () => {
    if (typeof user !== 'string' || typeof password !== 'string') return invalid('user and password must be strings')
    if (user.includes(':')) return invalid('the user name must not contain ":" (RFC 7617)')
    return change({ auth: { _tag: 'Basic', user, password } }, `Basic authorization set for user ${user}, password ${SECRET}`)
  })

/**
 * The header value of Basic authorization.
 * @example
 * basicHeader('Aladdin', 'open sesame') // 'Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=='
 */
export const basicHeader = (user: string, password: string): string =>
  `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`
