/**
 * Transfers in parts: `--send-in-parts SIZE` sends the body in chunks (`sendDataInParts`, a
 * resumable-upload server's protocol). Downloads to `--out` in ranged parts: `-c/--continue` (curl's `-C -`, HTTPie's `--continue`)
 * goes on from the size of the file already there, and `--get-in-parts SIZE` asks for parts of
 * SIZE bytes, both through `getDataInParts`, which checks each part before it is appended. A
 * server that ignores the `Range` header (a `200`) leaves the file as it was, and the download
 * starts again from byte 0 as HTTPie's does, the file replaced only by a whole answer.
 * @module
 */
import type { ClientError } from '../model/errors.js'
import type { Method } from '../model/method.js'
import type { Request } from '../model/request.js'
import type { HttpResponse } from '../model/response.js'
import type { Lib, Values } from './flag.js'
import { Usage } from './template.js'

type Env = Parameters<Lib['processRequest']>[1]
type Result =
  { readonly _tag: 'Left'; readonly left: ClientError } | { readonly _tag: 'Right'; readonly right: HttpResponse }

/** `--continue` alone: one ranged request for the rest of the file (a part of up to 2⁵⁰ bytes), as curl and HTTPie send. */
const REST = 2 ** 50

/**
 * The part size of a download in parts, or null for an ordinary download; `-c` or
 * `--get-in-parts` without a file to download to is a {@link Usage} error.
 * @example
 * partSize({ continue: true }, req) // 1125899906842624
 * @category cli
 * @since 0.3.0
 */
export const partSize = (values: Values, req: Request): number | null => {
  const size = typeof values['getInParts'] === 'number' ? values['getInParts'] : null
  const resume = values['continue'] === true
  if (!resume && size === null) return null
  if (req.responseFile === null)
    throw new Usage(`${resume ? '-c/--continue' : '--get-in-parts'} needs a file to download to: --out FILE`)
  return size ?? REST
}

/**
 * The chunk size of an upload in parts (`--send-in-parts`), or null; with a download in parts
 * it is a {@link Usage} error (one request cannot be both).
 * @example
 * sendSize({ sendInParts: 65536 }) // 65536
 * @category cli
 * @since 0.3.0
 */
export const sendSize = (values: Values): number | null => {
  const size = typeof values['sendInParts'] === 'number' ? values['sendInParts'] : null
  if (size !== null && (values['continue'] === true || values['getInParts'] !== undefined))
    throw new Usage('--send-in-parts sends a body in parts; -c/--continue and --get-in-parts download one: not both')
  return size
}

/**
 * Runs the download in parts. A part that is no part: a `200` (the server ignored `Range`)
 * starts the download again whole (`note` says so); another status (`404`, `500`…) is the
 * answer, printed as any other, the file untouched.
 * @example
 * const r = await downloadInParts(H, 'GET', REST, env, note)(req)
 * @category cli
 * @since 0.3.0
 */
export const downloadInParts =
  (H: Lib, method: Method, size: number, env: Env, note: (line: string) => Promise<void>) =>
  async (req: Request): Promise<Result> => {
    const r = await H.getDataInParts(size, method, env)(req)()
    if (r._tag === 'Right' || r.left._tag !== 'StatusError') return r
    const { status, response } = r.left
    if (status === 200) {
      await note(
        `the server ignored the Range header (200, not 206): downloading ${req.responseFile} again from the start`,
      )
      return H.processRequest(method, env)(req)()
    }
    return status === 206 || status === 416 ? r : { _tag: 'Right', right: response }
  }
