/**
 * The settings of a request and their defaults (what `initialize` restores).
 * @module
 */
import { defaultRetryPolicy, type RetryPolicy } from './retry-policy.js'

/**
 * Every setting of a request, with the defaults of {@link defaultSettings}.
 * @example
 * const s: Settings = { ...defaultSettings, maxAttempts: 3 }
 * @category settings
 * @since 0.1.0
 */
export interface Settings {
  /** text bodies and charset labels (`useEncoding`) */
  readonly encoding: string
  /** advertise and decode gzip, deflate and br responses (`useGzipCompression`) */
  readonly gzip: boolean
  /** include form/JSON body fields in the OAuth1 base string (`useBodyFieldsAtOAuth`) */
  readonly bodyFieldsAtOAuth: boolean
  /** percent-encode URL params (`useUrlEncoding`) */
  readonly urlEncoding: boolean
  /** how many retries the retry policy may make (`maxAttempts`) */
  readonly maxAttempts: number
  /** redirects followed before the 3xx is returned (`maxRedirects`) */
  readonly maxRedirects: number
  /** render arrays as repeated params (`splitArraysInUrl`) */
  readonly splitArrayParams: boolean
  /** with split arrays, `k[]=a&k[]=b` (`splitArraysInUrl(true, true)`) */
  readonly arraysSquareBrackets: boolean
  /** per-attempt timeout in milliseconds (`setTimeout`) */
  readonly timeout: number
  /** time to establish a connection, in milliseconds (`setConnectTimeout`) */
  readonly connectTimeout: number
  /** longest wait for the next byte of the response head or body (`setIdleTimeout`) */
  readonly idleTimeout: number
  /** the whole run (attempts, waits, redirects) in milliseconds, or none (`setDeadline`) */
  readonly deadline: number | null
  /** what is retried and how long to wait (`setRetryPolicy`) */
  readonly retryPolicy: RetryPolicy
  /**
   * the most decoded bytes of one response body, in memory and to a file (`setMaxResponseSize`);
   * null: {@link DEFAULT_MAX_MEMORY_BYTES} in memory, no limit to a file
   */
  readonly maxResponseSize: number | null
  /**
   * offer HTTP/2 by ALPN on `https:`; concurrent requests to one origin share one connection
   * (`useHttp2`)
   */
  readonly http2: boolean
}

/**
 * The most bytes a response body held in memory may have when `setMaxResponseSize` was not
 * used (100 MiB): a larger body is a `ResponseTooLarge` error, not an exhausted process.
 * Bodies streamed to a file have no default limit.
 * @example
 * DEFAULT_MAX_MEMORY_BYTES // 104857600
 * @category settings
 * @since 0.2.0
 */
export const DEFAULT_MAX_MEMORY_BYTES = 100 * 1024 * 1024

/**
 * The defaults that `initialize` restores.
 * @example
 * defaultSettings.maxRedirects // 5
 * @category settings
 * @since 0.1.0
 */
export const defaultSettings: Settings = {
  encoding: 'utf-8',
  gzip: true,
  bodyFieldsAtOAuth: false,
  urlEncoding: true,
  maxAttempts: 0,
  maxRedirects: 5,
  splitArrayParams: false,
  arraysSquareBrackets: false,
  timeout: 3_600_000,
  connectTimeout: 10_000,
  idleTimeout: 300_000,
  deadline: null,
  retryPolicy: defaultRetryPolicy,
  maxResponseSize: null,
  http2: false,
}
