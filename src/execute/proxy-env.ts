/**
 * The proxies of the environment (`HTTP_PROXY`, `HTTPS_PROXY`, `NO_PROXY`, either case), for a
 * request that sets no proxy of its own: read from `env.proxyEnv`, or from the process
 * environment once (at the first request that asks, as undici's `EnvHttpProxyAgent` reads it
 * when made; under CGI, `REQUEST_METHOD` set, the upper-case `HTTP_PROXY` is not read: httpoxy). Which one a URL goes through is the transport layer's to say (`route`: undici's
 * `EnvHttpProxyAgent` decides), the proxies themselves are parsed as `setProxy` parses them.
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import type { Proxy } from '../model/request.js'
import type { ProxyRoute, ProxyVars } from '../model/transport.js'
import { proxyFromUrl } from '../steps/init.js'

/**
 * Where the environment sends a URL (the transport layer's router, undici's rule).
 * @example
 * const route: EnvProxyRoute = (vars, url) => 'direct'
 */
export type EnvProxyRoute = (vars: ProxyVars, url: string) => ProxyRoute

/**
 * One proxy of the environment: the proxy and the variable it came from, or why that variable
 * cannot be used (a request routed to it is refused; one that is not goes on).
 * @example
 * const p: EnvProxy = { from: 'HTTP_PROXY', proxy: { protocol: 'http', host: 'p', port: 3128, user: null, password: null } }
 */
export type EnvProxy =
  { readonly from: string; readonly proxy: Proxy<string> } | { readonly from: string; readonly problem: string }

/**
 * The environment's proxies, ready for the attempts: the values to mask in the log, and the
 * proxy of a URL (null: straight).
 * @example
 * const p = envProxies({ HTTP_PROXY: 'http://p:3128' }, route) // { secrets: [], route: … }
 */
export interface EnvProxies {
  readonly secrets: ReadonlyArray<string>
  readonly route: (url: string) => EnvProxy | null
}

/** The variables read, lower case first as undici and curl read them. */
const NAMES = ['http_proxy', 'HTTP_PROXY', 'https_proxy', 'HTTPS_PROXY', 'no_proxy', 'NO_PROXY'] as const
type Snapshot = Readonly<Partial<Record<(typeof NAMES)[number], string>>>

/** The first of a variable's two spellings that is set (not blank). */
const first = (vars: Snapshot, lower: 'http_proxy' | 'https_proxy' | 'no_proxy') => {
  for (const name of [lower, lower.toUpperCase() as Uppercase<typeof lower>]) {
    const v = vars[name]
    if (v !== undefined && v.trim() !== '') return { name, value: v.trim() }
  }
  return null
}

/** A proxy variable parsed; why not names the variable only (its value may hold a password). */
const parse = (v: { readonly name: string; readonly value: string } | null): EnvProxy | null => {
  if (v === null) return null
  const p = proxyFromUrl(v.value)
  if (E.isRight(p)) return { from: v.name, proxy: p.right }
  const why = /^not a proxy URL/.test(p.left) ? 'not a proxy URL' : p.left
  return { from: v.name, problem: `the proxy in ${v.name} cannot be used: ${why}` }
}

/**
 * The proxies a snapshot of the variables names, or null when neither `http_proxy` nor
 * `https_proxy` is set (either case): then every request goes straight, as before.
 * @example
 * envProxies({}, route) // null
 * @internal
 */
export const envProxies = (vars: Snapshot, route: EnvProxyRoute): EnvProxies | null => {
  const http = parse(first(vars, 'http_proxy'))
  const https = parse(first(vars, 'https_proxy'))
  if (http === null && https === null) return null
  const vs: ProxyVars = { http: http !== null, https: https !== null, noProxy: first(vars, 'no_proxy')?.value ?? '' }
  const secrets = [http, https].flatMap((p) =>
    p !== null && 'proxy' in p && p.proxy.password !== null ? [p.proxy.password] : [],
  )
  return {
    secrets,
    route: (url) => {
      const r = route(vs, url)
      return r === 'http' ? http : r === 'https' ? https : null
    },
  }
}

/**
 * The variables of `source`, each read once, strings only; a variable that cannot be read (a
 * throwing getter, a refused read: Deno without --allow-env) counts as unset.
 */
const snapshot = (source: object, cgi: boolean): Snapshot => {
  const out: Partial<Record<(typeof NAMES)[number], string>> = {}
  for (const name of NAMES) {
    // httpoxy: under CGI, HTTP_PROXY is the client's `Proxy:` request header (curl never reads
    // it upper case; Go and Python ignore it when REQUEST_METHOD is set)
    if (cgi && name === 'HTTP_PROXY') continue
    try {
      const v: unknown = (source as Record<string, unknown>)[name]
      if (typeof v === 'string') out[name] = v
    } catch {
      /* unreadable: unset */
    }
  }
  return out
}

const isCgi = (source: object): boolean => {
  try {
    const m: unknown = (source as Record<string, unknown>)['REQUEST_METHOD']
    return typeof m === 'string' && m !== ''
  } catch {
    return false
  }
}

let fromProcess: { readonly route: EnvProxyRoute; readonly proxies: EnvProxies | null } | null = null

/**
 * The environment's proxies for a run: none with `proxyEnv: false`, those of `proxyEnv` (its
 * variables read at each run), else the process environment's (read once). Either way, where
 * `REQUEST_METHOD` is set (CGI) the upper-case `HTTP_PROXY` is not read.
 * @example
 * resolveEnvProxies(undefined, route) // the process environment's proxies, or null
 * @internal
 */
export const resolveEnvProxies = (proxyEnv: unknown, route: EnvProxyRoute | undefined): EnvProxies | null => {
  if (proxyEnv === false || route === undefined) return null
  if (proxyEnv === undefined) {
    if (fromProcess === null || fromProcess.route !== route) {
      let vars: Snapshot = {}
      try {
        if (typeof process !== 'undefined') vars = snapshot(process.env, isCgi(process.env))
      } catch {
        /* not allowed to read the environment: no proxy */
      }
      fromProcess = { route, proxies: envProxies(vars, route) }
    }
    return fromProcess.proxies
  }
  // read at each run (a change to the object is seen; nothing that may hold a password is cached)
  return typeof proxyEnv === 'object' && proxyEnv !== null
    ? envProxies(snapshot(proxyEnv, isCgi(proxyEnv)), route)
    : null
}
