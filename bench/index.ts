/**
 * `npm run bench`: httpipe against the raw transport it runs on (`undici.request` with a
 * keep-alive agent), measured in the same run on a loopback node:http server. Reports
 * requests per second and the ratio raw/httpipe (1.0 = no overhead), and the peak RSS growth
 * of a 64 MiB download streamed to a file.
 */
import http from 'node:http'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pipe } from 'fp-ts/function'
import * as H from '../dist/esm/index.js'
import { Agent, request } from 'undici'

const small = Buffer.from(JSON.stringify({ ok: true, items: Array.from({ length: 20 }, (_, i) => ({ i, name: `item ${i}` })) }))
const chunk = Buffer.alloc(1 << 16, 7)
const server = http.createServer((req, res) => {
  req.resume()
  req.on('end', () => {
    if (req.url?.startsWith('/big/')) {
      const total = Number(req.url.slice(5))
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
      return pump()
    }
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(small.length) })
    res.end(small)
  })
})
await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
const addr = server.address()
const base = `http://127.0.0.1:${typeof addr === 'object' && addr !== null ? addr.port : 0}`
const agent = new Agent()

/** Wall time in ms of n sequential calls; CPU time (user + system, this process: client and server) is added to `cpu`. */
const cpu = new Map<() => Promise<void>, number>()
const time = async (n: number, f: () => Promise<void>): Promise<number> => {
  for (let i = 0; i < 100; i++) await f() // warm up
  const c0 = process.cpuUsage()
  const t0 = process.hrtime.bigint()
  for (let i = 0; i < n; i++) await f()
  const c = process.cpuUsage(c0)
  cpu.set(f, (cpu.get(f) ?? 0) + (c.user + c.system) / 1000)
  return Number(process.hrtime.bigint() - t0) / 1e6
}

const N = Number(process.env['BENCH_N'] ?? 3000)
const rawGet = async (): Promise<void> => {
  const r = await request(`${base}/get?x=1`, { dispatcher: agent })
  await r.body.arrayBuffer()
}
const getReq = pipe(H.newRequest(), H.initialize(`${base}/get`), H.addUrlParameter('x', 1))
const pipeGet = async (): Promise<void> => {
  const r = await pipe(getReq, H.processRequest('GET'))()
  if (r._tag === 'Left') throw new Error(r.left.message)
}
const body = JSON.stringify({ field1: 10, field2: 'Text', list: [1, 2, 3] })
const rawPost = async (): Promise<void> => {
  const r = await request(`${base}/post`, { method: 'POST', body, headers: { 'content-type': 'application/json' }, dispatcher: agent })
  await r.body.arrayBuffer()
}
const pipePost = async (): Promise<void> => {
  const r = await pipe(H.newRequest(), H.initialize(`${base}/post`), H.setJsonBody({ field1: 10, field2: 'Text', list: [1, 2, 3] }), H.processRequest('POST'))()
  if (r._tag === 'Left') throw new Error(r.left.message)
}

const median = (xs: ReadonlyArray<number>): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0
const ROUNDS = 5
const rows: Array<[string, number, number]> = []
const cpuRows: Array<[string, number, number]> = []
for (const [name, raw, ours] of [
  ['GET small JSON', rawGet, pipeGet],
  ['POST JSON (steps built per request)', rawPost, pipePost],
] as const) {
  // alternate the two in rounds and take medians, so drift in the machine hits both alike
  const tRaw: number[] = []
  const tOurs: number[] = []
  for (let i = 0; i < ROUNDS; i++) {
    tRaw.push(await time(Math.ceil(N / ROUNDS), raw))
    tOurs.push(await time(Math.ceil(N / ROUNDS), ours))
  }
  rows.push([name, median(tRaw) * ROUNDS, median(tOurs) * ROUNDS])
  cpuRows.push([name, cpu.get(raw) ?? 0, cpu.get(ours) ?? 0])
}
console.log(`requests: ${N} sequential per case, loopback, keep-alive\n`)
console.log('case                                   raw req/s   httpipe req/s   raw/httpipe time ratio')
for (const [name, tRaw, tOurs] of rows)
  console.log(`${name.padEnd(38)} ${((N / tRaw) * 1000).toFixed(0).padStart(9)}   ${((N / tOurs) * 1000).toFixed(0).padStart(13)}   ${(tOurs / tRaw).toFixed(2).padStart(8)}x`)

console.log('\nCPU per request (client + loopback server, this process)')
for (const [name, cRaw, cOurs] of cpuRows)
  console.log(`${name.padEnd(38)} raw ${((cRaw * 1000) / (N + 100 * ROUNDS)).toFixed(0).padStart(5)} us   httpipe ${((cOurs * 1000) / (N + 100 * ROUNDS)).toFixed(0).padStart(5)} us   ratio ${(cOurs / cRaw).toFixed(2)}x`)

// httpipe's own cost: the same request run through a transport that answers at once from memory
const canned = Buffer.from('{"ok":true}')
const instant: H.Transport = async () => ({ status: 200, statusText: 'OK', headers: [['content-type', 'application/json'], ['content-length', String(canned.length)]], body: null, decoded: false })
const M = 20000
for (let i = 0; i < 2000; i++) await pipe(getReq, H.processRequest('GET', { transport: instant }))()
const tp = process.hrtime.bigint()
for (let i = 0; i < M; i++) await pipe(getReq, H.processRequest('GET', { transport: instant }))()
const tb = process.hrtime.bigint()
for (let i = 0; i < M; i++) pipe(H.newRequest(), H.initialize(`${base}/post`), H.setJsonBody({ a: 1, b: 'x' }), H.addHeader('X-A', '1'))
console.log(`\nhttpipe alone (no network): processRequest ${(Number(tb - tp) / M / 1000).toFixed(1)} us, building a 4-step request ${(Number(process.hrtime.bigint() - tb) / M / 1000).toFixed(1)} us`)

// memory: a 64 MiB download streamed to a file should not grow RSS by anything like 64 MiB
const dir = mkdtempSync(join(tmpdir(), 'httpipe-bench-'))
const size = 64 << 20
global.gc?.()
const before = process.memoryUsage().rss
let peak = before
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5)
const t0 = process.hrtime.bigint()
const r = await pipe(H.newRequest(), H.initialize(`${base}/big/${size}`), H.setResponseFile(join(dir, 'big.bin')), H.processRequest('GET'))()
const ms = Number(process.hrtime.bigint() - t0) / 1e6
clearInterval(sampler)
console.log(`\n64 MiB to a file: ${r._tag === 'Right' ? 'ok' : r.left.message}, ${((size / (1 << 20)) / (ms / 1000)).toFixed(0)} MiB/s, peak RSS growth ${((peak - before) / (1 << 20)).toFixed(1)} MiB`)
rmSync(dir, { recursive: true, force: true })
await Promise.all([agent.close(), H.defaultTransport.close()])
server.closeAllConnections()
server.close()
