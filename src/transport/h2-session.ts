/**
 * Two pieces of undici's HTTP/2 plumbing for the Http2Origin (h2-origin.ts): the h2 session undici keeps on
 * a connection's socket, and the way its dispatchers' `close` and `destroy` report their end.
 * @module
 */
import { EventEmitter } from 'node:events'

/**
 * The h2 session undici put on a socket (not public: found by its symbol's name, else null).
 * @example
 * sessionOf(socket)?.on('remoteSettings', () => console.log('SETTINGS in'))
 * @category transports
 * @since 0.3.0
 * @internal
 */
export const sessionOf = (socket: object): EventEmitter | null => {
  const key = Object.getOwnPropertySymbols(socket).find((s) => s.description?.toLowerCase() === 'http2session')
  const session: unknown = key === undefined ? undefined : (socket as Record<symbol, unknown>)[key]
  return session instanceof EventEmitter ? session : null
}

/**
 * The end of a `close()` or `destroy()` as undici's dispatchers give it: a promise (of nothing),
 * or, with a callback, the callback called when it ends (either way) and `undefined`.
 * @example
 * settle(Promise.all([client.close(), pool.close()])) // a Promise<void>
 * @category transports
 * @since 0.3.0
 * @internal
 */
export const settle = (done: Promise<unknown>, cb?: () => void): Promise<void> | undefined => {
  if (cb !== undefined) return void done.then(cb, cb)
  return done.then(() => undefined)
}
