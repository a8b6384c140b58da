/**
 * The response headers of a WHATWG fetch as httpipe's pairs (shared by the Node and browser fetch
 * transports).
 * @module
 */

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
