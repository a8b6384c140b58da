/**
 * The user info of a request's URL: read once per URL text, and moved out of the URL into
 * Basic authorization.
 * @module
 */
import type { ResolvedAuth as Auth } from '../../model/request.js'
import { memoized } from '../../model/memo.js'

/**
 * The user info of a URL as the URL parser reads it (still %-escaped).
 * @example
 * const u: UserInfo = { username: 'ann', password: 'pw' }
 * @category request
 * @since 0.3.0
 * @internal
 */
export type UserInfo = { readonly username: string; readonly password: string }

/**
 * The user info of a rendered URL as the URL parser reads it, null when it does not parse: a
 * pure function of the text, remembered (bounded; a URL that may hold a credential is not kept).
 * @example
 * userInfoOf('http://h/x') // { username: '', password: '' }
 * userInfoOf('http://h:x/') // null
 * @category request
 * @since 0.3.0
 * @internal
 */
export const userInfoOf = memoized(512, (url): UserInfo | null => {
  try {
    const { username, password } = new URL(url)
    return { username, password }
  } catch {
    return null
  }
})

/** A %-escaped text decoded, or as it is when an escape is malformed (`%` alone). */
const decodeOrRaw = (s: string): string => {
  try {
    return decodeURIComponent(s)
  } catch {
    return s
  }
}

/**
 * User info in a URL (`http://user:pass@host/`) never travels in the URL: it is removed, and
 * becomes Basic authorization when no other scheme is set (as curl and browsers do).
 * @example
 * moveUserInfo('http://ann:pw@h/x', { _tag: 'None' }) // { url: 'http://h/x', auth: { _tag: 'Basic', user: 'ann', password: 'pw' } }
 * @category request
 * @since 0.1.0
 * @internal
 */
export const moveUserInfo = (
  url: string,
  auth: Auth,
  parsed?: UserInfo,
): { readonly url: string; readonly auth: Auth } => {
  const u = parsed ?? new URL(url)
  if (u.username === '' && u.password === '') return { url, auth }
  const user = decodeOrRaw(u.username)
  const password = decodeOrRaw(u.password)
  const at = url.indexOf('@', url.indexOf('//') + 2)
  const stripped = at === -1 ? url : `${url.slice(0, url.indexOf('//') + 2)}${url.slice(at + 1)}`
  return { url: stripped, auth: auth._tag === 'None' ? { _tag: 'Basic', user, password } : auth }
}
