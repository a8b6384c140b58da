/**
 * The Node.js transport on undici's dispatchers: keep-alive agents per configuration, HTTP(S)
 * proxies (forwarding and CONNECT), TLS options, optional HTTP/2, bytes as they arrived.
 * @module
 */
import {
  dispatcherCache,
  dispatcherKey,
  makeDispatcher,
  undiciMs,
  usesH2,
  type AgentSettings,
  type BoundedDispatcher,
} from './agents.js'
import type { Transport, TransportRequest, TransportResponse } from '../model/transport.js'
import { dispatchRequest } from './undici-dispatch.js'

/**
 * Options of {@link undiciTransport}.
 * - `connections`: the most connections per origin (default: undici's, no limit);
 * - `allowH2`: HTTP/2 for every `https:` request, as if each had `useHttp2()` (default false:
 *   only the requests with `useHttp2()` offer it);
 * - `keepAliveTimeoutMs`: how long an idle connection is kept when the server gives no
 *   `Keep-Alive` hint (default: undici's, 4 s);
 * - `maxAgents`: how many agents (one per connect timeout, proxy and TLS configuration) are
 *   kept; the least recently used one is closed past it (default 32).
 * @example
 * const options: H.UndiciOptions = { connections: 16, allowH2: true }
 * @category transports
 * @since 0.2.0
 */
export interface UndiciOptions {
  readonly connections?: number
  readonly allowH2?: boolean
  readonly keepAliveTimeoutMs?: number
  readonly maxAgents?: number
}

type HeaderValues = Record<string, string | string[]>

/**
 * Request headers as undici takes them: one entry per name (the first spelling kept), repeated
 * names as arrays, so that nothing collapses (undici's ProxyAgent turns pairs into a record).
 * `Proxy-Authorization` is dropped when a proxy is used: it goes into the proxy agent.
 * @example
 * requestHeaders([['X-A', '1'], ['x-a', '2']], false) // { 'X-A': ['1', '2'] }
 * @category transports
 * @since 0.2.0
 * @internal
 */
export const requestHeaders = (headers: TransportRequest['headers'], viaProxy: boolean): HeaderValues => {
  const out: HeaderValues = {}
  // the names so far, lower-cased, next to their first spelling (a handful: a scan beats a Map)
  const lowers: string[] = []
  const keys: string[] = []
  for (const [name, value] of headers) {
    const lower = name.toLowerCase()
    if (viaProxy && lower === 'proxy-authorization') continue
    const at = lowers.indexOf(lower)
    if (at === -1) {
      lowers.push(lower)
      keys.push(name)
      out[name] = value
      continue
    }
    const key = keys[at] as string
    const prev = out[key] as string | string[]
    out[key] = Array.isArray(prev) ? [...prev, value] : [prev, value]
  }
  return out
}

const sendWith =
  (agentFor: (url: string, req: TransportRequest) => BoundedDispatcher) =>
  async (req: TransportRequest): Promise<TransportResponse> => {
    const idle = undiciMs(req.timeouts.idleMs)
    return dispatchRequest(agentFor(req.url, req), req, {
      headers: requestHeaders(req.headers, req.proxy !== null),
      // undici's head timer runs while a streamed body is still going out, and an upload that
      // moves is not idle: with a stream the wait for the head is left to the executor's timer
      headersTimeout: req.body === null || req.body instanceof Uint8Array ? idle : 0,
      bodyTimeout: idle,
    })
  }

/**
 * A transport on undici (Node's own HTTP client), through its dispatchers' handler interface
 * (none of `undici.request`'s per-request streams and signals): a keep-alive agent per connect
 * timeout, proxy and TLS configuration (at most `maxAgents`, the least recently used closed
 * past it); proxies forward `http:` targets (the proxy's answer is the response, a 407
 * included) and tunnel `https:` ones with CONNECT, with Basic proxy authentication from the
 * proxy's user and password (or, without a user, the caller's `Proxy-Authorization` header,
 * sent to the proxy only); TLS options apply to the target, through a tunnel too. A request
 * with `http2` (`useHttp2`) to an `https:` target offers HTTP/2 by ALPN, straight or inside
 * the tunnel: the requests to one origin share one connection as streams (up to the server's
 * `SETTINGS_MAX_CONCURRENT_STREAMS` at once, the others wait on it), and where the server
 * answers with HTTP/1.1 they go on keep-alive HTTP/1.1 connections; `httpVersion` says which
 * (`'2'` or `'1.1'`; plain `http:` is always HTTP/1.1). `connectMs`
 * bounds each connection as a whole (TCP, the proxy's tunnel, TLS) on an exact timer; an
 * attempt aborted while it connects (its limit, the deadline, `env.signal`) fails at once, and
 * a connection no other attempt waits for is dropped. `idleMs` bounds the wait for the head
 * and for each body chunk (undici checks these about once a second); each 1xx answer calls
 * `onInformational`. No redirects are followed and nothing is decompressed (`decoded: false`).
 * Errors reject as undici raised them, `code` kept (`ECONNREFUSED`, `UND_ERR_CONNECT_TIMEOUT`,
 * `UND_ERR_HEADERS_TIMEOUT`, `UND_ERR_BODY_TIMEOUT`, `UND_ERR_SOCKET`; `UND_ERR_INVALID_ARG` or
 * `UND_ERR_NOT_SUPPORTED` for a header undici manages itself: `Transfer-Encoding`,
 * `Keep-Alive`, `Upgrade`, `Expect`; `UND_ERR_ABORTED` with `Proxy response (407) !== 200`
 * when a proxy refuses a tunnel; `INVALID_STATUS` for a status below 100). `close()` closes
 * every agent once their running requests are done; a later request opens new connections.
 * @example
 * const transport = H.undiciTransport({ allowH2: true })
 * const result = await pipe(H.newRequest(), H.initialize('http://127.0.0.1:8080/get'), H.processRequest('GET', { transport }))()
 * result._tag // 'Right'
 * await transport.close()
 * @category transports
 * @since 0.2.0
 */
export const undiciTransport = (
  options0: UndiciOptions = {},
): Transport & { readonly close: () => Promise<void>; readonly offersHttp2: true; readonly offersProxy: true } => {
  const options: UndiciOptions = typeof options0 === 'object' && options0 !== null ? options0 : {}
  let settings: AgentSettings
  let maxAgents: number
  try {
    settings = {
      connections: options.connections ?? null,
      allowH2: options.allowH2 ?? false,
      keepAliveTimeoutMs: options.keepAliveTimeoutMs ?? null,
    }
    maxAgents = options.maxAgents ?? 32
  } catch (e) {
    // options whose reading throws (a Proxy, a getter): a transport that refuses every request, never a throw here
    const refused = new TypeError(`undiciTransport: its options could not be read (${String(e)})`)
    return Object.assign(() => Promise.reject(refused), {
      close: () => Promise.resolve(),
      offersHttp2: true as const,
      offersProxy: true as const,
    })
  }
  const cache = dispatcherCache(maxAgents)
  const send = sendWith((url, req) => {
    const h2 = usesH2(url, req, settings.allowH2)
    return cache.get(dispatcherKey(url, req, h2), () => makeDispatcher(settings, url, req, h2))
  })
  return Object.assign(send, { close: cache.closeAll, offersHttp2: true as const, offersProxy: true as const })
}
