/**
 * The three transports a behaviour is shown on (not a test file itself): the undici transport
 * (its own instance, closed after the suite that asked for it), cross-fetch and Node's global
 * fetch through `fromFetch`.
 *
 * @example
 * const transports = useTransports()
 * for (const [name, transport] of transports) test(`${name}: …`, () => run(req, { transport }))
 */
import { after } from 'node:test'
import * as H from '../../src/index.js'

// The transports' modules load on their first request (cross-fetch's sending, under tsx an
// asynchronous load, and undici's): a short limit could cut that, so they are loaded here and
// the tests' limits time requests only
await import('../../src/transport/cross-fetch-send.js')
void (await import('../../src/transport/undici-lib.js')).errors.UndiciError

export type TransportName = 'undici' | 'cross-fetch' | 'global fetch'

/** A fresh undici transport, cross-fetch and global fetch, by name; the undici one is closed after the suite. */
export const useTransports = (): ReadonlyArray<readonly [TransportName, H.Transport]> => {
  const undici = H.undiciTransport()
  after(() => undici.close())
  return [
    ['undici', undici],
    ['cross-fetch', H.crossFetchTransport],
    ['global fetch', H.fromFetch(globalThis.fetch)],
  ]
}
