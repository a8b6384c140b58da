/**
 * Route handlers for bodies read as they arrive: a chunked body with delays, NDJSON, an event
 * stream that drops and resumes from `Last-Event-ID`, and pages linked by `Link` headers.
 *
 * @packageDocumentation
 */
import type { ServerResponse } from 'node:http'
import { EMPTY, MAX_BYTES, param, queryInteger, send, sendJson } from './context.js'
import type { Context, Handler } from './context.js'
import { badRequest, parseInteger } from './parse.js'

/** The longest a stream route may take by its parameters (count × delay): one minute. */
const MAX_DURATION_MS = 60_000

/** A `delay` query parameter (0-10000 ms) whose `steps` waits stay within a minute. */
const delayOf = (ctx: Context, steps: number): number => {
  const delay = queryInteger(ctx, 'delay', 0, 0, 10_000)
  if (delay * steps > MAX_DURATION_MS)
    throw badRequest(`the delays add up to more than ${MAX_DURATION_MS} ms (count × delay)`)
  return delay
}

/**
 * Writes the pieces `make(0)`, `make(1)`, … (undefined: the end) one after the other, waiting
 * `delay` ms between them (none before the first) and for `drain` when the socket is full, then
 * calls `done` (default: ends the response). Stops as soon as the client goes away, clearing its
 * timer.
 */
const pace = (
  res: ServerResponse,
  delay: number,
  make: (index: number) => ReadonlyArray<Buffer> | undefined,
  done: () => void = () => void res.end(),
): void => {
  let index = 0
  let timer: NodeJS.Timeout | undefined
  res.once('close', () => clearTimeout(timer))
  const step = (): void => {
    timer = undefined
    if (res.destroyed) return
    const pieces = make(index)
    if (pieces === undefined) return done()
    index += 1
    let flowing = true
    for (const piece of pieces) flowing = res.write(piece)
    const next = (): void => {
      if (delay > 0) timer = setTimeout(step, delay)
      else setImmediate(step)
    }
    if (flowing) next()
    else res.once('drain', next)
  }
  step()
}

/**
 * `/drip?chunks=N&size=B&delay=MS`: N chunks (1-10000, default 10) of B bytes (1-1048576,
 * default 1024; at most 100 MiB in all) of `a-z` repeated, `delay` ms apart (0-10000, default 0),
 * chunked (no Content-Length).
 * @internal
 */
export const drip: Handler = (ctx) => {
  const chunks = queryInteger(ctx, 'chunks', 10, 1, 10_000)
  const size = queryInteger(ctx, 'size', 1024, 1, 1024 * 1024)
  if (chunks * size > MAX_BYTES) throw badRequest(`chunks × size is more than ${MAX_BYTES} bytes`)
  const delay = delayOf(ctx, chunks - 1)
  const { res } = ctx
  res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Cache-Control': 'no-store' })
  if (ctx.req.method === 'HEAD') return void res.end()
  const chunk = Buffer.alloc(size)
  for (let i = 0; i < size; i++) chunk[i] = 0x61 + (i % 26)
  pace(res, delay, (i) => (i < chunks ? [chunk] : undefined))
}

/** A UTF-8 text with characters of two, three and four bytes, so that small writes split them. */
const NOTE = 'é€😀'
/** The bytes of each write of `/ndjson/:n`: small, so lines and characters are split across chunks. */
const WRITE_SIZE = 7

/**
 * `/ndjson/:n?delay=MS`: n lines (0-1000000) of `{"id":i,"name":"item i","note":"é€😀"}`
 * (`application/x-ndjson`, chunked), each written in writes of 7 bytes (so lines and multi-byte
 * characters are split across chunks), `delay` ms between lines (0-10000, default 0).
 * @internal
 */
export const ndjson: Handler = (ctx) => {
  const count = parseInteger(param(ctx, 'n'), 'n', 0, 1_000_000)
  const delay = delayOf(ctx, count - 1)
  const { res } = ctx
  res.writeHead(200, { 'Content-Type': 'application/x-ndjson', 'Cache-Control': 'no-store' })
  if (ctx.req.method === 'HEAD') return void res.end()
  pace(res, delay, (i) => {
    if (i >= count) return undefined
    const line = Buffer.from(`${JSON.stringify({ id: i + 1, name: `item ${i + 1}`, note: NOTE })}\n`)
    const pieces: Buffer[] = []
    for (let at = 0; at < line.length; at += WRITE_SIZE) pieces.push(line.subarray(at, at + WRITE_SIZE))
    return pieces
  })
}

