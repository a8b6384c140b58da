/**
 * Adapting any WHATWG fetch into a Transport, for the browser build (in place of fetch.ts): no
 * Node stream for a body given as a stream of chunks (the chunks are joined first: a browser
 * streams a request body over HTTP/2 only), and redirects followed by the browser (`redirect:
 * 'manual'` gives a script an opaque answer without status or Location there, so httpipe cannot
 * follow them itself), and `credentials: 'omit'`: with the browser's own credentials a 401
 * challenge opens its login dialog (headless, the request waits for ever) instead of reaching
 * httpipe's Basic or Digest, and a request is what its steps say, with no ambient cookies
 * (`extra: () => ({ credentials: 'include' })` sends them).
 * @module
 */
import type { FetchLike, Transport, TransportRequest, TransportResponse } from '../model/transport.js'

export type { ExtraInit } from './fetch.js'
import type { ExtraInit } from './fetch.js'
import { fromFetchResponse } from './fetch-headers.js'

/** A body as fetch takes it in a browser: bytes, or the chunks of a stream joined. */
const requestBody = async (body: TransportRequest['body']): Promise<Uint8Array | undefined> => {
  if (body === null) return undefined
  if (body instanceof Uint8Array) return body
  const chunks: Uint8Array[] = []
  let size = 0
  for await (const c of body) {
    chunks.push(c)
    size += c.byteLength
  }
  const out = new Uint8Array(size)
  let at = 0
  for (const c of chunks) {
    out.set(c, at)
    at += c.byteLength
  }
  return out
}

/**
 * A Transport over a fetch (in a browser). `decodes` says whether this fetch undoes
 * Content-Encoding itself (true for every WHATWG fetch).
 * @example
 * const transport = fromFetch(globalThis.fetch)
 * pipe(req, H.processRequest('GET', { transport }))
 * @category transports
 * @since 0.1.0
 */
export const fromFetch =
  (fetch: FetchLike, options: { readonly decodes?: boolean; readonly extra?: ExtraInit } = {}): Transport =>
  async (req): Promise<TransportResponse> => {
    const init = {
      method: req.method,
      headers: req.headers.map(([k, v]): [string, string] => [k, v]),
      body: await requestBody(req.body),
      redirect: 'follow',
      // a challenge (401 with WWW-Authenticate) comes back to httpipe, not to the browser's login dialog
      credentials: 'omit',
      signal: req.signal,
      ...(options.extra?.(req) ?? {}),
    }
    return fromFetchResponse(await fetch(req.url, init as unknown as RequestInit), options.decodes ?? true)
  }
