/**
 * ClientError: every way running or reading a request can fail, as plain tagged values.
 * Each carries a `message` (naming the step) and the full `log`; those raised after a
 * response arrived carry it as `response`.
 * @module
 */
import type * as t from 'io-ts'
import type { Log } from './log.js'
import type { HttpResponse } from './response.js'

interface Base {
  readonly message: string
  readonly log: Log
}

/**
 * A step got invalid input (recorded in the Request and returned without sending).
 * @example
 * const r = await pipe(H.newRequest(), H.initialize('http://127.0.0.1:8080/post'), H.setJsonBody('{oops'), H.processRequest('POST'))()
 * r._tag === 'Left' && r.left._tag === 'InvalidInput' && r.left.step // 'setJsonBody'
 * @category errors
 * @since 0.1.0
 */
export interface InvalidInput extends Base {
  readonly _tag: 'InvalidInput'
  readonly step: string
}
/**
 * The connection failed (refused, reset, DNS, TLS, proxy), or `env.signal` aborted it.
 * @example
 * const r = await H.get('http://127.0.0.1:9/')() // nothing listens on port 9
 * r._tag === 'Left' && r.left._tag === 'TransportError' && r.left.cause // 'ECONNREFUSED'
 * @category errors
 * @since 0.1.0
 */
export interface TransportError extends Base {
  readonly _tag: 'TransportError'
  readonly cause: string
}
/**
 * Which limit a {@link Timeout} hit: the attempt (`setTimeout`), connecting
 * (`setConnectTimeout`), waiting for the next byte (`setIdleTimeout`) or the whole run
 * (`setDeadline`).
 * @example
 * const l: TimeoutLimit = 'idle'
 * @inline
 * @category errors
 * @since 0.2.0
 */
export type TimeoutLimit = 'attempt' | 'connect' | 'idle' | 'deadline'

/**
 * A limit passed: `limit` says which, `timeoutMs` its value.
 * @example
 * const r = await pipe(H.newRequest(), H.initialize('http://127.0.0.1:8080/delay/2000'), H.setTimeout(50), H.processRequest('GET'))()
 * r._tag === 'Left' && r.left._tag === 'Timeout' && [r.left.limit, r.left.timeoutMs] // ['attempt', 50]
 * @category errors
 * @since 0.1.0
 */
export interface Timeout extends Base {
  readonly _tag: 'Timeout'
  readonly timeoutMs: number
  readonly limit: TimeoutLimit
}
/**
 * A file could not be read or written (body source, response file, TLS PEM).
 * @example
 * const r = await pipe(H.newRequest(), H.initialize('http://127.0.0.1:8080/put'), H.setBinaryBody(H.fromFile('./no-such-file')), H.processRequest('PUT'))()
 * r._tag === 'Left' && r.left._tag === 'FileError' && [r.left.path, r.left.cause] // ['./no-such-file', 'ENOENT']
 * @category errors
 * @since 0.1.0
 */
export interface FileError extends Base {
  readonly _tag: 'FileError'
  readonly path: string
  readonly cause: string
}
/**
 * Authorization could not be done: a challenge that cannot be answered, a signing failure.
 * @example
 * const e: AuthError = { _tag: 'AuthError', message: 'executeRequest: unsupported digest algorithm', log: [] }
 * @category errors
 * @since 0.1.0
 */
export interface AuthError extends Base {
  readonly _tag: 'AuthError'
  readonly response?: HttpResponse
}
/**
 * A body is not what it claims to be (invalid JSON, undecodable text).
 * @example
 * const r = pipe(await H.get('http://127.0.0.1:8080/bytes/8')(), E.flatMap(H.asJson()))
 * r._tag === 'Left' && r.left._tag // 'ParseError'
 * @category errors
 * @since 0.1.0
 */
export interface ParseError extends Base {
  readonly _tag: 'ParseError'
  readonly response?: HttpResponse
}
/**
 * The JSON did not match the io-ts codec; `errors` are io-ts's, the message names the paths.
 * @example
 * const r = pipe(await H.postWithBody('http://127.0.0.1:8080/post', { field1: 'x' })(), E.flatMap(H.asJson(t.type({ json: t.type({ field1: t.number }) }))))
 * r._tag === 'Left' && r.left._tag // 'DecodeError'
 * @category errors
 * @since 0.1.0
 */
export interface DecodeError extends Base {
  readonly _tag: 'DecodeError'
  readonly errors: t.Errors
  readonly response?: HttpResponse
}
/**
 * The status did not pass `ensureStatus`.
 * @example
 * const r = await pipe(H.get('http://127.0.0.1:8080/status/404'), TE.flatMapEither(H.ensureStatus()))()
 * r._tag === 'Left' && r.left._tag === 'StatusError' && r.left.status // 404
 * @category errors
 * @since 0.1.0
 */
