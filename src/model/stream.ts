/**
 * The HttpStream value (a response whose body is read as it arrives) and the ServerSentEvent.
 * @module
 */
import type * as E from 'fp-ts/lib/Either.js'
import type { ClientError } from './errors.js'
import type { Log } from './log.js'
import type { HttpResponse, Timings } from './response.js'
import { isTagged } from './valid.js'

/**
 * A response whose body is read on demand: the fields of {@link HttpResponse} but the body,
 * plus `body`, the decoded bytes as they arrive, each a `Right`, ending after the first `Left`
 * (a broken connection, a limit). Reading it slowly slows the socket; leaving a `for await`
 * early (`break`, `return()`) releases the connection.
 *
 * The value is made when the final head arrives, so `timings.end` equals `timings.headers`
 * (and `total` is the time to the head): when the body ends is the reader's to see. `file` is
 * always `null`: a stream is read by its consumer, never saved to a file (pipe it into one with
 * `Readable.from` and `pipeline`).
 * @example
 * const s = await pipe(H.newRequest(), H.initialize(`${url}/drip?chunks=3&size=5`), H.streamRequest('GET'))()
 * let bytes = 0
 * if (E.isRight(s))
 *   for await (const chunk of s.right.body) {
 *     if (chunk._tag === 'Left') break // a ClientError; the stream ends after it
 *     bytes += chunk.right.byteLength
 *   }
 * bytes // 15
 * @category responses
 * @since 0.3.0
 */
export interface HttpStream extends Omit<HttpResponse, '_tag' | 'body' | 'file' | 'timings' | 'log'> {
  readonly _tag: 'HttpStream'
  /** the body's bytes, decoded (gzip, deflate, br), read as the consumer asks for them */
  readonly body: AsyncIterable<E.Either<ClientError, Uint8Array>>
  /** always `null`: a stream is never saved to a file */
  readonly file: null
  /** up to the head: `end` is `headers`, `total` is `headers - start` */
  readonly timings: Timings
  /** the log up to the head */
  readonly log: Log
}

/**
 * One event of a `text/event-stream` (the HTML standard's server-sent events), `data` decoded
 * with a codec when one was given.
 * @example
 * const e: ServerSentEvent = { event: 'message', data: 'hello', id: '7', retry: 3000 }
 * @category responses
 * @since 0.3.0
 */
export interface ServerSentEvent<A = string> {
  /** the event type: the last `event` field of the event, `message` when it had none (or an empty one) */
  readonly event: string
  /** the `data` lines joined with `\n` (JSON-parsed and decoded when a codec was given) */
  readonly data: A
  /**
   * the last event ID: the value of the last `id` field of this event's block or an earlier one
   * (a block without data counts too; an `id` holding NUL is ignored), `''` before any: what a
   * reconnection sends as `Last-Event-ID`
   */
  readonly id: string
  /** the reconnection time in ms, when the stream has set one with a `retry` field (the last one) */
  readonly retry?: number
}

/**
 * Whether a value is an HttpStream (readers check their input before reading it).
 * @example
 * isStream(res) // false for an HttpResponse
 */
export const isStream = (x: unknown): x is HttpStream => {
  if (!isTagged<HttpStream>('HttpStream')(x)) return false
  try {
    const body = x.body as unknown
    return (
      typeof body === 'object' &&
      body !== null &&
      typeof (body as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function'
    )
  } catch {
    return false
  }
}

/**
 * The head of a stream as an HttpResponse with an empty body: what an error raised while the
 * stream is read (a `ParseError`, a `StatusError`) carries as its `response`.
 * @example
 * streamHead(stream).body.length // 0
 */
export const streamHead = (stream: HttpStream): HttpResponse => ({
  _tag: 'HttpResponse',
  status: stream.status,
  statusText: stream.statusText,
  headers: stream.headers,
  rawHeaders: stream.rawHeaders,
  url: stream.url,
  body: new Uint8Array(0),
  file: null,
  redirects: stream.redirects,
  attempts: stream.attempts,
  timings: stream.timings,
  log: stream.log,
})
