/**
 * A prepared request as the curl command that sends the same request: method, URL, headers
 * and body byte for byte (files read by curl, mixed bodies written by a shell pipeline), with
 * the settings curl has an option for. Secrets are `***` unless asked for.
 * @module
 */
import { secretsOf } from '../auth/schemes.js'
import { printfCommands, shellQuote, showableText } from '../encoding/shell.js'
import { SECRET } from '../model/log.js'
import { findHeader } from '../model/headers.js'
import { sinkFile, type PreparedRequest, type Segment } from '../model/prepared.js'
import { isTagged } from '../model/valid.js'
import type { Pem } from '../model/request.js'
import { defaultSettings } from '../model/settings.js'
import { isSecretParam, redactHeaderValue, redactSecrets, redactUrl } from '../encoding/redact.js'
import { concatBytes } from '../model/bytes.js'

/**
 * Options of {@link toCurl}.
 * @example
 * const o: CurlOptions = { showSecrets: true }
 * @category running
 * @since 0.3.0
 */
export interface CurlOptions {
  /** write credentials as they are (default false: every secret is `***`, as in the log) */
  readonly showSecrets?: boolean
}

const isPrepared = isTagged<PreparedRequest>('PreparedRequest')
const ASCII = new TextEncoder()

/** How a text is shown: as it is, or with every secret (literal, named or in a URL) hidden. */
interface Hider {
  readonly text: (s: string) => string
  readonly url: (s: string) => string
  readonly header: (name: string, value: string) => string
}

const hider = (p: PreparedRequest, show: boolean): Hider => {
  if (show) return { text: (s) => s, url: (s) => s, header: (_, v) => v }
  const secrets = secretsOf(p)
  const text = (s: string): string => redactSecrets(s, secrets)
  return { text, url: (s) => text(redactUrl(s)), header: (n, v) => text(redactHeaderValue(n, v)) }
}

/** A JSON value with the values of secret-named keys hidden (at any depth). */
const hideJsonFields = (v: unknown): unknown =>
  Array.isArray(v)
    ? v.map(hideJsonFields)
    : typeof v === 'object' && v !== null
      ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, isSecretParam(k) ? SECRET : hideJsonFields(x)]))
      : v

/** A text body with the values of its secret-named fields hidden (form and JSON bodies), and every literal secret. */
const hideBody = (text: string, contentType: string, h: Hider): string => {
  const type = contentType.toLowerCase()
  if (type.startsWith('application/x-www-form-urlencoded')) return h.url(`?${text}`).slice(1)
  if (/^application\/([\w.+-]+\+)?json/.test(type))
    try {
      const value: unknown = JSON.parse(text)
      const hidden = JSON.stringify(hideJsonFields(value))
      // nothing secret-named: the text as sent, byte for byte (big numbers, duplicate keys, spaces)
      return h.text(hidden === JSON.stringify(value) ? text : hidden)
    } catch {
      /* not JSON after all (or too deep to walk): literal secrets only */
    }
  return h.text(text)
}

/**
 * A file path that no command reads as an option, nor as stdin: one that starts with `-` is
 * written `./-n` (for `cat`, `tail`, curl's `@file` and `--output`, where `-n` would be an
 * option and `-` stdin or stdout; `cat -- -` would still read stdin).
 */
const safePath = (path: string): string => (path.startsWith('-') ? `./${path}` : path)

/** The shell command that writes one segment to stdout (literal secrets hidden in parts that are text). */
const segmentCommand = (s: Segment, h: Hider): ReadonlyArray<string> => {
  switch (s._tag) {
    case 'Bytes': {
      const text = showableText(s.bytes)
      return printfCommands(text === null ? s.bytes : ASCII.encode(h.text(text)))
    }
    case 'File':
      if (s.start === 0 && s.end === s.size) return [`cat ${shellQuote(safePath(s.path))}`]
      return [`tail -c +${s.start + 1} ${shellQuote(safePath(s.path))} | head -c ${s.end - s.start}`]
    case 'Url':
      return [`curl -sS --fail ${shellQuote(h.url(s.url))}`]
  }
}