export interface StatusError extends Base {
  readonly _tag: 'StatusError'
  readonly status: number
  readonly response: HttpResponse
}
/**
 * A body was larger than allowed.
 * @example
 * const r = await H.get('http://127.0.0.1:8080/bytes/4096', { configure: H.setMaxResponseSize(1024) })()
 * r._tag === 'Left' && r.left._tag === 'ResponseTooLarge' && r.left.limit // 1024
 * @category errors
 * @since 0.1.0
 */
export interface ResponseTooLarge extends Base {
  readonly _tag: 'ResponseTooLarge'
  readonly limit: number
}

/**
 * Everything that can go wrong, as a tagged union; fold it with {@link matchClientError}.
 * @example
 * const describe = (e: ClientError) => `${e._tag}: ${e.message}`
 * @category errors
 * @since 0.1.0
 */
export type ClientError =
  | InvalidInput
  | TransportError
  | Timeout
  | FileError
  | AuthError
  | ParseError
  | DecodeError
  | StatusError
  | ResponseTooLarge

/**
 * Builds an {@link InvalidInput}.
 * @example
 * invalidInput('addHeader', 'addHeader: header X: value contains CR, LF or NUL', [])
 */
export const invalidInput = (step: string, message: string, log: Log): ClientError => ({
  _tag: 'InvalidInput',
  step,
  message,
  log,
})
/**
 * Builds a {@link TransportError}.
 * @example
 * transportError('executeRequest: connection refused', 'ECONNREFUSED', [])
 */
export const transportError = (message: string, cause: string, log: Log): ClientError => ({
  _tag: 'TransportError',
  message,
  cause,
  log,
})
/**
 * Builds a {@link Timeout}.
 * @example
 * timeout('executeRequest: no response within 100 ms', 100, [])
 */
export const timeout = (
  message: string,
  timeoutMs: number,
  log: Log,
  limit: TimeoutLimit = 'attempt',
): ClientError => ({
  _tag: 'Timeout',
  message,
  timeoutMs,
  limit,
  log,
})
/**
 * Builds a {@link FileError}.
 * @example
 * fileError('executeRequest: cannot read ./x', './x', 'ENOENT', [])
 */
export const fileError = (message: string, path: string, cause: string, log: Log): ClientError => ({
  _tag: 'FileError',
  message,
  path,
  cause,
  log,
})
/**
 * Builds an {@link AuthError}.
 * @example
 * authError('executeRequest: unsupported digest algorithm', [])
 */
export const authError = (message: string, log: Log, response?: HttpResponse): ClientError =>
  response === undefined ? { _tag: 'AuthError', message, log } : { _tag: 'AuthError', message, log, response }
/**
 * Builds a {@link ParseError}.
 * @example
 * parseError('asJson: invalid JSON', [])
 */
export const parseError = (message: string, log: Log, response?: HttpResponse): ClientError =>
  response === undefined ? { _tag: 'ParseError', message, log } : { _tag: 'ParseError', message, log, response }
/**
 * Builds a {@link DecodeError}.
 * @example
 * decodeError('asJson: json.field1: expected number', [], [])
 */
export const decodeError = (message: string, errors: t.Errors, log: Log, response?: HttpResponse): ClientError =>
  response === undefined
    ? { _tag: 'DecodeError', message, errors, log }
    : { _tag: 'DecodeError', message, errors, log, response }
/**
 * Builds a {@link StatusError} from a response.
 * @example
 * statusError('ensureStatus: status 404 Not Found', res)
 */
export const statusError = (message: string, response: HttpResponse): ClientError => ({
  _tag: 'StatusError',
  message,
  status: response.status,
  response,
  log: response.log,
})
/**
 * Builds a {@link ResponseTooLarge}.
 * @example
 * responseTooLarge('executeRequest: body over 1048576 bytes', 1048576, [])
 */
export const responseTooLarge = (message: string, limit: number, log: Log): ClientError => ({
  _tag: 'ResponseTooLarge',
  message,
  limit,
  log,
})

/**
 * The nine kinds of {@link ClientError}, by their `_tag`.
 * @example
 * const retryable: ReadonlyArray<ClientErrorTag> = ['Timeout', 'TransportError']
 * @category errors
 * @since 0.3.0
 */
export type ClientErrorTag = ClientError['_tag']

/**
 * Handlers for every kind of ClientError.
 * @example
 * const h: ClientErrorHandlers<string> = {
 *   InvalidInput: (e) => e.step,
 *   TransportError: (e) => e.cause,
 *   Timeout: (e) => e.limit,
 *   FileError: (e) => e.path,
 *   AuthError: (e) => e.message,
 *   ParseError: (e) => e.message,
 *   DecodeError: (e) => e.message,
 *   StatusError: (e) => String(e.status),
 *   ResponseTooLarge: (e) => String(e.limit),
 * }
 * H.matchClientError(h)(err) // '404'
 * @category errors
 * @since 0.1.0
 */
export type ClientErrorHandlers<B> = { readonly [K in ClientErrorTag]: (e: Extract<ClientError, { _tag: K }>) => B }
