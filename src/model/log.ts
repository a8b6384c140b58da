/**
 * The step-by-step log that every Request, HttpResponse and ClientError carries.
 *
 * Builder steps are pure, so their entries carry no time (`at: null`); entries written while a
 * request runs carry the epoch milliseconds of `env.now()`.
 * @module
 */

/**
 * One line of the log.
 * @example
 * const e: LogEntry = { at: null, step: 'setJsonBody', message: 'body set' }
 * @category errors
 * @since 0.1.0
 */
export interface LogEntry {
  readonly at: number | null
  readonly step: string
  readonly message: string
}

/**
 * The log: entries in the order they were written.
 * @example
 * const log: Log = [{ at: null, step: 'initialize', message: 'request initialized' }]
 * @category errors
 * @since 0.1.0
 */
export type Log = ReadonlyArray<LogEntry>

/**
 * What a secret is written as in the log and in error messages.
 * @example
 * SECRET // '***'
 */
export const SECRET = '***'

/**
 * Appends entries to a log, returning a new log (pure: nothing is printed here; the executor
 * prints a run's lines with `HTTPIPE_DEBUG=1`).
 * @example
 * appendLog([], { at: null, step: 'setUrl', message: 'url set' }).length // 1
 */
export const appendLog = (log: Log, ...entries: ReadonlyArray<LogEntry>): Log =>
  entries.length === 0 ? log : [...log, ...entries]

/**
 * Prints entries to stderr as `[httpipe] <step>: <message>` (the executor's debug output).
 * @example
 * traceEntries([{ at: 0, step: 'executeRequest', message: 'sending GET …' }])
 */
export const traceEntries = (entries: ReadonlyArray<LogEntry>): void => {
  for (const e of entries) process.stderr.write(`[httpipe] ${renderEntry(e)}\n`)
}

const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g
const HAS_CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/
const ESCAPES: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' }

/**
 * A text with its control characters escaped (`\n`, `\r`, `\t`, `\u001b`, …), so that no value
 * can start a line of its own in a rendered log.
 * @example
 * escapeControls('a\r\nb') // 'a\\r\\nb'
 */
export const escapeControls = (text: string): string =>
  HAS_CONTROL.test(text)
    ? text.replace(CONTROL, (c) => ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    : text

/**
 * Renders one entry as `<step>: <message>`, control characters escaped: one entry is one line.
 * @example
 * renderEntry({ at: null, step: 'setJsonBody', message: 'body set' }) // 'setJsonBody: body set'
 */
export const renderEntry = (e: LogEntry): string => `${escapeControls(e.step)}: ${escapeControls(e.message)}`

/**
 * Anything that carries a log: a Request, a PreparedRequest, an HttpResponse or a ClientError.
 * @example
 * const x: HasLog = { log: [] }
 * @inline
 * @category errors
 * @since 0.1.0
 */
export interface HasLog {
  readonly log: Log
}

/**
 * The log of a Request, HttpResponse or ClientError, as entries or (with `asString`) as text,
 * one `<step>: <message>` line per entry.
 * @example
 * getLog(pipe(newRequest(), initialize('http://127.0.0.1/')), true) // 'initialize: request initialized with default settings\nsetUrl: URL set to http://127.0.0.1/'
 * getLog(pipe(newRequest(), initialize('http://127.0.0.1/')))[0]?.step // 'initialize'
 * @category errors
 * @since 0.1.0
 */
export function getLog(x: HasLog): Log
export function getLog(x: HasLog, asString: true): string
export function getLog(x: HasLog, asString: false): Log
export function getLog(x: HasLog, asString?: boolean): Log | string
export function getLog(x: HasLog, asString = false): Log | string {
  let log: Log = []
  try {
    if (x !== null && typeof x === 'object' && Array.isArray(x.log)) log = x.log
  } catch {
    /* an object whose log cannot be read (a Proxy, a getter that throws) has none */
  }
  return asString ? log.map(renderEntry).join('\n') : log
}
