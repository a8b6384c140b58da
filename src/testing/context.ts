/**
 * What a route handler works with: the request context, and the helpers that read parameters,
 * build the echo document and write responses.
 *
 * @packageDocumentation
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { formDataEntries, multipartBoundary, parseMultipart } from './multipart.js'
import { groupPairs, parseHeaderParams, parseInteger, parseJson } from './parse.js'
import type { BadRequest } from './parse.js'
import type { EchoPayload, RecordedRequest } from './types.js'
import type { UploadStore } from './uploads.js'

const CHUNK_SIZE = 64 * 1024

type HeaderValue = string | number | ReadonlyArray<string>

/**
 * Response headers to set, in order (a list value sets a repeated header).
 * @internal
 */
export type HeaderList = ReadonlyArray<readonly [string, HeaderValue]>

/**
 * An empty body.
 * @internal
 */
export const EMPTY = Buffer.alloc(0)

/**
 * The Content-Type header of a JSON body.
 * @internal
 */
export const JSON_TYPE: readonly [string, string] = ['Content-Type', 'application/json']

/**
 * Everything a route handler needs.
 * @internal
 */
export interface Context {
  readonly req: IncomingMessage
  readonly res: ServerResponse
  readonly request: RecordedRequest
  readonly body: Buffer
  /** `http://host:port` from the Host header (or the socket when absent). */
  readonly origin: string
  readonly path: string
  readonly rawQuery: string
  readonly query: URLSearchParams
  /** Decoded `:name` path parameters of the matched route. */
  readonly params: Readonly<Record<string, string>>
  readonly hits: Map<string, number>
  /** The resumable uploads of this server (`/upload/:id`). */
  readonly uploads: UploadStore
}

/**
 * A route handler: answers the request in `ctx` (throwing {@link BadRequest} for bad input).
 * @internal
 */
export type Handler = (ctx: Context) => void

/**
 * The only response-writing primitive for whole bodies: headers, Content-Length, no body for HEAD/204/304.
 * @internal
 */
export const send = (
  ctx: Pick<Context, 'req' | 'res'>,
  status: number,
  body: Buffer,
  headers: HeaderList = [],
): void => {
  const { res } = ctx
  for (const [name, value] of headers) res.setHeader(name, value)
  if (status === 204 || status === 304) {
    res.removeHeader('Content-Type')
    res.writeHead(status).end()
    return
  }
  res.setHeader('Content-Length', body.length)
  res.writeHead(status).end(ctx.req.method === 'HEAD' ? undefined : body)
}

/**
 * Sends `value` as a JSON body.
 * @internal
 */
export const sendJson = (
  ctx: Pick<Context, 'req' | 'res'>,
  status: number,
  value: unknown,
  headers: HeaderList = [],
): void => send(ctx, status, Buffer.from(JSON.stringify(value)), [JSON_TYPE, ...headers])

/**
 * A `:name` path parameter of the matched route (the route table guarantees it exists).
 * @internal
 */
export const param = (ctx: Context, name: string): string => ctx.params[name] ?? ''

/**
 * An optional integer query parameter.
 * @internal
 */
export const queryInteger = (ctx: Context, name: string, fallback: number, min: number, max: number): number => {
  const raw = ctx.query.get(name)
  return raw === null ? fallback : parseInteger(raw, name, min, max)
}

/**
 * The echo document for the current request.
 * @internal
 */
export const echoPayload = (ctx: Context): EchoPayload => {
  const contentType = parseHeaderParams(ctx.request.headers['content-type'] ?? '')
  const isMultipart = contentType.value.startsWith('multipart/')
  const multipart = isMultipart ? parseMultipart(ctx.body, multipartBoundary(contentType)).parts : []
  const data = ctx.body.toString('utf8')
  const formData = contentType.value === 'multipart/form-data' ? formDataEntries(multipart) : undefined
  const urlencoded = contentType.value === 'application/x-www-form-urlencoded'
  return {
    method: ctx.request.method,
    url: /^[a-z][a-z0-9+.-]*:\/\//i.test(ctx.request.url) ? ctx.request.url : ctx.origin + ctx.request.url,
    path: ctx.path,
    args: groupPairs(ctx.query),
    rawQuery: ctx.rawQuery,
    headers: ctx.request.headers,
    data,
    bodyBase64: ctx.body.toString('base64'),
    bodyLength: ctx.body.length,
    json: ctx.body.length === 0 ? null : parseJson(data),
    form:
      formData === undefined ? (urlencoded ? groupPairs(new URLSearchParams(data)) : {}) : groupPairs(formData.fields),
    // The last file wins when a name repeats (`/multipart` lists them all).
    files: Object.fromEntries(formData?.files ?? []),
    multipart,
  }
}

/**
 * The largest generated body (`/bytes/:n`, `/range/:n`): 100 MiB.
 * @internal
 */
export const MAX_BYTES = 100 * 1024 * 1024

/**
 * Writes `length` bytes made by repeating `chunk` (whose length is a multiple of the pattern period),
 * announced with `Content-Length: length`. With `cutAfter` (at least 1), only that many bytes are
 * written, then the connection is destroyed (a transfer broken mid-body).
 * @internal
 */
export const streamRepeated = (
  ctx: Context,
  status: number,
  headers: HeaderList,
  length: number,
  chunk: Buffer,
  cutAfter = length,
): void => {
  const { res } = ctx
  for (const [name, value] of headers) res.setHeader(name, value)
  res.setHeader('Content-Length', length)
  res.writeHead(status)
  if (ctx.req.method === 'HEAD') return void res.end()
  const cut = cutAfter < length
  let remaining = cut ? cutAfter : length
  // The write that ends a cut body breaks the connection once its bytes are flushed.
  const breakOff = (): void => void res.destroy()
  const pump = (): void => {
    while (remaining > 0 && !res.destroyed) {
      const size = Math.min(remaining, chunk.length)
      remaining -= size
      const piece = size === chunk.length ? chunk : chunk.subarray(0, size)
      if (!res.write(piece, cut && remaining === 0 ? breakOff : undefined)) return void res.once('drain', pump)
    }
    if (!cut && !res.destroyed) res.end()
  }
  pump()
}

/**
 * One chunk (≈64 KiB, a whole number of periods) of the periodic byte pattern `byteAt`, starting at `offset`.
 * @internal
 */
export const patternChunk = (period: number, byteAt: (index: number) => number, offset = 0): Buffer => {
  const chunk = Buffer.allocUnsafe(period * Math.floor(CHUNK_SIZE / period))
  for (let i = 0; i < chunk.length; i++) chunk[i] = byteAt(offset + i)
  return chunk
}
