/**
 * The executor: the one place where a request meets the world. It sends attempts through the
 * transport, applies timeouts, retries with backoff, follows redirects, reads and decodes the
 * body, and writes the log as it goes.
 * @module
 */
import { createReadStream } from 'node:fs'
import { readFile } from 'node:fs/promises'
import * as E from 'fp-ts/lib/Either.js'
import * as TE from 'fp-ts/lib/TaskEither.js'
import { identity, pipe } from 'fp-ts/lib/function.js'
import { DIGEST_NODE_HASH, digestAuthorization, onDigest401, type DigestChallenge } from '../auth/digest.js'
import { makeNonce } from '../auth/oauth1.js'
import { authError, fileError, responseTooLarge, timeout, transportError, type ClientError } from '../errors.js'
import { dropHeaders, findHeader, putHeader, type HeaderList } from '../headers.js'
import { traceEntries, type Log, type LogEntry } from '../log.js'
import type { Auth, Pem, Request } from '../request/model.js'
import { redactSecrets, redactUrl } from '../redact.js'
import { headerRecord, type HttpResponse } from '../response/model.js'
import type { TransportResponse, TransportTls } from '../transport/types.js'
import { resolveEnv, type Env, type ResolvedEnv } from './env.js'
import { backoffMs, isRetryableStatus, planRedirect, redirectHeaders, retryAfterMs } from './policy.js'
import { prepareWith, secretsOfAuth, type PreparedBody, type PreparedRequest } from './prepare.js'
import { bodyHasher, signAttempt, type BodyHasher, type SignFailure } from './sign.js'
import { decodersFor, readBody, type ReadFailure } from './read-body.js'

const STEP = 'executeRequest'

/** The log of one run, written as it goes (the only mutable state, local to the run). */
class RunLog {
  private readonly entries: LogEntry[]
  private snapshot: Log | null = null
  constructor(
    base: Log,
    private readonly now: () => number,
  ) {
    this.entries = [...base]
  }
  add(message: string): void {
    const e = { at: this.now(), step: STEP, message }
    traceEntries([e])
    this.entries.push(e)
    this.snapshot = null
  }
  /** The log so far, as an immutable copy. */
  get log(): Log {
    if (this.snapshot === null) this.snapshot = [...this.entries]
    return this.snapshot
  }
}

/** Everything a run needs, fixed for its duration. */
interface Ctx {
  readonly env: ResolvedEnv
  readonly p: PreparedRequest
  readonly log: RunLog
  readonly secrets: ReadonlyArray<string>
}

const secretsOf = (p: PreparedRequest): ReadonlyArray<string> => {
  const out: string[] = [...secretsOfAuth(p.auth)]
  if (p.proxy?.password != null) out.push(p.proxy.password)
  if (p.tls?.passphrase != null) out.push(p.tls.passphrase)
  return out
}

const errText = (e: unknown): { readonly code: string; readonly text: string } => {
  const err = e as { code?: unknown; errno?: unknown; message?: unknown; cause?: { code?: unknown; message?: unknown } } | null
  const code = String(err?.code ?? err?.cause?.code ?? err?.errno ?? 'ERROR')
  const text = String(err?.cause?.message ?? err?.message ?? e)
  return { code, text }
}

/** Reads the PEM material of TLS options. */
const loadTls = async (ctx: Ctx): Promise<E.Either<ClientError, TransportTls | null>> => {
  const tls = ctx.p.tls
  if (tls === null) return E.right(null)
  const read = async (pem: Pem | null): Promise<E.Either<ClientError, string | null>> => {
    if (pem === null || typeof pem === 'string') return E.right(pem)
    try {
      return E.right(await readFile(pem.path, 'utf8'))
    } catch (e) {
      const { code } = errText(e)
      ctx.log.add(`cannot read TLS file ${pem.path}: ${code}`)
      return E.left(fileError(`${STEP}: cannot read TLS file ${pem.path}: ${code}`, pem.path, code, ctx.log.log))
    }
  }
  const [ca, cert, key] = await Promise.all([read(tls.ca), read(tls.cert), read(tls.key)])
  if (E.isLeft(ca)) return ca
  if (E.isLeft(cert)) return cert
  if (E.isLeft(key)) return key
  return E.right({ ca: ca.right, cert: cert.right, key: key.right, passphrase: tls.passphrase, rejectUnauthorized: tls.rejectUnauthorized })
}

