/**
 * `streamEvents`: server-sent events over as many connections as it takes, as an `EventSource`
 * reads them (the HTML standard's reconnection, with the last event ID and `retry` kept).
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import type * as t from 'io-ts'
import { showValue } from '../encoding/json.js'
import { redactUrl } from '../encoding/redact.js'
import { envProblem, type Env, type ResolvedEnv } from '../execute/env.js'
import { invalidInput, statusError, transportError, type ClientError } from '../model/errors.js'
import { dropHeaders, findHeader, putHeader } from '../model/headers.js'
import { appendLog, traceEntries, type LogEntry } from '../model/log.js'
import type { Request } from '../model/request.js'
import { streamHead, type HttpStream, type ServerSentEvent } from '../model/stream.js'
import { isFieldValue } from '../model/valid.js'
import { eventStreamDecoder, type EventStreamState } from '../read/event-stream.js'
import { decodeStream, shortText } from '../read/stream-body.js'
import { change, makeStep } from '../steps/step.js'
import { logOf, resolveClientEnv, unexpected } from './process.js'
import { streamRequest } from './stream.js'

/**
 * Options of {@link streamEvents}; all optional:
 * - `codec`: an io-ts decoder for each event's `data`, parsed as JSON first (as `asEventStream`);
 * - `maxReconnects`: the most reconnections in a row without an event in between, a whole
 *   number ≥ 0 or `Infinity` (default 10);
 * - `env`: as for `processRequest`, resolved once for every connection (`env.sleep` waits
 *   before a reconnection, `env.signal` stops it all).
 * @example
 * const options: StreamEventsOptions<{ n: number }> = { codec: t.type({ n: t.number }), maxReconnects: 3 }
 * @category running
 * @since 0.3.0
 */
export interface StreamEventsOptions<A = string> {
  readonly codec?: t.Decoder<unknown, A>
  readonly maxReconnects?: number
  readonly env?: Env
}

const STEP = 'streamEvents'
const DEFAULT_RETRY_MS = 3000
const DEFAULT_MAX_RECONNECTS = 10
/** The longest wait a timer can make (a longer `retry` would fire at once). */
const MAX_WAIT_MS = 2_147_483_647
const KEYS: ReadonlySet<string> = new Set(['codec', 'maxReconnects', 'env'])

type Result = E.Either<ClientError, ServerSentEvent<unknown>>

interface Plan {
  readonly codec: t.Decoder<unknown, unknown> | undefined
  readonly maxReconnects: number
  readonly env: Env | undefined
}

const shown = (v: unknown): string => {
  const text = typeof v === 'string' ? JSON.stringify(v) : showValue(v)
  return text.length > 60 ? `${text.slice(0, 59)}…` : text
}

/** The options read once (a Left names the option that is wrong). */
const readOptions = (options: unknown): E.Either<string, Plan> => {
  if (options === undefined) return E.right({ codec: undefined, maxReconnects: DEFAULT_MAX_RECONNECTS, env: undefined })
  if (typeof options !== 'object' || options === null || Array.isArray(options))
    return E.left(`the options must be an object { codec?, maxReconnects?, env? }, not ${shown(options)}`)
  const unknownKey = Object.keys(options).find((k) => !KEYS.has(k))
  if (unknownKey !== undefined)
    return E.left(`unknown option ${JSON.stringify(unknownKey)} (the options are codec, maxReconnects and env)`)
  const { codec, maxReconnects = DEFAULT_MAX_RECONNECTS, env } = options as Record<string, unknown>
  if (codec !== undefined && typeof (codec as { decode?: unknown } | null)?.decode !== 'function')
    return E.left('the codec has no decode function')
  if (
    typeof maxReconnects !== 'number' ||
    !(maxReconnects === Infinity || (Number.isInteger(maxReconnects) && maxReconnects >= 0))
  )
    return E.left(`maxReconnects must be a whole number ≥ 0 or Infinity, not ${shown(maxReconnects)}`)
  const envWrong = envProblem(env)
  if (envWrong !== null) return E.left(envWrong)
  return E.right({ codec: codec as Plan['codec'], maxReconnects, env: env as Env | undefined })
}

/** `env.signal` has aborted (a signal that cannot be read counts as aborted). */
const aborted = (env: ResolvedEnv): boolean => {
  try {
    return env.signal?.aborted === true
  } catch {
    return true
  }
}

const entry = (env: ResolvedEnv, message: string): LogEntry => {
  let at: number | null = null
  try {
    at = env.now()
  } catch {
    // a clock that throws leaves the entry without a time
  }
  const line = { at, step: STEP, message }
  if (env.debug) traceEntries([line])
  return line
}

/** The request asking for an event stream: `Accept: text/event-stream`, replacing any Accept. */
const asking = makeStep(STEP, (req) =>
  change({ headers: putHeader(req.headers, 'Accept', 'text/event-stream') }, 'Accept: text/event-stream'),
)

