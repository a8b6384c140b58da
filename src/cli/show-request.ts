/**
 * The request as `-v`, `--print H`/`B` and `--offline` show it, as HTTPie does: the request
 * line (`POST /path?q=1 HTTP/1.1`), the headers with `Host` last, a blank line, the body. A
 * secret-named header's value (Authorization, X-Api-Key, …) and secret query parameters are
 * `***` unless `--show-secrets`. `-v` shows what each attempt sent, seen by a transport that
 * wraps the default one; `--offline` shows the prepared request, nothing sent.
 * @module
 */
import { readFileSync } from 'node:fs'
import type { PreparedRequest } from '../model/prepared.js'
import type { Transport, TransportRequest } from '../model/transport.js'
import { redactHeaderValue, redactSecrets, redactUrl } from '../encoding/redact.js'
import { secretsOf } from '../auth/schemes.js'
import { visible } from './output.js'

/** How much of a streamed request body `-v` keeps to show. */
const SHOWN_BODY_MAX = 1024 * 1024

/**
 * What a shown request is made of; `body` null for none.
 * @example
 * const s: ShownRequest = { method: 'GET', url: 'http://h/x', headers: [['Accept', '*\/*']], body: null }
 * @category cli
 * @since 0.3.0
 */
export interface ShownRequest {
  readonly method: string
  readonly url: string
  readonly headers: ReadonlyArray<readonly [string, string]>
  readonly body: Uint8Array | null
}

/**
 * The request line and headers (Host added last when not there), each line made
 * {@link visible}, ending with the blank line; secrets `***` unless `show`.
 * @example
 * requestHead({ method: 'GET', url: 'http://h:8080/x?a=1', headers: [['Accept', '*\/*']], body: null }, false, []) // 'GET /x?a=1 HTTP/1.1\nAccept: *\/*\nHost: h:8080\n\n'
 * @category cli
 * @since 0.3.0
 */
export const requestHead = (r: ShownRequest, show: boolean, secrets: ReadonlyArray<string>): string => {
  const u = new URL(r.url)
  const target = show ? `${u.pathname}${u.search}` : redactUrl(`${u.pathname}${u.search}`)
  const value = (n: string, v: string): string => (show ? v : redactSecrets(redactHeaderValue(n, v), secrets))
  const host = r.headers.some(([n]) => n.toLowerCase() === 'host') ? [] : [`Host: ${u.host}`]
  const lines = [`${r.method} ${target} HTTP/1.1`, ...r.headers.map(([n, v]) => `${n}: ${value(n, v)}`), ...host].map(
    visible,
  )
  return `${lines.join('\n')}\n\n`
}

const UTF8 = new TextDecoder('utf-8', { fatal: true })
// what a terminal would act on; tab, LF and CR are text
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/

/**
 * A request body as shown: its bytes when not on a terminal; on a terminal its text, or a
 * note for a body that is binary (HTTPie's "binary data not shown").
 * @example
 * requestBody(new TextEncoder().encode('{"a": 1}'), true) // '{"a": 1}\n\n'
 * @category cli
 * @since 0.3.0
 */
export const requestBody = (body: Uint8Array | null, terminal: boolean, more = 0): Uint8Array | string => {
  if (body === null || body.byteLength === 0) return ''
  const tail = more > 0 ? `\n(and ${more} more bytes not shown)` : ''
  if (!terminal) return Buffer.concat([body, Buffer.from(`${tail}\n\n`)])
  let text: string | null = null
  try {
    text = UTF8.decode(body)
  } catch {
    /* binary */
  }
  if (text === null || CONTROL.test(text))
    return `[binary data, ${body.byteLength + more} bytes, not shown on a terminal]\n\n`
  return `${text}${tail}\n\n`
}

/**
 * The body of a prepared request as bytes (file ranges read now), or null for none; a body
 * downloaded from a URL when sent is shown as a note.
 * @example
 * preparedBody(p) // Uint8Array [ … ]
 * @category cli
 * @since 0.3.0
 */
export const preparedBody = (p: PreparedRequest): Uint8Array | null => {
  if (p.body._tag === 'None') return null
  return Buffer.concat(
    p.body.segments.map((s) =>
      s._tag === 'Bytes'
        ? s.bytes
        : s._tag === 'File'
          ? readFileSync(s.path).subarray(s.start, s.end)
          : Buffer.from(`[the body downloaded from ${s.url} when sent]`),
    ),
  )
}

/**
 * A prepared request as `--offline` prints it: head and/or body.
 * @example
 * showPrepared(p, { head: true, body: true, terminal: false, show: false }) // ['POST /x HTTP/1.1\n…', Uint8Array]
 * @category cli
 * @since 0.3.0
 */
export const showPrepared = (
  p: PreparedRequest,
  o: { readonly head: boolean; readonly body: boolean; readonly terminal: boolean; readonly show: boolean },
): ReadonlyArray<Uint8Array | string> => {
  const r: ShownRequest = { method: p.method, url: p.url, headers: p.headers, body: preparedBody(p) }
  return [o.head ? requestHead(r, o.show, secretsOf(p)) : '', o.body ? requestBody(r.body, o.terminal) : '']
}

/**
 * The default transport wrapped so that every request it is asked to send is shown first
 * (`-v`, `--print H`/`B`): the head when the attempt starts, the body once it is sent (a
 * streamed body is kept up to 1 MiB to be shown).
 * @example
 * const transport = showingTransport(H.defaultTransport, (head, body) => process.stderr.write(head), { head: true, body: true, terminal: false, show: false })
 * @category cli
 * @since 0.3.0
 */
export const showingTransport = (
  inner: Transport,
  write: (data: Uint8Array | string) => void,
  o: { readonly head: boolean; readonly body: boolean; readonly terminal: boolean; readonly show: boolean },
): Transport => {
  const t = async (req: TransportRequest) => {
    const shown = { method: req.method, url: req.url, headers: req.headers, body: null }
    if (o.head) write(requestHead(shown, o.show, []))
    if (!o.body || req.body === null) return inner(req)
    if (req.body instanceof Uint8Array) {
      write(requestBody(req.body, o.terminal))
      return inner(req)
    }
    const source = req.body
    const kept: Uint8Array[] = []
    let size = 0
    let more = 0
    async function* teed(): AsyncIterable<Uint8Array> {
      for await (const chunk of source) {
        const room = Math.max(0, SHOWN_BODY_MAX - size)
        if (room > 0) kept.push(chunk.subarray(0, room))
        size += Math.min(room, chunk.byteLength)
        more += chunk.byteLength - Math.min(room, chunk.byteLength)
        yield chunk
      }
    }
    try {
      return await inner({ ...req, body: teed() })
    } finally {
      write(requestBody(Buffer.concat(kept), o.terminal, more))
    }
  }
  return Object.assign(t, {
    ...(inner.close === undefined ? {} : { close: inner.close }),
    ...(inner.offersHttp2 === undefined ? {} : { offersHttp2: inner.offersHttp2 }),
  })
}
