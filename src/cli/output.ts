/**
 * What the command line prints: the body (pretty, coloured JSON on a terminal, the bytes as
 * they came otherwise), the status line and headers, and when to use colour (a terminal, and
 * never with `NO_COLOR`).
 * @module
 */

import { styleText } from 'node:util'

type Style = 'bold' | 'dim' | 'red' | 'green' | 'yellow' | 'blue' | 'magenta' | 'cyan'
// Node 22.13+ checks by default that process.stdout is a terminal and NO_COLOR unset; the
// command decides that itself for the stream it writes to (useColour), so the check is off
const style = styleText as (format: Style, text: string, options?: { readonly validateStream?: boolean }) => string

/**
 * The ANSI styles used (Node's own `util.styleText`), or none.
 * @example
 * paint(true).green('ok') // '\u001b[32mok\u001b[39m'
 * @category cli
 * @since 0.3.0
 */
export const paint = (on: boolean) => {
  const as =
    (format: Style) =>
    (s: string): string =>
      on ? style(format, s, { validateStream: false }) : s
  return {
    bold: as('bold'),
    dim: as('dim'),
    red: as('red'),
    green: as('green'),
    yellow: as('yellow'),
    blue: as('blue'),
    magenta: as('magenta'),
    cyan: as('cyan'),
  }
}

/**
 * Whether to colour what is written to a stream: only a terminal, and never when `NO_COLOR`
 * is set to a non-empty value (no-color.org).
 * @example
 * useColour(process.stdout, process.env) // true on a terminal without NO_COLOR
 * @category cli
 * @since 0.3.0
 */
export const useColour = (
  stream: { readonly isTTY?: boolean },
  env: Readonly<Record<string, string | undefined>>,
): boolean => stream.isTTY === true && (env['NO_COLOR'] ?? '') === ''

/**
 * JSON text indented by two spaces, coloured when asked (keys blue, strings green, numbers
 * yellow, `true`/`false`/`null` magenta). The text is re-laid out token by token, never parsed
 * into numbers, so no digit of a large number is lost; control characters in strings are
 * written as `\u` escapes (the same JSON, safe on a terminal). The caller checks that it is JSON.
 * @example
 * prettyJson('{"a":[1,2]}', false) // '{\n  "a": [\n    1,\n    2\n  ]\n}'
 * @category cli
 * @since 0.3.0
 */
export const prettyJson = (text: string, colour: boolean): string => {
  const c = paint(colour)
  const token = /"(?:[^"\\]|\\.)*"|[{}[\]:,]|true|false|null|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/gy
  const tokens: string[] = []
  for (let i = 0; i < text.length;) {
    if (/\s/.test(text[i] ?? '')) {
      i += 1
      continue
    }
    token.lastIndex = i
    const m = token.exec(text)
    if (m === null) return text // not JSON after all: as it came
    tokens.push(m[0])
    i = token.lastIndex
  }
  let out = ''
  let depth = 0
  const newline = (): string => `\n${'  '.repeat(depth)}`
  for (const [i, t] of tokens.entries()) {
    const next = tokens[i + 1]
    if (t === '{' || t === '[') {
      const empty = next === (t === '{' ? '}' : ']')
      depth += 1
      out += t + (empty ? '' : newline())
    } else if (t === '}' || t === ']') {
      depth -= 1
      out += (tokens[i - 1] === (t === '}' ? '{' : '[') ? '' : newline()) + t
    } else if (t === ',') out += `,${newline()}`
    else if (t === ':') out += ': '
    else if (t.startsWith('"')) out += next === ':' ? c.blue(escapeControls(t)) : c.green(escapeControls(t))
    else if (t === 'true' || t === 'false' || t === 'null') out += c.magenta(t)
    else out += c.yellow(t)
  }
  return out
}

