/**
 * One attempt: the innermost `Send`. It sends a hop through the transport under the attempt,
 * idle and deadline limits and `env.signal`, reads and decodes the whole body (where the
 * request's sink says: see sink.ts), and classifies every failure.
 * @module
 */
import type { Transform } from 'node:stream'
import * as E from 'fp-ts/lib/Either.js'
import { findHeader } from '../../model/headers.js'
import type { Hop, Sink } from '../../model/prepared.js'
import { proxyOf } from './proxy.js'
import { Upload } from './upload.js'
import { http2Note, type TransportRequest, type TransportResponse } from '../../model/transport.js'
import { DEFAULT_MAX_MEMORY_BYTES } from '../../model/settings.js'
import { redactSecrets, redactUrl } from '../../encoding/redact.js'
import type { Progress } from '../env.js'
import { AttemptRequest } from './abort.js'
import { classify, errText, readFailure, timeoutFailure } from './failures.js'
import { declaredLength, dropBody, MAX_IN_MEMORY, refusedHead } from './head.js'
import { decodersFor, readBody } from './collect.js'
import { targetOf, undoFile } from './sink.js'
import { Watch } from './watch.js'
import { StreamBody } from '../streams/body.js'
import { EXECUTE_STEP as STEP, type Failure, type Received, type RunCtx, type Send } from '../context.js'
import { invalidInput } from '../../model/errors.js'

/** How much of an answer that its sink did not ask for (not the part asked for) is kept (for its error). */
const UNWANTED_BYTES = 64 * 1024
/**
 * `env.onProgress`, made safe: a callback that throws is logged once and not called again for
 * the run; the transfer goes on.
 */
const safeProgress = (ctx: RunCtx): ((p: Progress) => void) | undefined => {
  const f = ctx.env.onProgress
  if (f === undefined) return undefined
  let broken = false
  return (p) => {
    if (broken) return
    try {
      f(p)
    } catch (e) {
      broken = true
      ctx.log.add(`env.onProgress threw (${redactSecrets(errText(e).text, ctx.secrets)}) - not called again`)
    }
  }
}

/** What the attempts of a run share: the context, the sink, the limits and progress. */
interface Shared {
  readonly ctx: RunCtx
  readonly sink: Sink
  readonly tries: number
  readonly timeouts: { readonly connectMs: number; readonly idleMs: number }
  readonly http2: boolean
  readonly onProgress: ((p: Progress) => void) | undefined
}

/** The transport call of one attempt, the watch's abort handed over as a lazy signal. */
const call = (
  sh: Shared,
  hop: Hop,
  up: Upload,
  w: Watch,
  proxy: TransportRequest['proxy'],
): Promise<TransportResponse> =>
  sh.ctx.env.transport(
    new AttemptRequest(
      {
        method: hop.method,
        url: hop.url,
        headers: hop.headers,
        body: up.body,
        proxy,
        tls: sh.ctx.tls,
        timeouts: sh.timeouts,
        http2: sh.http2,
      },
      w.abort,
      w.touch,
    ),
  )

/** The decoders of an answer's Content-Encoding (none for a body that has none or came decoded; null: unknown, kept as received). */
const decodersOf = (
  sh: Shared,
  res: TransportResponse,
  encoding: string | undefined,
  noBody: boolean,
): ReadonlyArray<Transform> | null => {
  if (!sh.ctx.p.settings.gzip || res.decoded || noBody) return []
  const decoders = decodersFor(encoding)
  if (decoders === null) sh.ctx.log.add(`unknown Content-Encoding ${encoding ?? ''} - body returned as received`)
  return decoders
}

const EMPTY = new Uint8Array(0)

