/**
 * A body printed as it arrives: a `text/event-stream` or NDJSON answer always, any answer with
 * `--stream`. Piped (or with `--raw`) the bytes are written as they come, chunk by chunk; on a
 * terminal an event stream is shown as `event:` / `id:` / `data:` blocks and NDJSON as one
 * pretty JSON value per line, made safe as the whole-body output is.
 * @module
 */
import type * as E from 'fp-ts/lib/Either.js'
import type { ClientError } from '../model/errors.js'
import type { LogEntry } from '../model/log.js'
import type { HttpStream } from '../model/stream.js'
import type { Lib } from './flag.js'
import { paint, prettyJson } from './output.js'

/**
 * What a Content-Type says about printing the body as it arrives: `'events'` for
 * `text/event-stream`, `'lines'` for NDJSON (`application/x-ndjson`, `application/ndjson`,
 * `application/jsonl`, `application/x-jsonlines`), `null` for a body read whole.
 * @example
 * streamingKind('text/event-stream; charset=utf-8') // 'events'
 * streamingKind('application/json') // null
 * @category cli
 * @since 0.3.0
 */
export const streamingKind = (contentType: string | undefined): 'events' | 'lines' | null => {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? ''
  if (type === 'text/event-stream') return 'events'
  return NDJSON_TYPES.includes(type) ? 'lines' : null
}

const NDJSON_TYPES = ['application/x-ndjson', 'application/ndjson', 'application/jsonl', 'application/x-jsonlines']

/**
 * The media types printed as they arrive without `--stream`: the event stream and NDJSON's.
 * @example
 * STREAMED_TYPES.includes('text/event-stream') // true
 * @category cli
 * @since 0.3.0
 */
export const STREAMED_TYPES: ReadonlyArray<string> = ['text/event-stream', ...NDJSON_TYPES]

/**
 * Writes to a stream and waits until it is handed on: `false` when the stream refused it (a
 * reader that closed the pipe, `EPIPE`).
 * @example
 * if (!(await writeOrClosed(process.stdout, 'data: 1\n'))) return // nobody reads any more
 * @category cli
 * @since 0.3.0
 */
export const writeOrClosed = (stream: NodeJS.WritableStream, data: string | Uint8Array): Promise<boolean> =>
  new Promise((resolve) => {
    if (data.length === 0) return resolve(true)
    try {
      stream.write(data, (e) => resolve(e === null || e === undefined))
    } catch {
      resolve(false)
    }
  })

// control characters a terminal would act on (not TAB, LF, CR), written as \xNN
const TERMINAL_CONTROL_ALL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g
const shown = (text: string): string =>
  text.replace(TERMINAL_CONTROL_ALL, (ch) => `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`)
// one line: CR and LF too
const shownLine = (text: string): string => shown(text).replace(/[\r\n]/g, (ch) => (ch === '\r' ? '\\x0d' : '\\x0a'))

/**
 * How a stream ended: its first Left (`error`), the bytes of the body read, whether stdout was
 * closed by its reader (`closed`: the rest was not read) and a note for stderr (a binary body
 * not written to a terminal).
 * @example
 * const ended: Ended = { error: null, bytes: 42, closed: false, note: null }
 * @category cli
 * @since 0.3.0
 */
export interface Ended {
  readonly error: ClientError | null
  readonly bytes: number
  readonly closed: boolean
  readonly note: string | null
}

/** The stream with its body counted into `count` as it is read. */
const counted = (stream: HttpStream, count: { bytes: number }): HttpStream => ({
  ...stream,
  body: {
    async *[Symbol.asyncIterator]() {
      for await (const chunk of stream.body) {
        if (chunk._tag === 'Right') count.bytes += chunk.right.byteLength
        yield chunk
      }
    },
  },
})

/** Each item of `items` written as `show` makes it, until a Left, the end, or a closed stdout. */
const each = async <A>(
  items: AsyncIterable<E.Either<ClientError, A>>,
  show: (a: A) => string | Uint8Array | null,
  out: NodeJS.WritableStream,
  count: { bytes: number },
  last?: () => string,
): Promise<Ended> => {
  for await (const item of items) {
    if (item._tag === 'Left') return { error: item.left, bytes: count.bytes, closed: false, note: null }
    const data = show(item.right)
    // leaving the loop drops the connection: nothing more is read once the reader has gone
    if (data === null) return { error: null, bytes: count.bytes, closed: false, note: BINARY }
    if (!(await writeOrClosed(out, data))) return { error: null, bytes: count.bytes, closed: true, note: null }
  }
  const closed = last !== undefined && !(await writeOrClosed(out, last()))
  return { error: null, bytes: count.bytes, closed, note: null }
}

