/**
 * prepareRequest: from a Request value to exactly what will be sent (URL, headers, body
 * description, auth), without sending anything.
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import { schemeOf, secretsOf } from '../../auth/schemes.js'
import { authError, fileError, invalidInput, type ClientError } from '../../model/errors.js'
import type { HeaderList } from '../../model/headers.js'
import { appendLog } from '../../model/log.js'
import type { Request, ResolvedAuth as Auth } from '../../model/request.js'
import {
  referencedValues,
  resolveSecrets,
  secretPathValues,
  withheldBodyField,
  withheldParam,
  type Resolved,
} from './secrets.js'
import { redactHeaderValue, redactSecrets, redactUrl } from '../../encoding/redact.js'
import { holdsNoWithheld, showValue } from '../../encoding/json.js'
import { isRequest } from '../../steps/step.js'
import { rawParamProblem, renderUrl, urlProblem } from '../../encoding/url.js'
import { fillPath } from '../../encoding/path.js'
import { isToken } from '../../model/valid.js'
import { targetUrl } from '../../steps/init.js'
import { VERSION } from '../../model/version.js'
import { moveUserInfo, userInfoOf, type UserInfo } from './userinfo.js'
import { memoized } from '../../model/memo.js'
import { fileSink, type PreparedBody, type PreparedRequest, type SignFailure } from '../../model/prepared.js'
import { bodyHasher } from '../body.js'
import { describeBody, prepareBody, syncBody, type BodyOut } from './body.js'
import type { ResolvedEnv } from '../env.js'
import { presign } from '../layers/signing.js'
import { unavailableHere } from './platform.js'

/**
 * The headers every request starts with.
 * @example
 * defaultHeaders(true) // [['Accept', '*\/*'], ['User-Agent', 'httpipe/0.1.0'], ['Accept-Encoding', 'gzip, deflate, br']]
 */
export const defaultHeaders = (gzip: boolean): HeaderList => (gzip ? DEFAULTS_GZIP : DEFAULTS)

const DEFAULTS: HeaderList = Object.freeze([
  Object.freeze(['Accept', '*/*'] as const),
  Object.freeze(['User-Agent', `httpipe/${VERSION}`] as const),
])
const DEFAULTS_GZIP: HeaderList = Object.freeze([
  ...DEFAULTS,
  Object.freeze(['Accept-Encoding', 'gzip, deflate, br'] as const),
])

/** Header lists merged in order, later names (case-insensitively) replacing earlier ones in place. */
const merge = (...lists: ReadonlyArray<HeaderList>): HeaderList => {
  const byName = new Map<string, readonly [string, string]>()
  // the pairs are immutable: kept as they are, not copied
  for (const list of lists) for (const pair of list) byName.set(pair[0].toLowerCase(), pair)
  return [...byName.values()]
}

/** The origin a request is sent to (secrets bound to origins are read for it), null when its URL has none. */
const originOf = (req: Request): string | null => {
  const target = targetUrl(req)
  return target !== null && URL.canParse(target) ? new URL(target).origin : null
}

/** A request whose secrets were read: what every step of prepare works on. */
type ResolvedRequest = Omit<Request, keyof Resolved> & Resolved

const checkTarget = (
  req: ResolvedRequest,
  method: string,
  step: string,
): E.Either<ClientError, { method: string; url: string; auth: Auth }> => {
  if (req.error !== null) return E.left(invalidInput(req.error.step, req.error.message, req.log))
  if (!isToken(method))
    return E.left(invalidInput(step, `${step}: invalid method ${JSON.stringify(showValue(method))}`, req.log))
  const joined = targetUrl(req)
  if (joined === null)
    return E.left(
      invalidInput(
        step,
        req.url === null
          ? `${step}: no URL to send to: call initialize(url) or setUrl(url) first`
          : req.baseUrl === null
            ? `${step}: the URL is the path ${redactUrl(req.url)} and there is no base URL to join it onto: call setBaseUrl(url)`
            : `${step}: the URL is the path ${redactUrl(req.url)} and the base URL ${redactUrl(req.baseUrl)} has a query or a fragment: a path cannot join onto it`,
        req.log,
      ),
    )
  // the common request (no params of either kind, URL encoding on): its URL checked and read once per text
  const s = req.settings
  if (s.urlEncoding && isEmpty(req.params) && isEmpty(req.pathParams) && !joined.includes('{')) {
    const bare = bareTarget(joined)
    if (bare.problem !== null) return E.left(invalidInput(step, `${step}: ${bare.problem}`, req.log))
    return E.right({ method: method.toUpperCase(), ...moveUserInfo(bare.url, req.auth, bare.info) })
  }
  const withheld = withheldParam(req.params)
  if (withheld !== null) return E.left(invalidInput(step, `${step}: ${withheld}`, req.log))
  // the path params filled first (a template keeps its placeholders), each value one segment
  const filled = fillPath(joined, req.pathParams)
  if (E.isLeft(filled)) return E.left(invalidInput(step, `${step}: ${filled.left}`, req.log))
  const target = filled.right
  // a template is checked as the steps check a URL: the host sent is the one new URL() reads
  const problem = urlProblem(target)
  if (problem !== null) return E.left(invalidInput(step, `${step}: ${problem}`, req.log))
  const raw = s.urlEncoding ? null : rawParamProblem(req.params)
  if (raw !== null) return E.left(invalidInput(step, `${step}: ${raw}`, req.log))
  const url = renderUrl(target, req.params, {
    encode: s.urlEncoding,
    splitArrays: s.splitArrayParams,
    squareBrackets: s.arraysSquareBrackets,
  })
  const parsed = userInfoOf(url)
  if (parsed === null)
    return E.left(invalidInput(step, `${step}: the rendered URL is not valid: ${redactUrl(url)}`, req.log))
  return E.right({ method: method.toUpperCase(), ...moveUserInfo(url, req.auth, parsed) })
}