/** The body as curl options (an entry per option), and the commands that feed curl's stdin when it reads the body from there. */
const bodyArgs = (
  p: PreparedRequest,
  h: Hider,
  show: boolean,
): { readonly args: ReadonlyArray<string>; readonly feed: ReadonlyArray<string> } => {
  if (p.body._tag === 'None') return { args: [], feed: [] }
  const segments = p.body.segments
  const only = segments[0]
  if (segments.length === 1 && only?._tag === 'File' && only.start === 0 && only.end === only.size)
    return { args: [`--data-binary ${shellQuote(`@${safePath(only.path)}`)}`], feed: [] }
  if (segments.every((s) => s._tag === 'Bytes')) {
    const bytes = concatBytes(segments.map((s) => (s._tag === 'Bytes' ? s.bytes : new Uint8Array(0))))
    const text = showableText(bytes)
    const shown = text === null || show ? text : hideBody(text, findHeader(p.headers, 'content-type') ?? '', h)
    // a word starting with @ would be read by curl as a file name
    if (shown !== null && !shown.startsWith('@')) return { args: [`--data-binary ${shellQuote(shown)}`], feed: [] }
    if (shown !== null) return { args: ['--data-binary @-'], feed: printfCommands(ASCII.encode(shown)) }
  }
  return { args: ['--data-binary @-'], feed: segments.flatMap((s) => segmentCommand(s, h)) }
}

/** A PEM given as text, handed to curl as a file (bash and zsh process substitution). */
const pemArg = (pem: Pem): string =>
  typeof pem === 'string' ? `<(${printfCommands(ASCII.encode(pem)).join('; ')})` : shellQuote(pem.path)

const seconds = (ms: number): string => String(Math.round(ms) / 1000)

/** The method as curl options: none where curl's own choice is the same (GET, or POST with a body). */
const methodArgs = (method: string, hasBody: boolean): ReadonlyArray<string> =>
  (method === 'GET' && !hasBody) || (method === 'POST' && hasBody)
    ? []
    : method === 'HEAD' && !hasBody
      ? ['--head']
      : [`--request ${shellQuote(method)}`]

/** The headers as `-H` options; curl's own defaults that httpipe does not send are removed. */
const headerArgs = (p: PreparedRequest, h: Hider): ReadonlyArray<string> => {
  const out: string[] = []
  for (const [name, value] of p.headers) {
    if (name.toLowerCase() === 'content-length') continue // curl counts the body itself
    // `Name:` would remove a header in curl; `Name;` sends it empty
    out.push(`-H ${shellQuote(value === '' ? `${name};` : `${name}: ${h.header(name, value)}`)}`)
  }
  const remove = (name: string): void => {
    if (findHeader(p.headers, name) === undefined) out.push(`-H ${shellQuote(`${name}:`)}`)
  }
  remove('User-Agent')
  remove('Accept')
  if (p.body._tag !== 'None') {
    remove('Content-Type') // else curl's application/x-www-form-urlencoded
    remove('Expect') // else curl's 100-continue for large bodies
  }
  return out
}

