/**
 * Route handlers for echoing, status codes, redirects, delays, flaky endpoints and authentication.
 *
 * @packageDocumentation
 */
import { EMPTY, echoPayload, param, queryInteger, send, sendJson } from './context.js'
import type { Context, Handler } from './context.js'
import { badRequest, checkHeader, parseInteger } from './parse.js'
import type { EchoPayload } from './types.js'

/**
 * Answers 200 with the {@link EchoPayload} of the request (`/`, `/anything`, `/get`, …).
 * @internal
 */
export const echo: Handler = (ctx) => sendJson(ctx, 200, echoPayload(ctx))

/**
 * `/status/:code`: answers `code` (200-599) with `{ status }`.
 * @internal
 */
export const status: Handler = (ctx) => {
  const code = parseInteger(param(ctx, 'code'), 'status code', 200, 599)
  sendJson(ctx, code, { status: code })
}

/**
 * `/redirect/:n` (relative) or `/absolute-redirect/:n`: 302 to the next hop, `/get` after `n`.
 * @internal
 */
export const redirect =
  (absolute: boolean): Handler =>
  (ctx) => {
    const n = parseInteger(param(ctx, 'n'), 'n', 1, 100)
    const next = n === 1 ? '/get' : `/${absolute ? 'absolute-redirect' : 'redirect'}/${n - 1}`
    send(ctx, 302, EMPTY, [['Location', absolute ? ctx.origin + next : next]])
  }

/**
 * `/redirect-to?url=&status_code=`: redirects to `url` (300-399, default 302).
 *
 * The body was already drained before routing (every request is read in full).
 * @internal
 */
export const redirectTo: Handler = (ctx) => {
  const location = ctx.query.get('url')
  if (location === null || location === '') throw badRequest('url is required')
  const code = queryInteger(ctx, 'status_code', 302, 300, 399)
  checkHeader('Location', location)
  send(ctx, code, EMPTY, [['Location', location]])
}

/**
 * `/delay/:ms`: answers the echo document after `ms` milliseconds (0-60000).
 * @internal
 */
export const delay: Handler = (ctx) => {
  const ms = parseInteger(param(ctx, 'ms'), 'delay', 0, 60_000)
  const payload = echoPayload(ctx)
  const timer = setTimeout(() => {
    ctx.res.off('close', cancel)
    sendJson(ctx, 200, payload)
  }, ms)
  const cancel = (): void => clearTimeout(timer)
  ctx.res.once('close', cancel)
}

/** The credentials of an `Authorization: <scheme> <credentials>` header, when the scheme matches. */
const credentials = (ctx: Context, scheme: string): string | undefined => {
  const match = /^(\S+) +(\S+) *$/.exec(ctx.request.headers['authorization'] ?? '')
  return match?.[1]?.toLowerCase() === scheme ? match[2] : undefined
}

/**
 * `/basic-auth/:user/:pass`: 200 when the Basic credentials match, else 401 with a challenge.
 * @internal
 */
export const basicAuth: Handler = (ctx) => {
  const user = param(ctx, 'user')
  const given = credentials(ctx, 'basic')
  const valid = given !== undefined && /^[A-Za-z0-9+/]+={0,2}$/.test(given)
  if (valid && Buffer.from(given, 'base64').toString('utf8') === `${user}:${param(ctx, 'pass')}`)
    return sendJson(ctx, 200, { authenticated: true, user })
  sendJson(ctx, 401, { authenticated: false }, [['WWW-Authenticate', 'Basic realm="Fake Realm"']])
}

/**
 * `/bearer`: 200 with the token of a Bearer Authorization header, else 401 with a challenge.
 * @internal
 */
export const bearer: Handler = (ctx) => {
  const token = credentials(ctx, 'bearer')
  if (token !== undefined) return sendJson(ctx, 200, { authenticated: true, token })
  sendJson(ctx, 401, { authenticated: false }, [['WWW-Authenticate', 'Bearer']])
}

/**
 * `/flaky/:key?failures=&status=&retryAfter=`: fails the first `failures` hits per key, then echoes.
 * @internal
 */
export const flaky: Handler = (ctx) => {
  const key = param(ctx, 'key')
  const failures = queryInteger(ctx, 'failures', 1, 0, 1_000_000)
  const code = queryInteger(ctx, 'status', 503, 200, 599)
  const retryAfter = ctx.query.get('retryAfter')
  if (retryAfter !== null) checkHeader('Retry-After', retryAfter)
  const payload = echoPayload(ctx)
  const attempt = (ctx.hits.get(key) ?? 0) + 1
  ctx.hits.set(key, attempt)
  if (attempt > failures) return sendJson(ctx, 200, { ...payload, attempt })
  sendJson(ctx, code, { attempt, failing: true }, retryAfter === null ? [] : [['Retry-After', retryAfter]])
}
