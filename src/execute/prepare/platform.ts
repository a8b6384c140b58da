/**
 * What a request may not ask for where it runs: on Node.js, Bun and Deno, nothing. The browser
 * build puts platform.browser.ts in this module's place (files, proxies and TLS options are not
 * there); this one costs a call that returns null.
 * @module
 */
import type { Request } from '../../model/request.js'

/**
 * The step whose setting this platform cannot carry out, and why; null when it can (always, here).
 * @example
 * unavailableHere(H.newRequest()) // null
 * @internal
 */
export const unavailableHere = (_req: Request): { readonly step: string; readonly message: string } | null => null
