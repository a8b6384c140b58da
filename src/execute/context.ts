/**
 * The executor's vocabulary: a `Send` sends one hop and answers with a whole response or a
 * failure; every concern (signing, challenges, retries, redirects) is a `Send → Send` layer.
 * The run context holds what a run shares: the prepared request, the effects, the log, the
 * deadline and the counters.
 * @module
 */
import type * as E from 'fp-ts/lib/Either.js'
import type { ClientError } from '../model/errors.js'
import type { HeaderList } from '../model/headers.js'
import { traceEntries, type Log, type LogEntry } from '../model/log.js'
import { redactSecrets } from '../encoding/redact.js'
import { bodyHasher } from './body.js'
import type { BodyHasher, Hop, PreparedBody, PreparedRequest } from '../model/prepared.js'
import type { TransportTls } from '../model/transport.js'
import type { HttpVersion } from '../model/response.js'
import type { ResolvedEnv } from './env.js'

const STEP = 'executeRequest'

/**
 * A response as the layers see it: status, headers and the whole body (read and decoded under
 * the attempt's limits), or the file it was streamed to.
 * @example
 * const r: Received = { hop, status: 200, statusText: 'OK', headers: [], body: new Uint8Array(0), file: null, headersAt: 0 }
 * @internal
 */
export interface Received {
  readonly hop: Hop
  readonly status: number
  readonly statusText: string
  readonly headers: HeaderList
  readonly body: Uint8Array
  readonly file: string | null
  readonly headersAt: number
  /** the HTTP version the answer came over, where the transport said */
  readonly httpVersion?: HttpVersion | undefined
  /** a stream's body, handed on unread (`body` is then empty): the consumer reads it, a layer that throws the answer away returns it */
  readonly open?: OpenBody
}

/**
 * A body handed on unread (a stream's): what its consumer iterates; `return` drops it.
 * @example
 * const b: OpenBody = { [Symbol.asyncIterator]: () => it, return: () => Promise.resolve({ done: true, value: undefined }) }
 * @internal
 */
export interface OpenBody extends AsyncIterable<E.Either<ClientError, Uint8Array>> {
  readonly return: () => Promise<unknown>
}

/**
 * Why a send failed, and whether a retry may help: `unsent` (nothing reached the server:
 * refused, DNS, connect timeout; any method may be retried), `sent` (a transport error or a
 * timeout after sending; idempotent methods may be retried), `final` (never retried).
 * @example
 * const f: Failure = { error, phase: 'unsent' }
 * @internal
 */
export interface Failure {
  readonly error: ClientError
  readonly phase: 'unsent' | 'sent' | 'final'
}

/**
 * One send: a hop in, a whole response or a failure out. Never rejects.
 * @example
 * const send: Send = async (hop) => E.right({ hop, status: 204, statusText: '', headers: [], body: new Uint8Array(0), file: null, headersAt: 0 })
 * @internal
 */
export type Send = (hop: Hop) => Promise<E.Either<Failure, Received>>

/**
 * A layer: wraps a Send with one concern.
 * @example
 * const logged: Layer = (send) => async (hop) => send(hop)
 * @internal
 */
export type Layer = (send: Send) => Send

/**
 * The log of one run, written as it goes (the only mutable state besides the counters).
 * @example
 * const log = new RunLog([], Date.now); log.add('sending GET …')
 * @internal
 */
export class RunLog {
  private readonly entries: LogEntry[]
  private snapshot: Log | null = null
  /**
   * With `debug`, the lines so far and every line added are printed to stderr. Every secret of
   * `secrets` is masked in every line, wherever it appears (a URL path, a server's text).
   */
  constructor(
    base: Log,
    private readonly now: () => number,
    private readonly debug = false,
    private readonly secrets: ReadonlyArray<string> = [],
  ) {
    // lines written before a secret was known (a URL set before the token) are masked too
    this.entries =
      secrets.length === 0 ? base.slice() : base.map((e) => ({ ...e, message: redactSecrets(e.message, secrets) }))
    if (debug) traceEntries(this.entries)
  }
  add(message: string): void {
    const e = {
      at: this.now(),
      step: STEP,
      message: this.secrets.length === 0 ? message : redactSecrets(message, this.secrets),
    }
    if (this.debug) traceEntries([e])
    this.entries.push(e)
    this.snapshot = null
  }
  /** The log so far, as an immutable copy. */
  get log(): Log {
    if (this.snapshot === null) this.snapshot = this.entries.slice()
    return this.snapshot
  }
}

/**
 * What one run shares between its layers.
 * @example
 * const ctx = runContext(prepared, resolveEnv({}), null, secrets)
 * @internal
 */
export interface RunCtx {
  readonly p: PreparedRequest
  readonly env: ResolvedEnv
  readonly log: RunLog
  readonly tls: TransportTls | null
  readonly secrets: ReadonlyArray<string>
  readonly start: number
  /** epoch ms after which the run is over (`setDeadline`), Infinity without one */
  readonly deadlineAt: number
  /** hashes per body, computed once per run */
  readonly hasher: (body: PreparedBody) => BodyHasher
  /** counters: transport calls so far, redirects followed */
  readonly stats: { attempts: number; redirects: number }
}

/**
 * A run context.
 * @example
 * runContext(prepared, resolveEnv({}), null, [])
 * @internal
 */
export const runContext = (
  p: PreparedRequest,
  env: ResolvedEnv,
  tls: TransportTls | null,
  secrets: ReadonlyArray<string>,
  log: RunLog,
): RunCtx => {
  const start = env.now()
  let hashers: WeakMap<PreparedBody, BodyHasher> | null = null // made when a scheme first hashes
  return {
    p,
    env,
    log,
    tls,
    secrets,
    start,
    deadlineAt: p.settings.deadline === null ? Number.POSITIVE_INFINITY : start + p.settings.deadline,
    hasher: (body) => {
      hashers ??= new WeakMap()
      const found = hashers.get(body)
      if (found !== undefined) return found
      const h = bodyHasher(body)
      hashers.set(body, h)
      return h
    },
    stats: { attempts: 0, redirects: 0 },
  }
}

/**
 * The step name every line of a run is logged under.
 * @example
 * EXECUTE_STEP // 'executeRequest'
 * @internal
 */
export const EXECUTE_STEP = STEP
