/**
 * The `aws4` package for the browser build (in place of aws4-package.ts): bundled with it.
 * @module
 */
import aws4 from 'aws4'
import * as E from 'fp-ts/lib/Either.js'

/**
 * The `aws4` package.
 * @example
 * aws4Package() // right(aws4)
 * @internal
 */
export const aws4Package = (): E.Either<string, typeof aws4> => E.right(aws4)
