/**
 * The answer of a WHATWG fetch as httpipe's TransportResponse (shared by the Node and browser
 * fetch transports): the headers as pairs, repeated Set-Cookie lines kept apart.
 * @module
 */
import type { TransportResponse } from '../model/transport.js'

/** Headers as fetch implementations give them (node-fetch's `raw()`, the standard's `getSetCookie()`). */
export interface HeadersWithRaw {
  raw?: () => Record<string, string[]>
  getSetCookie?: () => string[]
  forEach: (cb: (value: string, name: string) => void) => void
}

/**
 * The response headers as pairs, keeping repeated Set-Cookie lines apart.
 * @example
 * responseHeaders(new Headers({ a: '1' })) // [['a', '1']]
 * @internal
 */
export const responseHeaders = (h: HeadersWithRaw): ReadonlyArray<readonly [string, string]> => {
  if (typeof h.raw === 'function') return Object.entries(h.raw()).flatMap(([k, vs]) => vs.map((v) => [k, v] as const))
  const out: Array<readonly [string, string]> = []
  h.forEach((v, k) => {
    if (k !== 'set-cookie') out.push([k, v])
  })
  const cookies = typeof h.getSetCookie === 'function' ? h.getSetCookie() : []
  for (const c of cookies) out.push(['set-cookie', c])
  return out
}

/**
 * A fetch `Response` as a TransportResponse; `decoded`: the fetch undid the Content-Encoding.
 * @example
 * fromFetchResponse(await fetch(url), true) // { status: 200, statusText: 'OK', headers, body, decoded: true }
 * @internal
 */
export const fromFetchResponse = (res: Response, decoded: boolean): TransportResponse => ({
  status: res.status,
  statusText: res.statusText,
  headers: responseHeaders(res.headers as unknown as HeadersWithRaw),
  body: (res.body as unknown as AsyncIterable<Uint8Array> | null) ?? null,
  decoded,
})
