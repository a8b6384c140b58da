/**
 * Remembering a pure function of a text, boundedly: the URL checks of the steps, the redaction
 * of URLs and header names, a transport's URL splits. No cache ever holds a text that may carry
 * a credential (see {@link mayHoldCredential}).
 * @module
 */

/**
 * Whether a text may carry a credential, so that no cache may keep it after the request is
 * gone: a user info (`//user:pass@host`), a query (`?token=…`), a fragment (`#access_token=…`)
 * or a `name=value` pair. A conservative rule of four characters (which parameters are secret
 * is decided in encoding/redact.ts, a later layer): such a text is simply worked out each time.
 * A header name or a URL with neither has none of them.
 * @example
 * mayHoldCredential('https://u:p@h/x') // true
 * mayHoldCredential('https://h/x?page=2') // true
 * mayHoldCredential('https://h/users/1') // false
 * @category running
 * @since 0.3.0
 * @internal
 */
export const mayHoldCredential = (key: string): boolean => /[@?#=]/.test(key)

// every cache, weakly (for memoizedKeys); a cache is made once per module
const caches = new Set<WeakRef<ReadonlyMap<string, unknown>>>()

/**
 * `f` remembered for the last keys it was asked about: at most `limit` of them (all forgotten
 * at once when full), and only keys that `keep` accepts (a long URL is worked out each time)
 * and that may hold no credential ({@link mayHoldCredential}: user info, a query, a fragment).
 * The check is made on a miss only: a hit costs one lookup. `f` must be pure and never return
 * undefined.
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
  caches.add(new WeakRef(known))
  return (key) => {
    const hit = known.get(key)
    if (hit !== undefined) return hit
    const value = f(key)
    if (!mayHoldCredential(key) && keep(key)) {
      if (known.size >= limit) known.clear()
      known.set(key, value)
    }
    return value
  }
}

/**
 * Test-only: every key that the caches made by {@link memoized} hold now (to show that none
 * holds a credential after a run).
 * @example
 * memoizedKeys().some((k) => k.includes('token=')) // false
 * @category running
 * @since 0.3.0
 * @internal
 */
export const memoizedKeys = (): ReadonlyArray<string> => {
  const keys: string[] = []
  for (const ref of caches) {
    const cache = ref.deref()
    if (cache === undefined) caches.delete(ref)
    else keys.push(...cache.keys())
  }
  return keys
}
