/**
 * Where one response's body goes, decided by the request's sink once the head of the answer
 * arrived: one row per kind of sink (a ranged request's row lives with the parts).
 * @module
 */
import { rm, truncate } from 'node:fs/promises'
import type { HeaderList } from '../../model/headers.js'
import type { Sink } from '../../model/prepared.js'
import type { RunCtx } from '../context.js'
import { partTarget } from '../parts/ranges.js'
import { errText } from './failures.js'

/**
 * What the attempt does with the body of one answer: stream it to `file` (appended with
 * `append`) or keep it in memory (`file` null); `unwanted` is an answer the sink did not ask for
 * (only its start is kept, for the error); a file write that fails is cut back to `cutTo`
 * bytes (0: the file is removed).
 * @example
 * const t: Target = { file: '/tmp/a.bin', append: false, unwanted: false, cutTo: 0 }
 * @internal
 */
export interface Target {
  readonly file: string | null
  readonly append: boolean
  readonly unwanted: boolean
  readonly cutTo: number
}

/**
 * The body kept in memory, as it came.
 * @example
 * MEMORY.file // null
 * @internal
 */
export const MEMORY: Target = { file: null, append: false, unwanted: false, cutTo: 0 }

/**
 * The target of an answer with `status` and `headers` for `sink`; `noBody` when the answer has
 * no body to save (HEAD, 204, 304). A response file takes a `2xx`; any other answer stays in
 * memory (written to the file when it is the final response).
 * @example
 * targetOf({ _tag: 'File', path: '/tmp/a' }, 200, [], false) // { file: '/tmp/a', … }
 * @internal
 */
export const targetOf = (sink: Sink, status: number, headers: HeaderList, noBody: boolean): Target => {
  switch (sink._tag) {
    case 'Memory':
    case 'Stream':
      return MEMORY
    case 'File':
      return status >= 200 && status < 300 && !noBody
        ? { file: sink.path, append: false, unwanted: false, cutTo: 0 }
        : MEMORY
    case 'Part':
      return partTarget(sink, status, headers, noBody)
  }
}

/** A download to a file that failed or was cut off leaves no partial file behind. */
const removePartial = async (ctx: RunCtx, file: string): Promise<void> => {
  try {
    await rm(file, { force: true })
    ctx.log.add(`partial response file ${file} removed`)
  } catch (e) {
    ctx.log.add(`cannot remove the partial response file ${file}: ${errText(e).code}`)
  }
}

/**
 * A file write that failed is undone: a download to a file leaves no partial file behind, and a
 * part appended to a file (getDataInParts) is cut off again, the file going back to the
 * `cutTo` bytes it held before (a file that held none is removed, as it was not there).
 * @example
 * await undoFile(ctx, '/tmp/a.bin', 0) // removed
 * @internal
 */
export const undoFile = async (ctx: RunCtx, file: string, cutTo: number): Promise<void> => {
  if (cutTo === 0) return removePartial(ctx, file)
  try {
    await truncate(file, cutTo)
    ctx.log.add(`partial part cut from ${file}: back to ${cutTo} bytes`)
  } catch (e) {
    ctx.log.add(`cannot cut the partial part from ${file}: ${errText(e).code}`)
  }
}
