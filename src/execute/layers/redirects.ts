/**
 * The redirect layer: follows 3xx answers with a Location by the pure {@link planRedirect}
 * and {@link nextHop} (method rules, body kept or dropped, credentials left behind on another
 * origin), up to `maxRedirects`.
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import { findHeader } from '../../model/headers.js'
import { redactUrl } from '../../encoding/redact.js'
import { isRedirect, nextHop, planRedirect } from './policy.js'
import type { Layer, RunCtx } from '../context.js'

/**
 * Follows redirects; the count is kept in `ctx.stats.redirects`.
 * @example
 * const send = withRedirects(ctx)(withRetries(ctx)(attempt(ctx)))
 * @internal
 */
export const withRedirects =
  (ctx: RunCtx): Layer =>
  (send) =>
  async (first) => {
    const max = ctx.p.settings.maxRedirects
    for (let hop = first; ;) {
      const r = await send(hop)
      if (E.isLeft(r) || !isRedirect(r.right.status)) return r
      const plan = planRedirect(
        r.right.status,
        findHeader(r.right.headers, 'location'),
        hop.url,
        hop.method,
        ctx.stats.redirects,
        max,
      )
      if (plan === null) return r
      if (plan._tag === 'Stop') {
        ctx.log.add(plan.reason)
        return r
      }
      const n = ++ctx.stats.redirects
      ctx.log.add(
        `redirection ${n}/${max}, moving to ${redactUrl(plan.to)}${plan.method !== hop.method ? ` as ${plan.method}` : ''}${plan.crossOrigin ? ', credentials dropped (other origin)' : ''}`,
      )
      hop = nextHop(hop, plan, ctx.p.masked ?? [])
    }
  }
