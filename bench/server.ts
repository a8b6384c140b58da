/**
 * The benchmark server, run in a child process by bench/index.ts
 * (`process.execPath --import tsx bench/server.ts`), so that the clients measured and the
 * server do not share an event loop. node:http with long keep-alive; listens on 127.0.0.1 on
 * a free port and reports `{ port }` to the parent over IPC (or as a `PORT <n>` stdout line
 * when started by hand). Exits when the parent goes away.
 *
 * Routes: GET /json/1k and /json/64k (exactly 1 KiB / 64 KiB of JSON, see payload.ts);
 * GET /big/<bytes> (that many bytes of application/octet-stream, streamed with backpressure);
 * GET /first/<bytes>/<ms> (1 KiB with the head at once, then <bytes> more, at most 64 KiB, <ms> later);
 * POST /post/1k (the request body read to its end, then the 1 KiB JSON, the bytes received in `x-received-bytes`);
 * the transfer routes /sink, /upload/<id> and /blob/<n> (see transfer-routes.ts).
 */
import http from 'node:http'
import { makePayload, routes } from './payload.js'
import { transferRoute } from './transfer-routes.js'

const bodies = new Map<string, Buffer>([
  [routes.small, makePayload(1024)],
  [routes.large, makePayload(64 * 1024)],
])
const chunk = Buffer.alloc(64 * 1024, 7)

const stream = (res: http.ServerResponse, total: number): void => {
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(total) })
  let sent = 0
  const pump = (): void => {
    while (sent < total) {
      const n = Math.min(chunk.length, total - sent)
      sent += n
      if (!res.write(n === chunk.length ? chunk : chunk.subarray(0, n))) return void res.once('drain', pump)
    }
    res.end()
  }
  pump()
}

/** The 1 KiB JSON, once the whole request body has arrived (as an API answers a POST). */
const answerAfterBody = (req: http.IncomingMessage, res: http.ServerResponse): void => {
  let received = 0
  req.on('data', (c: Buffer) => void (received += c.length))
  req.on('end', () => {
    const body = bodies.get(routes.small) as Buffer
    res.writeHead(200, {
      'content-type': 'application/json',
      'content-length': String(body.length),
      'x-received-bytes': String(received),
    })
    res.end(body)
  })
}

const server = http.createServer((req, res) => {
  const url = req.url ?? '/'
  const path = url.split('?', 1)[0] ?? url
  if (transferRoute(req, res, path)) return
  if (path === routes.post) return answerAfterBody(req, res)
  req.resume()
  const body = bodies.get(path)
  if (body !== undefined) {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(body.length) })
    return void res.end(body)
  }
  if (path.startsWith('/big/')) return stream(res, Number(path.slice(5)))
  const first = /^\/first\/(\d+)\/(\d+)$/.exec(path)
  if (first !== null) {
    const rest = chunk.subarray(0, Number(first[1]))
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(1024 + rest.length) })
    res.write(chunk.subarray(0, 1024))
    const later = setTimeout(() => res.end(rest), Number(first[2]))
    return void res.once('close', () => clearTimeout(later))
  }
  res.writeHead(404, { 'content-type': 'text/plain', 'content-length': '9' })
  res.end('not found')
})
// Every client keeps its pool across rounds (a round runs every other client in between):
// idle keep-alive connections must outlive a whole round.
server.keepAliveTimeout = 300_000
server.headersTimeout = 310_000
server.requestTimeout = 0
server.maxRequestsPerSocket = 0

server.listen(0, '127.0.0.1', () => {
  const addr = server.address()
  const port = typeof addr === 'object' && addr !== null ? addr.port : 0
  if (typeof process.send === 'function') process.send({ port })
  else process.stdout.write(`PORT ${port}\n`)
})
process.on('disconnect', () => process.exit(0))
process.on('SIGTERM', () => {
  server.closeAllConnections()
  server.close(() => process.exit(0))
})
