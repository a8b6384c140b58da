/**
 * The cookie layer: with `env.cookieJar`, every attempt of every hop asks the jar for the
 * cookies of its URL (the jar's rules decide: domain, path, Secure, expiry, SameSite) and
 * every answer's `Set-Cookie` lines are offered to it. Without a jar, no layer: no cookie is
 * kept. The layer sits above the signing one (a signature covers the cookies sent, AWS4 signs
 * a Cookie header) and under the retries and redirects: every attempt asks the jar again. A jar
 * call that does not settle is bounded by the attempt's limit and the deadline, and `env.signal`.
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import { invalidInput } from '../../model/errors.js'
import type { HeaderList } from '../../model/headers.js'
import { isFieldValue } from '../../model/valid.js'
import { redactSecrets } from '../../encoding/redact.js'
import type { CookieJarLike } from '../env.js'
import { classify, timeoutFailure } from '../attempt/failures.js'
import { EXECUTE_STEP as STEP, type Failure, type Layer, type Received, type RunCtx } from '../context.js'

/** What a jar threw, as text (an error whose message cannot be read is said so, never thrown again). */
const text = (e: unknown): string => {
  try {
    return e instanceof Error ? String(e.message) : String(e)
  } catch {
    return 'an error that cannot be read'
  }
}

/** The name of a cookie pair, or null when it has none (a pair without `=` is all value, as browsers read it). */
const nameOf = (pair: string): string | null => {
  const at = pair.indexOf('=')
  const name = at <= 0 ? '' : pair.slice(0, at).trim()
  return name === '' ? null : name
}

/** The cookie names of a `Cookie` header value (the values are never logged). */
const names = (cookie: string): string =>
  cookie
    .split(';')
    .map((c) => nameOf(c) ?? '(unnamed cookie)')
    .join(', ')

/** What a jar call came to: its answer, what it threw (or rejected with), or the run stopped waiting. */
type JarAnswer<A> =
  | { readonly _tag: 'Answer'; readonly value: A }
  | { readonly _tag: 'Threw'; readonly why: string }
  | { readonly _tag: 'Stopped'; readonly failure: Failure }

/**
 * A jar call under the attempt's limits: stopped by a `Timeout` (the attempt's limit or the
 * deadline, the nearer) or the abort of `env.signal` when it does not settle before.
 */
const bounded = <A>(ctx: RunCtx, call: () => unknown, what: string): Promise<JarAnswer<A>> =>
  new Promise((resolve) => {
    const left = ctx.deadlineAt - ctx.env.now()
    const limit = left < ctx.p.settings.timeout ? 'deadline' : 'attempt'
    const signal = ctx.env.signal
    let timer: ReturnType<typeof setTimeout> | undefined
    const done = (r: JarAnswer<A>): void => {
      clearTimeout(timer)
      signal?.removeEventListener('abort', aborted)
      resolve(r)
    }
    const stopped = (failure: Failure): void => done({ _tag: 'Stopped', failure })
    const aborted = (): void => stopped(classify(ctx, null, 'signal', `env.cookieJar.${what}`))
    if (signal?.aborted === true) return aborted()
    signal?.addEventListener('abort', aborted, { once: true })
    timer = setTimeout(
      () => stopped(timeoutFailure(ctx, limit, `env.cookieJar.${what}`)),
      Math.max(0, Math.min(left, ctx.p.settings.timeout)),
    )
    const threw = (e: unknown): void => done({ _tag: 'Threw', why: text(e) })
    try {
      Promise.resolve(call()).then((value) => done({ _tag: 'Answer', value: value as A }), threw)
    } catch (e) {
      threw(e)
    }
  })

const jarFailure = (ctx: RunCtx, message: string): Failure => ({
  error: invalidInput(STEP, `${STEP}: env.cookieJar ${message}`, ctx.log.log),
  phase: 'final',
})

/** The jar's `Cookie` value for `url`: a string a header can carry, or why not. */
const cookiesFor = async (ctx: RunCtx, jar: CookieJarLike, url: string): Promise<E.Either<Failure, string>> => {
  const got = await bounded<unknown>(ctx, () => jar.getCookieString(url), 'getCookieString')
  if (got._tag === 'Stopped') return E.left(got.failure)
  if (got._tag === 'Threw')
    return E.left(jarFailure(ctx, `.getCookieString failed: ${redactSecrets(got.why, ctx.secrets)}`))
  const v = got.value
  if (typeof v !== 'string')
    return E.left(jarFailure(ctx, `.getCookieString must give a string, not ${v === null ? 'null' : typeof v}`))
  // a value a header cannot carry (CR, LF: a header of its own) is never sent
  if (!isFieldValue(v)) return E.left(jarFailure(ctx, '.getCookieString gave a value a header cannot carry'))
  return E.right(v)
}

/**
 * The headers with the jar's cookies: after a `Cookie` header the request has (its own cookies
 * first, as HTTPie's sessions do), else as a header of their own.
 * @example
 * withJarCookies([['Cookie', 'a=1']], 'b=2') // [['Cookie', 'a=1; b=2']]
 * @internal
 */
export const withJarCookies = (headers: HeaderList, cookies: string): HeaderList => {
  const at = headers.findIndex(([n]) => n.toLowerCase() === 'cookie')
  if (at === -1) return [...headers, ['Cookie', cookies]]
  return headers.map((pair, i) => (i === at ? ([pair[0], `${pair[1]}; ${cookies}`] as const) : pair))
}

/**
 * Offers each `Set-Cookie` of an answer to the jar; one it refuses (another domain, a bad line)
 * is logged by its name and dropped; one it does not settle ends the run as a timeout.
 */
const store = async (ctx: RunCtx, jar: CookieJarLike, url: string, res: Received): Promise<Failure | null> => {
  for (const [name, value] of res.headers) {
    if (name.toLowerCase() !== 'set-cookie') continue
    const cookie = nameOf(value.split(';', 1)[0] ?? '') ?? '(unnamed cookie)'
    const r = await bounded(ctx, () => jar.setCookie(value, url), 'setCookie')
    if (r._tag === 'Stopped') return r.failure
    if (r._tag === 'Answer') ctx.log.add(`cookie ${cookie} stored in the jar`)
    else {
      // the reason may quote the line: its value is masked (and the whole line, for a pair without a name)
      const masked = [...ctx.secrets, value, value.slice(value.indexOf('=') + 1).split(';', 1)[0] ?? '']
      ctx.log.add(`cookie ${cookie} refused by the jar: ${redactSecrets(r.why, masked)}`)
    }
  }
  return null
}

/**
 * Sends the jar's cookies with every attempt and stores the cookies of every answer.
 * @example
 * const send = withRedirects(ctx)(withRetries(ctx)(withCookies(ctx)(withSigning(ctx)(attempt(ctx)))))
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
      if (E.isLeft(r)) return r
      const stuck = await store(ctx, jar, hop.url, r.right)
      if (stuck === null) return r
      void r.right.open?.return() // a stream's body nobody will read
      return E.left(stuck)
    }
  }
