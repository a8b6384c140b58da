/**
 * HTTPie's sessions (`--session NAME_OR_PATH`, `--session-read-only`): the cookies a server set
 * (a tough-cookie jar, RFC 6265, loaded only when a session is used), the headers and the
 * authorization given on the command line, kept between runs in a JSON file (session-file.ts).
 * A secret (a secret-named header such as Authorization, Cookie or X-Api-Key, a password, a
 * token) is kept only as the `env:NAME` reference it was given as, never as a value; one given
 * as a value is sent but not kept, and the run says so.
 * @module
 */
import { createRequire } from 'node:module'
import type { CookieJar } from 'tough-cookie'
import { isSecretHeader } from '../encoding/redact.js'
import type { Request, Step } from '../model/request.js'
import { VERSION } from '../model/version.js'
import type { Lib, Values } from './flag.js'
import { readSessionFile, sessionPath, writeSessionFile } from './session-file.js'
import { Usage } from './template.js'
import { secret } from './values.js'

type Header = { readonly name: string; readonly value: string }
type Auth =
  | { readonly type: 'bearer'; readonly token: string }
  | { readonly type: 'basic' | 'digest'; readonly username: string; readonly password: string }

/**
 * A session in use: its file, the headers and authorization it keeps, its cookie jar.
 * @example
 * const s: Session = await openSession('api', 'http://127.0.0.1:8080/', process.env, false)
 * @category cli
 * @since 0.3.0
 */
export interface Session {
  readonly path: string
  readonly readOnly: boolean
  readonly headers: ReadonlyArray<Header>
  readonly auth: Auth | null
  readonly jar: CookieJar
}

/** Request headers HTTPie never keeps in a session: they belong to one request. */
const IGNORED = /^(content-|if-)/i
const ENV_REF = /^env:[A-Za-z_][A-Za-z0-9_]*$/
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
// a header value: no CR, LF, NUL or other control but TAB
const FIELD_VALUE = /^[^\u0000-\u0008\u000a-\u001f\u007f]*$/
const COOKIE_TEXT = /^[^\u0000-\u001f\u007f;]*$/

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x)

/** The reference `env:NAME` of a secret given as one, else null (a value is never kept). */
const refOf = (v: unknown): string | null =>
  isRecord(v) && v['_tag'] === 'SecretRef' && typeof v['env'] === 'string' ? `env:${v['env']}` : null

const readHeaders = (bad: (why: string) => never, x: unknown): ReadonlyArray<Header> => {
  if (x === undefined) return []
  if (!Array.isArray(x)) bad('"headers" must be a list of {"name", "value"}')
  return (x as ReadonlyArray<unknown>).map((h, i) => {
    if (!isRecord(h) || typeof h['name'] !== 'string' || typeof h['value'] !== 'string')
      bad(`headers[${i}] must be {"name": text, "value": text}`)
    if (!TOKEN.test(h['name'] as string) || !FIELD_VALUE.test(h['value'] as string))
      bad(`headers[${i}] is no header: a name of letters, digits and !#$%&'*+-.^_\`|~, a value without line breaks`)
    const { name, value } = h as Header
    if (isSecretHeader(name) && !ENV_REF.test(value))
      bad(`headers[${i}] (${name}) is a secret: only an env:NAME reference may be kept, not a value`)
    return { name, value }
  })
}

const readAuth = (bad: (why: string) => never, x: unknown): Auth | null => {
  if (x === undefined || x === null) return null
  if (!isRecord(x)) bad('"auth" must be null or an object')
  const a = x as Record<string, unknown>
  const ref = (k: string): string => {
    const v = a[k]
    if (typeof v !== 'string' || !ENV_REF.test(v)) bad(`auth.${k} must be an env:NAME reference, never a value`)
    return v as string
  }
  if (a['type'] === 'bearer') return { type: 'bearer', token: ref('token') }
  if (a['type'] === 'basic' || a['type'] === 'digest') {
    if (typeof a['username'] !== 'string') bad('auth.username must be text')
    return { type: a['type'], username: a['username'] as string, password: ref('password') }
  }
  return bad('auth.type must be "basic", "digest" or "bearer"')
}

/**
 * Opens a session: its file read and checked when there is one (a file that cannot be read, is
 * not JSON or not a session is a {@link Usage} error naming it), else an empty session.
 * tough-cookie is loaded here, so a run without a session never loads it. The jar's rules are
 * httpipe's (public suffixes refused…), whatever options the file names.
 * @example
 * const s = await openSession('api', 'http://127.0.0.1:8080/', process.env, false)
 * @category cli
 * @since 0.3.0
 */
