/**
 * The default transport of the browser build (in place of default.ts): the browser's own
 * `fetch`, looked up when each request runs (so a `fetch` installed after httpipe loaded is
 * the one used).
 * @module
 */
import type { Transport } from '../model/transport.js'
import { fromFetch } from './fetch.js'

const noFetch = (): Promise<never> =>
  Promise.reject(
    Object.assign(new Error('no global fetch here: give env.transport or env.fetch'), { code: 'ENOTRANSPORT' }),
  )

const send: Transport = (req) =>
  typeof globalThis.fetch === 'function' ? fromFetch(globalThis.fetch.bind(globalThis))(req) : noFetch()

/**
 * The transport requests use when `env` names none: in a browser, its global `fetch` (the
 * browser keeps the connections; `close()` has nothing to end).
 * @example
 * pipe(req, H.processRequest('GET', { transport: H.defaultTransport }))
 * @category transports
 * @since 0.2.0
 */
export const defaultTransport: Transport & { readonly close: () => Promise<void> } = Object.assign(send, {
  close: () => Promise.resolve(),
})
