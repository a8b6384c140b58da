/**
 * Reading a stream as server-sent events (the HTML standard's `text/event-stream`), parsed by
 * `eventsource-parser` as the bytes arrive.
 * @module
 */
import type { EventSourceMessage, ParseError as SseParseError } from 'eventsource-parser'
import * as E from 'fp-ts/lib/Either.js'
import type * as t from 'io-ts'
import { eventsourceParser } from './sse-parser.js'
import { responseTooLarge, transportError, type ClientError } from '../model/errors.js'
import type { HttpResponse } from '../model/response.js'
import { DEFAULT_MAX_MEMORY_BYTES } from '../model/settings.js'
import { streamHead, type HttpStream, type ServerSentEvent } from '../model/stream.js'
import { decodeBody } from './readers.js'
import { codecProblem, decodeStream, parseJsonText, type Decoded, type IncrementalDecoder } from './stream-body.js'

/**
 * The most text one event may buffer, in characters: its unfinished line and its `data` so far
 * (100 Mi, as {@link DEFAULT_MAX_MEMORY_BYTES}). An event whose `data` is longer, or a line
 * still unfinished past it, is a `ResponseTooLarge`, so a stream cannot grow memory without end.
 * @example
 * MAX_EVENT_CHARS // 104857600
 * @category responses
 * @since 0.3.0
 */
export const MAX_EVENT_CHARS = DEFAULT_MAX_MEMORY_BYTES

/**
 * Where an event stream stands: the last event ID (`''` before any `id` field) and the
 * reconnection time its `retry` fields set (undefined before any): what a reconnection sends as
 * `Last-Event-ID` and waits.
 * @example
 * const s: EventStreamState = { lastEventId: '7', retry: 3000 }
 */
export interface EventStreamState {
  readonly lastEventId: string
  readonly retry: number | undefined
}

/**
 * An incremental event-stream decoder that also tells where the stream stands (for a
 * reconnection).
 * @example
 * const d = eventStreamDecoder('streamEvents', undefined, head, { lastEventId: '7', retry: 3000 })
 * d.state() // { lastEventId: '7', retry: 3000 }
 */
export interface EventStreamDecoder<A> extends IncrementalDecoder<ServerSentEvent<A>> {
  readonly state: () => EventStreamState
}

/**
 * The incremental event-stream decoder of reader `step`: bytes in (UTF-8, a leading byte order
 * mark dropped, an invalid sequence read as U+FFFD as the standard says), events out. `start`
 * carries a former connection's state over (the last event ID and `retry` persist across
 * reconnections). With a codec, each event's `data` is parsed as JSON (a `ParseError` naming
 * the event's number, counted from 1 on this connection) and decoded (a `DecodeError`).
 * An unfinished event at the end of the body is dropped, as the standard says.
 * @example
 * const d = eventStreamDecoder('asEventStream', undefined, streamHead(stream))
 * d.push(new TextEncoder().encode('id: 1\ndata: hi\n\n')) // { items: [{ event: 'message', data: 'hi', id: '1' }], error: null }
 */
