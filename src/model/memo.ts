/**
 * Remembering a pure function of a text, boundedly: the URL checks of the steps, the redaction
 * of URLs and header names, a transport's URL splits.
 * @module
 */

/**
 * `f` remembered for the last keys it was asked about: at most `limit` of them (all forgotten
 * at once when full), and only keys that `keep` accepts (a long URL is worked out each time).
 * `f` must be pure and never return undefined.
 * @example
 * const upper = memoized(256, (s: string) => s.toUpperCase())
 * upper('a') // 'A'
 * @category running
 * @since 0.3.0
 */
export const memoized = <A>(
  limit: number,
  f: (key: string) => A,
  keep: (key: string) => boolean = () => true,
): ((key: string) => A) => {
  const known = new Map<string, A>()
  return (key) => {
    const hit = known.get(key)
    if (hit !== undefined) return hit
    const value = f(key)
    if (keep(key)) {
      if (known.size >= limit) known.clear()
      known.set(key, value)
    }
    return value
  }
}