/** Downloads a `fromUrl` body with a nested run (its own redirects, decoding, timeout). */
const download = async (ctx: Ctx, url: string): Promise<E.Either<ClientError, Uint8Array>> => {
  ctx.log.add(`downloading body from ${redactUrl(url)}`)
  const sub: PreparedRequest = {
    ...ctx.p,
    method: 'GET',
    url,
    headers: ctx.p.headers.filter(([n]) => ['accept-encoding', 'user-agent'].includes(n.toLowerCase())),
    body: { _tag: 'None' },
    auth: { _tag: 'None' },
    responseFile: null,
    log: [],
  }
  const r = await run(sub, { ...ctx.env, onProgress: undefined })
  if (E.isLeft(r)) {
    ctx.log.add(`fromUrl download failed: ${r.left.message}`)
    return E.left({ ...r.left, message: `${STEP}: fromUrl body download failed: ${r.left.message}`, log: ctx.log.log })
  }
  if (r.right.status < 200 || r.right.status > 299) {
    ctx.log.add(`fromUrl download failed with status ${r.right.status}`)
    return E.left(transportError(`${STEP}: fromUrl body download from ${redactUrl(url)} failed with status ${r.right.status}`, `HTTP ${r.right.status}`, ctx.log.log))
  }
  ctx.log.add(`body downloaded, ${r.right.body.byteLength} bytes`)
  return E.right(r.right.body)
}

/** The bytes or stream for one attempt (files are re-opened every time). */
const openBody = (body: PreparedBody): Uint8Array | AsyncIterable<Uint8Array> | null =>
  body._tag === 'None' ? null : body._tag === 'Bytes' ? body.bytes : body._tag === 'File' ? createReadStream(body.path) : null

type AttemptResult =
  | { readonly _tag: 'Response'; readonly res: TransportResponse; readonly finish: () => void; readonly timedOut: () => boolean }
  | { readonly _tag: 'Failed'; readonly error: ClientError; readonly retryable: boolean }

/** One attempt: sends through the transport under the per-attempt timeout and env.signal. */
const attempt = async (ctx: Ctx, method: string, url: string, headers: HeaderList, body: PreparedBody, tls: TransportTls | null): Promise<AttemptResult> => {
  const ms = ctx.p.settings.timeout
  const controller = new AbortController()
  let timedOut = false
  const timer = setTimeout(() => {
    timedOut = true
    controller.abort()
  }, ms)
  const onAbort = (): void => controller.abort()
  ctx.env.signal?.addEventListener('abort', onAbort, { once: true })
  const finish = (): void => {
    clearTimeout(timer)
    ctx.env.signal?.removeEventListener('abort', onAbort)
  }
  if (ctx.env.signal?.aborted === true) controller.abort()
  try {
    const res = await ctx.env.transport({ method, url, headers, body: openBody(body), signal: controller.signal, proxy: ctx.p.proxy, tls, timeouts: { connectMs: 10_000, idleMs: 300_000 } })
    return { _tag: 'Response', res, finish, timedOut: () => timedOut }
  } catch (e) {
    finish()
    return { _tag: 'Failed', ...classify(ctx, e, timedOut, `${method} ${redactUrl(url)}`) }
  }
}

const classify = (ctx: Ctx, e: unknown, timedOut: boolean, what: string): { readonly error: ClientError; readonly retryable: boolean } => {
  const ms = ctx.p.settings.timeout
  if (timedOut) {
    ctx.log.add(`timeout: no complete response within ${ms} ms`)
    return { error: timeout(`${STEP}: ${what} timed out after ${ms} ms`, ms, ctx.log.log), retryable: true }
  }
  if (ctx.env.signal?.aborted === true) {
    ctx.log.add('aborted by env.signal')
    return { error: transportError(`${STEP}: ${what} aborted by env.signal`, 'ABORTED', ctx.log.log), retryable: false }
  }
  const fileCode = (e as { syscall?: unknown; path?: unknown } | null)?.path
  const { code, text } = errText(e)
  if (typeof fileCode === 'string') {
    ctx.log.add(`cannot read body file ${fileCode}: ${code}`)
    return { error: fileError(`${STEP}: cannot read body file ${fileCode}: ${code}`, fileCode, code, ctx.log.log), retryable: false }
  }
  const reason = redactSecrets(redactUrl(text), ctx.secrets)
  ctx.log.add(`transport error ${code}: ${reason}`)
  return { error: transportError(`${STEP}: ${what} failed: ${code}: ${reason}`, code, ctx.log.log), retryable: true }
}

