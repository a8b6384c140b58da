/**
 * `undiciTransport` in the browser build (in place of undici.ts): undici needs Node's sockets,
 * so each request it is given fails with a `TransportError` (cause `TRANSPORT_UNAVAILABLE`)
 * that says to use the default transport, the browser's `fetch`.
 * @module
 */
import type { Transport } from '../model/transport.js'

export type { UndiciOptions } from './undici.js'
import type { UndiciOptions } from './undici.js'

const unavailable = (): Promise<never> =>
  Promise.reject(
    Object.assign(new Error('undiciTransport is not available in the browser: use defaultTransport (fetch)'), {
      code: 'TRANSPORT_UNAVAILABLE',
    }),
  )

/**
 * In a browser: a transport that refuses every request (undici needs Node.js).
 * @example
 * const transport = H.undiciTransport() // in a browser, each request is a TransportError
 * @category transports
 * @since 0.2.0
 */
export const undiciTransport = (
  _options: UndiciOptions = {},
): Transport & { readonly close: () => Promise<void>; readonly offersHttp2: true } =>
  Object.assign(unavailable, { close: () => Promise.resolve(), offersHttp2: true as const })
