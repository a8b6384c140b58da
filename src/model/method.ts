/**
 * The HTTP method a request is run with.
 * @module
 */

/**
 * An HTTP method: the standard ones, offered by an editor's autocompletion, or any other token
 * (`'PROPFIND'`, `'purge'`): the `string & {}` keeps custom methods without widening the
 * known names away. Methods are sent upper-cased; one that is not an HTTP token is
 * `InvalidInput` when the request is prepared.
 * @example
 * const m: Method = 'PATCH'
 * const custom: Method = 'PROPFIND'
 * @category running
 * @since 0.3.0
 */
export type Method = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS' | 'TRACE' | (string & {})
