/**
 * The cookie layer: with `env.cookieJar`, every attempt of every hop asks the jar for the
 * cookies of its URL (the jar's rules decide: domain, path, Secure, expiry, SameSite) and
 * every answer's `Set-Cookie` lines are offered to it. Without a jar, no layer: no cookie is
 * kept. The layer sits under the signing one: a signature never covers the jar's cookies, and
 * a retry or a redirect sends what the jar holds by then.
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import { invalidInput } from '../../model/errors.js'
import type { HeaderList } from '../../model/headers.js'
import { isFieldValue } from '../../model/valid.js'
import { redactSecrets } from '../../encoding/redact.js'
import type { CookieJarLike } from '../env.js'
import { EXECUTE_STEP as STEP, type Failure, type Layer, type Received, type RunCtx } from '../context.js'

const text = (e: unknown): string => (e instanceof Error ? e.message : String(e))

/** The cookie names of a `Cookie` header value (the values are never logged). */
const names = (cookie: string): string =>
  cookie
    .split(';')
    .map((c) => c.split('=', 1)[0]?.trim() ?? '')
    .filter((n) => n !== '')
    .join(', ')

const jarFailure = (ctx: RunCtx, message: string): Failure => ({
  error: invalidInput(STEP, `${STEP}: env.cookieJar ${message}`, ctx.log.log),
  phase: 'final',
})

/** The jar's `Cookie` value for `url`: a string a header can carry, or why not. */
const cookiesFor = async (ctx: RunCtx, jar: CookieJarLike, url: string): Promise<E.Either<Failure, string>> => {
  let got: unknown
  try {
    got = await jar.getCookieString(url)
  } catch (e) {
    return E.left(jarFailure(ctx, `.getCookieString failed: ${redactSecrets(text(e), ctx.secrets)}`))
  }
  if (typeof got !== 'string')
    return E.left(jarFailure(ctx, `.getCookieString must give a string, not ${got === null ? 'null' : typeof got}`))
  // a value a header cannot carry (CR, LF: a header of its own) is never sent
  if (!isFieldValue(got)) return E.left(jarFailure(ctx, '.getCookieString gave a value a header cannot carry'))
  return E.right(got)
}

/**
 * The headers with the jar's cookies: after a `Cookie` header the request has (its own cookies
 * first, as HTTPie's sessions do), else as a header of their own.
 * @example
 * withJarCookies([['Cookie', 'a=1']], 'b=2') // [['Cookie', 'a=1; b=2']]
 */
export const withJarCookies = (headers: HeaderList, cookies: string): HeaderList => {
  const at = headers.findIndex(([n]) => n.toLowerCase() === 'cookie')
  if (at === -1) return [...headers, ['Cookie', cookies]]
  return headers.map((pair, i) => (i === at ? ([pair[0], `${pair[1]}; ${cookies}`] as const) : pair))
}

/** Offers each `Set-Cookie` of an answer to the jar; one it refuses (another domain, a bad line) is logged by name and dropped. */
const store = async (ctx: RunCtx, jar: CookieJarLike, url: string, res: Received): Promise<void> => {
  for (const [name, value] of res.headers) {
    if (name.toLowerCase() !== 'set-cookie') continue
    const cookie = value.split('=', 1)[0]?.trim() ?? ''
    try {
      await jar.setCookie(value, url)
      ctx.log.add(`cookie ${cookie} stored in the jar`)
    } catch (e) {
      // the reason may quote the line: its value is masked
      const why = redactSecrets(text(e), [...ctx.secrets, value.slice(cookie.length + 1).split(';', 1)[0] ?? ''])
      ctx.log.add(`cookie ${cookie} refused by the jar: ${why}`)
    }
  }
}

/**
 * Sends the jar's cookies with every attempt and stores the cookies of every answer.
 * @example
 * const send = withRedirects(ctx)(withRetries(ctx)(withSigning(ctx)(withCookies(ctx)(attempt(ctx)))))
 * @internal
 */
export const withCookies =
  (ctx: RunCtx): Layer =>
  (send) => {
    const jar = ctx.env.cookieJar
    if (jar === undefined) return send
    return async (hop) => {
      const cookies = await cookiesFor(ctx, jar, hop.url)
      if (E.isLeft(cookies)) return cookies
      if (cookies.right !== '') ctx.log.add(`cookies from the jar: ${names(cookies.right)}`)
      const r = await send(cookies.right === '' ? hop : { ...hop, headers: withJarCookies(hop.headers, cookies.right) })
      if (E.isRight(r)) await store(ctx, jar, hop.url, r.right)
      return r
    }
  }
