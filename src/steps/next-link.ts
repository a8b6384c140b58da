/**
 * `nextLink`: the next page of a response, from its `Link` header (RFC 8288), as a Request.
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import type * as O from 'fp-ts/lib/Option.js'
import { linkTarget } from '../encoding/link.js'
import { redactUrl } from '../encoding/redact.js'
import { checkUrl } from '../encoding/url.js'
import type { Request } from '../model/request.js'
import type { HttpResponse } from '../model/response.js'
import { isTagged } from '../model/valid.js'
import { change, isRequest, makeStep } from './step.js'

// fp-ts's `some` and `none`, written out: fp-ts/lib/Option.js would load seven more files with the package
const none: O.Option<never> = { _tag: 'None' }
const some = <A>(value: A): O.Option<A> => ({ _tag: 'Some', value })

/**
 * The next page: the target of the first `rel="next"` link of the response's `Link` headers
 * (RFC 8288: several links in a header and several headers, quoted or bare parameters, a `rel`
 * list such as `rel="next last"`, compared case-insensitively), resolved against the page's
 * URL, as `req` with its URL set to it and everything else kept (headers, auth, settings), but
 * its URL params and path params: the link carries the whole query and the path as sent. None
 * when there is no such link, or its target is not an `http:` or `https:` URL. The default
 * `next` of `paginate`.
 *
 * It keeps the auth and every header also when the link points to another origin: a step says
 * where the next page is and does not judge it. The guard is in `paginate`, which refuses a next
 * page on another origin than its page (a Left), or with `crossOrigin: true` sends it without
 * the credentials. Run the result yourself only after checking its origin.
 * @example
 * // a page answered with  Link: <https://api.example.com/items?page=3>; rel="next"
 * H.nextLink(res, req) // some(req with URL https://api.example.com/items?page=3)
 * @category responses
 * @since 0.3.0
 */
export const nextLink = (res: HttpResponse, req: Request): O.Option<Request> => {
  if (!isTagged<HttpResponse>('HttpResponse')(res) || !isRequest(req)) return none
  let target: string | null
  try {
    target = linkTarget(res.rawHeaders, res.url, 'next')
  } catch {
    return none // a response whose fields throw when read
  }
  if (target === null || E.isLeft(checkUrl('nextLink', target))) return none
  const url = target
  return some(
    makeStep('nextLink', () =>
      change({ url, params: [], pathParams: [] }, `URL set to the next page ${redactUrl(url)}`),
    )(req),
  )
}
