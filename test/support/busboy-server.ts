/**
 * A multipart/form-data server for tests (not a test file itself) that parses what it gets with
 * busboy, an independent parser (the one multer and fastify use), and answers what it saw:
 * fields and files in order, each file with its size and SHA-256. With `?slow=1` it reads the
 * body slowly after the first chunk (so a test can change a file while it is being sent).
 */
import { createHash } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import busboy from 'busboy'
import { closeServer, listenLoopback } from './peers.js'

/** One part as busboy reported it. */
export type Parsed =
  | { readonly _tag: 'Field'; readonly name: string; readonly value: string }
  | {
      readonly _tag: 'File'
      readonly name: string
      readonly filename: string
      readonly mimeType: string
      readonly size: number
      readonly sha256: string
    }

/** What the server answers for one request. */
export interface BusboyAnswer {
  readonly ok: boolean
  readonly error?: string
  readonly parts: ReadonlyArray<Parsed>
  readonly bodyBytes: number
  readonly contentType: string
}

export interface BusboyServer {
  readonly url: string
  /** every answer, in order */
  readonly answers: ReadonlyArray<BusboyAnswer>
  /** requests that arrived (also the ones busboy refused) */
  readonly count: () => number
  /** called when the first body chunk of a `?slow=1` request arrived */
  onFirstChunk: (() => Promise<void>) | null
  close(): Promise<void>
}

/**
 * Starts the server on 127.0.0.1 (port 0).
 * @example
 * const s = await startBusboyServer()
 */
export const startBusboyServer = async (): Promise<BusboyServer> => {
  const answers: BusboyAnswer[] = []
  let count = 0
  const state: BusboyServer = {
    url: '',
    answers,
    count: () => count,
    onFirstChunk: null,
    close: async () => closeServer(server),
  }
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    count++
    const parts: Parsed[] = []
    let bodyBytes = 0
    const contentType = req.headers['content-type'] ?? ''
    const answer = (a: BusboyAnswer): void => {
      answers.push(a)
      if (!res.headersSent)
        res.writeHead(a.ok ? 200 : 400, { 'content-type': 'application/json' }).end(JSON.stringify(a))
    }
    let bb: busboy.Busboy
    try {
      bb = busboy({
        headers: req.headers,
        preservePath: true,
        defParamCharset: 'utf8',
        limits: { fieldSize: 16 << 20, parts: 10_000, fields: 10_000, files: 10_000 },
      })
    } catch (e) {
      req.resume()
      return answer({ ok: false, error: String(e), parts, bodyBytes, contentType })
    }
    const pending: Array<Promise<void>> = []
    // busboy gives an empty name (name="") as undefined: it is reported as ''
    bb.on('field', (name, value) => parts.push({ _tag: 'Field', name: name ?? '', value }))
    bb.on('file', (rawName, stream, info) => {
      const name = rawName ?? ''
      const index = parts.length
      parts.push({ _tag: 'File', name, filename: info.filename ?? '', mimeType: info.mimeType, size: 0, sha256: '' })
      const h = createHash('sha256')
      let size = 0
      pending.push(
        new Promise((resolve) => {
          stream.on('data', (c: Buffer) => {
            size += c.byteLength
            h.update(c)
          })
          stream.on('end', () => {
            parts[index] = {
              _tag: 'File',
              name,
              filename: info.filename ?? '',
              mimeType: info.mimeType,
              size,
              sha256: h.digest('hex'),
            }
            resolve()
          })
        }),
      )
    })
    bb.on('error', (e) => answer({ ok: false, error: String(e), parts, bodyBytes, contentType }))
    bb.on('close', () => void Promise.all(pending).then(() => answer({ ok: true, parts, bodyBytes, contentType })))
    const slow = (req.url ?? '').includes('slow=1')
    let first = true
    req.on('data', (c: Buffer) => {
      bodyBytes += c.byteLength
      if (slow && first && state.onFirstChunk !== null) {
        first = false
        req.pause()
        void state.onFirstChunk().then(() => req.resume())
      }
    })
    req.on('aborted', () => answer({ ok: false, error: 'aborted', parts, bodyBytes, contentType }))
    req.pipe(bb)
  }
  const server: Server = createServer(handle)
  return Object.assign(state, { url: await listenLoopback(server) })
}
