/**
 * Redaction of secrets before they reach a log line or an error message.
 * @module
 */
import { memoized } from '../model/memo.js'
import { SECRET } from '../model/log.js'

const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-amz-security-token'])
const SECRET_NAME =
  /(token|secret|passw|passphrase|pwd|api[-_]?key|private[-_]?key|signature|credential|session|authori[sz]ation|authentication)/i
/**
 * Short words that mark a secret only as a whole part of a name (`X-Client-Key`, `sig`,
 * `X-Auth`, `jwt`), and `code` (OAuth) as the whole name.
 */
const SECRET_PART = /(^|[-_. ])(key|sig|auth|jwt)([-_. ]|$)|^code$/i

/**
 * Whether a header's value must be hidden in logs (and withheld from a template): the credential
 * headers and any name that looks like a token, secret, password, passphrase, API or private key,
 * or authorization (`X-Authorization`, `Authentication`, `X-Auth`).
 * Asked for every header of every request, of a handful of names: remembered (bounded).
 * @example
 * isSecretHeader('Authorization') // true
 * isSecretHeader('X-Api-Key') // true
 * isSecretHeader('Ocp-Apim-Subscription-Key') // true
 * isSecretHeader('X-Authorization') // true
 * isSecretHeader('Accept') // false
 */
export const isSecretHeader: (name: string) => boolean = memoized(
  256,
  (name) => SECRET_HEADERS.has(name.toLowerCase()) || SECRET_NAME.test(name) || SECRET_PART.test(name),
)

/**
 * Whether a query parameter's value must be hidden in logs; the same rule names the secret
 * fields of a body (JSON at any depth, form and multipart text fields) that a template withholds.
 * @example
 * isSecretParam('access_token') // true
 * isSecretParam('client_secret') // true
 * isSecretParam('page') // false
 */
export const isSecretParam = (name: string): boolean => SECRET_NAME.test(name) || SECRET_PART.test(name)

/**
 * A header value as the log shows it.
 * @example
 * redactHeaderValue('Authorization', 'Bearer abc') // '***'
 */
export const redactHeaderValue = (name: string, value: string): string => (isSecretHeader(name) ? SECRET : value)

/**
 * A URL, or a text holding URLs, as the log shows it: the password of any user info and the
 * values of secret-looking query parameters are replaced by `***`.
 * @example
 * redactUrl('http://u:p@h/x?token=1&a=2') // 'http://u:***@h/x?token=***&a=2'
 */
export const redactUrl = (url: string): string =>
  // without an '@' or an '=' nothing in the text can hold a secret; with one, it is worked out
  // each time (never remembered: a cache would keep the secret after the request is gone)
  !url.includes('@') && !url.includes('=') ? url : redactUrlNow(url)

const redactUrlNow = (url: string): string =>
  url
    .replace(/\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]*/gi, redactUserInfo)
    // a protocol-relative URL (`//ann:pw@host/x`): read with a scheme put in front
    .replace(
      /(^|[\s("'])(\/\/[^\s"'<>]*@[^\s"'<>]*)/g,
      (_, pre: string, rest: string) => `${pre}${redactUserInfo(`x:${rest}`).slice(2)}`,
    )
    .replace(/([?&])([^=&#\s]+)=([^&#\s]*)/g, (whole, sep: string, key: string) => {
      let name = key
      try {
        name = decodeURIComponent(key)
      } catch {
        /* keep the raw key */
      }
      return isSecretParam(name) ? `${sep}${key}=${SECRET}` : whole
    })

/**
 * Hides the password of one URL's user info: up to the last `@` of the authority in a URL that
 * parses (as the URL parser reads it), up to the last `@` of the text in one that does not.
 * @example
 * redactUserInfo('http://ann:p@ss@h/x') // 'http://ann:***@h/x'
 */
export const redactUserInfo = (url: string): string => {
  if (!url.includes('@')) return url // no user info (and no parse needed to tell)
  const start = url.indexOf('://') + 3
  const end = URL.canParse(url) ? url.slice(start).search(/[/?#]|$/) + start : url.length
  const at = url.lastIndexOf('@', end - 1)
  if (at < start) return url
  const colon = url.indexOf(':', start)
  return colon !== -1 && colon < at ? `${url.slice(0, colon + 1)}${SECRET}${url.slice(at)}` : url
}

/**
 * Replaces every occurrence of the given secrets in a text by `***`.
 * @example
 * redactSecrets('user pw123 failed', ['pw123']) // 'user *** failed'
 */
export const redactSecrets = (text: string, secrets: ReadonlyArray<string>): string => {
  let out = text
  // (most lines hold no secret: looked for before the text is split)
  for (const s of secrets) if (s.length >= 3 && out.includes(s)) out = out.split(s).join(SECRET)
  return out
}
