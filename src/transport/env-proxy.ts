/**
 * Which of the environment's proxies a URL goes through (`HTTP_PROXY`, `HTTPS_PROXY`,
 * `NO_PROXY`), decided by undici's own `EnvHttpProxyAgent`, so that `NO_PROXY` means exactly
 * what it means to undici and Node's fetch (hosts, subdomains, `.domain`, `*.domain`, ports,
 * `*`). Its decision is read, not its connections: the agent is made once per set of variables
 * with its three dispatchers swapped for markers, and a URL is routed by one `dispatch` of a
 * request that goes nowhere; the request then goes through httpipe's own proxy dispatchers (the
 * connect limit over the tunnel, TLS options, Proxy-Authorization), as one with `setProxy` does.
 * @module
 */
import { createRequire } from 'node:module'
import type * as U from 'undici'
import { memoized } from '../model/memo.js'

/**
 * Where the environment sends a URL: straight, or through its `http` or `https` proxy (undici
 * sends `https:` targets through `HTTP_PROXY` when `HTTPS_PROXY` is not set).
 * @example
 * const r: ProxyRoute = 'direct'
 * @category transports
 * @since 0.3.0
 * @internal
 */
export type ProxyRoute = 'direct' | 'http' | 'https'

/**
 * What the router is made from: whether each proxy is set, and `NO_PROXY` as given.
 * @example
 * const v: ProxyVars = { http: true, https: false, noProxy: 'localhost,.internal' }
 * @category transports
 * @since 0.3.0
 * @internal
 */
export interface ProxyVars {
  readonly http: boolean
  readonly https: boolean
  readonly noProxy: string
}

interface Symbols {
  readonly kNoProxyAgent: symbol
  readonly kHttpProxyAgent: symbol
  readonly kHttpsProxyAgent: symbol
}

type EnvAgent = U.Dispatcher & Record<symbol, unknown>

/** A dispatcher that only notes that it was chosen. */
const marker = (route: ProxyRoute, chosen: { route: ProxyRoute }): unknown => ({
  dispatch: () => {
    chosen.route = route
    return true
  },
  close: () => Promise.resolve(),
  destroy: () => Promise.resolve(),
})

const NOWHERE = { onError: (): void => undefined }

/** The router of one set of variables (undici's agent, its dispatchers swapped for markers). */
const makeRouter = (vars: ProxyVars): ((url: string) => ProxyRoute) => {
  const load = createRequire(import.meta.url)
  const EnvHttpProxyAgent = load('undici/lib/dispatcher/env-http-proxy-agent.js') as new (o: object) => EnvAgent
  const symbols = load('undici/lib/core/symbols.js') as Symbols
  // '' (not undefined): undici would read process.env for a variable not given
  const agent = new EnvHttpProxyAgent({
    httpProxy: vars.http ? 'http://127.0.0.1:9' : '',
    httpsProxy: vars.https ? 'http://127.0.0.1:9' : '',
    noProxy: vars.noProxy,
  })
  const made = [symbols.kNoProxyAgent, symbols.kHttpProxyAgent, symbols.kHttpsProxyAgent].map((k) => agent[k])
  for (const d of new Set(made)) void (d as U.Dispatcher).close().catch(() => undefined) // never connected
  const chosen: { route: ProxyRoute } = { route: 'direct' }
  const http: ProxyRoute = vars.http ? 'http' : 'direct'
  agent[symbols.kNoProxyAgent] = marker('direct', chosen)
  agent[symbols.kHttpProxyAgent] = marker(http, chosen)
  agent[symbols.kHttpsProxyAgent] = marker(vars.https ? 'https' : http, chosen)
  return memoized(256, (origin) => {
    chosen.route = 'direct'
    agent.dispatch({ origin, path: '/', method: 'GET' }, NOWHERE as unknown as U.Dispatcher.DispatchHandler)
    return chosen.route
  })
}

const routers = memoized(16, (key) => {
  const [http, https, noProxy] = JSON.parse(key) as [boolean, boolean, string]
  return makeRouter({ http, https, noProxy })
})

/**
 * The route of `url` (its origin) under `vars`, as undici's `EnvHttpProxyAgent` decides it.
 * @example
 * proxyRoute({ http: true, https: true, noProxy: 'localhost' }, 'http://localhost:8080/x') // 'direct'
 * proxyRoute({ http: true, https: false, noProxy: '' }, 'https://example.com/') // 'http'
 * @category transports
 * @since 0.3.0
 * @internal
 */
export const proxyRoute = (vars: ProxyVars, url: string): ProxyRoute => {
  let origin: string
  try {
    origin = new URL(url).origin
  } catch {
    return 'direct' // no URL to route: the attempt says what is wrong with it
  }
  return routers(JSON.stringify([vars.http, vars.https, vars.noProxy]))(origin)
}