const isEmpty = (xs: unknown): boolean => Array.isArray(xs) && xs.length === 0

const ENCODED = { encode: true, splitArrays: false, squareBrackets: false } as const

/**
 * A target URL without params of either kind, as checkTarget takes it: why not (its problem, or
 * its rendering not parsing), or the URL sent and its user info. A pure function of the text,
 * remembered (bounded; a URL that may hold a credential is not kept).
 */
const bareTarget = memoized(
  512,
  (target): { readonly problem: string | null; readonly url: string; readonly info: UserInfo | undefined } => {
    const problem = urlProblem(target)
    if (problem !== null) return { problem, url: target, info: undefined }
    const url = renderUrl(target, [], ENCODED)
    const info = userInfoOf(url)
    return info === null
      ? { problem: `the rendered URL is not valid: ${redactUrl(url)}`, url, info: undefined }
      : { problem: null, url, info }
  },
)

/**
 * The body's framing is httpipe's: a user `Transfer-Encoding` header, a Content-Type on a multipart body, or a `Content-Length`
 * that differs from the body's length, would make the bytes on the wire differ from what the
 * request declares, so it is `InvalidInput` before anything is sent.
 */
const checkFraming = (req: ResolvedRequest, body: PreparedBody, step: string): E.Either<ClientError, void> => {
  for (const [name, value] of req.headers) {
    const n = name.toLowerCase()
    if (n === 'content-type' && req.body._tag === 'Multipart')
      return E.left(
        invalidInput(
          step,
          `${step}: a Content-Type header cannot be set on a multipart body: its Content-Type carries the boundary drawn when it is prepared`,
          req.log,
        ),
      )
    if (n === 'transfer-encoding')
      return E.left(
        invalidInput(
          step,
          `${step}: a Transfer-Encoding header cannot be set: the body's framing is chosen when it is sent`,
          req.log,
        ),
      )
    if (n !== 'content-length') continue
    const length = body._tag === 'None' ? 0 : body.length
    if (length !== null && value.trim() !== String(length))
      return E.left(
        invalidInput(
          step,
          `${step}: the Content-Length header says ${JSON.stringify(value)} but the body has ${length} bytes`,
          req.log,
        ),
      )
  }
  return E.right(undefined)
}

/**
 * The PreparedRequest of `req` for `method` (for every run; log lines name `step`). `runsNow`:
 * the caller runs it at once, so its first attempt may send the signature made here (false for
 * prepareRequest: its request may run later, or twice).
 * @example
 * await prepareNow('prepareRequest', 'GET', {}, req, false) // right({ _tag: 'PreparedRequest', … })
 * @internal
 */
