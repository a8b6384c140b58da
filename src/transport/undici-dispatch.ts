/**
 * One attempt on an undici dispatcher through its handler interface (`dispatcher.dispatch`),
 * without `undici.request`'s per-request machinery (an AsyncResource, a Node Readable for the
 * body, the headers parsed twice, an abort signal): the head resolves the promise, the body is a
 * {@link DispatchBody} that pushes its chunks to one reader or is iterated with backpressure.
 * @module
 */
import { STATUS_CODES } from 'node:http'
import { errors, type Dispatcher } from './undici-lib.js'
import { memoized } from '../model/memo.js'
import type { Connects, Waiter } from './connect.js'
import { invalidStatus, type TransportRequest, type TransportResponse } from '../model/transport.js'
import { DispatchBody, type BodySource } from './dispatch-body.js'
import type { HttpVersion } from '../model/response.js'
import type { Versioned, VersionCell } from './h2-origin.js'

/** A request body that is a Node stream (as undici tells one): destroyed when the request fails. */
const isStream = (x: unknown): x is { on: (e: string, f: () => void) => unknown; destroy: (e?: Error) => void } =>
  typeof x === 'object' &&
  x !== null &&
  typeof (x as { pipe?: unknown }).pipe === 'function' &&
  typeof (x as { on?: unknown }).on === 'function'

const ignore = (): void => undefined

const withoutBody = (method: string, status: number): boolean => method === 'HEAD' || status === 204 || status === 304

/**
 * The response headers from undici's raw list (name, value, name, value, …, as Buffers): pairs
 * in arrival order with lower-case names, repeated lines (Set-Cookie) kept apart; names read as
 * UTF-8 and values as Latin-1, as undici reads them.
 * @example
 * responsePairs([Buffer.from('Set-Cookie'), Buffer.from('a=1')]) // [['set-cookie', 'a=1']]
 * @category transports
 * @since 0.2.0
 * @internal
 */
export const responsePairs = (raw: ReadonlyArray<string | Buffer>): ReadonlyArray<readonly [string, string]> => {
  const out: Array<readonly [string, string]> = []
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] as string | Buffer
    const value = raw[i + 1] as string | Buffer
    out.push([
      (typeof name === 'string' ? name : name.toString()).toLowerCase(),
      typeof value === 'string' ? value : value.toString('latin1'),
    ])
  }
  return out
}

/**
 * The reason phrase: the server's, or the standard one where none came (HTTP/2 has none).
 * @example
 * statusText(404, '') // 'Not Found'
 * @category transports
 * @since 0.2.0
 * @internal
 */
export const statusText = (status: number, given: string | undefined): string =>
  given !== undefined && given !== '' ? given : (STATUS_CODES[status] ?? '')

/**
 * The handler of one dispatched request (undici's handler interface), and the source of its
 * body; from its dispatch until it is connected, a {@link Waiter} of its dispatcher's connects.
 * Its HTTP version is HTTP/1.1 unless an HTTP/2-offering dispatcher says otherwise (`via`, read
 * when the request is written on its connection).
 */
class Handler implements BodySource, Waiter, Versioned {
  via: VersionCell | null = null
  private version: HttpVersion = '1.1'
  private abortConnection: ((error: Error) => void) | null = null
  private resumeConnection: (() => void) | null = null
  private reason: Error | null = null
  private body: DispatchBody | null = null
  private settled = false
  prev: Waiter | null = null
  next: Waiter | null = null

  constructor(
    private readonly method: string,
    private readonly requestBody: unknown,
    private readonly resolve: (r: TransportResponse) => void,
    private readonly reject: (e: unknown) => void,
    private readonly cleanup: () => void,
    readonly origin: string,
    private readonly connects: Connects | undefined,
    private readonly onInformational: (() => void) | undefined,
  ) {}

  /**
   * The attempt is aborted: before the head the request fails with `reason` at once (still
   * connecting too: the connection nobody else waits for is stopped), after it the body does.
   */
  abort(reason: Error): void {
    if (this.reason !== null) return
    this.reason = reason
    if (!this.settled) {
      this.settled = true
      this.connects?.abandon(this, reason)
      this.reject(reason)
    }
    this.body?.fail(reason)
    this.abortConnection?.(reason)
  }

  resumeSource(): void {
    this.resumeConnection?.()
  }

  abortSource(error: Error): void {
    this.abortConnection?.(error)
  }

  onConnect(abort: (error: Error) => void): void {
    this.connects?.leave(this)
    if (this.via !== null) this.version = this.via.version
    if (this.reason !== null) return abort(this.reason)
    this.abortConnection = abort
  }

