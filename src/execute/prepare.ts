/**
 * prepareRequest: from a Request value to exactly what will be sent (URL, headers, body
 * description, auth), without sending anything.
 * @module
 */
import { stat } from 'node:fs/promises'
import * as E from 'fp-ts/lib/Either.js'
import * as TE from 'fp-ts/lib/TaskEither.js'
import { pipe } from 'fp-ts/lib/function.js'
import { basicHeader } from '../auth/basic.js'
import { authError, fileError, invalidInput, type ClientError } from '../errors.js'
import type { HeaderList } from '../headers.js'
import { appendLog, type Log } from '../log.js'
import type { Auth, Proxy, Request, Settings, Tls } from '../request/model.js'
import { redactHeaderValue, redactSecrets, redactUrl } from '../redact.js'
import { showValue } from '../request/json.js'
import { renderUrl } from '../url/render.js'
import { VERSION } from '../version.js'
import { bodyBytes, defaultContentType } from './encode.js'
import type { Env } from './env.js'
import { bodyHasher, signAttempt } from './sign.js'

/**
 * The body as it will be sent: bytes in memory, a file streamed from disk (its size known),
 * or a URL downloaded when the request runs.
 * @example
 * const b: PreparedBody = { _tag: 'File', path: './a.bin', size: 1024 }
 */
export type PreparedBody =
  | { readonly _tag: 'None' }
  | { readonly _tag: 'Bytes'; readonly bytes: Uint8Array }
  | { readonly _tag: 'File'; readonly path: string; readonly size: number }
  | { readonly _tag: 'Url'; readonly url: string }

/**
 * A request ready to send: final method, URL and headers (auth included), the body
 * description, and what the executor needs to follow redirects and retry.
 * @example
 * const p = await H.prepareRequest('GET')(req)() // right({ method: 'GET', url: 'http://…', … })
 */
export interface PreparedRequest {
  readonly _tag: 'PreparedRequest'
  readonly method: string
  readonly url: string
  readonly headers: HeaderList
  readonly body: PreparedBody
  readonly auth: Auth
  readonly settings: Settings
  readonly responseFile: string | null
  readonly proxy: Proxy | null
  readonly tls: Tls | null
  readonly log: Log
}

const METHOD = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/
const STEP = 'prepareRequest'

/**
 * The headers every request starts with.
 * @example
 * defaultHeaders(true) // [['Accept', '*\/*'], ['User-Agent', 'httpipe/0.1.0'], ['Accept-Encoding', 'gzip, deflate, br']]
 */
export const defaultHeaders = (gzip: boolean): HeaderList => [
  ['Accept', '*/*'],
  ['User-Agent', `httpipe/${VERSION}`],
  ...(gzip ? [['Accept-Encoding', 'gzip, deflate, br'] as const] : []),
]

/**
 * The header an auth scheme adds before user headers (AWS4, OAuth1 and Digest sign later).
 * @example
 * authHeaders({ _tag: 'Bearer', token: 't' }) // [['Authorization', 'Bearer t']]
 */
export const authHeaders = (auth: Auth): HeaderList =>
  auth._tag === 'Basic'
    ? [['Authorization', basicHeader(auth.user, auth.password)]]
    : auth._tag === 'Bearer'
      ? [['Authorization', `Bearer ${auth.token}`]]
      : []

/** Header lists merged in order, later names (case-insensitively) replacing earlier ones in place. */
const merge = (...lists: ReadonlyArray<HeaderList>): HeaderList => {
  const byName = new Map<string, readonly [string, string]>()
  for (const list of lists) for (const [n, v] of list) byName.set(n.toLowerCase(), [n, v])
  return [...byName.values()]
}

const describeBody = (b: PreparedBody): string =>
  b._tag === 'None' ? 'no body' : b._tag === 'Bytes' ? `body ${b.bytes.byteLength} bytes` : b._tag === 'File' ? `body streamed from ${b.path} (${b.size} bytes)` : `body downloaded from ${redactUrl(b.url)}`

