/**
 * The `WWW-Authenticate` header read as RFC 7235 has it: a list of challenges, each a scheme with
 * either a token68 or `name=value` parameters (values as tokens or quoted strings), where commas
 * separate both the challenges and their parameters.
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import { leadingToken } from '../model/valid.js'

/**
 * One challenge of a WWW-Authenticate header: its scheme and parameters (names lower-case).
 * @example
 * const c: Challenge = { scheme: 'digest', params: { realm: 'r', nonce: 'n' } }
 */
export interface Challenge {
  readonly scheme: string
  readonly params: Readonly<Record<string, string>>
}

/** a token68 (RFC 7235 §2.1) standing alone after a scheme: not followed by `=value` */
const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*(?=[ \t]*(,|$))/

/**
 * Parses a WWW-Authenticate value (several challenges, quoted strings with escapes, token68);
 * a Left says where it is malformed.
 * @example
 * parseChallenges('Digest realm="a, b", nonce="n", Basic realm="x"')
 * // right([{ scheme: 'digest', params: { realm: 'a, b', nonce: 'n' } }, { scheme: 'basic', params: { realm: 'x' } }])
 */
export const parseChallenges = (header: string): E.Either<string, ReadonlyArray<Challenge>> => {
  const out: Array<{ scheme: string; params: Record<string, string> }> = []
  let i = 0
  const s = header
  const ws = (): void => {
    while (i < s.length && (s[i] === ' ' || s[i] === '\t')) i++
  }
  const token = (): string | null => {
    const m = leadingToken(s.slice(i))
    if (m === null) return null
    i += m.length
    return m
  }
  const quoted = (): string | null => {
    if (s[i] !== '"') return null
    i++
    let v = ''
    while (i < s.length && s[i] !== '"') {
      if (s[i] === '\\' && i + 1 < s.length) i++
      v += s[i]
      i++
    }
    if (s[i] !== '"') return null
    i++
    return v
  }
  for (;;) {
    ws()
    while (s[i] === ',') (i++, ws())
    if (i >= s.length) break
    const scheme = token()
    if (scheme === null)
      return E.left(`unexpected ${JSON.stringify(s.slice(i, i + 10))} where an auth scheme should start`)
    const params: Record<string, string> = {}
    out.push({ scheme: scheme.toLowerCase(), params })
    ws()
    const t68 = TOKEN68.exec(s.slice(i))
    if (t68 !== null) {
      // `Negotiate abc==`: a token68 instead of parameters (not kept: no scheme httpipe answers uses one)
      i += t68[0].length
      continue
    }
    for (;;) {
      ws()
      const save = i
      const name = token()
      if (name === null) break
      ws()
      if (s[i] !== '=') {
        // the next challenge's scheme (or a token68 we ignore)
        i = save
        break
      }
      i++
      ws()
      const value = s[i] === '"' ? quoted() : token()
      if (value === null) return E.left(`the value of ${name} is malformed`)
      params[name.toLowerCase()] = value
      ws()
      if (s[i] === ',') {
        i++
        continue
      }
      if (i >= s.length) break
      return E.left(`unexpected ${JSON.stringify(s.slice(i, i + 10))} after ${name}`)
    }
  }
  return E.right(out)
}
