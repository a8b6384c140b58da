/**
 * Templates from someone else: what a loaded template may do on the user's machine. A template
 * that would read a secret from the environment, read or write a local file, download a body
 * from a URL, use a proxy or turn TLS verification off is refused unless the user's trust allows
 * each; a trusted secret is bound to the origins the trust names.
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import { resolve, relative, isAbsolute, sep } from 'node:path'
import type { MultipartBody, Part } from '../model/multipart.js'
import type { Auth, Request, Source } from '../model/request.js'
import { isEnvName, type Secret, type SecretRef } from '../model/secret.js'
import { redactUrl } from '../encoding/redact.js'

/**
 * What a loaded template is allowed to do on this machine (every option off by default):
 * - `secrets`: the environment variables it may read, each with the origins (`https://api.example.com`,
 *   or a list) it may be sent to; a variable is read only for a request to one of them, never
 *   after a redirect to another (for the proxy password: the proxy's origin);
 * - `files`: directories it may read files from (bodies, multipart parts, TLS files) and write
 *   the response file to; a path is allowed when, resolved against the current directory, it
 *   lies inside one of them (a lexical check: a symbolic link inside a trusted directory is
 *   the user's own);
 * - `downloads`: it may download a body or a part from a URL (`fromUrl`) when it runs: from
 *   this machine, which may reach what the template's author cannot (`localhost`, an intranet,
 *   a cloud metadata address), and send what it got to the template's host;
 * - `proxy`: it may send the request through its proxy;
 * - `insecureTls`: it may turn TLS certificate checks off, or bring its own CA as PEM text (a CA
 *   in a file is allowed by `files`, as its content is then the user's).
 * @example
 * const trust: TemplateTrust = { secrets: { GITHUB_TOKEN: 'https://api.github.com' }, files: ['./uploads'] }
 * const saved = JSON.stringify(H.toTemplate(H.initialize('https://api.github.com/user')(H.newRequest())))
 * H.fromTemplate(JSON.parse(saved), trust)._tag // 'Right'
 * @category request
 * @since 0.3.0
 */
export interface TemplateTrust {
  readonly secrets?: Readonly<Record<string, string | ReadonlyArray<string>>>
  readonly files?: ReadonlyArray<string>
  readonly downloads?: boolean
  readonly proxy?: boolean
  readonly insecureTls?: boolean
}

/** A trust read and checked: origins normalized, directories resolved. */
export interface Trust {
  readonly secrets: ReadonlyMap<string, ReadonlyArray<string>>
  readonly files: ReadonlyArray<string>
  readonly downloads: boolean
  readonly proxy: boolean
  readonly insecureTls: boolean
}

const KEYS = ['secrets', 'files', 'downloads', 'proxy', 'insecureTls']

const isPlainObject = (x: unknown): x is Record<string, unknown> =>
  typeof x === 'object' && x !== null && !Array.isArray(x)

/**
 * An origin as `new URL(o).origin` has it: `https://api.example.com`; a Left when it is no
 * http(s) URL.
 * @example
 * originOf('https://API.example.com:443/x') // right('https://api.example.com')
 */
export const originOf = (o: unknown): E.Either<string, string> => {
  if (typeof o !== 'string' || !URL.canParse(o)) return E.left(`${JSON.stringify(String(o))} is not a URL`)
  const u = new URL(o)
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return E.left(`${JSON.stringify(o)} is not an http(s) origin`)
  return E.right(u.origin)
}

const readSecrets = (x: unknown): E.Either<string, ReadonlyMap<string, ReadonlyArray<string>>> => {
  const out = new Map<string, ReadonlyArray<string>>()
  if (x === undefined) return E.right(out)
  if (!isPlainObject(x)) return E.left('trust.secrets must be an object { NAME: origin | origin[] }')
  for (const name of Object.keys(x)) {
    if (!isEnvName(name)) return E.left(`trust.secrets: ${JSON.stringify(name)} is not an environment variable name`)
    const v = Object.getOwnPropertyDescriptor(x, name)?.value as unknown
    const list: ReadonlyArray<unknown> = Array.isArray(v) ? v : [v]
    if (list.length === 0) return E.left(`trust.secrets.${name}: give at least one origin`)
    const origins: string[] = []
    for (const o of list) {
      const origin = originOf(o)
      if (E.isLeft(origin)) return E.left(`trust.secrets.${name}: ${origin.left}`)
      origins.push(origin.right)
    }
    out.set(name, [...new Set(origins)])
  }
  return E.right(out)
}

/**
 * Reads the `trust` argument of `fromTemplate`: a Left says what is wrong with it (never a throw).
 * @example
 * readTrust({ proxy: true }) // right({ secrets: new Map(), files: [], downloads: false, proxy: true, insecureTls: false })
 */
export const readTrust = (trust: unknown): E.Either<string, Trust> => {
  try {
    if (trust === undefined)
      return E.right({ secrets: new Map(), files: [], downloads: false, proxy: false, insecureTls: false })
    if (!isPlainObject(trust))
      return E.left('trust must be an object { secrets?, files?, downloads?, proxy?, insecureTls? }')
    const unknown = Object.keys(trust).filter((k) => !KEYS.includes(k))
    if (unknown.length > 0) return E.left(`trust has no option ${JSON.stringify(unknown[0])} (${KEYS.join(', ')})`)
    const secrets = readSecrets(trust['secrets'])
    if (E.isLeft(secrets)) return secrets
    const files = trust['files']
    if (
      files !== undefined &&
      !(Array.isArray(files) && files.every((d) => typeof d === 'string' && d !== '' && !d.includes('\0')))
    )
      return E.left('trust.files must be an array of directory paths')
    for (const k of ['downloads', 'proxy', 'insecureTls'])
      if (trust[k] !== undefined && typeof trust[k] !== 'boolean') return E.left(`trust.${k} must be a boolean`)
    return E.right({
      secrets: secrets.right,
      files: ((files ?? []) as ReadonlyArray<string>).map((d) => resolve(d)),
      downloads: trust['downloads'] === true,
      proxy: trust['proxy'] === true,
      insecureTls: trust['insecureTls'] === true,
    })
  } catch {
    return E.left('trust could not be read')
  }
}