const checkTarget = (req: Request, method: string, step: string): E.Either<ClientError, { method: string; url: string; auth: Auth }> => {
  if (req.error !== null) return E.left(invalidInput(req.error.step, req.error.message, req.log))
  if (typeof method !== 'string' || !METHOD.test(method))
    return E.left(invalidInput(step, `${step}: invalid method ${JSON.stringify(showValue(method))}`, req.log))
  if (req.url === null)
    return E.left(invalidInput(step, `${step}: no URL to send to: call initialize(url) or setUrl(url) first`, req.log))
  const s = req.settings
  const url = renderUrl(req.url, req.params, { encode: s.urlEncoding, splitArrays: s.splitArrayParams, squareBrackets: s.arraysSquareBrackets })
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return E.left(invalidInput(step, `${step}: the rendered URL is not valid: ${redactUrl(url)}`, req.log))
  }
  return E.right({ method: method.toUpperCase(), ...moveUserInfo(url, req.auth, parsed) })
}

/**
 * User info in a URL (`http://user:pass@host/`) never travels in the URL: it is removed, and
 * becomes Basic authorization when no other scheme is set (as curl and browsers do).
 * @example
 * moveUserInfo('http://ann:pw@h/x', { _tag: 'None' }) // { url: 'http://h/x', auth: { _tag: 'Basic', user: 'ann', password: 'pw' } }
 */
export const moveUserInfo = (url: string, auth: Auth, parsed?: URL): { readonly url: string; readonly auth: Auth } => {
  const u = parsed ?? new URL(url)
  if (u.username === '' && u.password === '') return { url, auth }
  const user = decodeURIComponent(u.username)
  const password = decodeURIComponent(u.password)
  const at = url.indexOf('@', url.indexOf('//') + 2)
  const stripped = at === -1 ? url : `${url.slice(0, url.indexOf('//') + 2)}${url.slice(at + 1)}`
  return { url: stripped, auth: auth._tag === 'None' ? { _tag: 'Basic', user, password } : auth }
}

