/**
 * The proxies of the environment (`HTTP_PROXY`, `HTTPS_PROXY`, `NO_PROXY`, either case), for a
 * request that sets no proxy of its own: read from `env.proxyEnv`, or from the process
 * environment once (at the first request that asks, as undici's `EnvHttpProxyAgent` reads it
 * when made). Which one a URL goes through is the transport layer's to say (`route`: undici's
 * `EnvHttpProxyAgent` decides), the proxies themselves are parsed as `setProxy` parses them.
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import type { Proxy } from '../model/request.js'
import { redactUrl } from '../encoding/redact.js'
import { proxyFromUrl } from '../steps/init.js'

/**
 * Where the environment sends a URL (as the transport layer's `ProxyRoute`).
 * @example
 * const route: EnvProxyRoute = (vars, url) => 'direct'
 * @internal
 */
export type EnvProxyRoute = (
  vars: { readonly http: boolean; readonly https: boolean; readonly noProxy: string },
  url: string,
) => 'direct' | 'http' | 'https'

/**
 * The environment's proxies, ready for the attempts: each proxy with the variable it came from,
 * the values to mask in the log, the route of a URL, or why a variable cannot be used.
 * @example
 * const p = envProxies({ HTTP_PROXY: 'http://p:3128' }, route) // { http: { proxy, from: 'HTTP_PROXY' }, … }
 * @internal
 */
export interface EnvProxies {
  readonly http: { readonly proxy: Proxy<string>; readonly from: string } | null
  readonly https: { readonly proxy: Proxy<string>; readonly from: string } | null
  readonly noProxy: string
  /** a variable that is not a proxy URL: every request that would use the environment's proxies is refused */
  readonly problem: string | null
  readonly secrets: ReadonlyArray<string>
  readonly route: (url: string) => { readonly proxy: Proxy<string>; readonly from: string } | null
}

type Vars = Readonly<Record<string, string | undefined>>

/** The first of the names that is set (not empty) in `vars`, lower case first as undici and curl read them. */
const first = (vars: Vars, lower: string): { readonly name: string; readonly value: string } | null => {
  for (const name of [lower, lower.toUpperCase()]) {
    const v = vars[name]
    if (typeof v === 'string' && v.trim() !== '') return { name, value: v.trim() }
  }
  return null
}

/**
 * The proxies `vars` name, or null when neither `http_proxy` nor `https_proxy` is set (either
 * case): then every request goes straight, as before.
 * @example
 * envProxies({}, route) // null
 * @internal
 */
export const envProxies = (vars: Vars, route: EnvProxyRoute): EnvProxies | null => {
  const httpVar = first(vars, 'http_proxy')
  const httpsVar = first(vars, 'https_proxy')
  if (httpVar === null && httpsVar === null) return null
  const noProxy = first(vars, 'no_proxy')?.value ?? ''
  let problem: string | null = null
  const parse = (v: { readonly name: string; readonly value: string } | null) => {
    if (v === null) return null
    const p = proxyFromUrl(v.value)
    if (E.isRight(p)) return { proxy: p.right, from: v.name }
    problem ??= `the proxy in ${v.name} cannot be used (${p.left}): ${redactUrl(v.value)}`
    return null
  }
  const http = parse(httpVar)
  const https = parse(httpsVar)
  const vs = { http: http !== null, https: https !== null, noProxy }
  const secrets = [http, https].flatMap((p) => (p?.proxy.password == null ? [] : [p.proxy.password]))
  return {
    http,
    https,
    noProxy,
    problem,
    secrets,
    route: (url) => {
      const r = route(vs, url)
      return r === 'http' ? http : r === 'https' ? https : null
    },
  }
}

const byObject = new WeakMap<object, EnvProxies | null>()
let fromProcess: { readonly route: EnvProxyRoute; readonly proxies: EnvProxies | null } | null = null

/** The process environment's proxy variables; a refused read (Deno without --allow-env) is none. */
const processVars = (): Vars => {
  const out: Record<string, string | undefined> = {}
  try {
    if (typeof process === 'undefined') return out
    for (const n of ['http_proxy', 'https_proxy', 'no_proxy']) {
      out[n] = process.env[n]
      out[n.toUpperCase()] = process.env[n.toUpperCase()]
    }
  } catch {
    /* not allowed to read the environment: no proxy */
  }
  return out
}

/**
 * The environment's proxies for a run: none with `proxyEnv: false`, those of `proxyEnv` (an
 * object of variables, remembered per object), else the process environment's (read once).
 * @example
 * resolveEnvProxies(undefined, route) // the process environment's proxies, or null
 * @internal
 */
export const resolveEnvProxies = (
  proxyEnv: Vars | false | undefined,
  route: EnvProxyRoute | undefined,
): EnvProxies | null => {
  if (proxyEnv === false || route === undefined) return null
  if (proxyEnv === undefined) {
    if (fromProcess === null || fromProcess.route !== route)
      fromProcess = { route, proxies: envProxies(processVars(), route) }
    return fromProcess.proxies
  }
  const known = byObject.get(proxyEnv)
  if (known !== undefined) return known
  const made = envProxies(proxyEnv, route)
  byObject.set(proxyEnv, made)
  return made
}
