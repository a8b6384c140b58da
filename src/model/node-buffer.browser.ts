/**
 * What httpipe uses of `node:buffer`, for the browser build (in place of `node:buffer`): the
 * limits of one buffer and one string, as V8 has them in a browser.
 * @module
 */

/**
 * `MAX_LENGTH`: the most bytes one body is held in memory as (the `buffer` package's limit);
 * `MAX_STRING_LENGTH`: V8's longest string.
 * @example
 * constants.MAX_LENGTH // 2147483647
 */
export const constants = { MAX_LENGTH: 2 ** 31 - 1, MAX_STRING_LENGTH: 2 ** 29 - 24 } as const