const prepareBody = (req: Request, step: string): TE.TaskEither<ClientError, PreparedBody> => {
  const b = req.body
  if (b._tag === 'None') return TE.right({ _tag: 'None' })
  if (b._tag === 'Binary' && b.source._tag === 'Url') return TE.right({ _tag: 'Url', url: b.source.url })
  if (b._tag === 'Binary' && b.source._tag === 'File') {
    const path = b.source.path
    return pipe(
      TE.tryCatch(
        () => stat(path),
        (e) => fileError(`${step}: cannot read body file ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, path, String((e as NodeJS.ErrnoException).code ?? e), req.log),
      ),
      TE.flatMap((st) =>
        st.isFile() ? TE.right<ClientError, PreparedBody>({ _tag: 'File', path, size: st.size }) : TE.left(fileError(`${step}: body file ${path} is not a regular file`, path, 'EISDIR', req.log)),
      ),
    )
  }
  const bytes = bodyBytes(b, req.settings)
  return TE.right(bytes === null ? { _tag: 'None' } : { _tag: 'Bytes', bytes })
}

/**
 * Builds the PreparedRequest of `req` for `method` (shared by prepareRequest and
 * processRequest, whose log lines name their own step).
 * @example
 * prepareWith('processRequest', 'GET', {})(req)
 */
export const prepareWith =
  (step: string, method: string, env: Env = {}) =>
  (req: Request): TE.TaskEither<ClientError, PreparedRequest> => {
    const now = env.now ?? Date.now
    return pipe(
      TE.fromEither(checkTarget(req, method, step)),
      TE.flatMap((target) =>
        pipe(
          prepareBody(req, step),
          TE.flatMap((body) => signPrepared(req, step, target, body, env)),
          TE.map(({ body, headers }): PreparedRequest => {
            const contentType = body._tag === 'None' ? null : (req.dataType ?? defaultContentType(req.body, req.settings.encoding))
            const length: HeaderList =
              body._tag === 'Bytes' ? [['Content-Length', String(body.bytes.byteLength)]] : body._tag === 'File' ? [['Content-Length', String(body.size)]] : []
            const at = now()
            const log = appendLog(
              req.log,
              { at, step, message: `${target.method} ${redactUrl(target.url)}, ${describeBody(body)}` },
              ...headers.map(([n, v]) => ({ at, step, message: `header ${n}: ${redactHeaderValue(n, v)}` })),
            )
            return {
              _tag: 'PreparedRequest',
              method: target.method,
              url: target.url,
              headers,
              body,
              auth: target.auth,
              settings: req.settings,
              responseFile: req.responseFile,
              proxy: req.proxy,
              tls: req.tls,
              log,
            }
          }),
        ),
      ),
    )
  }

/**
 * The headers of a request in their final order (later wins): defaults, Content-Type and
 * Content-Length from the body, Basic/Bearer auth, user headers.
 * @example
 * composeHeaders(req, auth, { _tag: 'None' })
 */
export const composeHeaders = (req: Request, auth: Auth, body: PreparedBody): HeaderList => {
  const contentType = body._tag === 'None' ? null : (req.dataType ?? defaultContentType(req.body, req.settings.encoding))
  const length: HeaderList =
    body._tag === 'Bytes' ? [['Content-Length', String(body.bytes.byteLength)]] : body._tag === 'File' ? [['Content-Length', String(body.size)]] : []
  return merge(defaultHeaders(req.settings.gzip), contentType === null ? [] : [['Content-Type', contentType]], length, authHeaders(auth), req.headers)
}

/** Composes the headers and signs them (AWS4, OAuth1) as the first attempt would be. */
const signPrepared = (
  req: Request,
  step: string,
  target: { readonly method: string; readonly url: string; readonly auth: Auth },
  body: PreparedBody,
  env: Env,
): TE.TaskEither<ClientError, { readonly body: PreparedBody; readonly headers: HeaderList }> => {
  const headers = composeHeaders(req, target.auth, body)
  if ((target.auth._tag !== 'Aws4' && target.auth._tag !== 'OAuth1') || body._tag === 'Url') return TE.right({ body, headers })
  const attempt = {
    auth: target.auth,
    method: target.method,
    url: target.url,
    headers,
    body,
    settings: req.settings,
    now: (env.now ?? Date.now)(),
    random: env.random ?? Math.random,
    hash: bodyHasher(body),
  }
  return pipe(
    TE.tryCatch(
      () => signAttempt(attempt),
      (e) => authError(`${step}: signing failed: ${e instanceof Error ? e.message : String(e)}`, req.log),
    ),
    TE.flatMap(
      E.match(
        (f): TE.TaskEither<ClientError, { readonly body: PreparedBody; readonly headers: HeaderList }> =>
          TE.left(
            f.kind === 'file'
              ? fileError(`${step}: cannot read body file ${f.path} to sign it: ${f.code}`, f.path, f.code, req.log)
              : authError(`${step}: ${redactSecrets(f.message, secretsOfAuth(target.auth))}`, req.log),
          ),
        (signed) => TE.right({ body, headers: signed }),
      ),
    ),
  )
}

/**
 * The secrets an auth scheme holds, to be kept out of messages.
 * @example
 * secretsOfAuth({ _tag: 'Bearer', token: 'abc' }) // ['abc']
 */
export const secretsOfAuth = (auth: Auth): ReadonlyArray<string> => {
  switch (auth._tag) {
    case 'None':
      return []
    case 'Basic':
    case 'Digest':
      return [auth.password]
    case 'Bearer':
      return [auth.token]
    case 'Aws4':
      return auth.sessionToken === null ? [auth.secretKey] : [auth.secretKey, auth.sessionToken]
    case 'OAuth1':
      return [auth.token, auth.tokenSecret, auth.consumerSecret]
  }
}

/**
 * Renders what would be sent, without sending: final URL, headers (auth included), body
 * description. File bodies are checked to exist.
 * @example
 * const prepared = await pipe(req, H.prepareRequest('POST'))()
 */
export const prepareRequest = (method: string, env?: Env): ((req: Request) => TE.TaskEither<ClientError, PreparedRequest>) =>
  prepareWith(STEP, method, env)
