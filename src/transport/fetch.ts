/**
 * Adapting any WHATWG fetch into a Transport.
 * @module
 */
import { Readable } from 'node:stream'
import type { FetchLike, Transport, TransportRequest, TransportResponse } from '../model/transport.js'
import { fromFetchResponse } from './fetch-headers.js'

/**
 * Extra options an adapter passes to its fetch for one attempt (node-fetch's `agent`,
 * `compress`, …).
 * @example
 * const extra: ExtraInit = () => ({ compress: false })
 * const transport = H.fromFetch(globalThis.fetch, { extra })
 * @inline
 * @category transports
 * @since 0.1.0
 */
export type ExtraInit = (req: TransportRequest) => Record<string, unknown>

const requestBody = (body: TransportRequest['body']): unknown =>
  body === null ? undefined : body instanceof Uint8Array ? body : Readable.from(body, { objectMode: false })

/**
 * A Transport over a fetch. Requests go out with `redirect: 'manual'` (httpipe follows
 * redirects itself); streamed bodies with `duplex: 'half'`. `decodes` says whether this fetch
 * undoes Content-Encoding itself (true for every WHATWG fetch; false for node-fetch with
 * `compress: false`).
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
      body: requestBody(req.body),
      redirect: 'manual',
      signal: req.signal,
      duplex: 'half',
      ...(options.extra?.(req) ?? {}),
    }
    return fromFetchResponse(await fetch(req.url, init as unknown as RequestInit), options.decodes ?? true)
  }
