/**
 * The parts of undici httpipe runs on (its `Agent`, `buildConnector` and error classes), loaded
 * from undici's own modules rather than its index, and only when the first one is used: the
 * index loads all of undici (fetch, WebSocket, caches, mocks: about 110 files, where these are
 * 23, with `node:http2`) and installs undici's global dispatcher, which Node's bundled `fetch`
 * would then run on (see nodejs/undici#5500); and a program that imports httpipe but sends
 * nothing on undici (or not yet) loads none of it. The values are undici's own (the error
 * classes, the connector; `Agent` is undici's Agent as a subclass sees it, see {@link Agent});
 * test/package-lazy.test.ts checks them against the index's. Their types are the package's.
 * @module
 */
import { createRequire } from 'node:module'
import type * as U from 'undici'

interface Undici {
  readonly Agent: typeof U.Agent
  readonly Client: typeof U.Client
  readonly Pool: typeof U.Pool
  readonly buildConnector: typeof U.buildConnector
  readonly errors: typeof U.errors
}

let loaded: Undici | null = null

/** undici's modules, loaded (synchronously) on the first use of any of them. */
const undici = (): Undici => {
  if (loaded !== null) return loaded
  const load = createRequire(import.meta.url)
  loaded = {
    Agent: load('undici/lib/dispatcher/agent.js') as typeof U.Agent,
    Client: load('undici/lib/dispatcher/client.js') as typeof U.Client,
    Pool: load('undici/lib/dispatcher/pool.js') as typeof U.Pool,
    buildConnector: load('undici/lib/core/connect.js') as typeof U.buildConnector,
    errors: load('undici/lib/core/errors.js') as typeof U.errors,
  }
  return loaded
}

/**
 * Stands for undici's Agent until the first one is made: that construction loads undici, puts
 * undici's Agent under this class in the prototype chain (so every subclass, declared before,
 * inherits its methods) and makes the object with undici's own constructor for the class that
 * was asked for (`Reflect.construct` with `new.target`), so it is a real undici Agent with the
 * subclass's prototype.
 */
class LazyAgent {
  constructor(...args: unknown[]) {
    const Real = undici().Agent
    if (Object.getPrototypeOf(LazyAgent.prototype) !== Real.prototype) {
      Object.setPrototypeOf(LazyAgent.prototype, Real.prototype)
      Object.setPrototypeOf(LazyAgent, Real)
    }
    return Reflect.construct(Real, args, new.target) as LazyAgent
  }
}

/**
 * undici's `Agent` (`undici/lib/dispatcher/agent.js`), loaded when the first agent is made:
 * extend it as undici's own (its instances are undici Agents, `instanceof` included).
 * @example
 * const agent = new Agent({ connections: 4 })
 * @category transports
 * @since 0.3.0
 * @internal
 */
export const Agent = LazyAgent as unknown as typeof U.Agent
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
 * A new undici `Client` (`undici/lib/dispatcher/client.js`, loaded on the first call): one
 * connection to `origin` (the HTTP/2 dispatcher's, see h2-origin.ts).
 * @example
 * const client = newClient('https://127.0.0.1:8443', { allowH2: true })
 * @category transports
 * @since 0.3.0
 * @internal
 */
export const newClient = (origin: string | URL, options: U.Client.Options): U.Client =>
  new (undici().Client)(origin, options)

/**
 * A new undici `Pool` (`undici/lib/dispatcher/pool.js`, loaded on the first call): the HTTP/1.1
 * keep-alive connections of an origin that did not take HTTP/2.
 * @example
 * const pool = newPool('https://127.0.0.1:8443', { connections: 4 })
 * @category transports
 * @since 0.3.0
 * @internal
 */
export const newPool = (origin: string | URL, options: U.Pool.Options): U.Pool => new (undici().Pool)(origin, options)

/**
 * undici's `buildConnector` (`undici/lib/core/connect.js`), loaded on the first call.
 * @example
 * const connect = buildConnector({ timeout: 0 })
 * @category transports
 * @since 0.3.0
 * @internal
 */
export const buildConnector = ((options?: U.buildConnector.BuildOptions) =>
  undici().buildConnector(options)) as typeof U.buildConnector
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
 * undici's error classes (`undici/lib/core/errors.js`), loaded when the first one is read.
 * @example
 * new errors.SocketError('the proxy closed the connection')
 * @category transports
 * @since 0.3.0
 * @internal
 */
export const errors = new Proxy({} as typeof U.errors, {
  get: (_, name) => undici().errors[name as keyof typeof U.errors],
})
/**
 * undici's `Dispatcher` types.
 * @example
 * const method: Dispatcher.HttpMethod = 'GET'
 * @category transports
 * @since 0.3.0
 * @internal
 */
export type { Dispatcher } from 'undici'
