/**
 * A download streamed to a file (never held in memory), gzip decoded on the way.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pipe } from 'fp-ts/function'
import * as O from 'fp-ts/Option'
import * as TE from 'fp-ts/TaskEither'
import * as H from 'httpipe'

export const main = async (baseUrl: string): Promise<string> => {
  const dir = await mkdtemp(join(tmpdir(), 'httpipe-demo-'))
  try {
    const target = join(dir, 'bytes.bin')
    let progressCalls = 0
    const result = await pipe(
      H.newRequest(),
      H.initialize(`${baseUrl}/bytes/1048576`),
      H.setResponseFile(target),
      H.processRequest('GET', { onProgress: () => void progressCalls++ }),
      TE.flatMapEither(H.ensureStatus()),
    )()
    if (result._tag === 'Left') return `failed: ${result.left.message}`
    const file = pipe(
      H.responseFilename(result.right),
      O.getOrElse(() => '?'),
    )
    const size = (await readFile(file)).byteLength
    return `saved ${size} bytes to ${file} (${progressCalls} progress events, ${result.right.body.byteLength} bytes kept in memory)`
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}