export const eventStreamDecoder = <A = string>(
  step: string,
  codec: t.Decoder<unknown, A> | undefined,
  head: HttpResponse,
  start: Partial<EventStreamState> = {},
  maxChars: number = MAX_EVENT_CHARS,
): EventStreamDecoder<A> => {
  let lastEventId = typeof start.lastEventId === 'string' ? start.lastEventId : ''
  let retry = typeof start.retry === 'number' ? start.retry : undefined
  let count = 0
  let items: ServerSentEvent<A>[] = []
  let error: ClientError | null = null
  const text = new TextDecoder('utf-8')

  const tooLarge = (): ClientError =>
    responseTooLarge(`${step}: event ${count + 1} is longer than ${maxChars} characters`, maxChars, head.log)

  const dataOf = (data: string): E.Either<ClientError, A> => {
    if (codec === undefined) return E.right(data as A)
    const json = parseJsonText(step, `the data of event ${count}`, data, head)
    if (E.isLeft(json)) return json
    return decodeBody(step, `the data of event ${count}`, codec, json.right, head)
  }

  const onEvent = (message: EventSourceMessage): void => {
    if (error !== null) return
    if (message.data.length > maxChars) return void (error = tooLarge())
    count += 1
    if (blockId !== undefined) lastEventId = blockId
    const data = dataOf(message.data)
    if (E.isLeft(data)) return void (error = data.left)
    const event = message.event === undefined || message.event === '' ? 'message' : message.event
    items.push(
      retry === undefined
        ? { event, data: data.right, id: lastEventId }
        : { event, data: data.right, id: lastEventId, retry },
    )
  }
  const onRetry = (ms: number): void => {
    if (error === null && Number.isSafeInteger(ms)) retry = ms
  }
  // unknown fields and a retry that is not digits are ignored, as the standard says
  const onError = (e: SseParseError): void => {
    if (error === null && e.type === 'max-buffer-size-exceeded') error = tooLarge()
  }
  const lib = eventsourceParser()
  // a stream read without its parser ends at once in a TransportError (TRANSPORT_UNAVAILABLE)
  if (E.isLeft(lib))
    error = transportError(
      `${step}: cannot read server-sent events: the eventsource-parser package cannot be loaded: ${lib.left}`,
      'TRANSPORT_UNAVAILABLE',
      head.log,
    )
  const parser = E.isRight(lib) ? lib.right.createParser({ onEvent, onRetry, onError, maxBufferSize: maxChars }) : null

  // The id field of the block being read (what the standard calls the last event ID buffer is
  // committed when the block ends, with or without an event: eventsource-parser drops the id of
  // a block without data, so the lines are watched here for it), and the line read so far while
  // it may be an id field (null once it cannot).
  let blockId: string | undefined
  // the line so far, kept in pieces (joined once, at its end) only while it may be an id field:
  // whether it may is decided by its first three characters, never by the whole line again
  let lineHead = ''
  let parts: string[] | null = []
  const watch = (complete: string): void => {
    if (complete === '') {
      if (blockId !== undefined) lastEventId = blockId
      blockId = undefined
    } else if (complete === 'id' || complete.startsWith('id:')) {
      const value = complete.slice(complete.charCodeAt(3) === 0x20 ? 4 : 3)
      if (!value.includes('\0')) blockId = value
    }
  }
  const feedLines = (s: string): void => {
    let from = 0
    while (error === null && from < s.length) {
      const lf = s.indexOf('\n', from)
      const piece = s.slice(from, lf < 0 ? s.length : lf + 1)
      parser?.feed(piece)
      if (lf < 0) {
        if (parts !== null) {
          if (lineHead.length < 3) lineHead = (lineHead + piece).slice(0, 3)
          if (lineHead === 'id:' || 'id:'.startsWith(lineHead)) parts.push(piece)
          else parts = null
        }
        return
      }
      if (parts !== null) watch(parts.join('') + piece.slice(0, -1))
      lineHead = ''
      parts = []
      from = lf + 1
    }
  }

  // Line ends are made LF before the parser sees them (CR, LF and CRLF all end a line; no value
  // holds CR or LF), and a final CR is held until the next piece tells whether an LF follows:
  // eventsource-parser holds a CR that ends a piece with the text after it until a line break
  // comes, so it would not dispatch an event ended by CR before the next line, nor at the end.
  let heldCR = false
  const feed = (piece: string, last: boolean): Decoded<ServerSentEvent<A>> => {
    let s = heldCR ? `\r${piece}` : piece
    heldCR = !last && s.charCodeAt(s.length - 1) === 0x0d
    if (heldCR) s = s.slice(0, -1)
    if (s.includes('\r')) s = s.replace(/\r\n?/g, '\n')
    if (error === null) feedLines(s)
    const out = { items, error }
    items = []
    return out
  }

  return {
    push: (chunk) => feed(text.decode(chunk, { stream: true }), false),
    end: () => feed(text.decode(), true),
    state: () => ({ lastEventId, retry }),
  }
}

/**
 * Reads a stream as server-sent events, the HTML standard's `text/event-stream` format (UTF-8,
 * a byte order mark, CR, LF or CRLF line ends, `data` lines joined with `\n`, `event`
 * defaulting to `message`, `id`, `retry`, comments and unknown fields ignored), each event as
 * it arrives. With a codec, `data` is parsed as JSON and decoded: a bad one is a `ParseError`
 * or `DecodeError` naming the event's number. An event longer than 100 Mi characters
 * is a `ResponseTooLarge`. A Left of the body is passed on; the
 * iterable ends after its first Left, and leaving the loop early releases the connection.
 * Never throws nor rejects. (`streamEvents` adds the reconnections.)
 * @example
 * const s = await pipe(H.newRequest(), H.initialize(`${url}/events?count=2`), H.streamRequest('GET'))()
 * if (E.isRight(s)) for await (const e of H.asEventStream(t.type({ n: t.number }))(s.right)) {
 *   if (e._tag === 'Left') break
 *   console.log(e.right.data.n) // e.right.event, e.right.id, e.right.retry
 * }
 * @category responses
 * @since 0.3.0
 */
export function asEventStream(): (stream: HttpStream) => AsyncIterable<E.Either<ClientError, ServerSentEvent>>
export function asEventStream<A>(
  codec: t.Decoder<unknown, A>,
): (stream: HttpStream) => AsyncIterable<E.Either<ClientError, ServerSentEvent<A>>>
export function asEventStream<A>(
  codec?: t.Decoder<unknown, A>,
): (stream: HttpStream) => AsyncIterable<E.Either<ClientError, ServerSentEvent<unknown>>> {
  return (stream) =>
    decodeStream('asEventStream', stream, (s) => {
      const problem = codecProblem('asEventStream', codec, s)
      return problem === null ? E.right(eventStreamDecoder('asEventStream', codec, streamHead(s))) : E.left(problem)
    })
}
