/**
 * The proxies of the environment, for the browser build (in place of env-proxy.ts): the
 * browser chooses its proxy itself, so every URL is sent as it is.
 * @module
 */
import type { ProxyRoute, ProxyVars } from '../model/transport.js'

/**
 * The route of a URL: straight, the browser applies its own proxy settings.
 * @example
 * proxyRoute({ http: true, https: true, noProxy: '' }, 'https://example.com/') // 'direct'
 * @internal
 */
export const proxyRoute = (_vars: ProxyVars, _url: string): ProxyRoute => 'direct'
