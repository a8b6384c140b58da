/**
 * `streamEvents`: server-sent events over as many connections as it takes, as an `EventSource`
 * reads them (the HTML standard's reconnection, with the last event ID and `retry` kept).
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import type * as t from 'io-ts'
import { showValue } from '../encoding/json.js'
import { envProblem, type Env } from '../execute/env.js'
import { invalidInput, type ClientError } from '../model/errors.js'
import type { Request } from '../model/request.js'
import type { ServerSentEvent } from '../model/stream.js'
import { logOf, unexpected } from './process.js'

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
const DEFAULT_MAX_RECONNECTS = 10
const KEYS: ReadonlySet<string> = new Set(['codec', 'maxReconnects', 'env'])

type Result = E.Either<ClientError, ServerSentEvent<unknown>>

/**
 * One item of {@link streamEvents}.
 * @example
 * const r: StreamEventsResult = E.right({ event: 'message', data: 'hi', id: '' })
 * @category running
 * @since 0.3.0
 * @internal
 */
export type StreamEventsResult = Result

interface Plan {
  readonly codec: t.Decoder<unknown, unknown> | undefined
  readonly maxReconnects: number
  readonly env: Env | undefined
}

/**
 * The options of {@link streamEvents} as read once.
 * @example
 * const plan: StreamEventsPlan = { codec: undefined, maxReconnects: 10, env: undefined }
 * @category running
 * @since 0.3.0
 * @internal
 */
export type StreamEventsPlan = Plan

/**
 * The connections, loaded by the first iteration (with eventsource-parser's reader) rather than
 * with the package; a failed load is tried again by the next one.
 */
let running: Promise<typeof import('./stream-events-run.js')> | null = null
const connectionsModule = (): Promise<typeof import('./stream-events-run.js')> =>
  (running ??= import('./stream-events-run.js').catch((e: unknown) => {
    running = null
    throw e
  }))

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
    const { connections } = await connectionsModule()
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