const drain = async (res: TransportResponse): Promise<void> => {
  if (res.body === null) return
  try {
    for await (const _ of res.body) void _
  } catch {
    /* the body of a discarded response does not matter */
  }
}

const readFailure = (ctx: Ctx, f: ReadFailure, timedOut: boolean, file: string | null): ClientError => {
  if (f.kind === 'limit') {
    ctx.log.add(`response body over ${f.limit} bytes - stopped`)
    return responseTooLarge(`${STEP}: the response body is over the limit of ${f.limit} bytes`, f.limit, ctx.log.log)
  }
  if (f.kind === 'file') {
    const { code } = errText(f.error)
    ctx.log.add(`cannot write response file ${file ?? ''}: ${code}`)
    return fileError(`${STEP}: cannot write response file ${file ?? ''}: ${code}`, file ?? '', code, ctx.log.log)
  }
  if (f.kind === 'decode') {
    const { text } = errText(f.error)
    ctx.log.add(`cannot decode the compressed body: ${text}`)
    return transportError(`${STEP}: cannot decode the compressed response body: ${text}`, 'DECODE', ctx.log.log)
  }
  return classify(ctx, f.error, timedOut, 'reading the response body').error
}

/** The headers of one attempt: signed (AWS4, OAuth1) or answering a Digest challenge. */
const signFor = async (
  ctx: Ctx,
  a: {
    readonly auth: Auth
    readonly method: string
    readonly url: string
    readonly headers: HeaderList
    readonly body: PreparedBody
    readonly hash: BodyHasher
    readonly digest: { readonly challenge: DigestChallenge; nc: number } | null
  },
): Promise<E.Either<ClientError, HeaderList>> => {
  const failed = (f: SignFailure): E.Either<ClientError, HeaderList> => {
    if (f.kind === 'file') {
      ctx.log.add(`cannot read body file ${f.path} to sign it: ${f.code}`)
      return E.left(fileError(`${STEP}: cannot read body file ${f.path} to sign it: ${f.code}`, f.path, f.code, ctx.log.log))
    }
    const message = redactSecrets(f.message, ctx.secrets)
    ctx.log.add(message)
    return E.left(authError(`${STEP}: ${message}`, ctx.log.log))
  }
  if (a.auth._tag === 'Digest' && a.digest !== null) {
    const c = a.digest.challenge
    let bodyHash: string | null = null
    if (c.qop === 'auth-int') {
      const h = await a.hash(DIGEST_NODE_HASH[c.algorithm])
      if (E.isLeft(h)) return failed(h.left)
      bodyHash = h.right
    }
    a.digest.nc++
    const u = new URL(a.url)
    const cnonce = makeNonce(ctx.env.random).slice(0, 16)
    const value = digestAuthorization(c, { user: a.auth.user, password: a.auth.password, method: a.method, uri: `${u.pathname}${u.search}`, nc: a.digest.nc, cnonce, bodyHash })
    return E.right(putHeader(a.headers, 'Authorization', value))
  }
  if (a.auth._tag !== 'Aws4' && a.auth._tag !== 'OAuth1') return E.right(a.headers)
  const signed = await signAttempt({ auth: a.auth, method: a.method, url: a.url, headers: a.headers, body: a.body, settings: ctx.p.settings, now: ctx.env.now(), random: ctx.env.random, hash: a.hash })
  return E.isLeft(signed) ? failed(signed.left) : signed
}

