/**
 * The transfer routes of the benchmark server (bench/server.ts), in constant memory: nothing
 * uploaded is kept, only counted and hashed, and downloads are generated (bench/blob.ts).
 *
 * - `POST|PUT /sink`: consumes the body; answers `200` JSON {@link SinkAnswer}: its size and
 *   SHA-256, or for a `multipart/*` body its size and the size and SHA-256 of the content of its
 *   first part, found by a streaming scan for the boundary (nothing else is parsed);
 * - `PUT /upload/<id>`: a resumable upload: chunks with `Content-Range: bytes s-e/total` are
 *   appended to a running size + hash when `s` is the size held (else ignored); `308` with
 *   `Range: bytes=0-N` until complete, then `201` {@link SinkAnswer}; only the size and the hash
 *   are kept per upload;
 * - `GET /blob/<n>`: the first `n` bytes of the resource; a single `Range: bytes=s-e` (or `s-`)
 *   answers `206` with `Content-Range`, an unsatisfiable one `416`.
 * @module
 */
import { createHash, type Hash } from 'node:crypto'
import type http from 'node:http'
import { blobBytes } from './blob.js'

/** What the server answers for an upload that arrived whole. */
export interface SinkAnswer {
  readonly bytes: number
  /** SHA-256 (hex) of the body, or of the first part's content of a multipart body */
  readonly sha256: string
  /** the size of the first part's content of a multipart body */
  readonly partBytes?: number
}

const json = (res: http.ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void => {
  const body = Buffer.from(JSON.stringify(value))
  res.writeHead(status, { ...headers, 'content-type': 'application/json', 'content-length': String(body.length) })
  res.end(body)
}

const empty = (res: http.ServerResponse, status: number, headers: Record<string, string> = {}): void => {
  res.writeHead(status, { ...headers, 'content-length': '0' })
  res.end()
}

/** A streaming scan for the content of the first part of a multipart body, hashed as it passes. */
const partScanner = (
  boundary: string,
): { readonly feed: (c: Buffer) => void; readonly result: () => { bytes: number; sha256: string } | null } => {
  const delim = Buffer.from(`\r\n--${boundary}`)
  const keep = delim.length - 1
  const headEnd = Buffer.from('\r\n\r\n')
  const hash = createHash('sha256')
  let state: 'head' | 'part' | 'rest' = 'head'
  let head = Buffer.alloc(0)
  let carry = Buffer.alloc(0)
  let bytes = 0
  const content = (b: Buffer): void => {
    bytes += b.length
    hash.update(b)
  }
  // content up to the delimiter in `data` (which holds no carried bytes), the tail carried
  const scan = (data: Buffer): void => {
    const i = data.indexOf(delim)
    if (i >= 0) return void (content(data.subarray(0, i)), (state = 'rest'))
    const cut = Math.max(0, data.length - keep)
    content(data.subarray(0, cut))
    carry = Buffer.from(data.subarray(cut))
  }
  const part = (c: Buffer): void => {
    if (carry.length === 0 || c.length < keep) return scan(carry.length === 0 ? c : Buffer.concat([carry, c]))
    // a delimiter that starts in the carried bytes lies wholly in these few bytes
    const join = Buffer.concat([carry, c.subarray(0, keep)])
    const i = join.indexOf(delim)
    if (i >= 0) return void (content(join.subarray(0, i)), (state = 'rest'))
    content(carry)
    carry = Buffer.alloc(0)
    scan(c)
  }
  return {
    feed: (c) => {
      if (state === 'part') return part(c)
      if (state === 'rest') return
      head = Buffer.concat([head, c])
      const first = head.indexOf(`--${boundary}`)
      const end = first < 0 ? -1 : head.indexOf(headEnd, first)
      if (end >= 0) {
        state = 'part'
        const rest = head.subarray(end + headEnd.length)
        head = Buffer.alloc(0)
        part(rest)
      } else if (head.length > 1 << 20) state = 'rest' // no part header in the first MiB: not what the bench sends
    },
    result: () => (state === 'rest' ? { bytes, sha256: hash.digest('hex') } : null),
  }
}

const boundaryOf = (contentType: string | undefined): string | null => {
  const m = /^multipart\/[\w.+-]+\s*;.*?\bboundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType ?? '')
  return m === null ? null : (m[1] ?? m[2] ?? null)
}