/**
 * The `Last-Event-ID` value of an ID: its UTF-8 bytes, one character each (as the standard
 * says and as transports send header text), or null for one a header cannot carry (controls).
 */
const headerValueOf = (id: string): string | null => {
  const bytes = new TextEncoder().encode(id)
  let value = ''
  for (let at = 0; at < bytes.length; at += 8192) value += String.fromCharCode(...bytes.subarray(at, at + 8192))
  return isFieldValue(value) ? value : null
}

/** The request of a reconnection: `Last-Event-ID` set to the last ID (none when it is empty), one log line more. */
const reconnecting = (base: Request, lastEventId: string, line: LogEntry): Request => {
  const value = lastEventId === '' ? null : headerValueOf(lastEventId)
  const headers = dropHeaders(base.headers, ['Last-Event-ID'])
  return {
    ...base,
    headers: value === null ? headers : putHeader(headers, 'Last-Event-ID', value),
    log: appendLog(base.log, line),
  }
}

/**
 * Whether a connection that failed this way is made again (a refused or broken connection, a
 * timeout; not a transport or a parser that cannot be loaded, TRANSPORT_UNAVAILABLE).
 */
const transient = (e: ClientError): boolean =>
  (e._tag === 'TransportError' && e.cause !== 'ABORTED' && e.cause !== 'TRANSPORT_UNAVAILABLE') ||
  (e._tag === 'Timeout' && e.limit !== 'deadline')

const why = (e: ClientError): string =>
  e._tag === 'TransportError'
    ? e.cause === 'ENDED'
      ? 'the stream ended'
      : `TransportError ${e.cause}`
    : `${e._tag}${e._tag === 'Timeout' ? ` (${e.limit})` : ''}`

/** Asks a body to stop (releasing its connection), never throwing nor waiting on it. */
const release = (stream: HttpStream): void => {
  try {
    void Promise.resolve(stream.body[Symbol.asyncIterator]().return?.()).catch(() => undefined)
  } catch {
    // nothing more to release
  }
}

/** A non-2xx answer as `ensureStatus` makes it: a `StatusError` carrying the response, body read whole. */
const statusFailure = async (stream: HttpStream): Promise<ClientError> => {
  const chunks: Uint8Array[] = []
  try {
    for await (const chunk of stream.body) {
      if (E.isLeft(chunk)) break
      chunks.push(chunk.right)
    }
  } catch {
    // the body read so far
  }
  const body = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0))
  chunks.reduce((at, c) => (body.set(c, at), at + c.length), 0)
  const res = { ...streamHead(stream), body }
  return statusError(`${STEP}: unexpected status ${res.status} ${res.statusText} from ${redactUrl(res.url)}`, res)
}

/** An answer that is not an event stream: a `ParseError` carrying its head (its body dropped unread). */
const typeFailure = (stream: HttpStream): ClientError | null => {
  const type = stream.headers['content-type']
  if (type?.split(';')[0]?.trim().toLowerCase() === 'text/event-stream') return null
  release(stream)
  const message = `${STEP}: the answer is ${type === undefined ? 'without a Content-Type' : shortText(type)}, not text/event-stream`
  return { _tag: 'ParseError', message, log: stream.log, response: streamHead(stream) }
}

async function* connections(plan: Plan, req: Request): AsyncGenerator<Result, void, undefined> {
  const env = resolveClientEnv(plan.env)
  const base = asking(req)
  const given = findHeader(base.headers, 'Last-Event-ID')
  let state: EventStreamState = { lastEventId: typeof given === 'string' ? given : '', retry: undefined }
  let next = base
  // reconnections since the last event delivered
  for (let inARow = 0; ; inARow++) {
    if (aborted(env)) {
      const line = entry(env, 'aborted by env.signal')
      return void (yield E.left(transportError(`${STEP}: aborted by env.signal`, 'ABORTED', appendLog(next.log, line))))
    }
    const connected = await streamRequest('GET', env)(next)()
    let failure: ClientError
    if (E.isLeft(connected)) {
      if (!transient(connected.left)) return void (yield connected)
      failure = connected.left
    } else {
      const stream = connected.right
      if (stream.status === 204) return release(stream)
      if (stream.status < 200 || stream.status > 299) return void (yield E.left(await statusFailure(stream)))
      const notEvents = typeFailure(stream)
      if (notEvents !== null) return void (yield E.left(notEvents))
      const decoder = eventStreamDecoder(STEP, plan.codec, streamHead(stream), state)
      let broken: ClientError | null = null
      for await (const item of decodeStream(STEP, stream, () => E.right(decoder))) {
        if (E.isLeft(item)) broken = item.left
        else {
          inARow = 0
          yield item
        }
      }
      state = decoder.state()
      if (broken !== null && !transient(broken)) return void (yield E.left(broken))
      failure = broken ?? transportError(`${STEP}: the stream ended`, 'ENDED', stream.log)
    }
    if (inARow >= plan.maxReconnects) {
      const limit = `${inARow} reconnections in a row without an event (maxReconnects ${plan.maxReconnects})`
      const line = entry(env, `${why(failure)} - not reconnecting: ${limit}`)
      return void (yield E.left({ ...failure, log: appendLog(failure.log, line) }))
    }
    const wait = Math.min(state.retry ?? DEFAULT_RETRY_MS, MAX_WAIT_MS)
    const id = state.lastEventId === '' ? 'no Last-Event-ID' : `Last-Event-ID ${shortText(state.lastEventId)}`
    const line = entry(env, `${why(failure)} - reconnection ${inARow + 1} in ${wait} ms, ${id}`)
    await env.sleep(wait, env.signal)
    next = reconnecting(base, state.lastEventId, line)
  }
}

