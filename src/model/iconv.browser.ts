/**
 * iconv-lite's part httpipe uses, for the browser build (in place of iconv.ts): decoding with
 * the browser's `TextDecoder` (every WHATWG encoding), encoding in UTF-8, UTF-16 and the
 * single-byte encodings (their table read off `TextDecoder`; a character the encoding lacks
 * becomes `?`, as iconv-lite writes it). The multi-byte legacy encodings (Shift_JIS, GBK, Big5,
 * EUC-KR, …) cannot be written in a browser: `encodingExists` says no, so `useEncoding` refuses
 * them there.
 * @module
 */

type Iconv = typeof import('iconv-lite')

/** WHATWG encodings (canonical names) that are not one byte per character. */
const MULTI_BYTE = new Set([
  'utf-8',
  'utf-16le',
  'utf-16be',
  'gbk',
  'gb18030',
  'big5',
  'euc-jp',
  'iso-2022-jp',
  'shift_jis',
  'euc-kr',
  'replacement',
])

/** The canonical WHATWG name of an encoding, or null when the browser does not know it. */
const canonical = (encoding: string): string | null => {
  try {
    return new TextDecoder(encoding).encoding
  } catch {
    return null
  }
}

const tables = new Map<string, ReadonlyMap<number, number>>()

/** A single-byte encoding's table from character to byte. */
const tableOf = (name: string): ReadonlyMap<number, number> => {
  const found = tables.get(name)
  if (found !== undefined) return found
  const decoder = new TextDecoder(name)
  const table = new Map<number, number>()
  for (let b = 255; b >= 0; b--) {
    const c = decoder.decode(Uint8Array.of(b))
    if (c.length === 1 && c !== '\ufffd') table.set(c.charCodeAt(0), b)
  }
  tables.set(name, table)
  return table
}

const utf16 = (text: string, littleEndian: boolean): Uint8Array => {
  const out = new Uint8Array(text.length * 2)
  const view = new DataView(out.buffer)
  for (let i = 0; i < text.length; i++) view.setUint16(i * 2, text.charCodeAt(i), littleEndian)
  return out
}

const encode = (text: string, encoding: string, options?: { readonly addBOM?: boolean }): Buffer => {
  const name = canonical(encoding)
  if (name === null || (MULTI_BYTE.has(name) && !name.startsWith('utf-')))
    throw new Error(`Encoding not recognized: '${encoding}' (in the browser)`)
  const bom = options?.addBOM === true ? '\ufeff' : ''
  if (name === 'utf-8') return Buffer.from(new TextEncoder().encode(bom + text))
  // iconv-lite's "utf-16" writes little-endian with a BOM
  if (name === 'utf-16le')
    return Buffer.from(utf16((/^utf-?16$/i.test(encoding) && options?.addBOM !== false ? '\ufeff' : bom) + text, true))
  if (name === 'utf-16be') return Buffer.from(utf16(bom + text, false))
  const table = tableOf(name)
  const out = new Uint8Array(text.length)
  for (let i = 0; i < text.length; i++) out[i] = table.get(text.charCodeAt(i)) ?? 0x3f
  return Buffer.from(out)
}

const decode = (bytes: Uint8Array, encoding: string): string => new TextDecoder(encoding).decode(bytes)

const encodingExists = (encoding: string): boolean => {
  const name = canonical(encoding)
  return name !== null && (!MULTI_BYTE.has(name) || name.startsWith('utf-'))
}

const browserIconv = { encode, decode, encodingExists } as unknown as Iconv

/**
 * The encoder and decoder (the browser's own; nothing to load).
 * @example
 * iconv().encode('Я', 'windows-1251') // <Buffer df>
 * @category request
 * @since 0.3.0
 * @internal
 */
export const iconv = (): Iconv => browserIconv
