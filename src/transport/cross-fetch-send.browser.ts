/**
 * crossFetchTransport's sending in the browser build (in place of cross-fetch-send.ts): in a
 * browser cross-fetch is the global `fetch`, so this sends with it (no agents to close).
 * @module
 */
import type { Transport } from '../model/transport.js'
import { defaultTransport } from './default.js'

/**
 * Sends one attempt with the browser's fetch.
 * @example
 * await send(req)
 */
export const send: Transport = (req) => defaultTransport(req)

/**
 * Nothing to close in a browser.
 * @example
 * await closeAll()
 */
export const closeAll = (): Promise<void> => Promise.resolve()
