/**
 * What the command prints and where, from `--print` (HTTPie's letters, everything on stdout),
 * `--offline` (the request on stdout, nothing sent) and `-v` (the request sent and the
 * response head on stderr, the body on stdout).
 * @module
 */
import type { Request } from '../model/request.js'
import type { Lib, Values } from './flag.js'
import { messageLine } from './output.js'
import { EXIT } from './program.js'
import type { Io } from './run.js'
import { showingTransport, showPrepared } from './show-request.js'

const write = (stream: NodeJS.WritableStream, data: string | Uint8Array): Promise<void> =>
  new Promise((resolve) => {
    if (data.length === 0) return resolve()
    stream.write(data, () => resolve())
  })

/**
 * The stream a part goes to.
 * @example
 * streamOf(io, 'err') // io.stderr
 * @category cli
 * @since 0.3.0
 */
export const streamOf = (io: Io, where: 'out' | 'err'): Io['stdout'] | Io['stderr'] =>
  where === 'out' ? io.stdout : io.stderr

/**
 * Where each part goes: `out` (stdout), `err` (stderr) or nowhere (null); the response body
 * goes to stdout or nowhere.
 * @example
 * const p: PrintPlan = { requestHead: 'err', requestBody: 'err', responseHead: 'err', responseBody: true, meta: null }
 * @category cli
 * @since 0.3.0
 */
export interface PrintPlan {
  readonly requestHead: 'out' | 'err' | null
  readonly requestBody: 'out' | 'err' | null
  readonly responseHead: 'out' | 'err' | null
  readonly responseBody: boolean
  readonly meta: 'out' | 'err' | null
}

/**
 * The plan of a command line.
 * @example
 * printPlan({ print: 'Hh' }) // { requestHead: 'out', requestBody: null, responseHead: 'out', responseBody: false, meta: null }
 * @category cli
 * @since 0.3.0
 */
export const printPlan = (values: Values): PrintPlan => {
  const p = values['print']
  if (typeof p === 'string') {
    const to = (letter: string): 'out' | null => (p.includes(letter) ? 'out' : null)
    return {
      requestHead: to('H'),
      requestBody: to('B'),
      responseHead: to('h'),
      responseBody: p.includes('b'),
      meta: to('m'),
    }
  }
  if (values['offline'] === true)
    return { requestHead: 'out', requestBody: 'out', responseHead: null, responseBody: false, meta: null }
  const v = values['verbose'] === true ? 'err' : null
  return { requestHead: v, requestBody: v, responseHead: v, responseBody: true, meta: null }
}

/**
 * The env's transport when the request sent is printed (-v, --print H/B): the default one,
 * showing each request it sends; no change otherwise.
 * @example
 * const env = { ...showing(H, { verbose: true }, io) }
 * @category cli
 * @since 0.3.0
 */
export const showing = (H: Lib, values: Values, io: Io) => {
  const { requestHead, requestBody } = printPlan(values)
  const where = requestHead ?? requestBody
  if (where === null) return {}
  const stream = streamOf(io, where)
  const o = { head: requestHead !== null, body: requestBody !== null, show: values['showSecrets'] === true }
  return {
    transport: showingTransport(H.defaultTransport, (d) => stream.write(d), { ...o, terminal: stream.isTTY === true }),
  }
}

/**
 * --offline: the request prepared and printed (--print HB by default), nothing sent.
 * @example
 * process.exitCode = await offline(H, req, 'POST', { offline: true }, io)
 * @category cli
 * @since 0.3.0
 */
export const offline = async (H: Lib, req: Request, method: string, values: Values, io: Io): Promise<number> => {
  const prepared = await H.prepareRequest(method, { secrets: (n) => io.env[n] })(req)()
  if (prepared._tag === 'Left') {
    await write(io.stderr, messageLine(prepared.left.message))
    return EXIT.clientError
  }
  const { requestHead, requestBody } = printPlan(values)
  const show = values['showSecrets'] === true
  if (requestHead !== null) {
    const [head = ''] = showPrepared(prepared.right, { head: true, body: false, show, terminal: false })
    await write(streamOf(io, requestHead), head)
  }
  if (requestBody !== null) {
    const stream = streamOf(io, requestBody)
    const [, body = ''] = showPrepared(prepared.right, {
      head: false,
      body: true,
      show,
      terminal: stream.isTTY === true,
    })
    await write(stream, body)
  }
  return EXIT.ok
}
