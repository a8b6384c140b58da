/**
 * The pages of `paginate` (paginate.ts): each page run, its next worked out and guarded. Loaded
 * by the first iteration.
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import { isSecretParam, redactUrl } from '../encoding/redact.js'
import type { ResolvedEnv } from '../execute/env.js'
import { crossOriginHeaders } from '../execute/layers/policy.js'
import { invalidInput, statusError, type ClientError } from '../model/errors.js'
import { appendLog } from '../model/log.js'
import type { Request } from '../model/request.js'
import type { HttpResponse } from '../model/response.js'
import { targetUrl } from '../steps/init.js'
import { thrownText } from '../read/readers.js'
import { isRequest } from '../steps/step.js'
import { logOf, processRequest, resolveClientEnv, unexpected } from './process.js'
import type { PaginatePlan as Plan, PaginateResult as Result } from './paginate.js'
import { shown } from './shown.js'

const STEP = 'paginate'

/** The origin (scheme, host, port) a request goes to; null when its URL has none. */
const originOf = (req: Request): string | null => {
  const url = targetUrl(req)
  return url !== null && URL.canParse(url) ? new URL(url).origin : null
}

/** What `next` gave, as a next Request or none; a Left when it threw or gave anything else. */
const nextOf = (plan: Plan, res: HttpResponse, req: Request): E.Either<ClientError, Request | null> => {
  const fail = (why: string): E.Either<ClientError, never> =>
    E.left(invalidInput(STEP, `${STEP}: next ${why}`, res.log))
  let out: unknown
  try {
    out = plan.next(res, req)
  } catch (e) {
    return fail(`threw: ${thrownText(e)}`)
  }
  try {
    const tag = typeof out === 'object' && out !== null ? (out as { readonly _tag?: unknown })._tag : undefined
    if (tag === 'None') return E.right(null)
    const value = tag === 'Some' ? (out as { readonly value?: unknown }).value : undefined
    return isRequest(value)
      ? E.right(value)
      : fail(`must return an Option of a Request (O.some(req) or O.none), not ${shown(tag === 'Some' ? value : out)}`)
  } catch (e) {
    return fail(`returned a value that cannot be read: ${thrownText(e)}`)
  }
}

/**
 * The next request on another origin with `crossOrigin: true`: no auth, none of the headers a
 * cross-origin redirect drops (credentials, secret-named headers, headers read from
 * `secretFromEnv`, the scheme's signed headers) and no secret-named URL or path params.
 */
const leaveOrigin = (req: Request, from: string, to: string, env: ResolvedEnv): Request => ({
  ...req,
  auth: { _tag: 'None' },
  headers: crossOriginHeaders(req.headers, req.auth, (v) => typeof v !== 'string'),
  params: req.params.filter(([n]) => !isSecretParam(n)),
  pathParams: req.pathParams.filter(([n]) => !isSecretParam(n)),
  log: appendLog(req.log, {
    at: env.now(),
    step: STEP,
    message: `next page on another origin (${redactUrl(to)}, from ${redactUrl(from)}): sent without credentials`,
  }),
})

/** The next request as it may be sent after `req`: a Left on another origin unless `crossOrigin`. */
const guardOrigin = (plan: Plan, req: Request, next: Request, env: ResolvedEnv): E.Either<ClientError, Request> => {
  const from = originOf(req)
  const to = originOf(next)
  // a URL without an origin is the executor's to refuse (InvalidInput) when the page is prepared
  if (from === null || to === null || from === to) return E.right(next)
  if (plan.crossOrigin) return E.right(leaveOrigin(next, from, to, env))
  return E.left(
    invalidInput(
      STEP,
      `${STEP}: the next page is on another origin (${redactUrl(to)}) than its page (${redactUrl(from)}); not followed (crossOrigin: true follows it without the credentials)`,
      next.log,
    ),
  )
}

/**
 * Page after page, as described by `paginate`.
 * @example
 * for await (const page of pages(E.right(plan), req)) console.log(page)
 * @category running
 * @since 0.3.0
 * @internal
 */
export async function* pages(plan: E.Either<string, Plan>, first: unknown): AsyncGenerator<Result, void, undefined> {
  if (E.isLeft(plan)) {
    yield E.left(invalidInput(STEP, `${STEP}: ${plan.left}`, logOf(first)))
    return
  }
  if (!isRequest(first)) {
    yield E.left(invalidInput(STEP, `${STEP}: the request must be a Request, not ${shown(first)}`, []))
    return
  }
  const p = plan.right
  let req: Request = first
  let env: ResolvedEnv
  try {
    env = resolveClientEnv(p.env)
  } catch (e) {
    yield E.left(unexpected(STEP, e, logOf(req)))
    return
  }
  for (let page = 1; ; page++) {
    let step: Result
    try {
      // processRequest never rejects: a failure is a Left
      const res = await processRequest(p.method, env)(req)()
      step =
        E.isLeft(res) || (res.right.status >= 200 && res.right.status < 300)
          ? res
          : E.left(
              statusError(
                `${STEP}: unexpected status ${res.right.status} ${res.right.statusText} from ${redactUrl(res.right.url)} (page ${page})`,
                res.right,
              ),
            )
    } catch (e) {
      step = E.left(unexpected(STEP, e, logOf(req)))
    }
    yield step
    if (E.isLeft(step) || page >= p.maxPages) return
    let next: E.Either<ClientError, Request | null>
    try {
      const found = nextOf(p, step.right, req)
      next = E.isLeft(found) || found.right === null ? found : guardOrigin(p, req, found.right, env)
    } catch (e) {
      next = E.left(unexpected(STEP, e, logOf(req)))
    }
    if (E.isLeft(next)) {
      yield next
      return
    }
    if (next.right === null) return
    req = next.right
  }
}
