/**
 * Two measurements without other clients:
 * - httpipe's own cost per request: a 4-step request run through an in-memory Transport that
 *   answers at once with a canned JSON body (one chunk, no I/O) and decoded with the codec,
 *   next to a bare `Payload.decode(JSON.parse(text))` of the same bytes; the difference is
 *   what httpipe itself costs;
 * - memory: a large download streamed to a file with `H.setResponseFile`, peak RSS growth,
 *   next to undici.request and fetch piping their bodies to a file.
 * @module
 */
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import v8 from 'node:v8'
import vm from 'node:vm'
import * as E from 'fp-ts/lib/Either.js'
import * as TE from 'fp-ts/lib/TaskEither.js'
import { pipe } from 'fp-ts/lib/function.js'
import { request } from 'undici'
import * as H from '../dist/esm/index.js'
import { microRounds } from './harness.js'
import { makePayload, Payload, routes } from './payload.js'

export interface OverheadRow {
  readonly bytes: number
  /** µs per call, medians over rounds */
  readonly baselineUs: number
  readonly buildUs: number
  readonly httpipeUs: number
}

/** A Transport answering 200 with `body` as one chunk, without any I/O. */
export const memoryTransport = (body: Buffer): H.Transport => {
  const chunks: AsyncIterable<Uint8Array> = {
    async *[Symbol.asyncIterator]() {
      yield body
    },
  }
  const headers = [
    ['content-type', 'application/json'],
    ['content-length', String(body.length)],
  ] as const
  return async () => ({ status: 200, statusText: 'OK', headers, body: chunks, decoded: false })
}

const URL_ = 'http://127.0.0.1:9/json'

/** Per size: the bare decode, building the 4-step request alone, and the whole httpipe run. */
export const measureOverhead = async (n: number, rounds: number, seed: number): Promise<ReadonlyArray<OverheadRow>> => {
  const out: OverheadRow[] = []
  for (const bytes of [1024, 64 * 1024]) {
    const canned = makePayload(bytes)
    const env: H.Env = { transport: memoryTransport(canned) }
    const decode = H.asJson(Payload)
    const is200 = H.ensureStatus((s) => s === 200)
    const build = (): H.Request =>
      pipe(
        H.newRequest(),
        H.initialize(URL_),
        H.addHeader('Accept', 'application/json'),
        H.addHeader('X-Trace', 'bench'),
        H.setUrlParams({ page: '1' }),
      )
    const baseline = (): void => {
      if (E.isLeft(Payload.decode(JSON.parse(canned.toString('utf8'))))) throw new Error('baseline: does not decode')
    }
    const buildOnly = (): void => {
      if (build().error !== null) throw new Error('build failed')
    }
    const full = async (): Promise<void> => {
      const r = await pipe(build(), H.processRequest('GET', env), TE.flatMapEither(is200), TE.flatMapEither(decode))()
      if (r._tag === 'Left') throw new Error(`in-memory httpipe: ${r.left.message}`)
    }
    const scale = bytes > 4096 ? 1 / 8 : 1
    const t = await microRounds(
      [
        ['baseline', baseline],
        ['build', buildOnly],
        ['httpipe', full],
      ],
      Math.max(100, Math.round(n * scale)),
      rounds,
      seed,
    )
    out.push({
      bytes,
      baselineUs: t.get('baseline') ?? NaN,
      buildUs: t.get('build') ?? NaN,
      httpipeUs: t.get('httpipe') ?? NaN,
    })
  }
  return out
}

export interface MemoryRow {
  readonly id: string
  readonly error: string | null
  readonly mibPerS: number
  readonly peakGrowthMiB: number
}

/** Downloads `url` to `file`; resolves with an error text or null. */
export type Download = (url: string, file: string) => Promise<string | null>

/** httpipe with `env`, the body streamed to the file by `H.setResponseFile`. */
export const httpipeDownload =
  (env: H.Env): Download =>
  async (url, file) => {
    const r = await pipe(
      H.newRequest(),
      H.initialize(url),
      H.setResponseFile(file),
      H.processRequest('GET', env),
      TE.flatMapEither(H.ensureStatus()),
    )()
    return r._tag === 'Left' ? r.left.message : null
  }

/** References: the raw clients piping their body to a file stream. */
export const rawDownloads: ReadonlyArray<readonly [string, Download]> = [
  [
    'undici.request → file (reference)',
    async (url, file) => {
      const { statusCode, body } = await request(url)
      await pipeline(body, createWriteStream(file))
      return statusCode === 200 ? null : `status ${statusCode}`
    },
  ],
  [
    'fetch → file (reference)',
    async (url, file) => {
      const res = await fetch(url)
      if (res.body === null) return 'no body'
      await pipeline(Readable.fromWeb(res.body as import('node:stream/web').ReadableStream), createWriteStream(file))
      return res.status === 200 ? null : `status ${res.status}`
    },
  ],
]

v8.setFlagsFromString('--expose-gc')
const gc = vm.runInNewContext('gc') as () => void

/**
 * For each downloader: a 4 MiB warm-up download, then `bytes` downloaded to a temporary file;
 * peak RSS growth over the RSS just before (after a GC), sampled every 5 ms.
 */
export const measureDownload = async (
  base: string,
  downloads: ReadonlyArray<readonly [string, Download]>,
  bytes: number,
): Promise<ReadonlyArray<MemoryRow>> => {
  const dir = mkdtempSync(join(tmpdir(), 'httpipe-bench-'))
  const out: MemoryRow[] = []
  try {
    for (const [id, download] of downloads) {
      const file = join(dir, 'download.bin')
      const describe = (e: unknown): string => String((e as { message?: unknown } | null)?.message ?? e)
      const warm = await download(`${base}${routes.big(4 << 20)}`, file).catch(describe)
      if (warm !== null) {
        out.push({ id, error: `warm-up: ${warm}`, mibPerS: NaN, peakGrowthMiB: NaN })
        continue
      }
      rmSync(file, { force: true })
      gc()
      await new Promise((r) => setTimeout(r, 50))
      gc()
      const before = process.memoryUsage().rss
      let peak = before
      const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5)
      const t0 = performance.now()
      const failed = await download(`${base}${routes.big(bytes)}`, file).catch(describe)
      const seconds = (performance.now() - t0) / 1000
      clearInterval(sampler)
      peak = Math.max(peak, process.memoryUsage().rss)
      const size = failed === null ? statSync(file).size : 0
      const error = failed ?? (size !== bytes ? `file has ${size} bytes, wanted ${bytes}` : null)
      out.push({ id, error, mibPerS: bytes / (1 << 20) / seconds, peakGrowthMiB: (peak - before) / (1 << 20) })
      rmSync(file, { force: true })
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  return out
}