/** Runs a prepared request to its final response. Never rejects. */
const run = async (p: PreparedRequest, env: ResolvedEnv): Promise<E.Either<ClientError, HttpResponse>> => {
  const ctx: Ctx = { env, p, log: new RunLog(p.log, env.now), secrets: secretsOf(p) }
  const start = env.now()
  const s = p.settings
  const tries = 1 + s.maxAttempts
  const tlsE = await loadTls(ctx)
  if (E.isLeft(tlsE)) return tlsE
  let method = p.method
  let url = p.url
  let headers = p.headers
  let body = p.body
  let auth: Auth = p.auth
  let redirects = 0
  let attempts = 0
  if (body._tag === 'Url') {
    const bytes = await download(ctx, body.url)
    if (E.isLeft(bytes)) return bytes
    body = { _tag: 'Bytes', bytes: bytes.right }
    headers = putHeader(headers, 'Content-Length', String(bytes.right.byteLength))
  }
  let hash = bodyHasher(body)
  /** the Digest challenge being answered, and the nonce count for it */
  let digest: { readonly challenge: DigestChallenge; nc: number } | null = null
  let digestAnswers = 0
  for (;;) {
    let got: Extract<AttemptResult, { _tag: 'Response' }> | null = null
    let answeredThisHop = false
    for (let n = 1; got === null; n++) {
      attempts++
      ctx.log.add(`sending ${method} ${redactUrl(url)}${tries > 1 ? ` (attempt ${n}/${tries})` : ''}`)
      const signed = await signFor(ctx, { auth, method, url, headers, body, hash, digest })
      if (E.isLeft(signed)) return signed
      const t0 = env.now()
      const r = await attempt(ctx, method, url, signed.right, body, tlsE.right)
      if (r._tag === 'Failed') {
        if (!r.retryable || n >= tries) return E.left(r.error)
        const wait = backoffMs(n, env.random)
        ctx.log.add(`retry ${n}/${s.maxAttempts} in ${wait} ms after ${r.error._tag}`)
        await env.sleep(wait, env.signal)
        continue
      }
      ctx.log.add(`response received, code ${r.res.status} (${env.now() - t0} ms)`)
      if (auth._tag === 'Digest' && r.res.status === 401) {
        const www = r.res.headers.filter(([k]) => k.toLowerCase() === 'www-authenticate').map(([, v]) => v).join(', ')
        const d = onDigest401(www, digest, answeredThisHop, digestAnswers)
        if (d._tag === 'Unanswerable') {
          ctx.log.add(`cannot answer the challenge: ${d.reason}`)
          const res = await finishResponse(ctx, r, { method, url, redirects, attempts, start })
          if (E.isLeft(res)) return res
          return E.left(authError(`${STEP}: Digest authorization: ${d.reason}`, res.right.log, res.right))
        }
        if (d._tag === 'Answer') {
          r.finish()
          await drain(r.res)
          const c = d.state.challenge
          digest = { ...d.state }
          digestAnswers++
          answeredThisHop = true
          ctx.log.add(`Digest challenge${d.stale ? ' (stale nonce)' : ''}: ${c.algorithm}${c.sess ? '-sess' : ''}, qop ${c.qop ?? 'none'}, realm ${c.realm} - answering`)
          n-- // answering a challenge is no retry
          continue
        }
        ctx.log.add('Digest credentials refused')
      }
      if (isRetryableStatus(r.res.status) && n < tries) {
        r.finish()
        await drain(r.res)
        const after = retryAfterMs(findHeader(r.res.headers, 'retry-after'), env.now)
        const wait = after ?? backoffMs(n, env.random)
        ctx.log.add(`server error, retry ${n}/${s.maxAttempts} in ${wait} ms${after === undefined ? '' : ' (Retry-After)'}`)
        await env.sleep(wait, env.signal)
        if (env.signal?.aborted === true) {
          ctx.log.add('aborted by env.signal')
          return E.left(transportError(`${STEP}: ${method} ${redactUrl(url)} aborted by env.signal`, 'ABORTED', ctx.log.log))
        }
        continue
      }
      got = r
    }
    const plan = planRedirect(got.res.status, findHeader(got.res.headers, 'location'), url, method, redirects, s.maxRedirects)
    if (plan?._tag === 'Stop') ctx.log.add(plan.reason)
    if (plan?._tag === 'Follow') {
      redirects++
      got.finish()
      await drain(got.res)
      ctx.log.add(
        `redirection ${redirects}/${s.maxRedirects}, moving to ${redactUrl(plan.to)}${plan.method !== method ? ` as ${plan.method}` : ''}${plan.crossOrigin ? ', credentials dropped (other origin)' : ''}`,
      )
      headers = redirectHeaders(headers, plan)
      if (plan.crossOrigin) {
        if (auth._tag === 'Aws4') headers = dropHeaders(headers, ['x-amz-date', 'x-amz-content-sha256'])
        auth = { _tag: 'None' }
        digest = null
      }
      if (!plan.keepBody) {
        body = { _tag: 'None' }
        hash = bodyHasher(body)
      }
      method = plan.method
      url = plan.to
      continue
    }
    return finishResponse(ctx, got, { method, url, redirects, attempts, start })
  }
}