const BINARY = 'the body is binary: the rest is not written to the terminal (use --out FILE, a pipe, or --raw)'

/** An event as a block: `event:` (when not `message`), `id:` (when set), a `data:` line per data line, a blank line. */
const eventBlock =
  (colour: boolean) =>
  (e: { readonly event: string; readonly data: string; readonly id: string }): string => {
    const c = paint(colour)
    const field = (name: string, value: string): string => `${c.cyan(name)}: ${shownLine(value)}\n`
    return [
      e.event === 'message' ? '' : field('event', e.event),
      e.id === '' ? '' : field('id', e.id),
      ...e.data.split('\n').map((line) => field('data', line)),
      '\n',
    ].join('')
  }

/** The longest NDJSON line laid out as JSON on a terminal; a longer one is shown as text as it comes. */
const PRETTY_LINE_CHARS = 1024 * 1024

/**
 * NDJSON lines as they complete: each pretty JSON (a line that is not JSON shown as text),
 * blank lines skipped; a line past {@link PRETTY_LINE_CHARS} is shown as text as it comes, so
 * a line without end holds no memory.
 */
const jsonLines = (colour: boolean) => {
  const text = new TextDecoder('utf-8')
  let pending = ''
  let spilled = false
  const line = (l: string): string => {
    const s = l.endsWith('\r') ? l.slice(0, -1) : l
    if (spilled) return `${shownLine(s)}\n`
    if (s.trim() === '') return ''
    try {
      JSON.parse(s)
    } catch {
      return `${shownLine(s)}\n`
    }
    return `${prettyJson(s, colour)}\n`
  }
  const lines = (all: ReadonlyArray<string>): string =>
    all
      .map((l) => {
        const out = line(l)
        spilled = false
        return out
      })
      .join('')
  return {
    push: (chunk: Uint8Array): string => {
      const all = (pending + text.decode(chunk, { stream: true })).split('\n')
      pending = all.pop() ?? ''
      const done = lines(all)
      if (pending.length <= PRETTY_LINE_CHARS) return done
      const spill = shownLine(pending)
      pending = ''
      spilled = true
      return done + spill
    },
    end: (): string => {
      const rest = pending + text.decode()
      return rest === '' ? (spilled ? '\n' : '') : line(rest)
    },
  }
}

/** Text as it arrives, control characters shown as `\xNN`; null once it is not UTF-8 (binary). */
const textChunks = () => {
  const text = new TextDecoder('utf-8', { fatal: true })
  let endsLine = true
  return {
    push: (chunk: Uint8Array): string | null => {
      let s: string
      try {
        s = text.decode(chunk, { stream: true })
      } catch {
        return null
      }
      if (s.length > 0) endsLine = s.endsWith('\n')
      return shown(s)
    },
    end: (): string => (endsLine ? '' : '\n'),
  }
}

/**
 * Prints a stream's body on `out` as it arrives and tells how it ended. `kind` is what its
 * Content-Type says (`streamingKind`), or `'bytes'` for `--stream` of any other body. Not on
 * a terminal, or with `raw`, the bytes are written as they come; on a terminal an event
 * stream is written as blocks of `event:`, `id:` and `data:` lines (read with `asEventStream`),
 * NDJSON as one pretty JSON value per line, and other text with its control characters shown
 * as `\xNN` (a body that is not UTF-8 stops with a note). Each item is handed to `out` before
 * the next is read; when `out` refuses a write (its reader closed the pipe) the stream is left,
 * which drops the connection.
 * @example
 * const ended = await printStream(H, stream, 'events', { terminal: false, raw: false, colour: false }, process.stdout)
 * @category cli
 * @since 0.3.0
 */
export const printStream = async (
  H: Lib,
  stream: HttpStream,
  kind: 'events' | 'lines' | 'bytes',
  o: { readonly terminal: boolean; readonly raw: boolean; readonly colour: boolean },
  out: NodeJS.WritableStream,
): Promise<Ended> => {
  const count = { bytes: 0 }
  const body = counted(stream, count)
  if (!o.terminal || o.raw) return each(body.body, (b) => b, out, count)
  if (kind === 'events') return each(H.asEventStream()(body), eventBlock(o.colour), out, count)
  const read = kind === 'lines' ? jsonLines(o.colour) : textChunks()
  return each(body.body, read.push, out, count, read.end)
}

/**
 * A line the command adds to the run's log about the body it read, as processRequest's own
 * (`executeRequest: body read, 42 bytes`).
 * @example
 * bodyEntry('body read, 42 bytes') // { at: 1765141200000, step: 'executeRequest', message: 'body read, 42 bytes' }
 * @category cli
 * @since 0.3.0
 */
export const bodyEntry = (message: string): LogEntry => ({ at: Date.now(), step: 'executeRequest', message })