// in a JSON string, as JSON escapes: C1 controls, which JSON.stringify leaves raw and a terminal would act on
const escapeControls = (s: string): string =>
  s.replace(/[\u0000-\u001f\u007f-\u009f]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`)

const UTF8 = new TextDecoder('utf-8', { fatal: true })
// control characters a terminal would act on (escape sequences, bell, backspace, C1 such as CSI and OSC…); tab, LF and CR are text
const TERMINAL_CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/

// C0 but TAB, DEL and C1: what visible() writes as \xNN
const NOT_VISIBLE = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/
const NOT_VISIBLE_ALL = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/g

/**
 * A text safe to print on a terminal as one line: every control character (C0 but TAB, DEL
 * and C1) written as `\xNN`. What the command prints that came from the server other than the
 * body (the reason phrase, header names and values, the URL reached by redirects) and every
 * message it prints goes through it, so an escape sequence (colours, a window title, an OSC 52
 * clipboard write) shows as text, and a CR or LF cannot start a line that looks like the
 * command's own.
 * @example
 * visible('Not Found\u001b]52;c;aGk=\u0007') // 'Not Found\\x1b]52;c;aGk=\\x07'
 * @category cli
 * @since 0.3.0
 */
export const visible = (text: string): string =>
  NOT_VISIBLE.test(text)
    ? text.replace(NOT_VISIBLE_ALL, (ch) => `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`)
    : text

/**
 * The line `--fail` writes on stderr for a status of 400 or above: the status and the server's
 * reason phrase, made {@link visible}.
 * @example
 * failLine(404, 'Not Found\u001b[2J') // 'httpipe: HTTP 404 Not Found\\x1b[2J\n'
 * @category cli
 * @since 0.3.0
 */
export const failLine = (status: number, statusText: string): string =>
  `${`httpipe: HTTP ${status} ${visible(statusText)}`.trimEnd()}\n`

/**
 * A message of the command (a ClientError's, a usage error's) as it is written on stderr: the
 * `httpipe:` prefix, the text made {@link visible} (a message may quote a URL, a header or a
 * template's text).
 * @example
 * messageLine('executeRequest: GET http://h/ failed') // 'httpipe: executeRequest: GET http://h/ failed\n'
 * @category cli
 * @since 0.3.0
 */
export const messageLine = (message: string): string => `httpipe: ${visible(message)}\n`

const isJsonType = (contentType: string | undefined): boolean =>
  /^application\/(?:[\w.+-]+\+)?json\b|^text\/json\b/i.test(contentType ?? '')

const isJson = (text: string): boolean => {
  try {
    JSON.parse(text)
    return true
  } catch {
    return false
  }
}

/**
 * What to write to stdout for a body: the bytes as they came when stdout is not a terminal or
 * `raw` is asked for; on a terminal pretty JSON (coloured when `colour`) for a JSON body, the
 * text for a text body, and nothing for a body a terminal cannot show (with the reason).
 * @example
 * bodyOutput(bytes, 'application/json', { terminal: true, raw: false, colour: true }) // { data: '{\n  "a": 1\n}\n', note: null }
 * @category cli
 * @since 0.3.0
 */
export const bodyOutput = (
  body: Uint8Array,
  contentType: string | undefined,
  o: { readonly terminal: boolean; readonly raw: boolean; readonly colour: boolean },
): { readonly data: Uint8Array | string; readonly note: string | null } => {
  if (!o.terminal || o.raw || body.byteLength === 0) return { data: body, note: null }
  let decoded: string | null = null
  try {
    decoded = UTF8.decode(body)
  } catch {
    /* not UTF-8: binary */
  }
  if (decoded !== null && isJsonType(contentType) && isJson(decoded))
    return { data: `${prettyJson(decoded, o.colour)}\n`, note: null }
  const text = decoded !== null && !TERMINAL_CONTROL.test(decoded) ? decoded : null
  if (text === null)
    return {
      data: '',
      note: `the body (${body.byteLength} bytes) is binary or holds terminal control characters: not written to the terminal (use --out FILE, a pipe, or --raw)`,
    }
  return { data: text.endsWith('\n') ? text : `${text}\n`, note: null }
}

/**
 * The status line and headers as `-v` shows them on stderr, with the HTTP version the answer
 * came over when the transport told it (`HTTP/1.1 200 OK`).
 * @example
 * statusAndHeaders({ status: 200, statusText: 'OK', rawHeaders: [['Content-Type', 'text/plain']], url: 'http://h/', redirects: 0, httpVersion: '1.1' }, false) // 'HTTP/1.1 200 OK\nContent-Type: text/plain\n\n'
 * @category cli
 * @since 0.3.0
 */
export const statusAndHeaders = (
  res: {
    readonly status: number
    readonly statusText: string
    readonly rawHeaders: ReadonlyArray<readonly [string, string]>
    readonly url: string
    readonly redirects: number
    readonly httpVersion?: string
  },
  colour: boolean,
): string => {
  const c = paint(colour)
  const tint = res.status >= 400 ? c.red : res.status >= 300 ? c.yellow : c.green
  const moved =
    res.redirects > 0
      ? c.dim(`  (${visible(res.url)} after ${res.redirects} redirect${res.redirects === 1 ? '' : 's'})`)
      : ''
  const lines = [
    c.bold(
      tint(
        `HTTP${res.httpVersion === undefined ? '' : `/${res.httpVersion}`} ${res.status} ${visible(res.statusText)}`.trimEnd(),
      ),
    ) + moved,
    ...res.rawHeaders.map(([n, v]) => `${c.cyan(visible(n))}: ${visible(v)}`),
  ]
  return `${lines.join('\n')}\n\n`
}
