/**
 * `--template FILE` on the command line: the template read and loaded with the trust the
 * `--trust-*` flags and `--insecure` give (a refused template names each field and the flag that
 * allows it), and the summary of what a loaded template will do, printed before it is sent.
 * @module
 */
import { readFileSync } from 'node:fs'
import type { Request } from '../model/request.js'
import { redactUrl } from '../encoding/redact.js'
import type { Secret } from '../model/secret.js'
import type { TemplateTrust } from '../steps/template-trust.js'
import { targetUrl } from '../steps/init.js'
import type { Lib, Values } from './flag.js'

/**
 * A usage error: the message on stderr and exit 2.
 * @example
 * throw new Usage('a URL is required')
 * @internal
 */
export class Usage extends Error {}

/**
 * The trust the flags give a template: `--trust-secret NAME=ORIGIN` (repeatable, origins of one
 * name gathered), `--trust-files DIR`, `--trust-downloads`, `--trust-proxy`, and `--insecure`
 * (TLS checks off).
 * @example
 * trustOf({ trustSecret: [['TOKEN', 'https://a.example']], trustProxy: true }) // { secrets: { TOKEN: ['https://a.example'] }, files: [], downloads: false, proxy: true, insecureTls: false }
 * @internal
 */
export const trustOf = (values: Values): TemplateTrust => {
  const secrets = new Map<string, string[]>()
  const pairs = values['trustSecret']
  for (const [name, origin] of Array.isArray(pairs) ? (pairs as ReadonlyArray<readonly [string, string]>) : [])
    secrets.set(name, [...(secrets.get(name) ?? []), origin])
  const files = values['trustFiles']
  return {
    // fromEntries defines each name as the object's own property (`__proto__` too)
    secrets: Object.fromEntries(secrets),
    files: Array.isArray(files) ? (files as ReadonlyArray<string>) : [],
    downloads: values['trustDownloads'] === true,
    proxy: values['trustProxy'] === true,
    insecureTls: values['insecure'] === true,
  }
}

const FLAG_OF: ReadonlyArray<readonly [RegExp, string]> = [
  [/allow with trust\.secrets\.([A-Za-z0-9_]+)$/, 'allow with --trust-secret $1=ORIGIN'],
  [/allow with trust\.files$/, 'allow with --trust-files DIR (a directory that holds it)'],
  [/allow with trust\.downloads$/, 'allow with --trust-downloads'],
  [/allow with trust\.proxy$/, 'allow with --trust-proxy'],
  [/allow with trust\.insecureTls$/, 'allow with --insecure'],
]

const REFUSED = 'fromTemplate: the template may not act on this machine unless trusted: '

/**
 * Reads and loads the template at `path` with the flags' trust; a usage error when it cannot be
 * read, is not a template, or is refused (each field on a line with the flag that allows it).
 * @example
 * loadTemplate(H, 'shared.json', { trustProxy: true })
 * @internal
 */
export const loadTemplate = (H: Lib, path: string, values: Values): Request => {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (e) {
    throw new Usage(`cannot read the template ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`)
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (e) {
    throw new Usage(`the template ${path} is not JSON: ${e instanceof Error ? e.message : String(e)}`)
  }
  const loaded = H.fromTemplate(json, trustOf(values))
  if (loaded._tag === 'Right') return loaded.right
  const message = loaded.left.message
  if (!message.startsWith(REFUSED)) throw new Usage(`the template ${path}: ${message.replace(/^fromTemplate: /, '')}`)
  const lines = message
    .slice(REFUSED.length)
    .split('; ')
    .map((p) => FLAG_OF.reduce((line, [re, flag]) => line.replace(re, flag), p))
  throw new Usage(
    `the template ${path} was refused, nothing was sent: it may not do this unless you trust it\n${lines.map((l) => `httpipe:   ${l}`).join('\n')}`,
  )
}

const refsOf = (req: Request): ReadonlyArray<Secret | null> => {
  const a = req.auth
  const auth =
    a._tag === 'Basic' || a._tag === 'Digest'
      ? [a.password]
      : a._tag === 'Bearer'
        ? [a.token]
        : a._tag === 'Aws4'
          ? [a.secretKey, a.sessionToken]
          : a._tag === 'OAuth1'
            ? [a.token, a.tokenSecret, a.consumerSecret]
            : []
  return [...auth, req.proxy?.password ?? null, req.tls?.passphrase ?? null, ...req.headers.map(([, v]) => v)]
}

/**
 * What a loaded template will do, for stderr before it is sent: the method and origin, the
 * secrets it reads (names, and the origins they are bound to), the files it reads and writes,
 * its proxy and whether TLS checks are off.
 * @example
 * templateSummary('shared.json', 'GET', req) // 'httpipe: template shared.json: GET https://api.example.com\n…'
 * @internal
 */
export const templateSummary = (path: string, method: string, req: Request): string => {
  const target = targetUrl(req)
  const origin = target !== null && URL.canParse(target) ? new URL(target).origin : (target ?? 'no URL')
  const secrets = [
    ...new Set(
      refsOf(req).flatMap((s) =>
        s === null || typeof s === 'string' || s._tag !== 'SecretRef'
          ? []
          : [`${s.env}${s.origins === undefined ? '' : ` (only to ${s.origins.join(', ')})`}`],
      ),
    ),
  ]
  const b = req.body
  const sources =
    b._tag === 'Binary'
      ? [b.source]
      : b._tag === 'Multipart'
        ? b.parts.flatMap((p) => (p._tag === 'Field' ? [] : [p.source]))
        : []
  const t = req.tls
  const reads = [
    ...sources.flatMap((s) => (s._tag === 'File' ? [s.path] : [])),
    ...(t === null ? [] : [t.ca, t.cert, t.key]).flatMap((p) => (p !== null && typeof p !== 'string' ? [p.path] : [])),
  ]
  const downloads = sources.flatMap((s) => (s._tag === 'Url' ? [`downloads ${redactUrl(s.url)}`] : []))
  const files = [
    ...reads.map((p) => `reads ${p}`),
    ...(req.responseFile === null ? [] : [`writes ${req.responseFile}`]),
  ]
  const p = req.proxy
  const lines = [
    `template ${path}: ${method} ${origin}`,
    `  secrets: ${secrets.length === 0 ? 'none' : secrets.join(', ')}`,
    `  files: ${files.length === 0 ? 'none' : files.join(', ')}`,
    ...(downloads.length === 0 ? [] : [`  ${downloads.join(', ')}`]),
    `  proxy: ${p === null ? 'none' : `${p.protocol}://${p.host}:${p.port}`}`,
    ...(t !== null && !t.rejectUnauthorized ? ['  TLS certificate checks: off'] : []),
    ...(t !== null && typeof t.ca === 'string' ? ["  TLS: trusts the template's own CA in place of the system's"] : []),
  ]
  return lines.map((l) => `httpipe: ${l}\n`).join('')
}
