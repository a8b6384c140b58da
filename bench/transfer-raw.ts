/**
 * The references of the transfer benchmark: a raw `node:http` request with the file piped into
 * it, and a raw `node:http` response piped into a file (each on a fresh connection). Imports
 * node:http and node:fs only, so that its process holds nothing else.
 * @module
 */
import { createReadStream, createWriteStream } from 'node:fs'
import http from 'node:http'
import { pipeline } from 'node:stream/promises'
import type { Job, Outcome } from './transfer-cases.js'

/** A node:http request on a fresh connection; the status and, unless `receive` took the 200's body, the answer's text. */
const rawRequest = (
  url: string,
  options: http.RequestOptions,
  send: (req: http.ClientRequest) => void,
  receive?: (res: http.IncomingMessage) => Promise<void>,
): Promise<{ status: number; text: string }> =>
  new Promise((resolve, reject) => {
    const req = http.request(url, { agent: false, ...options }, (res) => {
      if (receive !== undefined && res.statusCode === 200)
        return void receive(res).then(() => resolve({ status: 200, text: '' }), reject)
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('error', reject)
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }))
    })
    req.on('error', reject)
    send(req)
  })

/** `fs.createReadStream(file).pipe(req)`: a PUT of the file to /sink. */
export const rawUpload = async (job: Job): Promise<Outcome> => {
  const headers = { 'content-type': 'application/octet-stream', 'content-length': String(job.size) }
  const r = await rawRequest(`${job.base}/sink`, { method: 'PUT', headers }, (req) => {
    const file = createReadStream(job.file)
    file.on('error', (e) => req.destroy(e))
    file.pipe(req)
  })
  return r.status === 200 ? { answer: r.text } : { error: `status ${r.status}: ${r.text.slice(0, 200)}` }
}

/** A GET of /blob/<size>, the response piped into `fs.createWriteStream(file)`. */
export const rawDownload = async (job: Job): Promise<Outcome> => {
  const r = await rawRequest(
    `${job.base}/blob/${job.size}`,
    { method: 'GET' },
    (req) => req.end(),
    (res) => pipeline(res, createWriteStream(job.file)),
  )
  return r.status === 200 ? { answer: '' } : { error: `status ${r.status}` }
}

const agent = (): http.Agent => new http.Agent({ keepAlive: true, maxSockets: 1 })

/** One request on `a`; the status, the headers and the answer's text (or the 2xx body piped to `into`). */
const onAgent = (
  a: http.Agent,
  url: string,
  options: http.RequestOptions,
  send: (req: http.ClientRequest) => void,
  into?: () => NodeJS.WritableStream,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }> =>
  new Promise((resolve, reject) => {
    const req = http.request(url, { ...options, agent: a }, (res) => {
      const status = res.statusCode ?? 0
      if (into !== undefined && status === 206)
        return void pipeline(res, into()).then(() => resolve({ status, headers: res.headers, text: '' }), reject)
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('error', reject)
      res.on('end', () => resolve({ status, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }))
    })
    req.on('error', reject)
    send(req)
  })

/**
 * The resumable-upload protocol by hand with node:http (keep-alive, one socket): chunks of
 * `chunk` bytes read from the file (`createReadStream` with start/end) with their
 * Content-Range, going on from the `Range` of each `308`.
 */
export const rawChunkedUpload =
  (chunk: number) =>
  async (job: Job): Promise<Outcome> => {
    const a = agent()
    try {
      for (let offset = 0; ;) {
        const end = Math.min(job.size, offset + chunk)
        const headers = {
          'content-length': String(end - offset),
          'content-range': `bytes ${offset}-${end - 1}/${job.size}`,
        }
        const r = await onAgent(a, `${job.base}/upload/${job.uploadId}`, { method: 'PUT', headers }, (req) => {
          const file = createReadStream(job.file, { start: offset, end: end - 1 })
          file.on('error', (e) => req.destroy(e))
          file.pipe(req)
        })
        if (r.status === 200 || r.status === 201) return { answer: r.text }
        const held = /^bytes=0-(\d+)$/.exec(String(r.headers.range ?? ''))
        if (r.status !== 308 || held === null)
          return { error: `status ${r.status} ${String(r.headers.range)}: ${r.text.slice(0, 200)}` }
        offset = Number(held[1]) + 1
      }
    } finally {
      a.destroy()
    }
  }

/** Ranged GETs by hand with node:http (keep-alive, one socket): each 206 appended to the file. */
export const rawRangedDownload =
  (chunk: number) =>
  async (job: Job): Promise<Outcome> => {
    const a = agent()
    try {
      for (let offset = 0; offset < job.size;) {
        const end = Math.min(job.size, offset + chunk)
        const r = await onAgent(
          a,
          `${job.base}/blob/${job.size}`,
          { method: 'GET', headers: { range: `bytes=${offset}-${end - 1}` } },
          (req) => req.end(),
          () => createWriteStream(job.file, { flags: 'a' }),
        )
        if (r.status !== 206 || r.headers['content-range'] !== `bytes ${offset}-${end - 1}/${job.size}`)
          return { error: `status ${r.status}, Content-Range ${String(r.headers['content-range'])}` }
        offset = end
      }
      return { answer: '' }
    } finally {
      a.destroy()
    }
  }
