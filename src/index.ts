/**
 * httpipe: an HTTP client where a request is an immutable value. Build it with pure steps
 * composed by fp-ts `pipe`/`flow`, run it as a `TaskEither<ClientError, HttpResponse>`, and
 * decode JSON answers with io-ts codecs.
 *
 * @example
 * import { pipe } from 'fp-ts/lib/function.js'
 * import * as TE from 'fp-ts/lib/TaskEither.js'
 * import * as H from 'httpipe'
 *
 * const result = await pipe(
 *   H.newRequest(),
 *   H.initialize('http://127.0.0.1:8080/post'),
 *   H.setJsonBody({ field1: 10 }),
 *   H.processRequest('POST'),
 *   TE.flatMapEither(H.asJson()),
 * )()
 * result._tag // 'Right'
 * @module httpipe
 */

// the request value
export type { Json, Proxy, Request, Source, Step } from './model/request.js'
export type { RetryPolicy } from './model/retry-policy.js'
export type { Settings } from './model/settings.js'
export { newRequest } from './model/request.js'
export { defaultRetryPolicy } from './model/retry-policy.js'
export { DEFAULT_MAX_MEMORY_BYTES, defaultSettings } from './model/settings.js'
export { RequestCodec, JsonCodec } from './model/codec.js'
export { initialize, setBaseUrl, setUrl, setResponseFile, setDataType, setProxy, setTls } from './steps/init.js'
export type { TlsInput } from './steps/init.js'
export { fromBase64, fromFile, fromUrl } from './model/source.js'
export { secretFromEnv } from './model/secret.js'
export type { SecretRef } from './model/secret.js'
export { fromTemplate, toTemplate } from './steps/template.js'
export type { TemplateTrust } from './steps/template-trust.js'

// URL params, headers, bodies, auth, settings
export { addUrlParameter, setUrlParams } from './steps/params.js'
export { setPathParam, setPathParams } from './steps/path-params.js'
export type { Encoder } from './encoding/url.js'
export { addHeader, setHeaders } from './steps/headers.js'
export type { HeaderList } from './model/headers.js'
export { setBinaryBody, setFormBody, setJsonBody, setStringBody } from './steps/body.js'
export { addValue, initializeFormBody, initializeJsonBody, insertBodyField } from './steps/collection.js'
export {
  addDataAsRelated,
  addMultipartFormDataField,
  addMultipartFormDataFile,
  startMultipartBody,
} from './steps/multipart.js'
export { addBasicAuthorization } from './auth/basic.js'
export { addBearerAuthorization } from './auth/bearer.js'
export { addAws4Authorization } from './auth/aws4.js'
export type { Aws4Options } from './auth/aws4.js'
export { addOAuthV1Authorization, setOAuthV1Algorithm } from './auth/oauth1.js'
export { addDigestAuthorization } from './auth/digest.js'
export {
  maxAttempts,
  maxRedirects,
  returnSettings,
  setConnectTimeout,
  setDeadline,
  setIdleTimeout,
  setMaxResponseSize,
  setTimeout,
  splitArraysInUrl,
  useBodyFieldsAtOAuth,
  useEncoding,
  useGzipCompression,
  useHttp2,
  useUrlEncoding,
} from './steps/settings.js'
export { setRetryPolicy } from './steps/retry-policy.js'
export type { RetryPolicyInput } from './steps/retry-policy.js'

// running and reading
export type { PreparedRequest, Sink } from './model/prepared.js'
export {
  executeRequest,
  getDataInParts,
  getPart,
  prepareRequest,
  processRequest,
  sendDataInParts,
  sendPart,
} from './client/process.js'
export { processAll } from './client/process-all.js'
export type { ProcessAllOptions } from './client/process-all.js'
export type { Method } from './model/method.js'
export {
  del as delete,
  deleteWithBody,
  get,
  head,
  patchWithBody,
  postWithBody,
  put,
  putWithBody,
} from './client/shortcuts.js'
export type { BodyShortcutOptions, ShortcutOptions } from './client/shortcuts.js'
export { endpoint } from './client/endpoint.js'
export type { Endpoint, EndpointDefinition, EndpointInput } from './client/endpoint.js'
export { toCurl } from './show/curl.js'
export type { CurlOptions } from './show/curl.js'
export type { CookieJarLike, Env, Progress } from './execute/env.js'
export type { HttpResponse, HttpVersion } from './model/response.js'
export { asBinary, asJson, asString, ensureStatus, responseFilename } from './read/readers.js'
export { readOk, type ResponseReader } from './read/read-ok.js'
export { asJsonByStatus } from './read/by-status.js'
export type { ByStatus, HttpStatus, StatusCases } from './read/by-status.js'

// streams
export { streamRequest } from './client/stream.js'
export { streamEvents } from './client/stream-events.js'
export type { StreamEventsOptions } from './client/stream-events.js'
export type { HttpStream, ServerSentEvent } from './model/stream.js'
export { asNdjson } from './read/ndjson.js'
export { asEventStream } from './read/event-stream.js'
export { nextLink } from './steps/next-link.js'
export { paginate } from './client/paginate.js'
export type { PaginateOptions } from './client/paginate.js'

// errors and log
export type {
  AuthError,
  ClientError,
  DecodeError,
  FileError,
  InvalidInput,
  ParseError,
  ResponseTooLarge,
  StatusError,
  Timeout,
  TransportError,
} from './model/errors.js'
export { matchClientError, matchClientErrorOr, matchClientErrorW } from './model/match.js'
export { getLog } from './model/log.js'
export type { Log, LogEntry } from './model/log.js'

// transports
export type { FetchLike, Transport, TransportRequest, TransportResponse } from './model/transport.js'
export { fromFetch } from './transport/fetch.js'
export { defaultTransport } from './transport/default.js'
export { undiciTransport } from './transport/undici.js'
export type { UndiciOptions } from './transport/undici.js'
export { crossFetchTransport } from './transport/cross-fetch.js'
export { VERSION } from './model/version.js'
