/**
 * The header list as data, and its pure algebra: put (replace in place or append), drop, find,
 * all by case-insensitive name.
 * @module
 */

/**
 * Header pairs in order.
 * @example
 * const h: HeaderList = [['Accept', 'application/json']]
 * @category headers
 * @since 0.1.0
 */
export type HeaderList<V = string> = ReadonlyArray<readonly [string, V]>

/**
 * Sets one header in a list: replaces the first case-insensitive match in place (removing any
 * later duplicates) or appends.
 * @example
 * putHeader([['accept', '*\/*']], 'Accept', 'text/html') // [['Accept', 'text/html']]
 */
export const putHeader = <V>(list: HeaderList<V>, name: string, value: V): HeaderList<V> => {
  const lower = name.toLowerCase()
  const i = list.findIndex(([n]) => n.toLowerCase() === lower)
  if (i === -1) return [...list, [name, value]]
  return list.flatMap((h, j) => (j === i ? [[name, value] as const] : h[0].toLowerCase() === lower ? [] : [h]))
}

/**
 * Removes headers by name, case-insensitively.
 * @example
 * dropHeaders([['Cookie', 'a=1'], ['Accept', '*\/*']], ['cookie']) // [['Accept', '*\/*']]
 */
export const dropHeaders = <V>(list: HeaderList<V>, names: ReadonlyArray<string>): HeaderList<V> => {
  const drop = new Set(names.map((n) => n.toLowerCase()))
  return list.filter(([n]) => !drop.has(n.toLowerCase()))
}

/**
 * Looks a header up, case-insensitively.
 * @example
 * findHeader([['Content-Type', 'text/plain']], 'content-type') // 'text/plain'
 */
export const findHeader = <V>(list: HeaderList<V>, name: string): V | undefined => {
  const lower = name.toLowerCase()
  for (const pair of list) if (pair[0] === lower || pair[0].toLowerCase() === lower) return pair[1]
  return undefined
}
