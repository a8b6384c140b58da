/**
 * The `aws4` package, loaded (synchronously) by the first signature rather than with httpipe: a
 * program that signs nothing never loads it. The browser build has a sibling that bundles it.
 * @module
 */
import type aws4 from 'aws4'
import { createRequire } from 'node:module'
import * as E from 'fp-ts/lib/Either.js'

let aws4Lib: typeof aws4 | null = null

/**
 * The `aws4` package; when it cannot be loaded (a package installed without its dependencies),
 * why, which the run reports as an `AuthError` (and the next signature tries again).
 * @example
 * aws4Package() // right(aws4)
 * @internal
 */
export const aws4Package = (): E.Either<string, typeof aws4> => {
  if (aws4Lib !== null) return E.right(aws4Lib)
  try {
    aws4Lib = createRequire(import.meta.url)('aws4') as typeof aws4
    return E.right(aws4Lib)
  } catch (e) {
    const why = (e instanceof Error ? e.message : String(e)).split('\n')[0]
    return E.left(`AWS4 signing failed: the aws4 package cannot be loaded: ${why}`)
  }
}