/**
 * `/events?count=N&dropAfter=K&retry=MS&delay=MS&reset=1`: a `text/event-stream` of events
 * `id: i` / `data: {"n":i}` for i from 1 to N (1-100000, default 10), `delay` ms apart (0-10000).
 * Without `Last-Event-ID` (or with an empty one) it starts at 1; with `Last-Event-ID: k` (0-N)
 * it continues at k+1, and when k is N (all sent) it answers 204, which ends a client's
 * reconnecting. Each connection sends `retry: MS` first when asked (0-60000), and at most K
 * events (1-N, default all) before its body ends (with `reset=1`, the connection is closed
 * without the body's last chunk instead: a broken stream).
 * @internal
 */
export const events: Handler = (ctx) => {
  const count = queryInteger(ctx, 'count', 10, 1, 100_000)
  const dropAfter = queryInteger(ctx, 'dropAfter', count, 1, count)
  const retry = ctx.query.get('retry') === null ? undefined : queryInteger(ctx, 'retry', 0, 0, 60_000)
  const reset = queryInteger(ctx, 'reset', 0, 0, 1) === 1
  const delay = delayOf(ctx, Math.min(count, dropAfter) - 1)
  const lastHeader = ctx.request.headers['last-event-id']
  const lastText = lastHeader?.trim() ?? ''
  const last = lastText === '' ? 0 : parseInteger(lastText, 'Last-Event-ID', 0, count)
  if (last === count) return send(ctx, 204, EMPTY)
  const { res } = ctx
  res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store' })
  if (ctx.req.method === 'HEAD') return void res.end()
  if (retry !== undefined) res.write(`retry: ${retry}\n\n`)
  const end = Math.min(count, last + dropAfter)
  const cut = end < count && reset
  pace(
    res,
    delay,
    (i) => {
      const n = last + 1 + i
      return n > end ? undefined : [Buffer.from(`id: ${n}\ndata: {"n":${n}}\n\n`)]
    },
    // ends the socket once the events are flushed, without the body's last chunk: a broken stream
    cut ? () => void ctx.req.socket.end() : undefined,
  )
}

/** `/pages` query parameters as written into its links. */
const pageQuery = (page: number, pages: number, per: number, relative: boolean): string =>
  new URLSearchParams({
    page: String(page),
    pages: String(pages),
    per: String(per),
    ...(relative ? { relative: '1' } : {}),
  }).toString()

/**
 * `/pages?page=P&pages=N&per=M&relative=1`: page P (1-N, default 1) of N (1-1000, default 3)
 * pages of M items (0-100, default 2): a JSON array of `{ id }`, ids `(P-1)·M+1` to `P·M`, with
 * a `Link` header: `rel="next"` until the last page, `rel="prev"` from the second, and
 * `rel="first"` and `rel="last"` always; targets absolute, or relative with `relative=1`.
 * @internal
 */
export const pages: Handler = (ctx) => {
  const total = queryInteger(ctx, 'pages', 3, 1, 1000)
  const page = queryInteger(ctx, 'page', 1, 1, total)
  const per = queryInteger(ctx, 'per', 2, 0, 100)
  const relative = queryInteger(ctx, 'relative', 0, 0, 1) === 1
  const target = (p: number): string => `<${relative ? '' : ctx.origin}/pages?${pageQuery(p, total, per, relative)}>`
  const links = [
    ...(page < total ? [`${target(page + 1)}; rel="next"`] : []),
    ...(page > 1 ? [`${target(page - 1)}; rel="prev"`] : []),
    `${target(1)}; rel="first"`,
    `${target(total)}; rel="last"`,
  ]
  const items = Array.from({ length: per }, (_, i) => ({ id: (page - 1) * per + i + 1 }))
  sendJson(ctx, 200, items, [['Link', links.join(', ')]])
}
