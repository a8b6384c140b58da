/**
 * What is done once before the first attempt of a run: TLS material read from files, and
 * `fromUrl` body segments downloaded.
 * @module
 */
import { readFile } from 'node:fs/promises'
import * as E from 'fp-ts/lib/Either.js'
import { fileError, transportError, type ClientError } from '../model/errors.js'
import { memorySink, segmentsBody, type PreparedBody, type PreparedRequest, type Segment } from '../model/prepared.js'
import type { Pem } from '../model/request.js'
import { redactUrl } from '../encoding/redact.js'
import type { HttpResponse } from '../model/response.js'
import type { TransportTls } from '../model/transport.js'
import { errText } from './attempt/failures.js'
import type { ResolvedEnv } from './env.js'
import { EXECUTE_STEP as STEP, type RunCtx, type RunLog } from './context.js'

/**
 * Reads the PEM material of TLS options (files are read when the request runs).
 * @example
 * await loadTls(prepared, log) // right({ ca: '-----BEGIN CERTIFICATE-----…', … })
 * @internal
 */
export const loadTls = async (p: PreparedRequest, log: RunLog): Promise<E.Either<ClientError, TransportTls | null>> => {
  const tls = p.tls
  if (tls === null) return E.right(null)
  const read = async (pem: Pem | null): Promise<E.Either<ClientError, string | null>> => {
    if (pem === null || typeof pem === 'string') return E.right(pem)
    try {
      return E.right(await readFile(pem.path, 'utf8'))
    } catch (e) {
      const { code } = errText(e)
      log.add(`cannot read TLS file ${pem.path}: ${code}`)
      return E.left(fileError(`${STEP}: cannot read TLS file ${pem.path}: ${code}`, pem.path, code, log.log))
    }
  }
  const [ca, cert, key] = await Promise.all([read(tls.ca), read(tls.cert), read(tls.key)])
  if (E.isLeft(ca)) return ca
  if (E.isLeft(cert)) return cert
  if (E.isLeft(key)) return key
  return E.right({
    ca: ca.right,
    cert: cert.right,
    key: key.right,
    passphrase: tls.passphrase,
    rejectUnauthorized: tls.rejectUnauthorized,
  })
}

/** A run of a prepared request (the executor's own, passed in to download `fromUrl` bodies). */
type Run = (p: PreparedRequest, env: ResolvedEnv) => Promise<E.Either<ClientError, HttpResponse>>

/** Downloads a `fromUrl` segment with a nested run (its own redirects, decoding, timeout). */
const download = async (ctx: RunCtx, url: string, run: Run): Promise<E.Either<ClientError, Uint8Array>> => {
  ctx.log.add(`downloading body from ${redactUrl(url)}`)
  const headers = ctx.p.headers.filter(([n]) => ['accept-encoding', 'user-agent'].includes(n.toLowerCase()))
  const sub: PreparedRequest = {
    ...ctx.p,
    method: 'GET',
    url,
    headers,
    body: { _tag: 'None' },
    auth: { _tag: 'None' },
    sink: memorySink,
    log: [],
  }
  const r = await run(sub, { ...ctx.env, onProgress: undefined })
  if (E.isLeft(r)) {
    ctx.log.add(`fromUrl download failed: ${r.left.message}`)
    return E.left({ ...r.left, message: `${STEP}: fromUrl body download failed: ${r.left.message}`, log: ctx.log.log })
  }
  if (r.right.status < 200 || r.right.status > 299) {
    ctx.log.add(`fromUrl download failed with status ${r.right.status}`)
    return E.left(
      transportError(
        `${STEP}: fromUrl body download from ${redactUrl(url)} failed with status ${r.right.status}`,
        `HTTP ${r.right.status}`,
        ctx.log.log,
      ),
    )
  }
  ctx.log.add(`body downloaded, ${r.right.body.byteLength} bytes`)
  return E.right(r.right.body)
}

/**
 * The body with its URL segments downloaded, once, before the first attempt.
 * @example
 * await resolveBody(ctx, prepared.body, run) // right(body without URL segments)
 * @internal
 */
export const resolveBody = async (
  ctx: RunCtx,
  body: PreparedBody,
  run: Run,
): Promise<E.Either<ClientError, PreparedBody>> => {
  if (body._tag === 'None' || body.segments.every((s) => s._tag !== 'Url')) return E.right(body)
  const out: Segment[] = []
  for (const s of body.segments) {
    if (s._tag !== 'Url') {
      out.push(s)
      continue
    }
    const bytes = await download(ctx, s.url, run)
    if (E.isLeft(bytes)) return bytes
    out.push({ _tag: 'Bytes', bytes: bytes.right })
  }
  return E.right(segmentsBody(out))
}