/** Whether a stream sink takes an answer of this media type (any, without `only`). */
const wanted = (sink: Extract<Sink, { _tag: 'Stream' }>, res: TransportResponse): boolean =>
  sink.only === undefined ||
  sink.only.includes((findHeader(res.headers, 'content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '')

const received = (
  hop: Hop,
  res: TransportResponse,
  headersAt: number,
  body: Uint8Array,
  file: string | null,
): E.Either<Failure, Received> =>
  E.right({
    hop,
    status: res.status,
    statusText: res.statusText,
    headers: res.headers,
    body,
    file,
    headersAt,
    httpVersion: res.httpVersion,
  })

/** Reads the body of an answer where its sink says, under the watch, and settles the attempt. */
const receive = async (
  sh: Shared,
  hop: Hop,
  res: TransportResponse,
  w: Watch,
  up: Upload,
  headersAt: number,
  what: string,
): Promise<E.Either<Failure, Received>> => {
  const { ctx, onProgress } = sh
  const noBody = hop.method === 'HEAD' || res.status === 204 || res.status === 304
  const encoding = noBody ? undefined : findHeader(res.headers, 'content-encoding')
  const decoders = decodersOf(sh, res, encoding, noBody)
  const target = targetOf(sh.sink, res.status, res.headers, noBody)
  const file = target.file
  const total = declaredLength(findHeader(res.headers, 'content-length'))
  // a stream's 2xx body goes on to its consumer unread (any other answer is read here, whole)
  const streamed = sh.sink._tag === 'Stream' && res.status >= 200 && res.status < 300 && !noBody && wanted(sh.sink, res)
  const limit = target.unwanted
    ? UNWANTED_BYTES
    : (ctx.env.maxResponseBytes ??
      ctx.p.settings.maxResponseSize ??
      (file === null && !streamed ? DEFAULT_MAX_MEMORY_BYTES : Number.POSITIVE_INFINITY))
  // one body in memory is at most one Buffer
  const maxBytes = file === null && !streamed && limit > MAX_IN_MEMORY ? MAX_IN_MEMORY : limit
  const asItComes = !noBody && !target.unwanted && (decoders === null || decoders.length === 0)
  const refused = refusedHead(ctx, res, encoding, total, maxBytes, asItComes, what)
  if (refused !== null) {
    dropBody(res.body)
    w.abort.abort()
    w.finish()
    up.close()
    return E.left(refused)
  }
  if (streamed) {
    w.afterHead(ctx.deadlineAt - ctx.env.now())
    const close = (): void => up.close()
    const body = new StreamBody({ ctx, res, watch: w, decoders: decoders ?? [], limit, close, onProgress, total })
    const { status, statusText, headers, httpVersion } = res
    return E.right({ hop, status, statusText, headers, body: EMPTY, file: null, headersAt, httpVersion, open: body })
  }
  const r = await readBody(res.body, {
    decoders: decoders ?? [],
    file,
    append: target.append,
    total,
    maxBytes,
    onProgress: onProgress === undefined ? w.touch : (p) => (w.touch(), onProgress(p)),
  })
  w.finish()
  up.close()
  const fired = w.fired
  // an answer the sink did not ask for: its start is kept for the error, the rest dropped
  if (r._tag === 'Failed' && target.unwanted && r.failure._tag === 'Limit' && fired === null) {
    ctx.log.add(`not the part asked for: body dropped after ${UNWANTED_BYTES} bytes`)
    return received(hop, res, headersAt, new Uint8Array(0), null)
  }
  if (r._tag === 'Failed') {
    if (file !== null) await undoFile(ctx, file, target.cutTo)
    return E.left(readFailure(ctx, r.failure, fired, file))
  }
  if (fired !== null) return E.left(classify(ctx, null, fired, what))
  if (decoders !== null && decoders.length > 0)
    ctx.log.add(`body decoded from ${findHeader(res.headers, 'content-encoding') ?? ''}`)
  return received(hop, res, headersAt, noBody ? new Uint8Array(0) : r.bytes, file)
}

/** The redacted URL of a hop, remembered for the retries of the same hop. */
const shownUrls = (ctx: RunCtx): ((url: string) => string) => {
  let url = ''
  let shown = ''
  return (u) => (u === url ? shown : ((url = u), (shown = redactSecrets(redactUrl(u), ctx.secrets))))
}

/**
 * The innermost Send of a run: one transport call and the whole body, under the limits.
 * @example
 * const send = attempt(ctx)
 * await send(hop) // right({ status: 200, body, … }) or left({ error, phase })
 * @internal
 */
export const attempt = (ctx: RunCtx): Send => {
  const s = ctx.p.settings
  const sh: Shared = {
    ctx,
    sink: ctx.p.sink,
    tries: s.maxAttempts + 1,
    timeouts: { connectMs: s.connectTimeout, idleMs: s.idleTimeout },
    http2: s.http2,
    onProgress: safeProgress(ctx),
  }
  const shown = shownUrls(ctx)
  return async (hop: Hop) => {
    ctx.stats.attempts++
    const what = `${hop.method} ${shown(hop.url)}`
    ctx.log.add(`sending ${what}${sh.tries > 1 ? ` (attempt ${hop.attempt}/${sh.tries})` : ''}`)
    if (ctx.env.now() >= ctx.deadlineAt) return E.left(timeoutFailure(ctx, 'deadline', what))
    let proxy: TransportRequest['proxy']
    try {
      const px = proxyOf(ctx, hop.url)
      if (E.isLeft(px)) return E.left({ error: invalidInput(STEP, `${STEP}: ${px.left}`, ctx.log.log), phase: 'final' })
      proxy = px.right
    } catch (e) {
      return E.left(classify(ctx, e, null, what))
    }
    const w = new Watch(ctx)
    const t0 = ctx.env.now()
    const up = new Upload(hop, w, sh.onProgress)
    let res: TransportResponse
    try {
      res = await call(sh, hop, up, w, proxy)
    } catch (e) {
      w.finish()
      up.close()
      return E.left(up.error === null ? classify(ctx, e, w.fired, what) : classify(ctx, up.error, null, what))
    }
    const headersAt = ctx.env.now()
    ctx.log.add(`response received, code ${res.status} (${headersAt - t0} ms)`)
    if (sh.http2) ctx.log.add(http2Note(hop.url, res.httpVersion, ctx.env.transport.offersHttp2 === true))
    w.touch()
    // awaited, not returned: one promise hop fewer per attempt
    return await receive(sh, hop, res, w, up, headersAt, what)
  }
}