  onHeaders(status: number, raw: Buffer[], resume: () => void, message: string): boolean {
    if (this.settled) return true
    if (status < 200) {
      // an interim answer (102 Processing, 103 Early Hints) is a byte received
      if (status >= 100) this.onInformational?.()
      else this.fail(invalidStatus(status))
      return true
    }
    this.settled = true
    this.resumeConnection = resume
    const body = withoutBody(this.method, status) ? null : new DispatchBody(this)
    this.body = body
    this.resolve({
      status,
      statusText: statusText(status, message),
      headers: responsePairs(raw),
      body,
      decoded: false,
      httpVersion: this.version,
    })
    return true
  }

  onData(chunk: Buffer): boolean {
    return this.body === null ? true : this.body.push(chunk)
  }

  onComplete(): void {
    this.cleanup()
    this.body?.end()
  }

  /** Fails the request before its head (undici then calls onError, which finds it settled). */
  private fail(error: Error): void {
    this.settled = true
    this.reject(error)
    this.abortConnection?.(error)
  }

  onError(error: unknown): void {
    this.cleanup()
    this.connects?.leave(this)
    if (!this.settled) {
      this.settled = true
      this.reject(error)
    } else this.body?.fail(error)
    if (isStream(this.requestBody)) {
      this.requestBody.on('error', ignore)
      this.requestBody.destroy(error instanceof Error ? error : undefined)
    }
  }
}

interface Target {
  readonly origin: string
  readonly path: string
}

/** Where a URL is sent, as `undici.request` splits it: the origin, and the path with the query (no fragment). */
const split = (url: string): Target => {
  const u = new URL(url)
  if (!/^https?:/.test(u.origin || u.protocol))
    throw new errors.InvalidArgumentError('Invalid URL protocol: the URL must start with `http:` or `https:`.')
  return { origin: u.origin, path: u.search ? `${u.pathname}${u.search}` : u.pathname }
}

/** Splits of recent URLs (a pure function of the text; bounded, as the URL checks of the steps). */
const target = memoized(256, split)

/**
 * Options of {@link dispatchRequest} that are undici's: the request headers as undici takes
 * them and its head and body timeouts.
 * @example
 * const o: DispatchOptions = { headers: { Accept: '*\/*' }, headersTimeout: 0, bodyTimeout: 300_000 }
 * @category transports
 * @since 0.3.0
 * @internal
 */
export interface DispatchOptions {
  readonly headers: Record<string, string | string[]>
  readonly headersTimeout: number
  readonly bodyTimeout: number
}

/**
 * Sends one attempt on `dispatcher`: resolves with the head (the body to be read), rejects with
 * undici's error (its `code` kept) when no head came. The attempt's abort (`onAbort`, else
 * `signal`) fails the request, or the body once the head is in.
 * @example
 * const res = await dispatchRequest(new Agent(), req, { headers: {}, headersTimeout: 0, bodyTimeout: 0 })
 * @category transports
 * @since 0.3.0
 * @internal
 */
export const dispatchRequest = (
  dispatcher: Dispatcher & { readonly connects?: Connects },
  req: TransportRequest,
  o: DispatchOptions,
): Promise<TransportResponse> => {
  const { origin, path } = target(req.url)
  const method = req.method
  return new Promise<TransportResponse>((resolve, reject) => {
    let cleanup = ignore
    const connects = dispatcher.connects
    const handler = new Handler(
      method.toUpperCase(),
      req.body,
      resolve,
      reject,
      () => cleanup(),
      origin,
      connects,
      req.onInformational,
    )
    connects?.enter(handler)
    const aborted = (): void => handler.abort(new DOMException('This operation was aborted', 'AbortError'))
    if (req.onAbort !== undefined) req.onAbort(aborted)
    else if (req.signal !== undefined && req.signal !== null) {
      const signal = req.signal
      if (signal.aborted) aborted()
      else {
        signal.addEventListener('abort', aborted, { once: true })
        cleanup = () => signal.removeEventListener('abort', aborted)
      }
    }
    dispatcher.dispatch(
      {
        origin,
        path,
        method: method as Dispatcher.HttpMethod,
        headers: o.headers,
        body: req.body as Dispatcher.DispatchOptions['body'],
        headersTimeout: o.headersTimeout,
        bodyTimeout: o.bodyTimeout,
      },
      handler as unknown as Dispatcher.DispatchHandler,
    )
  })
}
