/**
 * What the transports keep between requests: a small least-recently-used cache of agents, whose
 * keys hold fingerprints instead of secret material.
 * @module
 */
import { createHmac, randomBytes } from 'node:crypto'

/** Keys fingerprints with a per-process random key: a fingerprint cannot be guessed back offline. */
const FINGERPRINT_KEY = randomBytes(32)

/**
 * A short keyed hash (HMAC-SHA256) of secret material, for cache keys.
 * @example
 * fingerprint(['ann', 's3cret']).length // 32
 * @category transports
 * @since 0.2.0
 * @internal
 */
export const fingerprint = (value: unknown): string =>
  createHmac('sha256', FINGERPRINT_KEY).update(JSON.stringify(value)).digest('hex').slice(0, 32)

/**
 * A bounded least-recently-used cache; an evicted value is closed, `closeAll` closes every one
 * and empties the cache.
 * @example
 * const cache = lruCache<Agent>(32, (a) => a.destroy())
 * const agent = cache.get('key', () => new Agent())
 * @category transports
 * @since 0.2.0
 * @internal
 */
export interface LruCache<V> {
  readonly get: (key: string, make: () => V) => V
  readonly keys: () => ReadonlyArray<string>
  readonly closeAll: () => Promise<void>
}

/**
 * Makes an {@link LruCache} holding at most `max` values.
 * @example
 * lruCache<number>(2, () => undefined).keys() // []
 * @category transports
 * @since 0.2.0
 * @internal
 */
export const lruCache = <V>(max: number, close: (v: V) => Promise<void> | void): LruCache<V> => {
  const bound = Math.max(1, Math.floor(max))
  const entries = new Map<string, V>()
  // the most recently used key: asked again (the common case), nothing moves
  let last: string | null = null
  const closeQuietly = async (v: V): Promise<void> => {
    try {
      await close(v)
    } catch {
      /* a value that fails to close is gone all the same */
    }
  }
  return {
    get: (key, make) => {
      const found = entries.get(key)
      if (found !== undefined) {
        if (key !== last) {
          entries.delete(key)
          entries.set(key, found)
          last = key
        }
        return found
      }
      const made = make()
      entries.set(key, made)
      last = key
      for (const [oldKey, old] of entries) {
        if (entries.size <= bound) break
        entries.delete(oldKey)
        void closeQuietly(old)
      }
      return made
    },
    keys: () => [...entries.keys()],
    closeAll: async () => {
      const all = [...entries.values()]
      entries.clear()
      last = null
      await Promise.all(all.map(closeQuietly))
    },
  }
}