export const openSession = async (
  nameOrPath: string,
  url: string | null,
  env: Readonly<Record<string, string | undefined>>,
  readOnly: boolean,
): Promise<Session> => {
  const path = sessionPath(nameOrPath, url, env)
  // loaded here only (a run without a session never loads it); required, as media-type.ts loads mime-types
  const { CookieJar } = createRequire(import.meta.url)('tough-cookie') as typeof import('tough-cookie')
  const text = readSessionFile(path)
  if (text === null) return { path, readOnly, headers: [], auth: null, jar: new CookieJar() }
  const bad = (why: string): never => {
    throw new Usage(`session ${path}: ${why}`)
  }
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch (e) {
    bad(`not JSON (${(e as Error).message})`)
  }
  if (!isRecord(data)) return bad('not a session (a JSON object with "headers", "auth" and "cookies")')
  const cookies = data['cookies'] === undefined ? { cookies: [] } : data['cookies']
  if (!isRecord(cookies) || !Array.isArray(cookies['cookies']) || !cookies['cookies'].every(isRecord))
    bad('"cookies" must be a cookie jar as tough-cookie writes it ({"cookies": [...]})')
  const list = (cookies as { cookies: ReadonlyArray<Record<string, unknown>> }).cookies
  list.forEach((c, i) => {
    // a name or value a Cookie header cannot carry would fail every request, not this file
    if (typeof c['key'] !== 'string' || typeof c['value'] !== 'string' || !COOKIE_TEXT.test(`${c['key']}${c['value']}`))
      bad(`cookies[${i}] must have a "key" and a "value" a Cookie header can carry`)
    // tough-cookie reads these as dates, and throws (out of reach of a catch) writing one that is none
    for (const f of ['expires', 'creation', 'lastAccessed']) {
      const v = c[f]
      if ((typeof v === 'string' || typeof v === 'number') && v !== 'Infinity' && Number.isNaN(new Date(v).getTime()))
        bad(`cookies[${i}].${f} is no date: ${JSON.stringify(v)}`)
    }
  })
  let jar: CookieJar
  try {
    jar = await CookieJar.deserialize({ ...new CookieJar().serializeSync(), cookies: list })
  } catch (e) {
    return bad(`its cookies cannot be read (${(e as Error).message})`)
  }
  return { path, readOnly, headers: readHeaders(bad, data['headers']), auth: readAuth(bad, data['auth']), jar }
}

const has = (values: Values, names: ReadonlyArray<string>): boolean => names.some((n) => values[n] !== undefined)
const AUTH_FLAGS = ['basic', 'user', 'bearer', 'digest', 'aws4', 'oauth1']

/**
 * The steps of a session for a request built from the command line: its headers that the
 * command line does not give (the command line wins, as in HTTPie), and its authorization when
 * the command line gives none. Secret values are references, read when the request runs.
 * @example
 * sessionSteps(H, session, new Set(['accept']), values) // [addHeader('X-Trace', '1'), addBearerAuthorization(secretFromEnv('T'))]
 * @category cli
 * @since 0.3.0
 */
export const sessionSteps = (H: Lib, s: Session, given: ReadonlySet<string>, values: Values): ReadonlyArray<Step> => {
  const steps: Step[] = s.headers
    .filter((h) => !given.has(h.name.toLowerCase()))
    .map((h) => H.addHeader(h.name, isSecretHeader(h.name) ? secret(h.value) : h.value))
  const a = s.auth
  if (a !== null && !has(values, AUTH_FLAGS))
    steps.push(
      a.type === 'bearer'
        ? H.addBearerAuthorization(secret(a.token))
        : a.type === 'basic'
          ? H.addBasicAuthorization(a.username, secret(a.password))
          : H.addDigestAuthorization(a.username, secret(a.password)),
    )
  return steps
}

/**
 * What the session keeps after a run: the headers given on the command line (their names
 * replace the kept ones; `Content-*` and `If-*` are not kept, as in HTTPie), the authorization
 * given (Basic, Digest or Bearer), with secrets only as `env:NAME`; the names of the secrets
 * given as values, which are not kept.
 * @example
 * kept(session, [['X-Trace', '1'], ['Authorization', 'Bearer x']], values) // { headers: [{ name: 'X-Trace', value: '1' }], auth: null, withheld: ['Authorization'] }
 * @category cli
 * @since 0.3.0
 */
export const kept = (
  s: Session,
  given: ReadonlyArray<readonly [string, Request['headers'][number][1]]>,
  values: Values,
): {
  readonly headers: ReadonlyArray<Header>
  readonly auth: Auth | null
  readonly withheld: ReadonlyArray<string>
} => {
  const withheld: string[] = []
  const fresh: Header[] = []
  for (const [name, v] of given) {
    if (IGNORED.test(name)) continue
    const ref = refOf(v)
    if (typeof v === 'string' && !isSecretHeader(name)) fresh.push({ name, value: v })
    else if (ref !== null) fresh.push({ name, value: ref })
    else withheld.push(name)
  }
  const names = new Set(fresh.map((h) => h.name.toLowerCase()))
  const headers = [...s.headers.filter((h) => !names.has(h.name.toLowerCase())), ...fresh]
  let auth = s.auth
  const pair = (values['basic'] ?? values['user'] ?? values['digest']) as readonly [string, unknown] | undefined
  const type = values['digest'] !== undefined ? 'digest' : 'basic'
  if (values['bearer'] !== undefined) {
    const ref = refOf(values['bearer'])
    auth = ref === null ? null : { type: 'bearer', token: ref }
    if (ref === null) withheld.push('--bearer')
  } else if (pair !== undefined) {
    const ref = refOf(pair[1])
    auth = ref === null ? null : { type, username: pair[0], password: ref }
    if (ref === null) withheld.push(values['user'] !== undefined ? '-u' : `--${type}`)
  } else if (has(values, AUTH_FLAGS)) auth = null
  return { headers, auth, withheld }
}

/**
 * Writes the session back: its headers, authorization and the jar's cookies, in a file of
 * mode 0600. Null when written, else why not.
 * @example
 * await saveSession({ ...session, headers: [{ name: 'X-Trace', value: '1' }] }) // null
 * @category cli
 * @since 0.3.0
 */
export const saveSession = async (s: Session): Promise<string | null> => {
  const data = {
    __meta__: { about: 'httpipe session file (cookies, headers; secrets only as env:NAME)', httpipe: VERSION },
    headers: s.headers,
    auth: s.auth,
    cookies: await s.jar.serialize(),
  }
  const failed = writeSessionFile(s.path, `${JSON.stringify(data, null, 2)}\n`)
  return failed === null ? null : `session ${s.path}: cannot be written (${failed})`
}
