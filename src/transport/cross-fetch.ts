/**
 * The cross-fetch transport (node-fetch on Node.js): a Transport value whose sending, with
 * node-fetch and the proxy agents, loads on its first request, so importing httpipe does not.
 * @module
 */
import type { Transport, TransportRequest, TransportResponse } from '../model/transport.js'

type Sending = typeof import('./cross-fetch-send.js')

let loading: Promise<Sending> | null = null

/** The error a request gets when the sending module (cross-fetch, the proxy agents) cannot be loaded. */
const unavailable = (e: unknown): Error =>
  Object.assign(
    new Error(`crossFetchTransport: cannot load cross-fetch: ${e instanceof Error ? e.message : String(e)}`),
    { code: 'TRANSPORT_UNAVAILABLE' },
  )

/** The sending module, loaded once; a failed load is tried again by the next request. */
const sending = (): Promise<Sending> =>
  (loading ??= import('./cross-fetch-send.js').catch((e: unknown) => {
    loading = null
    throw unavailable(e)
  }))

const send = async (req: TransportRequest): Promise<TransportResponse> => (await sending()).send(req)

/** Closes the agents made so far; nothing is loaded for it when no request was sent. */
const close = async (): Promise<void> => {
  if (loading !== null) await (await loading.catch(() => null))?.closeAll()
}

/**
 * A transport on cross-fetch (node-fetch v2 on Node.js) with keep-alive `node:http` agents (at
 * most 32 configurations, keyed without secrets), the connect timeout, TLS options and proxies
 * (http-proxy-agent forwards `http:` targets, its answer the response; `https:` targets are
 * tunnelled with CONNECT, the tunnel and its TLS under the connect timeout, and a refused
 * tunnel is an error, as on undici; a caller's `Proxy-Authorization` goes to the proxy only);
 * 1xx answers call `onInformational`, a status below 100 is an `INVALID_STATUS` error (node-fetch
 * reads it as 200); no automatic decompression, no redirects followed; `close()` ends its connections. For
 * setups where undici is not wanted; on Node.js {@link undiciTransport} is the default
 * (node-fetch v2 does not notice a truncated body). node-fetch and the proxy agents load on the
 * first request, not when httpipe is imported; if they cannot be loaded, the request is a
 * `TransportError` whose cause is `TRANSPORT_UNAVAILABLE`.
 * @example
 * pipe(req, H.processRequest('GET', { transport: H.crossFetchTransport }))
 * @category transports
 * @since 0.2.0
 */
export const crossFetchTransport: Transport & { readonly close: () => Promise<void>; readonly offersProxy: true } =
  Object.assign(send, { close, offersProxy: true as const })
