/**
 * The connections of `streamEvents` (stream-events.ts): each made, read as an event stream and,
 * when it ends or breaks, made again as an `EventSource` does. Loaded by the first iteration.
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import { redactUrl } from '../encoding/redact.js'
import type { ResolvedEnv } from '../execute/env.js'
import { statusError, transportError, type ClientError } from '../model/errors.js'
import { dropHeaders, findHeader, putHeader } from '../model/headers.js'
import { appendLog, traceEntries, type LogEntry } from '../model/log.js'
import type { Request } from '../model/request.js'
import { streamHead, type HttpStream } from '../model/stream.js'
import { isFieldValue } from '../model/valid.js'
import { eventStreamDecoder, type EventStreamState } from '../read/event-stream.js'
import { decodeStream, shortText } from '../read/stream-body.js'
import { change, makeStep } from '../steps/step.js'
import { resolveClientEnv } from './process.js'
import { streamRequest } from './stream.js'
import type { StreamEventsPlan as Plan, StreamEventsResult as Result } from './stream-events.js'

const STEP = 'streamEvents'
const DEFAULT_RETRY_MS = 3000
/** The longest wait a timer can make (a longer `retry` would fire at once). */
const MAX_WAIT_MS = 2_147_483_647

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

/**
 * The events of as many connections as it takes (see `streamEvents`).
 * @example
 * for await (const e of connections({ codec: undefined, maxReconnects: 10, env: undefined }, req)) console.log(e)
 * @category running
 * @since 0.3.0
 * @internal
 */
export async function* connections(plan: Plan, req: Request): AsyncGenerator<Result, void, undefined> {
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
