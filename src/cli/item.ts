/**
 * The grammar of HTTPie's request items (httpie/cli/argtypes.py and constants.py): an item is
 * split at its first separator (the longest of those that start there); `\` before a
 * separator's character makes it literal, before any other character it stays.
 * @module
 */
/** The separators, as HTTPie has them. */
const SEPARATORS = [':', ';', ':@', '==', '==@', '=', ':=', '@', '=@', ':=@'] as const

/**
 * A request item's separator.
 * @example
 * const s: Separator = ':='
 * @category cli
 * @since 0.3.0
 */
export type Separator = (typeof SEPARATORS)[number]

/**
 * A request item as read: the key and value (escapes resolved), the separator, the text.
 * @example
 * const i: Item = { key: 'age', value: '30', sep: ':=', orig: 'age:=30' }
 * @category cli
 * @since 0.3.0
 */
export interface Item {
  readonly key: string
  readonly value: string
  readonly sep: Separator
  readonly orig: string
}

const SPECIAL = new Set(SEPARATORS.join(''))
// shortest first, so that a longer one starting at the same place wins
const BY_LENGTH = [...SEPARATORS].sort((a, b) => a.length - b.length)
const DATA: ReadonlyArray<Separator> = ['=', ':=', '@', '=@', ':=@']

/**
 * A request item read from its text, or null when it has no separator. `\` before a
 * separator's character makes it literal; before any other character it stays.
 * @example
 * parseItem('a\\:b:c') // { key: 'a:b', value: 'c', sep: ':', orig: 'a\\:b:c' }
 * parseItem('q==1') // { key: 'q', value: '1', sep: '==', orig: 'q==1' }
 * @category cli
 * @since 0.3.0
 */
export const parseItem = (s: string): Item | null => {
  // tokens: plain text, and escaped characters (which are never separators)
  const tokens: Array<{ readonly text: string; readonly escaped: boolean }> = [{ text: '', escaped: false }]
  for (let i = 0; i < s.length; i += 1) {
    const c = s[i] ?? ''
    const last = tokens[tokens.length - 1] ?? { text: '', escaped: false }
    if (c === '\\') {
      const next = s[i + 1] ?? ''
      i += 1
      if (SPECIAL.has(next) && next !== '') tokens.push({ text: next, escaped: true }, { text: '', escaped: false })
      else tokens[tokens.length - 1] = { ...last, text: `${last.text}\\${next}` }
    } else tokens[tokens.length - 1] = { ...last, text: last.text + c }
  }
  for (const [i, t] of tokens.entries()) {
    if (t.escaped) continue
    let best: { readonly pos: number; readonly sep: Separator } | null = null
    for (const sep of BY_LENGTH) {
      const pos = t.text.indexOf(sep)
      if (pos >= 0 && (best === null || pos < best.pos || (pos === best.pos && sep.length > best.sep.length)))
        best = { pos, sep }
    }
    if (best === null) continue
    const join = (ts: typeof tokens): string => ts.map((x) => x.text).join('')
    return {
      key: join(tokens.slice(0, i)) + t.text.slice(0, best.pos),
      value: t.text.slice(best.pos + best.sep.length) + join(tokens.slice(i + 1)),
      sep: best.sep,
      orig: s,
    }
  }
  return null
}

/**
 * Whether the item gives request data (a body): `=`, `:=`, `@`, `=@`, `:=@`.
 * @example
 * isDataItem(parseItem('a=1')) // true
 * @category cli
 * @since 0.3.0
 */
export const isDataItem = (i: Item | null): boolean => i !== null && DATA.includes(i.sep)
