/**
 * Pages: a request run page after page, each next page worked out from the page before (by
 * default its `Link: <…>; rel="next"` header), as an async iterable of results.
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import type * as O from 'fp-ts/lib/Option.js'
import { envProblem, type Env } from '../execute/env.js'
import type { ClientError } from '../model/errors.js'
import type { Method } from '../model/method.js'
import type { Request } from '../model/request.js'
import type { HttpResponse } from '../model/response.js'
import { isToken } from '../model/valid.js'
import { nextLink } from '../steps/next-link.js'
import { thrownText } from '../read/readers.js'
import { logOf, processRequest, unexpected } from './process.js'
import { shown } from './shown.js'

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

/**
 * One page of {@link paginate}.
 * @example
 * const r: PaginateResult = E.left(invalidInput('paginate', 'paginate: …', []))
 * @category running
 * @since 0.3.0
 * @internal
 */
export type PaginateResult = Result

interface Plan {
  readonly next: (res: HttpResponse, req: Request) => unknown
  readonly method: Method
  readonly maxPages: number
  readonly env: Env | undefined
  readonly crossOrigin: boolean
}

/**
 * What the options of {@link paginate} come to.
 * @example
 * const plan: PaginatePlan = { next: H.nextLink, method: 'GET', maxPages: 1000, env: undefined, crossOrigin: false }
 * @category running
 * @since 0.3.0
 * @internal
 */
export type PaginatePlan = Plan

/** The pages, loaded by the first iteration rather than with the package (a failed load is tried again by the next). */
let loading: Promise<typeof import('./paginate-run.js')> | null = null
const pagesModule = (): Promise<typeof import('./paginate-run.js')> =>
  (loading ??= import('./paginate-run.js').catch((e: unknown) => {
    loading = null
    throw e
  }))

/** The pages of one iteration; a failed load is the iteration's one Left. */
async function* lazyPages(plan: E.Either<string, Plan>, req: Request): AsyncGenerator<Result, void, undefined> {
  let run: typeof import('./paginate-run.js')
  try {
    run = await pagesModule()
  } catch (e) {
    return void (yield E.left(unexpected(STEP, e, logOf(req))))
  }
  yield* run.pages(plan, req)
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
  return (req: Request): AsyncIterable<Result> => ({ [Symbol.asyncIterator]: () => lazyPages(plan, req) })
}
