/**
 * The proxy of an attempt: the request's own (`setProxy`), else the one the environment's proxy
 * variables give its URL (see execute/proxy-env.ts), else none.
 * @module
 */
import type { Proxy } from '../../model/request.js'
import type { RunCtx } from '../context.js'

/**
 * The proxy of an attempt: the request's own, else the one the environment's proxy variables
 * give its URL (logged with the variable it came from), else none.
 * @example
 * proxyOf(ctx, 'http://example.com/') // null: no proxy of its own, none in the environment
 * @internal
 */
export const proxyOf = (ctx: RunCtx, url: string): Proxy<string> | null => {
  const own = ctx.p.proxy
  if (own !== null || ctx.env.proxies === null) return own
  const p = ctx.env.proxies.route(url)
  if (p === null) return null
  const { protocol, host, port, user } = p.proxy
  ctx.log.add(`through the proxy ${protocol}://${user === null ? '' : `${user}:***@`}${host}:${port} (${p.from})`)
  return p.proxy
}
