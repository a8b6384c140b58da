/**
 * The route table and how a request path is matched against it.
 *
 * @packageDocumentation
 */
import type { Handler } from './context.js'
import { badRequest } from './parse.js'
import { bytes, closeSocket, compressed, ENCODINGS, hang, responseHeaders, setCookies, stream } from './routes-bytes.js'
import { basicAuth, bearer, delay, echo, flaky, redirect, redirectTo, status } from './routes-echo.js'
import { multipartEcho } from './routes-multipart.js'
import { range } from './routes-range.js'
import { drip, events, ndjson, pages } from './routes-stream.js'
import { upload } from './routes-upload.js'
import { user, users } from './routes-users.js'

/** Route patterns: literal segments, `:name` (one non-empty segment), or a final `*` (any rest). */
const ROUTES: ReadonlyArray<readonly [string, Handler]> = [
  ['/', echo],
  ['/anything', echo],
  ['/anything/*', echo],
  ['/get', echo],
  ['/post', echo],
  ['/put', echo],
  ['/patch', echo],
  ['/delete', echo],
  ['/headers', echo],
  ['/status/:code', status],
  ['/redirect/:n', redirect(false)],
  ['/absolute-redirect/:n', redirect(true)],
  ['/redirect-to', redirectTo],
  ['/delay/:ms', delay],
  ['/gzip', compressed(ENCODINGS.gzip)],
  ['/deflate', compressed(ENCODINGS.deflate)],
  ['/brotli', compressed(ENCODINGS.brotli)],
  ['/bytes/:n', bytes],
  ['/range/:n', range],
  ['/multipart', multipartEcho],
  ['/upload/:id', upload],
  ['/basic-auth/:user/:pass', basicAuth],
  ['/bearer', bearer],
  ['/flaky/:key', flaky],
  ['/response-headers', responseHeaders],
  ['/cookies/set', setCookies],
  ['/stream/:n', stream],
  ['/drip', drip],
  ['/ndjson/:n', ndjson],
  ['/events', events],
  ['/pages', pages],
  ['/close', closeSocket],
  ['/hang', hang],
  ['/users', users],
  ['/users/:id', user],
]

const decodeSegment = (segment: string): string => {
  try {
    return decodeURIComponent(segment)
  } catch {
    throw badRequest(`invalid percent-encoding in path segment ${JSON.stringify(segment)}`)
  }
}

/** Matches raw path segments against a pattern; returns the decoded parameters, or undefined. */
const matchPattern = (pattern: string, segments: ReadonlyArray<string>): Record<string, string> | undefined => {
  const expected = pattern.slice(1).split('/')
  const params: Record<string, string> = {}
  for (const [index, part] of expected.entries()) {
    if (part === '*') return params
    const segment = segments[index]
    if (segment === undefined) return undefined
    if (part.startsWith(':') && segment !== '') params[part.slice(1)] = decodeSegment(segment)
    else if (part !== segment) return undefined
  }
  return expected.length === segments.length ? params : undefined
}

/**
 * The first route whose pattern matches the raw `path`, with its decoded parameters.
 * @internal
 */
export const findRoute = (path: string): { handler: Handler; params: Record<string, string> } | undefined => {
  const segments = path.slice(1).split('/')
  for (const [pattern, handler] of ROUTES) {
    const params = matchPattern(pattern, segments)
    if (params !== undefined) return { handler, params }
  }
  return undefined
}
