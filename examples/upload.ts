/**
 * Uploads: a multipart form with a file part (streamed from disk), then the same file as a
 * resumable upload in chunks, then downloaded back in ranged parts; the bytes are checked.
 */
import { createHash } from 'node:crypto'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pipe } from 'fp-ts/function'
import * as TE from 'fp-ts/TaskEither'
import * as t from 'io-ts'
import * as H from 'httpipe'

const MultipartEcho = t.type({
  files: t.record(t.string, t.array(t.type({ filename: t.string, size: t.number, sha256: t.string }))),
})
const Uploaded = t.type({ size: t.number, sha256: t.string })

export const main = async (baseUrl: string): Promise<string> => {
  const dir = await mkdtemp(join(tmpdir(), 'httpipe-demo-'))
  try {
    const file = join(dir, 'report.bin')
    const bytes = Buffer.alloc(3 << 20)
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 131) & 255
    await writeFile(file, bytes)
    const sha = createHash('sha256').update(bytes).digest('hex')
    let uploaded = 0
    const form = await pipe(
      H.newRequest(),
      H.initialize(`${baseUrl}/multipart`),
      H.startMultipartBody(),
      H.addMultipartFormDataField('title', 'Quarterly report'),
      H.addMultipartFormDataFile('file', 'отчёт.bin', H.fromFile(file)),
      H.processRequest('POST', { onProgress: (p) => void (p.direction === 'upload' && (uploaded = p.loaded)) }),
      TE.flatMapEither(H.ensureStatus()),
      TE.flatMapEither(H.asJson(MultipartEcho)),
    )()
    if (form._tag === 'Left') return `failed: ${form.left.message}`
    const part = form.right.files['file']?.[0]
    const chunked = await pipe(
      H.newRequest(),
      H.initialize(`${baseUrl}/upload/demo?fail=2`),
      H.setBinaryBody(H.fromFile(file)),
      H.sendDataInParts(1 << 20),
      TE.flatMapEither(H.ensureStatus()),
      TE.flatMapEither(H.asJson(Uploaded)),
    )()
    if (chunked._tag === 'Left') return `failed: ${chunked.left.message}`
    const back = join(dir, 'back.bin')
    const download = await pipe(
      H.newRequest(),
      H.initialize(`${baseUrl}/range/100000`),
      H.setResponseFile(back),
      H.getDataInParts(16 * 1024),
    )()
    if (download._tag === 'Left') return `failed: ${download.left.message}`
    return [
      `multipart: ${part?.filename ?? '?'} arrived with ${part?.size ?? 0} bytes, ${part?.sha256 === sha ? 'same SHA-256' : 'DIFFERENT bytes'} (${uploaded} bytes reported sent)`,
      `resumable upload in 1 MiB chunks, one 503 retried: ${chunked.right.size} bytes, ${chunked.right.sha256 === sha ? 'same SHA-256' : 'DIFFERENT bytes'}`,
      `ranged download in 16 KiB parts: ${(await readFile(back)).byteLength} bytes`,
    ].join('\n  ')
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}
