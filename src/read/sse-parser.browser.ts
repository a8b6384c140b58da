/**
 * `eventsource-parser` for the browser build (in place of sse-parser.ts): bundled with it.
 * @module
 */
import * as parser from 'eventsource-parser'
import * as E from 'fp-ts/lib/Either.js'

/**
 * The package.
 * @example
 * eventsourceParser() // right({ createParser, … })
 * @internal
 */
export const eventsourceParser = (): E.Either<string, typeof import('eventsource-parser')> => E.right(parser)
