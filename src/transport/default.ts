/**
 * The default transport: one shared {@link undiciTransport} instance.
 * @module
 */
import { undiciTransport } from './undici.js'

/**
 * The transport requests use when `env` names none: a shared `undiciTransport()` (keep-alive
 * agents, proxies, TLS options, HTTP/1.1, and HTTP/2 for requests with `useHttp2()`). `defaultTransport.close()` ends its idle
 * connections, for a script that wants to exit at once.
 * @example
 * pipe(req, H.processRequest('GET', { transport: H.defaultTransport }))
 * await H.defaultTransport.close()
 * @category transports
 * @since 0.2.0
 */
export const defaultTransport = undiciTransport()
