/**
 * The `Link` header (RFC 8288 §3): links with their parameters, and the target of a relation.
 * @module
 */

/**
 * One link of a `Link` header: its target as written (a URI reference), its parameters
 * (lower-case names, the first of a repeated name kept, values unquoted) and its relation types
 * (the `rel` list, lower-case).
 * @example
 * const l: LinkValue = { target: '/items?page=2', params: { rel: 'next' }, rels: ['next'] }
 */
export interface LinkValue {
  readonly target: string
  readonly params: Readonly<Record<string, string>>
  readonly rels: ReadonlyArray<string>
}

const TCHAR = /[!#$%&'*+.^_`|~0-9A-Za-z-]/
const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t'

/** A small cursor over one header value: each read moves on, none backtracks. */
class Scanner {
  at = 0
  constructor(readonly s: string) {}
  peek(): string | undefined {
    return this.s[this.at]
  }
  spaces(): void {
    while (isSpace(this.peek())) this.at += 1
  }
  token(): string {
    const from = this.at
    while (this.at < this.s.length && TCHAR.test(this.s[this.at] ?? '')) this.at += 1
    return this.s.slice(from, this.at)
  }
  /** An unquoted value: up to `;`, `,` or a space (lenient: a media type's `/` is kept). */
  bare(): string {
    const from = this.at
    while (this.at < this.s.length && !/[;, \t]/.test(this.s[this.at] ?? '')) this.at += 1
    return this.s.slice(from, this.at)
  }
  /** A quoted-string at `"` (RFC 9110 §5.6.4), unescaped; an unterminated one runs to the end. */
  quoted(): string {
    let out = ''
    this.at += 1
    while (this.at < this.s.length) {
      const c = this.s[this.at] ?? ''
      this.at += 1
      if (c === '"') return out
      if (c === '\\' && this.at < this.s.length) {
        out += this.s[this.at] ?? ''
        this.at += 1
      } else out += c
    }
    return out
  }
  /** Skips what cannot be read up to the comma that ends this link (not one in quotes or `<…>`). */
  skipToComma(): void {
    while (this.at < this.s.length) {
      const c = this.s[this.at]
      if (c === ',') return
      if (c === '"') this.quoted()
      else if (c === '<') {
        const close = this.s.indexOf('>', this.at)
        this.at = close < 0 ? this.s.length : close + 1
      } else this.at += 1
    }
  }
}

/** A link's parameters after its target: `; name[=value]`…, up to the comma or the end. */
const readParams = (sc: Scanner): Map<string, string> | null => {
  const params = new Map<string, string>()
  for (;;) {
    sc.spaces()
    const c = sc.peek()
    if (c === undefined || c === ',') return params
    if (c !== ';') return null
    sc.at += 1
    sc.spaces()
    const name = sc.token().toLowerCase()
    if (name === '') return null
    sc.spaces()
    let value = ''
    if (sc.peek() === '=') {
      sc.at += 1
      sc.spaces()
      value = sc.peek() === '"' ? sc.quoted() : sc.bare()
    }
    // RFC 8288 §3.3: a `rel` after the first is ignored; the same for every other name here
    if (!params.has(name)) params.set(name, value)
  }
}

/**
 * Parses a `Link` header value (RFC 8288 §3): `<target>; name=value; name="quoted", …`. Commas
 * inside `<…>` and inside quoted strings do not separate links; a link that cannot be read is
 * skipped up to the next comma, so one bad link does not hide the others. Never throws.
 * @example
 * parseLinkHeader('<https://api.example.com/items?page=2>; rel="next", <https://api.example.com/items?page=9>; rel=last')
 * // [{ target: 'https://api.example.com/items?page=2', params: { rel: 'next' }, rels: ['next'] }, { …, rels: ['last'] }]
 */
export const parseLinkHeader = (value: string): ReadonlyArray<LinkValue> => {
  if (typeof value !== 'string') return []
  const links: LinkValue[] = []
  const sc = new Scanner(value)
  while (sc.at < value.length) {
    while (isSpace(sc.peek()) || sc.peek() === ',') sc.at += 1
    if (sc.at >= value.length) break
    if (sc.peek() !== '<') {
      sc.skipToComma()
      continue
    }
    const close = value.indexOf('>', sc.at)
    if (close < 0) break
    const target = value.slice(sc.at + 1, close).trim()
    sc.at = close + 1
    const params = readParams(sc)
    if (params === null) {
      sc.skipToComma()
      continue
    }
    const rels = (params.get('rel') ?? '')
      .toLowerCase()
      .split(/[ \t]+/)
      .filter((r) => r !== '')
    links.push({ target, params: Object.fromEntries(params), rels })
  }
  return links
}

/**
 * The first target of relation `rel` (compared case-insensitively) in the `Link` headers of a
 * response (each header may hold several links), resolved against `base` (the response's URL),
 * that is an `http:` or `https:` URL; null when there is none. A link with an `anchor` parameter
 * is about another resource, so it is not taken.
 * @example
 * linkTarget([['Link', '</items?page=2>; rel="next last"']], 'https://api.example.com/items', 'next')
 * // 'https://api.example.com/items?page=2'
 */
export const linkTarget = (
  rawHeaders: ReadonlyArray<readonly [string, string]>,
  base: string,
  rel: string,
): string | null => {
  if (!Array.isArray(rawHeaders) || typeof rel !== 'string') return null
  const wanted = rel.toLowerCase()
  for (const pair of rawHeaders as ReadonlyArray<unknown>) {
    if (!Array.isArray(pair)) continue
    const [name, value] = pair as ReadonlyArray<unknown>
    if (typeof name !== 'string' || name.toLowerCase() !== 'link' || typeof value !== 'string') continue
    for (const link of parseLinkHeader(value)) {
      if (!link.rels.includes(wanted) || 'anchor' in link.params) continue
      const resolved = resolveHttp(link.target, base)
      if (resolved !== null) return resolved
    }
  }
  return null
}

const parse = (target: string, base?: string): URL | null => {
  try {
    return new URL(target, base)
  } catch {
    return null
  }
}

/** The target resolved against the base (an absolute one stands alone when the base is no URL), if http(s). */
const resolveHttp = (target: string, base: string): string | null => {
  const url = parse(target, typeof base === 'string' ? base : undefined) ?? parse(target)
  return url !== null && (url.protocol === 'http:' || url.protocol === 'https:') ? url.href : null
}
