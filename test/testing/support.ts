/**
 * Shared helpers for the echo-server tests (not a test file itself). A test file calls
 * `useSharedServer()` once at its top: `server` is then the file's own echo server.
 */
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { request, type IncomingHttpHeaders, type RequestOptions } from 'node:http'
import { before } from 'node:test'

import type { EchoPayload, EchoServer } from '../../src/testing/index.js'
import { useEchoServer } from '../support/fixtures.js'

/** The echo server of the current test file (set by {@link useSharedServer}). */
export let server: EchoServer

/** Starts one echo server before the file's tests and closes it after them (useEchoServer). */
export const useSharedServer = (): void => {
  const echo = useEchoServer()
  before(async () => {
    await echo.ready
    server = echo.server
  })
}

export const call = (path: string, init?: RequestInit): Promise<Response> => fetch(`${server.url}${path}`, init)

export const echoOf = async (res: Response): Promise<EchoPayload> => (await res.json()) as EchoPayload

export const jsonOf = async (res: Response): Promise<Record<string, unknown>> =>
  (await res.json()) as Record<string, unknown>

export interface RawResponse {
  readonly status: number
  readonly headers: IncomingHttpHeaders
  readonly rawHeaders: ReadonlyArray<string>
  readonly body: Buffer
}

/** A node:http request: no automatic decompression, repeated request headers, raw response headers. */
export const raw = (
  path: string,
  options: RequestOptions & { readonly body?: string | Uint8Array } = {},
  base = server,
): Promise<RawResponse> =>
  new Promise((resolve, reject) => {
    const { body, ...rest } = options
    const req = request(`${base.url}${path}`, { agent: false, ...rest }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('error', reject)
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          rawHeaders: res.rawHeaders,
          body: Buffer.concat(chunks),
        }),
      )
    })
    req.on('error', reject)
    req.end(body)
  })

/** `[name, value]` pairs of a flat rawHeaders array whose name matches (case-insensitive). */
export const headerLines = (rawHeaders: ReadonlyArray<string>, name: string): Array<[string, string]> => {
  const lines: Array<[string, string]> = []
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const key = rawHeaders[i] ?? ''
    if (key.toLowerCase() === name.toLowerCase()) lines.push([key, rawHeaders[i + 1] ?? ''])
  }
  return lines
}

/** Asserts a 400 with a JSON `{ error: string }` body; returns the error. */
export const assertBadRequest = async (path: string, init?: RequestInit): Promise<string> => {
  const res = await call(path, init)
  assert.equal(res.status, 400, path)
  assert.equal(res.headers.get('content-type'), 'application/json')
  const body = await jsonOf(res)
  assert.equal(typeof body['error'], 'string', path)
  return String(body['error'])
}

/** Sends `body` with `Content-Type: contentType` (POST unless `method` says otherwise). */
export const sendBody = (
  path: string,
  body: string | Uint8Array,
  contentType: string,
  method = 'POST',
): Promise<Response> =>
  call(path, {
    method,
    headers: { 'Content-Type': contentType },
    body: typeof body === 'string' ? body : new Uint8Array(body),
  })

/** SHA-256 of bytes or UTF-8 text, lower-case hex. */
export const sha256 = (data: string | Uint8Array): string => createHash('sha256').update(data).digest('hex')

/** Malformed multipart bodies: `[label, Content-Type, body]`; each must answer 400. */
export const MALFORMED_MULTIPART: ReadonlyArray<readonly [string, string, string]> = [
  ['missing boundary parameter', 'multipart/form-data', '--b\r\n\r\nx\r\n--b--'],
  ['no opening boundary', 'multipart/form-data; boundary=b', 'just text'],
  [
    'no closing boundary',
    'multipart/form-data; boundary=b',
    '--b\r\nContent-Disposition: form-data; name="a"\r\n\r\nx',
  ],
  ['garbage after boundary', 'multipart/mixed; boundary=b', '--bjunk\r\n\r\nx\r\n--b--'],
  ['delimiter prefix inside a part', 'multipart/mixed; boundary=b', '--b\r\n\r\nx\r\n--b-more\r\n--b--'],
  ['invalid boundary parameter', 'multipart/mixed; boundary="a@b"', '--a@b\r\n\r\nx\r\n--a@b--'],
  ['unterminated part headers', 'multipart/mixed; boundary=b', '--b\r\nX-A: 1\r\n--b--'],
  ['invalid header line', 'multipart/mixed; boundary=b', '--b\r\nnot a header\r\n\r\nx\r\n--b--'],
  [
    'form-data part without name',
    'multipart/form-data; boundary=b',
    '--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b--',
  ],
  [
    'form-data part that is not form-data',
    'multipart/form-data; boundary=b',
    '--b\r\nContent-Disposition: attachment; name="a"\r\n\r\nx\r\n--b--',
  ],
]

/** The timers of `ms` milliseconds that were set, and every timer that was cleared, while `body` ran. */
export interface TimerSpy {
  readonly created: unknown[]
  readonly cleared: unknown[]
}

/**
 * Runs `body` with `setTimeout`/`clearTimeout` spied on (the echo server runs in this process):
 * a route's timer of `ms` milliseconds is recorded when set, and every clear is; the real
 * functions are put back after.
 */
export const withTimerSpy = async (ms: number, body: (spy: TimerSpy) => Promise<void>): Promise<void> => {
  const realSetTimeout = globalThis.setTimeout
  const realClearTimeout = globalThis.clearTimeout
  const spy: TimerSpy = { created: [], cleared: [] }
  const spySet = (handler: () => void, delay?: number): NodeJS.Timeout => {
    const timer = realSetTimeout(handler, delay)
    if (delay === ms) spy.created.push(timer)
    return timer
  }
  const spyClear = (timer?: NodeJS.Timeout | string | number): void => {
    spy.cleared.push(timer)
    realClearTimeout(timer)
  }
  globalThis.setTimeout = spySet as unknown as typeof setTimeout
  globalThis.clearTimeout = spyClear as typeof clearTimeout
  try {
    await body(spy)
  } finally {
    globalThis.setTimeout = realSetTimeout
    globalThis.clearTimeout = realClearTimeout
  }
}