const sink = (req: http.IncomingMessage, res: http.ServerResponse): void => {
  const boundary = boundaryOf(req.headers['content-type'])
  const scanner = boundary === null ? null : partScanner(boundary)
  const hash = scanner === null ? createHash('sha256') : null
  let bytes = 0
  req.on('data', (c: Buffer) => {
    bytes += c.length
    if (scanner !== null) scanner.feed(c)
    else hash?.update(c)
  })
  req.on('end', () => {
    if (hash !== null) return json(res, 200, { bytes, sha256: hash.digest('hex') } satisfies SinkAnswer)
    const p = scanner?.result() ?? null
    if (p === null) return json(res, 400, { error: 'no complete first part in the multipart body', bytes })
    json(res, 200, { bytes, sha256: p.sha256, partBytes: p.bytes } satisfies SinkAnswer)
  })
}

interface Upload {
  size: number
  readonly total: number
  readonly hash: Hash
}
const uploads = new Map<string, Upload>()

const held = (u: Upload): Record<string, string> => (u.size === 0 ? {} : { range: `bytes=0-${u.size - 1}` })

const chunk = (id: string, req: http.IncomingMessage, res: http.ServerResponse): void => {
  const m = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(req.headers['content-range'] ?? '')
  const [start, end, total] = m === null ? [NaN, NaN, NaN] : [Number(m[1]), Number(m[2]), Number(m[3])]
  if (!(start <= end && end < total))
    return void (req.resume(), json(res, 400, { error: 'Content-Range must be bytes s-e/total' }))
  const u = uploads.get(id) ?? { size: 0, total, hash: createHash('sha256') }
  uploads.set(id, u)
  if (u.total !== total) return void (req.resume(), json(res, 400, { error: `the total was ${u.total}, now ${total}` }))
  // a chunk that does not go on from what is held is not taken; the answer says where to go on
  const takes = start === u.size
  let got = 0
  let tooMuch = false
  req.on('data', (c: Buffer) => {
    if (!takes || tooMuch) return
    if (got + c.length > end - start + 1) return void (tooMuch = true)
    got += c.length
    u.size += c.length
    u.hash.update(c)
  })
  req.on('end', () => {
    if (tooMuch)
      return void (uploads.delete(id), json(res, 400, { error: 'the chunk is longer than its Content-Range' }))
    if (u.size < u.total) return empty(res, 308, held(u))
    uploads.delete(id)
    json(res, 201, { bytes: u.size, sha256: u.hash.digest('hex') } satisfies SinkAnswer)
  })
}

/** Sends the bytes `[start, end)` of the resource with backpressure. */
const serve = (res: http.ServerResponse, start: number, end: number): void => {
  const bytes = blobBytes(start, end)
  const pump = (): void => {
    for (;;) {
      if (res.destroyed) return
      const next = bytes.next()
      if (next.done === true) return void res.end()
      if (!res.write(next.value)) return void res.once('drain', pump)
    }
  }
  pump()
}

const blob = (size: number, req: http.IncomingMessage, res: http.ServerResponse): void => {
  req.resume()
  const m = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '')
  if (m === null) {
    res.writeHead(200, {
      'content-type': 'application/octet-stream',
      'content-length': String(size),
      'accept-ranges': 'bytes',
    })
    return serve(res, 0, size)
  }
  const start = Number(m[1])
  const end = Math.min(size, m[2] === '' ? size : Number(m[2]) + 1)
  if (start >= size || end <= start) return empty(res, 416, { 'content-range': `bytes */${size}` })
  res.writeHead(206, {
    'content-type': 'application/octet-stream',
    'content-length': String(end - start),
    'content-range': `bytes ${start}-${end - 1}/${size}`,
  })
  serve(res, start, end)
}

/** Handles `req` when it is a transfer route; false when it is not one. */
export const transferRoute = (req: http.IncomingMessage, res: http.ServerResponse, path: string): boolean => {
  const method = req.method ?? 'GET'
  if (path === '/sink' && (method === 'POST' || method === 'PUT')) return (sink(req, res), true)
  const up = /^\/upload\/([\w-]{1,64})$/.exec(path)
  if (up !== null && method === 'PUT') return (chunk(up[1] as string, req, res), true)
  const down = /^\/blob\/(\d{1,12})$/.exec(path)
  if (down !== null && method === 'GET') return (blob(Number(down[1]), req, res), true)
  return false
}
