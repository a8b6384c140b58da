/**
 * The parts of undici httpipe runs on (its `Agent`, `buildConnector` and error classes), loaded
 * from undici's own modules rather than its index: the index loads all of undici (fetch,
 * WebSocket, caches, mocks: about 110 files, where these are 23) and installs undici's global
 * dispatcher, which Node's bundled `fetch` would then run on (see nodejs/undici#5500). The
 * values are the very ones the index exports (test/package-lazy.test.ts checks it); their
 * types are the package's.
 * @module
 */
import type * as U from 'undici'
// @ts-expect-error undici's internal modules have no declarations of their own
import agent from 'undici/lib/dispatcher/agent.js'
// @ts-expect-error undici's internal modules have no declarations of their own
import connector from 'undici/lib/core/connect.js'
// @ts-expect-error undici's internal modules have no declarations of their own
import errorClasses from 'undici/lib/core/errors.js'

/**
 * undici's `Agent` (`undici/lib/dispatcher/agent.js`).
 * @example
 * const agent = new Agent({ connections: 4 })
 * @category transports
 * @since 0.3.0
 * @internal
 */
export const Agent: typeof U.Agent = agent
/**
 * An undici `Agent`, and its options (`Agent.Options`).
 * @example
 * const options: Agent.Options = { connections: 4 }
 * @category transports
 * @since 0.3.0
 * @internal
 */
export type Agent = U.Agent
/**
 * The types of undici's `Agent` namespace that httpipe uses.
 * @example
 * const options: Agent.Options = { connections: 4 }
 * @category transports
 * @since 0.3.0
 * @internal
 */
export declare namespace Agent {
  /**
   * undici's `Agent.Options`.
   * @example
   * const options: Agent.Options = { connections: 4 }
   */
  export type Options = U.Agent.Options
}
/**
 * undici's `buildConnector` (`undici/lib/core/connect.js`).
 * @example
 * const connect = buildConnector({ timeout: 0 })
 * @category transports
 * @since 0.3.0
 * @internal
 */
export const buildConnector: typeof U.buildConnector = connector
/**
 * The types of undici's `buildConnector` namespace that httpipe uses.
 * @example
 * const o: buildConnector.Options = { hostname: '127.0.0.1', host: '127.0.0.1', protocol: 'http:', port: '80' }
 * @category transports
 * @since 0.3.0
 * @internal
 */
export declare namespace buildConnector {
  /**
   * undici's `buildConnector.Options`.
   * @example
   * const o: buildConnector.Options = { hostname: '127.0.0.1', host: '127.0.0.1', protocol: 'http:', port: '80' }
   */
  export type Options = U.buildConnector.Options
  /**
   * undici's `buildConnector.Callback`.
   * @example
   * const cb: buildConnector.Callback = (err, socket) => undefined
   */
  export type Callback = U.buildConnector.Callback
  /**
   * undici's `buildConnector.connector`.
   * @example
   * const c: buildConnector.connector = buildConnector({})
   */
  export type connector = U.buildConnector.connector
}
/**
 * undici's error classes (`undici/lib/core/errors.js`).
 * @example
 * new errors.SocketError('the proxy closed the connection')
 * @category transports
 * @since 0.3.0
 * @internal
 */
export const errors: typeof U.errors = errorClasses
/**
 * undici's `Dispatcher` types.
 * @example
 * const method: Dispatcher.HttpMethod = 'GET'
 * @category transports
 * @since 0.3.0
 * @internal
 */
export type { Dispatcher } from 'undici'
