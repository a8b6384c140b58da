/**
 * The package version, sent in the default User-Agent.
 * @example
 * `httpipe/${VERSION}` // 'httpipe/0.2.0'
 * @category headers
 * @since 0.1.0
 */
export const VERSION = '0.2.0'