export const prepareNow = async (
  step: string,
  method: string,
  env: ResolvedEnv,
  req0: Request,
  runsNow = true,
): Promise<E.Either<ClientError, PreparedRequest>> => {
  if (!isRequest(req0)) return E.left(invalidInput(step, `${step}: the input is not a Request`, []))
  const stop = req0.error ?? unavailableHere(req0) // null, but in the browser build (files, proxy, TLS)
  if (stop !== null) return E.left(invalidInput(stop.step, stop.message, req0.log))
  const resolved = resolveSecrets(req0, env.secrets, () => originOf(req0))
  if (E.isLeft(resolved)) return E.left(invalidInput(step, `${step}: ${resolved.left}`, req0.log))
  const withheld = holdsNoWithheld(req0.body) ? null : withheldBodyField(req0)
  if (withheld !== null) return E.left(invalidInput(step, `${step}: ${withheld}`, req0.log))
  const req: ResolvedRequest = // a request with nothing to read resolves to itself: no copy
    resolved.right === (req0 as unknown) ? (req0 as unknown as ResolvedRequest) : { ...req0, ...resolved.right }
  const masked = [...referencedValues(req0, resolved.right), ...secretPathValues(req0)]
  const target = checkTarget(req, method, step)
  if (E.isLeft(target)) return target
  const t = target.right
  const b = req.body // only a file body (stat) and a signing scheme need to wait: the common request does not
  const prepared =
    (b._tag === 'Binary' && b.source._tag === 'File') || b._tag === 'Multipart'
      ? await prepareBody(req, step, env)
      : E.right(syncBody(req))
  if (E.isLeft(prepared)) return prepared
  const framing = checkFraming(req, prepared.right.body, step)
  if (E.isLeft(framing)) return framing
  const signed =
    schemeOf(t.auth).sign === null
      ? E.right({ body: prepared.right.body, headers: composeHeaders(req, t.auth, prepared.right) })
      : await signPrepared(req, step, t, prepared.right, env, runsNow)
  if (E.isLeft(signed)) return signed
  const { body, headers } = signed.right
  const at = env.now()
  const secrets = [...secretsOf({ auth: t.auth, proxy: req.proxy, tls: req.tls }), ...masked]
  const entries = [
    {
      at,
      step,
      message: redactSecrets(`${t.method} ${redactUrl(t.url)}, ${describeBody(body, prepared.right.summary)}`, secrets),
    },
  ]
  for (const [n, v] of headers)
    entries.push({ at, step, message: redactSecrets(`header ${n}: ${redactHeaderValue(n, v)}`, secrets) })
  return E.right({
    _tag: 'PreparedRequest',
    method: t.method,
    url: t.url,
    headers,
    body,
    auth: t.auth,
    settings: req.settings,
    sink: fileSink(req.responseFile),
    proxy: req.proxy,
    tls: req.tls,
    masked,
    log: appendLog(req.log, ...entries),
  })
}

/**
 * The headers of a request in their final order (later wins): defaults, Content-Type and
 * Content-Length from the body, Basic/Bearer auth, user headers.
 * @example
 * composeHeaders(req, auth, { _tag: 'None' })
 */
const composeHeaders = (req: ResolvedRequest, auth: Auth, { body, contentType }: BodyOut): HeaderList => {
  const length: HeaderList =
    body._tag === 'Segments' && body.length !== null ? [['Content-Length', String(body.length)]] : []
  // a user Content-Length can only repeat the body's length: checkFraming refuses any other
  return merge(
    defaultHeaders(req.settings.gzip),
    contentType === null ? [] : [['Content-Type', contentType]],
    length,
    schemeOf(auth).preemptive(auth),
    req.headers,
  )
}

/** Composes the headers and signs them (AWS4, OAuth1) as the first attempt would be (sent by it when `runsNow`). */
const signPrepared = async (
  req: ResolvedRequest,
  step: string,
  target: { readonly method: string; readonly url: string; readonly auth: Auth },
  out: BodyOut,
  env: ResolvedEnv,
  runsNow: boolean,
): Promise<E.Either<ClientError, { readonly body: PreparedBody; readonly headers: HeaderList }>> => {
  const body = out.body
  const headers = composeHeaders(req, target.auth, out)
  const sign = schemeOf(target.auth).sign
  if (sign === null || (body._tag === 'Segments' && body.segments.some((s) => s._tag === 'Url')))
    return E.right({ body, headers })
  const hop = { method: target.method, url: target.url, headers, body, auth: target.auth, attempt: 1 }
  const hash = bodyHasher(body)
  let signed: E.Either<SignFailure, HeaderList>
  try {
    signed = await sign(target.auth, { hop, settings: req.settings, now: env.now(), random: env.random, hash })
  } catch (e) {
    return E.left(authError(`${step}: signing failed: ${e instanceof Error ? e.message : String(e)}`, req.log))
  }
  if (E.isRight(signed)) {
    if (runsNow) presign(signed.right, { ...hop, hash })
    return E.right({ body, headers: signed.right })
  }
  const f = signed.left
  return E.left(
    f._tag === 'File'
      ? fileError(`${step}: cannot read body file ${f.path} to sign it: ${f.code}`, f.path, f.code, req.log)
      : authError(`${step}: ${redactSecrets(f.message, schemeOf(target.auth).secrets(target.auth))}`, req.log),
  )
}
