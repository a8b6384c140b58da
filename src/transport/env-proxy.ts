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
import type { ProxyRoute, ProxyVars } from '../model/transport.js'

interface Symbols {
  readonly kNoProxyAgent: symbol
  readonly kHttpProxyAgent: symbol
  readonly kHttpsProxyAgent: symbol
}

type EnvAgent = U.Dispatcher & Record<symbol, unknown>

/** A dispatcher that only notes that it was chosen. */
const marker = (route: ProxyRoute, chosen: { route: ProxyRoute | null }): unknown => ({
  dispatch: () => {
    chosen.route = route
    return true
  },
  close: () => Promise.resolve(),
  destroy: () => Promise.resolve(),
})

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
  const keys = [symbols.kNoProxyAgent, symbols.kHttpProxyAgent, symbols.kHttpsProxyAgent]
  if (keys.some((k) => typeof k !== 'symbol' || typeof (agent[k] as U.Dispatcher | undefined)?.close !== 'function'))
    throw new Error('undici EnvHttpProxyAgent has changed (its dispatchers are not where they were)')
  for (const d of new Set(keys.map((k) => agent[k]))) void (d as U.Dispatcher).close().catch(() => undefined) // never connected
  const chosen: { route: ProxyRoute | null; failure: unknown } = { route: null, failure: null }
  const http: ProxyRoute = vars.http ? 'http' : 'direct'
  agent[symbols.kNoProxyAgent] = marker('direct', chosen)
  agent[symbols.kHttpProxyAgent] = marker(http, chosen)
  agent[symbols.kHttpsProxyAgent] = marker(vars.https ? 'https' : http, chosen)
  const handler = { onError: (e: unknown) => void (chosen.failure = e) } as unknown as U.Dispatcher.DispatchHandler
  return (origin) => {
    chosen.route = null
    chosen.failure = null
    agent.dispatch({ origin, path: '/', method: 'GET' }, handler)
    // fails closed: a decision undici did not make is not taken as "straight"
    if (chosen.route === null)
      throw new Error(`undici EnvHttpProxyAgent did not route ${origin}: ${String(chosen.failure ?? 'no decision')}`)
    return chosen.route
  }
}

/**
 * undici's rule as this module reads it, checked once (three decisions known in advance): a
 * change in undici that the markers no longer see throws for every URL instead of sending it
 * past a proxy the environment asks for.
 */
let checked: Error | null | undefined
const check = (): void => {
  if (checked === undefined) {
    try {
      const r = makeRouter({ http: true, https: true, noProxy: 'skip.invalid' })
      const seen = [r('http://a.invalid'), r('https://a.invalid'), r('http://skip.invalid')].join(' ')
      checked = seen === 'http https direct' ? null : new Error(`undici EnvHttpProxyAgent routes differently (${seen})`)
    } catch (e) {
      checked = e instanceof Error ? e : new Error(String(e))
    }
  }
  if (checked !== null) throw new Error(`the proxy variables cannot be applied: ${checked.message}`)
}

const routers = memoized(16, (key) => {
  const [http, https, noProxy] = JSON.parse(key) as [boolean, boolean, string]
  check()
  return memoized(256, makeRouter({ http, https, noProxy }))
})

/**
 * The route of `url` (its origin) under `vars`, as undici's `EnvHttpProxyAgent` decides it;
 * throws when undici cannot be read as this module reads it (the attempt then fails, closed).
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