/** Whether a resolved path lies inside (or is) one of the resolved directories: no `..` escape. */
const inside = (path: string, dirs: ReadonlyArray<string>): boolean =>
  dirs.some((d) => {
    const r = relative(d, path)
    return r === '' || (!isAbsolute(r) && r !== '..' && !r.startsWith(`..${sep}`))
  })

/**
 * The template's request checked against the trust: the fields it may not use (each naming the
 * trust option that allows it), and the request with every trusted reference bound to its
 * origins and every trusted path resolved.
 * @example
 * checkTemplate(req, trust) // { problems: ['headers[2] (X-Trace) reads env GITHUB_TOKEN: allow with trust.secrets.GITHUB_TOKEN'], req }
 */
export const checkTemplate = (
  req: Request,
  trust: Trust,
): { readonly problems: ReadonlyArray<string>; readonly req: Request } => {
  const problems: string[] = []
  const secret = <S extends Secret | null>(s: S, field: string): S => {
    if (s === null || typeof s === 'string' || s._tag !== 'SecretRef') return s
    const origins = trust.secrets.get(s.env)
    if (origins === undefined) {
      problems.push(`${field} reads env ${s.env}: allow with trust.secrets.${s.env}`)
      return s
    }
    return { ...(s as SecretRef), origins } as unknown as S
  }
  const file = (path: string, field: string, verb: 'reads' | 'writes'): string => {
    const full = resolve(path)
    if (inside(full, trust.files)) return full
    problems.push(`${field} ${verb} the file ${path}: allow with trust.files`)
    return path
  }
  const source = (s: Source, field: string): Source => {
    if (s._tag === 'File') return { ...s, path: file(s.path, field, 'reads') }
    if (s._tag === 'Url' && !trust.downloads)
      problems.push(`${field} downloads ${redactUrl(s.url)} from this machine: allow with trust.downloads`)
    return s
  }
  const part = (p: Part, i: number): Part =>
    p._tag === 'Field'
      ? p
      : { ...p, source: source(p.source, `body.parts[${i}]${p._tag === 'File' ? ` (${p.name})` : ''}`) }
  const pem = (p: NonNullable<Request['tls']>['ca'], field: string): typeof p =>
    p === null || typeof p === 'string' ? p : { ...p, path: file(p.path, field, 'reads') }

  const auth = bindAuth(req.auth, secret)
  const headers = req.headers.map(([n, v], i) => [n, secret(v, `headers[${i}] (${n})`)] as const)
  const b = req.body
  const body =
    b._tag === 'Binary'
      ? { ...b, source: source(b.source, 'body') }
      : b._tag === 'Multipart'
        ? ({ ...b, parts: b.parts.map(part) } satisfies MultipartBody)
        : b
  const responseFile = req.responseFile === null ? null : file(req.responseFile, 'responseFile', 'writes')
  const p = req.proxy
  if (p !== null && !trust.proxy)
    problems.push(
      `proxy (${p.protocol}://${p.host}:${p.port}) sends the request through a proxy: allow with trust.proxy`,
    )
  const proxy = p === null ? null : { ...p, password: secret(p.password, 'proxy.password') }
  const t = req.tls
  if (t !== null && !t.rejectUnauthorized && !trust.insecureTls)
    problems.push('tls.rejectUnauthorized is false (TLS certificate checks off): allow with trust.insecureTls')
  // a CA of the template's own replaces the trusted roots: whoever holds its key passes the checks
  if (t !== null && typeof t.ca === 'string' && !trust.insecureTls)
    problems.push(
      "tls.ca is the template's own CA (PEM text), trusted in place of the system's: allow with trust.insecureTls",
    )
  const tls =
    t === null
      ? null
      : {
          ...t,
          ca: pem(t.ca, 'tls.ca'),
          cert: pem(t.cert, 'tls.cert'),
          key: pem(t.key, 'tls.key'),
          passphrase: secret(t.passphrase, 'tls.passphrase'),
        }
  return { problems, req: { ...req, auth, headers, body, responseFile, proxy, tls } }
}

const bindAuth = (a: Auth, secret: <S extends Secret | null>(s: S, field: string) => S): Auth => {
  switch (a._tag) {
    case 'None':
      return a
    case 'Basic':
    case 'Digest':
      return { ...a, password: secret(a.password, 'auth.password') }
    case 'Bearer':
      return { ...a, token: secret(a.token, 'auth.token') }
    case 'Aws4':
      return {
        ...a,
        secretKey: secret(a.secretKey, 'auth.secretKey'),
        sessionToken: secret(a.sessionToken, 'auth.sessionToken'),
      }
    case 'OAuth1':
      return {
        ...a,
        token: secret(a.token, 'auth.token'),
        tokenSecret: secret(a.tokenSecret, 'auth.tokenSecret'),
        consumerSecret: secret(a.consumerSecret, 'auth.consumerSecret'),
      }
  }
}
