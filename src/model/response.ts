/**
 * The HttpResponse value.
 * @module
 */
import type { Log } from './log.js'

/**
 * When the request ran: epoch milliseconds (from `env.now`) at the start, when the final
 * response's headers arrived, and at the end; `total` is `end - start`.
 * @example
 * const t: Timings = { start: 0, headers: 12, end: 15, total: 15 }
 * @inline
 * @category responses
 * @since 0.1.0
 */
export interface Timings {
  readonly start: number
  readonly headers: number
  readonly end: number
  readonly total: number
}

/**
 * The HTTP version an answer came over: `'2'` (HTTP/2) or `'1.1'` (HTTP/1.x).
 * @example
 * const v: HttpVersion = res.httpVersion ?? '1.1'
 * @category responses
 * @since 0.3.0
 */
export type HttpVersion = '1.1' | '2'

/**
 * A response: any HTTP status that arrived. The body is decoded (gzip, deflate, br) and held
 * in `body`, or streamed to `file` (then `body` is empty).
 * @example
 * res.status // 200
 * res.headers['content-type'] // 'application/json'
 * @category responses
 * @since 0.1.0
 */
export interface HttpResponse {
  readonly _tag: 'HttpResponse'
  readonly status: number
  readonly statusText: string
  /** lower-case names; repeated headers joined with `, ` (Set-Cookie with `\n`) */
  readonly headers: Readonly<Record<string, string>>
  /** the headers as they arrived (the default transport, node-fetch, makes a Location absolute) */
  readonly rawHeaders: ReadonlyArray<readonly [string, string]>
  /** the final URL, after redirects */
  readonly url: string
  readonly body: Uint8Array
  readonly file: string | null
  /** redirects followed */
  readonly redirects: number
  /** attempts made in all, over every redirect hop */
  readonly attempts: number
  /**
   * the HTTP version the final answer came over (`'2'` with `useHttp2` where the server took
   * it); absent where the transport cannot tell (a WHATWG fetch, a transport of your own)
   */
  readonly httpVersion?: HttpVersion
  readonly timings: Timings
  readonly log: Log
}

/**
 * The response headers as a record: lower-case names, repeated values joined.
 * @example
 * headerRecord([['Set-Cookie', 'a=1'], ['set-cookie', 'b=2']]) // { 'set-cookie': 'a=1\nb=2' }
 */
export const headerRecord = (raw: ReadonlyArray<readonly [string, string]>): Readonly<Record<string, string>> => {
  const out: Record<string, string> = {}
  for (const [name, value] of raw) {
    const k = name.toLowerCase()
    const prev = out[k]
    out[k] = prev === undefined ? value : `${prev}${k === 'set-cookie' ? '\n' : ', '}${value}`
  }
  return out
}
