/**
 * POSIX shell text: quoting a word so that the shell passes it on unchanged, and `printf`
 * commands that write any bytes exactly (NUL and invalid UTF-8 included), for rendering a
 * request as a curl command line.
 * @module
 */

const BARE = /^[A-Za-z0-9_@%+=:,./-]+$/

/**
 * A word quoted for a POSIX shell (sh, dash, bash, zsh): left bare when it has only characters
 * no shell treats specially, else in single quotes (inside which nothing is special; a single
 * quote is written `'\''`).
 * @example
 * shellQuote('a b') // "'a b'"
 * shellQuote("it's") // "'it'\\''s'"
 * shellQuote('/tmp/x.json') // '/tmp/x.json'
 * @category encoding
 * @since 0.3.0
 */
export const shellQuote = (word: string): string => (BARE.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`)

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })
// control characters but tab and newline, format characters (bidi overrides, zero-width), line separators
const UNSHOWN =
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]/

/**
 * The bytes as text that a shell word can carry and a terminal shows as it is: valid UTF-8
 * with no control character but tab and newline and no invisible formatting character (a
 * bidi override could make a command look other than it is); null otherwise.
 * @example
 * showableText(new TextEncoder().encode('{"a":1}')) // '{"a":1}'
 * showableText(new Uint8Array([0xff])) // null
 * @category encoding
 * @since 0.3.0
 */
export const showableText = (bytes: Uint8Array): string | null => {
  let text: string
  try {
    text = UTF8.decode(bytes)
  } catch {
    return null
  }
  return UNSHOWN.test(text) ? null : text
}

/** One byte in a printf format: printable ASCII as itself (but `%`, `\`, `'`), anything else as a 3-digit octal escape. */
const formatByte = (b: number): string =>
  b === 0x25
    ? '%%'
    : b === 0x5c
      ? '\\\\'
      : b >= 0x20 && b < 0x7f && b !== 0x27
        ? String.fromCharCode(b)
        : `\\${b.toString(8).padStart(3, '0')}`

/**
 * `printf` commands that together write exactly these bytes: the format is single-quoted and
 * uses only printable ASCII (other bytes are 3-digit octal escapes, which POSIX printf reads
 * back as the byte; so is a leading `-`, which printf would take for an option). Long data is cut into several commands of at most `chunk` bytes each, so
 * no single word grows past what a command line can hold.
 * @example
 * printfCommands(new Uint8Array([0x61, 0x00, 0x25])) // ["printf 'a\\000%%'"]
 * @category encoding
 * @since 0.3.0
 */
export const printfCommands = (bytes: Uint8Array, chunk = 16_384): ReadonlyArray<string> => {
  const size = Number.isInteger(chunk) && chunk > 0 ? chunk : 16_384
  const out: string[] = []
  for (let start = 0; start < bytes.byteLength; start += size) {
    let format = ''
    for (const b of bytes.subarray(start, start + size)) format += formatByte(b)
    // a format starting with - would be read as an option
    out.push(`printf '${format.startsWith('-') ? `\\055${format.slice(1)}` : format}'`)
  }
  return out
}
