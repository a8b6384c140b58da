/**
 * Where one response's body goes, decided by the request's sink once the head of the answer
 * arrived: one row per kind of sink (a ranged request's row lives with the parts).
 * @module
 */
import type { HeaderList } from '../../model/headers.js'
import type { Sink } from '../../model/prepared.js'
import { partTarget } from '../parts/ranges.js'

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
      return MEMORY
    case 'File':
      return status >= 200 && status < 300 && !noBody ? { file: sink.path, append: false, unwanted: false, cutTo: 0 } : MEMORY
    case 'Part':
      return partTarget(sink, status, headers, noBody)
  }
}