const finishResponse = async (
  ctx: Ctx,
  got: Extract<AttemptResult, { _tag: 'Response' }>,
  o: { readonly method: string; readonly url: string; readonly redirects: number; readonly attempts: number; readonly start: number },
): Promise<E.Either<ClientError, HttpResponse>> => {
  const { res } = got
  const headersAt = ctx.env.now()
  const noBody = o.method === 'HEAD' || res.status === 204 || res.status === 304
  const encoding = findHeader(res.headers, 'content-encoding')
  const decode = ctx.p.settings.gzip && !res.decoded && !noBody
  const decoders = decode ? decodersFor(encoding) : []
  if (decoders === null) ctx.log.add(`unknown Content-Encoding ${encoding ?? ''} - body returned as received`)
  const lengthText = findHeader(res.headers, 'content-length')
  const total = lengthText !== undefined && /^\d+$/.test(lengthText) ? Number(lengthText) : null
  const file = ctx.p.responseFile
  const r = await readBody(noBody ? null : res.body, {
    decoders: decoders ?? [],
    file,
    total,
    maxBytes: file === null ? ctx.env.maxResponseBytes : Number.POSITIVE_INFINITY,
    onProgress: ctx.env.onProgress,
  })
  const timedOut = got.timedOut()
  got.finish()
  if (!r.ok) return E.left(readFailure(ctx, r.failure, timedOut, file))
  if (decoders !== null && decoders.length > 0) ctx.log.add(`body decoded from ${encoding ?? ''}`)
  ctx.log.add(file === null ? `body read, ${r.bytes.byteLength} bytes` : `body saved to ${file}`)
  const end = ctx.env.now()
  return E.right({
    _tag: 'HttpResponse',
    status: res.status,
    statusText: res.statusText,
    headers: headerRecord(res.headers),
    rawHeaders: res.headers,
    url: o.url,
    body: r.bytes,
    file,
    redirects: o.redirects,
    attempts: o.attempts,
    timings: { start: o.start, headers: headersAt, end, total: end - o.start },
    log: ctx.log.log,
  })
}

const unexpected = (p: PreparedRequest) => (e: unknown): ClientError =>
  transportError(`${STEP}: unexpected failure: ${errText(e).text}`, errText(e).code, p.log)

/**
 * Sends a PreparedRequest: attempts with timeouts, retries, redirects; returns the final
 * response (any status) or a ClientError with the full log.
 * @example
 * pipe(req, H.prepareRequest('GET'), TE.flatMap(H.executeRequest()))
 */
export const executeRequest =
  (env?: Env) =>
  (prepared: PreparedRequest): TE.TaskEither<ClientError, HttpResponse> =>
    pipe(
      TE.tryCatch(() => run(prepared, resolveEnv(env)), unexpected(prepared)),
      TE.flatMapEither(identity),
    )

/**
 * Runs a Request: prepares it (an invalid or sticky-error request is returned as
 * `InvalidInput` without sending) and executes it. Any HTTP status that arrives is a Right.
 * @example
 * const result = await pipe(
 *   H.newRequest(),
 *   H.initialize('http://127.0.0.1:8080/get'),
 *   H.processRequest('GET'),
 * )()
 */
export const processRequest =
  (method: string, env?: Env) =>
  (req: Request): TE.TaskEither<ClientError, HttpResponse> =>
    pipe(prepareWith('processRequest', method, env)(req), TE.flatMap(executeRequest(env)))