/** The options read once, never throwing (options whose fields throw when read are invalid too). */
const planOf = (options: unknown): E.Either<string, Plan> => {
  try {
    return readOptions(options)
  } catch (e) {
    return E.left(`the options cannot be read: ${shown(e instanceof Error ? e.message : e)}`)
  }
}

async function* run(plan: E.Either<string, Plan>, req: Request): AsyncGenerator<Result, void, undefined> {
  try {
    if (E.isLeft(plan)) return void (yield E.left(invalidInput(STEP, `${STEP}: ${plan.left}`, logOf(req))))
    yield* connections(plan.right, req)
  } catch (e) {
    // a throw below (a bug, an env.sleep that throws): the stream's last item
    yield E.left(unexpected(STEP, e, logOf(req)))
  }
}

/**
 * Reads server-sent events from a URL as an `EventSource` does: a GET with
 * `Accept: text/event-stream` (replacing any Accept), run as `streamRequest` runs it (redirects,
 * auth, the log, the idle timeout, `env.signal`), its body read as `asEventStream` reads it
 * (with `codec`, each event's `data` parsed as JSON and decoded).
 *
 * When the stream ends, or breaks (a `TransportError`, a `Timeout` other than the deadline,
 * the connection refused too), it connects again after the last `retry` the server sent (3000
 * ms before any), waiting with `env.sleep`, and sends `Last-Event-ID` with the last event ID
 * (as UTF-8; none while it is empty: an `id` field without a value resets it); a `Last-Event-ID`
 * already on the request is where the first connection resumes. Each reconnection writes a line
 * to the log of the next connection (and of its errors). It stops:
 * - on a `204` (the normal end: no Left);
 * - on another status than `2xx` (a `StatusError` carrying the response, as `ensureStatus`
 *   makes it), or another Content-Type than `text/event-stream` (a `ParseError`);
 * - on another error (a `ParseError` or `DecodeError` of an event, a `ResponseTooLarge`, a
 *   deadline `Timeout`, an `InvalidInput`), given as it is;
 * - after `maxReconnects` reconnections (default 10) in a row without an event between them:
 *   the last error is given (or, when the stream ended cleanly, a `TransportError` with cause
 *   `ENDED`). The HTML standard reconnects for ever; `maxReconnects: Infinity` does so too;
 * - when `env.signal` aborts (a `TransportError` with cause `ABORTED`, no further connection);
 * - when the consumer stops (`break`): the connection is dropped at once, none other is made.
 *
 * Lazy: nothing is sent until the iteration starts, and each iteration starts afresh. Nothing
 * throws nor rejects; the iterable ends after its first Left. Options that make no sense (not
 * an object, an unknown option, a `maxReconnects` that is not a whole number ≥ 0 or `Infinity`,
 * a codec without `decode`, an `env` that is not an object or whose `sleep` is not a function)
 * are one `InvalidInput` of step `streamEvents`, and nothing is sent.
 * @example
 * const feed = pipe(H.newRequest(), H.initialize(`${url}/events?count=4&dropAfter=2&retry=0`))
 * const seen: number[] = []
 * for await (const e of H.streamEvents({ codec: t.type({ n: t.number }) })(feed)) {
 *   if (E.isLeft(e)) break // a ClientError: the stream has stopped
 *   seen.push(e.right.data.n) // e.right.id is '1', '2', then (after a reconnection) '3', '4'
 * }
 * seen // [1, 2, 3, 4]
 * @category running
 * @since 0.3.0
 */
export function streamEvents<A>(
  options: StreamEventsOptions<A> & { readonly codec: t.Decoder<unknown, A> },
): (req: Request) => AsyncIterable<E.Either<ClientError, ServerSentEvent<A>>>
export function streamEvents(
  options?: StreamEventsOptions & { readonly codec?: undefined },
): (req: Request) => AsyncIterable<E.Either<ClientError, ServerSentEvent>>
export function streamEvents<A>(
  options?: StreamEventsOptions<A>,
): (req: Request) => AsyncIterable<E.Either<ClientError, ServerSentEvent<A | string>>>
export function streamEvents(options?: unknown): (req: Request) => AsyncIterable<Result> {
  const plan = planOf(options)
  return (req) => ({ [Symbol.asyncIterator]: () => run(plan, req) })
}
