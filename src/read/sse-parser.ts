/**
 * `eventsource-parser`, loaded (synchronously) by the first event stream read rather than with
 * httpipe. The browser build has a sibling that bundles it.
 * @module
 */
import { createRequire } from 'node:module'
import * as E from 'fp-ts/lib/Either.js'

let parserLib: typeof import('eventsource-parser') | null = null

/**
 * The package; when it cannot be loaded, why (the next stream read tries again).
 * @example
 * eventsourceParser() // right({ createParser, … })
 * @internal
 */
export const eventsourceParser = (): E.Either<string, typeof import('eventsource-parser')> => {
  if (parserLib !== null) return E.right(parserLib)
  try {
    parserLib = createRequire(import.meta.url)('eventsource-parser') as typeof import('eventsource-parser')
    return E.right(parserLib)
  } catch (e) {
    return E.left((e instanceof Error ? e.message : String(e)).split('\n')[0] ?? '')
  }
}
