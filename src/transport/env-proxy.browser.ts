/**
 * The proxies of the environment, for the browser build (in place of env-proxy.ts): the
 * browser chooses its proxy itself, so every URL is sent as it is.
 * @module
 */

/**
 * Where the environment sends a URL (always straight in a browser).
 * @example
 * const r: ProxyRoute = 'direct'
 * @internal
 */
export type ProxyRoute = 'direct' | 'http' | 'https'

/**
 * What a router is made from (unused in a browser).
 * @example
 * const v: ProxyVars = { http: false, https: false, noProxy: '' }
 * @internal
 */
export interface ProxyVars {
  readonly http: boolean
  readonly https: boolean
  readonly noProxy: string
}

/**
 * The route of a URL: straight, the browser applies its own proxy settings.
 * @example
 * proxyRoute({ http: true, https: true, noProxy: '' }, 'https://example.com/') // 'direct'
 * @internal
 */
export const proxyRoute = (_vars: ProxyVars, _url: string): ProxyRoute => 'direct'
