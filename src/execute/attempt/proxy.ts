/**
 * The proxy of an attempt: the request's own (`setProxy`), else the one the environment's proxy
 * variables give its URL (see execute/proxy-env.ts), else none.
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import type { Proxy } from '../../model/request.js'
import type { RunCtx } from '../context.js'

/**
 * The proxy of an attempt: the request's own, else the one the environment's proxy variables
 * give its URL (logged with the variable it came from), else none; why not when the variable
 * its URL is routed to cannot be used. Throws when the router cannot route (see
 * transport/env-proxy.ts): the attempt fails closed, nothing is sent.
 * @example
 * proxyOf(ctx, 'http://example.com/') // right(null): no proxy of its own, none in the environment
 * @internal
 */
export const proxyOf = (ctx: RunCtx, url: string): E.Either<string, Proxy<string> | null> => {
  const own = ctx.p.proxy
  if (own !== null || ctx.env.proxies === null) return E.right(own)
  const p = ctx.env.proxies.route(url)
  if (p === null) return E.right(null)
  if ('problem' in p) return E.left(p.problem)
  const { protocol, host, port, user } = p.proxy
  const shown = `${protocol}://${user === null ? '' : `${user}:***@`}${host}:${port}`
  ctx.log.add(
    ctx.env.transport.offersProxy === true
      ? `through the proxy ${shown} (${p.from})`
      : `${p.from} names the proxy ${shown}, but this transport takes no proxy: sent as it sends`,
  )
  return E.right(p.proxy)
}
