/**
 * Pages: a request run page after page, each next page worked out from the page before (by
 * default its `Link: <…>; rel="next"` header), as an async iterable of results.
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import type * as O from 'fp-ts/lib/Option.js'
import { showValue } from '../encoding/json.js'
import { isSecretParam, redactUrl } from '../encoding/redact.js'
import { envProblem, type Env, type ResolvedEnv } from '../execute/env.js'
import { crossOriginHeaders } from '../execute/layers/policy.js'
import { invalidInput, statusError, type ClientError } from '../model/errors.js'
import { appendLog } from '../model/log.js'
import type { Method } from '../model/method.js'
import type { Request } from '../model/request.js'
import type { HttpResponse } from '../model/response.js'
import { isToken } from '../model/valid.js'
import { targetUrl } from '../steps/init.js'
import { nextLink } from '../steps/next-link.js'
import { thrownText } from '../read/readers.js'
import { isRequest } from '../steps/step.js'
import { logOf, processRequest, resolveClientEnv, unexpected } from './process.js'

/**
 * Options of {@link paginate}; all optional:
 * - `next(res, req)`: the request for the page after `res` (answered to `req`), or none when
 *   `res` is the last page (default `nextLink`: the response's `Link: <…>; rel="next"` target);
 * - `method`: the method of every page (default `GET`);
 * - `maxPages`: the most pages requested, a whole number ≥ 1 (default 1000);
 * - `env`: as for `processRequest`, resolved once and shared by every page;
 * - `crossOrigin`: follow a next page on another origin than its page (default false: a Left);
 *   it is then sent without the credentials (see {@link paginate}).
 * @example
 * const options: PaginateOptions = { maxPages: 50, next: H.nextLink, crossOrigin: false }
 * @category running
 * @since 0.3.0
 */
export interface PaginateOptions {
  readonly next?: (res: HttpResponse, req: Request) => O.Option<Request>
  readonly method?: Method
  readonly maxPages?: number
  readonly env?: Env
  readonly crossOrigin?: boolean
}

const STEP = 'paginate'
const DEFAULT_MAX_PAGES = 1000
const KEYS: ReadonlySet<string> = new Set(['next', 'method', 'maxPages', 'env', 'crossOrigin'])

type Result = E.Either<ClientError, HttpResponse>

/** What the options come to. */
interface Plan {
  readonly next: (res: HttpResponse, req: Request) => unknown
  readonly method: Method
  readonly maxPages: number
  readonly env: Env | undefined
  readonly crossOrigin: boolean
}

/** A value as short text for a message (at most 60 characters). */
const shown = (v: unknown): string => {
  let text: string
  try {
    text = typeof v === 'function' ? 'a function' : typeof v === 'string' ? JSON.stringify(v) : showValue(v)
  } catch {
    text = 'a value that cannot be shown'
  }
  return text.length > 60 ? `${text.slice(0, 59)}…` : text
}

/** The options read once (a Left names the option that is wrong). */
const readOptions = (options: unknown): E.Either<string, Plan> => {
  if (options === undefined)
    return E.right({ next: nextLink, method: 'GET', maxPages: DEFAULT_MAX_PAGES, env: undefined, crossOrigin: false })
  if (typeof options !== 'object' || options === null || Array.isArray(options))
    return E.left(
      `the options must be an object { next?, method?, maxPages?, env?, crossOrigin? }, not ${shown(options)}`,
    )
  const unknownKey = Object.keys(options).find((k) => !KEYS.has(k))
  if (unknownKey !== undefined)
    return E.left(
      `unknown option ${JSON.stringify(unknownKey)} (the options are next, method, maxPages, env and crossOrigin)`,
    )
  const o = options as Record<string, unknown>
  const { next = nextLink, method = 'GET', maxPages = DEFAULT_MAX_PAGES, env, crossOrigin = false } = o
  if (typeof next !== 'function')
    return E.left(`next must be a function (res, req) => Option<Request>, not ${shown(next)}`)
  if (!isToken(method)) return E.left(`method must be an HTTP method such as 'GET', not ${shown(method)}`)
  if (typeof maxPages !== 'number' || !Number.isSafeInteger(maxPages) || maxPages < 1)
    return E.left(`maxPages must be a whole number ≥ 1, not ${shown(maxPages)}`)
  const envWrong = envProblem(env)
  if (envWrong !== null) return E.left(envWrong)
  if (typeof crossOrigin !== 'boolean') return E.left(`crossOrigin must be true or false, not ${shown(crossOrigin)}`)
  return E.right({
    next: next as Plan['next'],
    method,
    maxPages,
    env: env as Env | undefined,
    crossOrigin,
  })
}

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

/** Page after page, as described by {@link paginate}. */
async function* pages(plan: E.Either<string, Plan>, first: unknown): AsyncGenerator<Result, void, undefined> {
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

/**
 * Runs a request page after page: `(req) => AsyncIterable<Either<ClientError, HttpResponse>>`
 * yields the first page, then the page `next(res, req)` gives for it (by default `nextLink`:
 * the `Link: <…>; rel="next"` target), until `next` gives none, after `maxPages` pages
 * (default 1000; the stream then just ends: no Left, nothing logged), or after the first Left.
 * Each page is run as {@link processRequest} runs it (log, retries, redirects, timeouts,
 * limits), with the request's auth, headers and settings, signed again for each page (AWS4,
 * OAuth1), and one env, resolved once, for all pages (one transport, so connections are pooled).
 *
 * Lazy: nothing is sent until the iteration starts, and each iteration starts from the first
 * page again. A page is requested only when the consumer asks for it: leaving the `for await`
 * early sends no more requests. Nothing throws or rejects; the stream ends after its first Left:
 * - a page that fails: its ClientError;
 * - a page whose status is not 2xx: a `StatusError` carrying that response (as `ensureStatus`);
 * - `next` throwing, or returning anything but an Option of a Request: an `InvalidInput` of step
 *   `paginate`;
 * - a next page on another origin (scheme, host or port: `https` to `http` counts) than the
 *   request of the page it came from: an `InvalidInput` of step `paginate` naming both origins,
 *   nothing sent. With `crossOrigin: true` it is followed, but the first origin's credentials
 *   stay behind, as on a cross-origin redirect: the next page has no auth, none of the
 *   credential headers, secret-named headers or headers given as `secretFromEnv`, and no
 *   secret-named URL or path params (noted in its log); they are not restored on later pages;
 * - options that make no sense (not an object, an unknown option, `next` not a function,
 *   `method` not an HTTP method, `maxPages` not a whole number ≥ 1, `env` not an object,
 *   `crossOrigin` not a boolean) or a `req` that is not a Request: one `InvalidInput` of step
 *   `paginate`, nothing sent.
 * @example
 * const items: unknown[] = []
 * for await (const page of pipe(H.newRequest(), H.initialize(`${url}/pages?pages=3`), H.paginate({ maxPages: 10 }))) {
 *   if (E.isLeft(page)) break // page.left: the ClientError that ended the stream
 *   const body = H.asJson()(page.right)
 *   if (E.isRight(body) && Array.isArray(body.right)) items.push(...body.right)
 * }
 * items.length // 6
 * @category running
 * @since 0.3.0
 */
export const paginate = (options?: PaginateOptions) => {
  let plan: E.Either<string, Plan>
  try {
    plan = readOptions(options)
  } catch (e) {
    plan = E.left(`the options cannot be read: ${thrownText(e)}`)
  }
  return (req: Request): AsyncIterable<Result> => ({ [Symbol.asyncIterator]: () => pages(plan, req) })
}