/** The settings curl has an option for, where they differ from curl's behaviour or httpipe's defaults. */
const settingArgs = (p: PreparedRequest, h: Hider): ReadonlyArray<string> => {
  const s = p.settings
  const out: string[] = []
  if (s.maxRedirects > 0) out.push('--location', `--max-redirs ${s.maxRedirects}`)
  if (s.gzip) out.push('--compressed')
  if (s.connectTimeout !== defaultSettings.connectTimeout) out.push(`--connect-timeout ${seconds(s.connectTimeout)}`)
  const limits = [s.timeout === defaultSettings.timeout ? null : s.timeout, s.deadline].filter(
    (x): x is number => x !== null,
  )
  if (limits.length > 0) out.push(`--max-time ${seconds(Math.min(...limits))}`)
  if (s.maxAttempts > 0) out.push(`--retry ${s.maxAttempts}`)
  if (s.maxResponseSize !== null) out.push(`--max-filesize ${s.maxResponseSize}`)
  // on http: curl's --http2 would ask for h2c, which httpipe never does
  if (s.http2 && /^https:/i.test(p.url)) out.push('--http2')
  const a = p.auth
  if (a._tag === 'Digest') out.push('--digest', `--user ${shellQuote(`${a.user}:${h.text(a.password)}`)}`)
  if (p.proxy !== null) {
    const host = p.proxy.host.includes(':') ? `[${p.proxy.host}]` : p.proxy.host
    out.push(`--proxy ${shellQuote(`${p.proxy.protocol}://${host}:${p.proxy.port}`)}`)
    if (p.proxy.user !== null)
      out.push(`--proxy-user ${shellQuote(`${p.proxy.user}:${h.text(p.proxy.password ?? '')}`)}`)
  }
  const t = p.tls
  if (t !== null) {
    if (t.ca !== null) out.push(`--cacert ${pemArg(t.ca)}`)
    if (t.cert !== null) out.push(`--cert ${pemArg(t.cert)}`)
    if (t.key !== null) out.push(`--key ${pemArg(t.key)}`)
    if (t.passphrase !== null) out.push(`--pass ${shellQuote(h.text(t.passphrase))}`)
    if (!t.rejectUnauthorized) out.push('--insecure')
  }
  const output = sinkFile(p.sink)
  if (output !== null) out.push(`--output ${shellQuote(safePath(output))}`)
  return out
}

/**
 * The curl command that sends what `prepared` would send: the same method, URL, headers
 * (AWS4 and OAuth1 signed as the first attempt would be; Digest as `--digest --user`) and body
 * bytes. A body of one whole file is `--data-binary @file`; text is inline; anything else
 * (multipart bodies of text and file parts, file ranges, bytes that are not showable text) is
 * written to curl's stdin by `printf`, `cat` and `tail | head` in a POSIX shell pipeline.
 * A relative file path that starts with `-` is written `./-n`: never an option of `cat` or
 * `tail`, nor stdin (`@-`) or stdout (`--output -`) to curl.
 * Settings are added where curl has an option: redirects (`--location --max-redirs`),
 * decompression, timeouts, retries, the size limit, HTTP/2 (`--http2`, on `https:` only),
 * proxy, TLS files and the output file.
 * Secrets (credentials, secret-named headers, params and body fields, passwords in URLs) are
 * `***` unless `options.showSecrets`. curl keeps a method given with `--request` across
 * redirects, where httpipe turns POST into GET on 301/302/303. Not a PreparedRequest: `''`.
 * @example
 * const prepared = await pipe(req, H.prepareRequest('POST'))()
 * if (E.isRight(prepared)) console.log(H.toCurl(prepared.right))
 * // curl http://127.0.0.1:8080/post \
 * //   -H 'Accept: *\/*' \
 * //   -H 'Content-Type: application/json; charset=utf-8' \
 * //   … \
 * //   --data-binary '{"a":1}'
 * @category running
 * @since 0.3.0
 */
export const toCurl = (prepared: PreparedRequest, options?: CurlOptions): string => {
  try {
    if (!isPrepared(prepared)) return ''
    const show = typeof options === 'object' && options !== null && options.showSecrets === true
    const h = hider(prepared, show)
    const body = bodyArgs(prepared, h, show)
    const url = h.url(prepared.url)
    const args = [
      shellQuote(url),
      ...methodArgs(prepared.method, prepared.body._tag !== 'None'),
      ...headerArgs(prepared, h),
      ...settingArgs(prepared, h),
      ...body.args,
      ...(/[[\]{}]/.test(url) ? ['--globoff'] : []),
    ]
    // one option a line, as browsers' "copy as curl" writes it
    const curl = `curl ${args.join(' \\\n  ')}`
    return body.feed.length === 0 ? curl : `{ ${body.feed.join('; ')}; } | ${curl}`
  } catch {
    return ''
  }
}
