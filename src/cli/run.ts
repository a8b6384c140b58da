/**
 * The command line's run: the request built from a template or the URL and then the flag
 * table's rows, and then saved as a template, printed as curl, or sent and printed (an event
 * stream or NDJSON as it arrives: stream.ts).
 * @module
 */
import { writeFileSync } from 'node:fs'
import { InvalidArgumentError } from 'commander'
import { processOrStream } from '../client/stream.js'
import type { ClientError } from '../model/errors.js'
import { appendLog } from '../model/log.js'
import type { Request } from '../model/request.js'
import type { HttpResponse } from '../model/response.js'
import type { HttpStream } from '../model/stream.js'
import { isToken } from '../model/valid.js'
import { mediaTypeOf } from '../model/media-type.js'
import { itemSteps, readItems } from './apply-items.js'
import { isKnownMethod, positionals } from './argv.js'
import { FLAGS } from './flags.js'
import type { Lib, Values } from './flag.js'
import { bodyOutput, failLine, messageLine, statusAndHeaders, useColour, visible } from './output.js'
import { attributeOf, EXIT } from './program.js'
import { offline, printPlan, showing, streamOf } from './printing.js'
import { progressBar } from './progress.js'
import { bodyEntry, printStream, STREAMED_TYPES, streamingKind } from './stream.js'
import { loadTemplate, templateSummary, Usage } from './template.js'
import { endSession, startSession } from './run-session.js'
import { downloadInParts, partSize, sendSize } from './parts.js'

/**
 * Where the command writes and what it reads from its process.
 * @example
 * const io: Io = { stdout: process.stdout, stderr: process.stderr, env: process.env }
 * @category cli
 * @since 0.3.0
 */
export interface Io {
  readonly stdout: NodeJS.WritableStream & { readonly isTTY?: boolean }
  readonly stderr: NodeJS.WritableStream & { readonly isTTY?: boolean; readonly columns?: number }
  readonly env: Readonly<Record<string, string | undefined>>
}

const write = (stream: NodeJS.WritableStream, data: string | Uint8Array): Promise<void> =>
  new Promise((resolve) => {
    if (data.length === 0) return resolve()
    stream.write(data, () => resolve())
  })

/** HTTPie's shorthands: `:3000/x` is http://localhost:3000/x, `:/x` http://localhost/x, `://h` is h. */
const shorthand = (url: string): string => {
  if (url.startsWith('://')) return url.slice(3)
  const m = /^:(?!:)(\d*)(\/?.*)$/.exec(url)
  return m === null ? url : `http://localhost${m[1] === '' ? '' : `:${m[1]}`}${m[2] ?? ''}`
}

/** The method, URL and request items from the positional arguments: `[METHOD] URL [ITEM …]`, or a lone method name with a template. */
const target = (
  args: ReadonlyArray<string>,
): { readonly method: string | undefined; readonly url: string | undefined; readonly items: ReadonlyArray<string> } => {
  const { method, url, items, error } = positionals(args)
  if (error !== null) throw new Usage(error)
  return {
    method: method === undefined ? undefined : isKnownMethod(method) ? method.toUpperCase() : method,
    // HTTPie's shorthands: `:3000/x` is http://localhost:3000/x, `://h` is h
    url: url === undefined ? undefined : shorthand(url),
    items,
  }
}

/** The request: the template or `initialize(URL)`, then every row with a value, in table order. */
const build = (
  H: Lib,
  args: ReadonlyArray<string>,
  values: Values,
): { readonly req: Request; readonly method: string } => {
  const { method, url, items } = target(args)
  const template = values['template']
  if (
    url === undefined &&
    template === undefined &&
    values['baseUrl'] === undefined &&
    values['saveTemplate'] === undefined
  )
    throw new Usage('a URL is required: httpipe [METHOD] URL [options] (httpipe --help lists the flags)')
  let req = typeof template === 'string' ? loadTemplate(H, template, values) : H.initialize(url)(H.newRequest())
  if (typeof template === 'string' && url !== undefined) req = H.setUrl(url)(req)
  for (const f of FLAGS) {
    const v = values[attributeOf(f)]
    if (v === undefined || f.step === undefined) continue
    let steps: ReturnType<NonNullable<typeof f.step>>
    try {
      steps = f.step(v as never, H, values)
    } catch (e) {
      // a value read when the steps are made (env:NAME in a header, --aws4, --oauth1) names its flag
      if (e instanceof InvalidArgumentError) throw new Usage(`${f.flags.replace(/ <.*$/, '')}: ${e.message}`)
      throw e
    }
    for (const s of Array.isArray(steps) ? steps : [steps]) req = s(req)
  }
  for (const s of itemSteps(H, readItems(items), values, mediaTypeOf)) req = s(req)
  if (req.error !== null) throw new Usage(req.error.message)
  const forced = typeof values['request'] === 'string' ? values['request'] : undefined
  if (forced !== undefined && !isToken(forced)) throw new Usage(`-X: not a method name: ${JSON.stringify(forced)}`)
  const chosen = forced === undefined ? method : isKnownMethod(forced) ? forced.toUpperCase() : forced
  return { req, method: chosen ?? (req.body._tag === 'None' ? 'GET' : 'POST') }
}

const saveTemplate = async (H: Lib, req: Request, path: string, io: Io): Promise<void> => {
  const json = JSON.stringify(H.toTemplate(req), null, 2)
  writeFileSync(path, `${json}\n`)
  const withheld = [...json.matchAll(/"_tag": "Withheld",\s*"field": "((?:[^"\\]|\\.)*)"/g)].map(
    (m) => JSON.parse(`"${m[1] ?? ''}"`) as string,
  )
  await write(io.stderr, `httpipe: template saved to ${path}\n`)
  if (withheld.length > 0)
    await write(
      io.stderr,
      messageLine(`withheld from the template (give them as env:NAME to save a reference): ${withheld.join(', ')}`),
    )
}

/** The env of the run: a progress bar on a terminal, for uploads, and downloads to a file. */
const progressEnv = (req: Request, values: Values, io: Io) => {
  if (values['progress'] === false || io.stderr.isTTY !== true) return null
  const toFile = req.responseFile !== null
  return progressBar(io.stderr, (p) => p.direction === 'upload' || toFile)
}

/** The response head where the plan says (-v: stderr; --print h: stdout). */
const printHead = async (res: Parameters<typeof statusAndHeaders>[0], values: Values, io: Io): Promise<void> => {
  const where = printPlan(values).responseHead
  if (where !== null) await write(streamOf(io, where), statusAndHeaders(res, useColour(streamOf(io, where), io.env)))
}

const printResponse = async (H: Lib, res: HttpResponse, values: Values, io: Io): Promise<number> => {
  await printHead(res, values, io)
  const { responseBody, meta } = printPlan(values)
  if (res.file === null && responseBody) {
    const out = bodyOutput(res.body, res.headers['content-type'], {
      terminal: io.stdout.isTTY === true,
      raw: values['raw'] === true,
      colour: useColour(io.stdout, io.env),
    })
    await write(io.stdout, out.data)
    if (out.note !== null) await write(io.stderr, `httpipe: ${out.note}\n`)
  }
  if (meta !== null) await write(streamOf(io, meta), `Elapsed time: ${res.timings.total / 1000}s\n`)
  if (values['log'] === true) await write(io.stderr, `${H.getLog(res, true)}\n`)
  if (values['fail'] === true && res.status >= 400) {
    await write(io.stderr, failLine(res.status, res.statusText))
    return EXIT.httpError
  }
  return EXIT.ok
}

/**
 * Runs the command line once it is read: builds the request, then saves it (`--save-template`),
 * prints it as curl (`--curl`), or sends it and prints the answer: a `2xx` event stream or
 * NDJSON for stdout (any `2xx` body with `--stream`) is printed as it arrives, any other answer
 * is read whole as `processRequest` reads it (its limits, retries and log) and then printed; a
 * body for a file (`--out`) is written there as it arrives. The exit code: 0, 1 for a
 * ClientError, 2 for a usage error, 22 with `--fail` on a status of 400 or above, 130 when
 * interrupted (SIGINT, Ctrl-C).
 * @example
 * process.exitCode = await run(['http://127.0.0.1:8080/get'], { verbose: true }, { stdout: process.stdout, stderr: process.stderr, env: process.env })
 * @category cli
 * @since 0.3.0
 */
export const run = async (args: ReadonlyArray<string>, values: Values, io: Io): Promise<number> => {
  const H: Lib = await import('../index.js')
  let built: { readonly req: Request; readonly method: string }
  let session: Awaited<ReturnType<typeof startSession>>
  let parts: { readonly send: number | null; readonly get: number | null }
  try {
    built = build(H, args, values)
    parts = { send: sendSize(values), get: partSize(values, built.req) }
    session = await startSession(H, built.req, args, values, io.env)
  } catch (e) {
    if (!(e instanceof Usage)) throw e
    await write(io.stderr, messageLine(e.message))
    return EXIT.usage
  }
  const { method } = built
  const req = session?.req ?? built.req
  if (typeof values['saveTemplate'] === 'string') {
    try {
      await saveTemplate(H, req, values['saveTemplate'], io)
    } catch (e) {
      await write(io.stderr, `httpipe: cannot save the template: ${(e as NodeJS.ErrnoException).code ?? String(e)}\n`)
      return EXIT.clientError
    }
  }
  if (values['curl'] === true) {
    const prepared = await H.prepareRequest(method, { secrets: (n) => io.env[n] })(req)()
    if (prepared._tag === 'Left') {
      await write(io.stderr, messageLine(prepared.left.message))
      return EXIT.clientError
    }
    await write(io.stdout, `${H.toCurl(prepared.right, { showSecrets: values['showSecrets'] === true })}\n`)
    return EXIT.ok
  }
  if (typeof values['saveTemplate'] === 'string') return EXIT.ok
  if (values['offline'] === true) return offline(H, req, method, values, io)
  // a template is someone else's: say what it will do before it is sent
  if (typeof values['template'] === 'string')
    await write(io.stderr, templateSummary(values['template'], method, req).split('\n').map(visible).join('\n'))
  const bar = progressEnv(req, values, io)
  // Ctrl-C aborts the run through env.signal: files are closed, and the exit is 130 as for any interrupted command
  const interrupt = new AbortController()
  const onSigint = (): void => interrupt.abort()
  process.once('SIGINT', onSigint)
  const env = {
    secrets: (n: string) => io.env[n],
    // HTTP_PROXY, HTTPS_PROXY, NO_PROXY of the command's environment (a --proxy, or a template's proxy, comes first)
    proxyEnv: io.env,
    signal: interrupt.signal,
    ...(bar === null ? {} : { onProgress: bar.onProgress }),
    ...(session === null ? {} : { cookieJar: session.session.jar }),
    ...showing(H, values, io),
  }
  try {
    // a body for stdout that is an event stream or NDJSON (any body with --stream) is printed as
    // it arrives; any other is read whole, as processRequest reads it; one for a file (--out, a
    // template's response file) is written there as it arrives
    // (--print without b: no body printed, so none is streamed)
    const only = !printPlan(values).responseBody ? [] : values['stream'] === true ? undefined : STREAMED_TYPES
    const note = (line: string): Promise<void> => write(io.stderr, messageLine(line))
    const result =
      parts.send !== null
        ? await H.sendDataInParts(parts.send, method, env)(req)()
        : parts.get !== null
          ? await downloadInParts(H, method, parts.get, env, note)(req)
          : req.responseFile === null
            ? await processOrStream(method, only, env)(req)()
            : await H.processRequest(method, env)(req)()
    bar?.done()
    if (interrupt.signal.aborted) return await interrupted(io)
    // the session is written once the request was sent (its cookies, the headers given)
    const kept = session === null ? null : await endSession(session, values)
    for (const line of [...(kept?.notes ?? []), ...(kept?.failed == null ? [] : [kept.failed])]) await note(line)
    const code =
      result._tag === 'Left'
        ? await failed(H, result.left, values, io)
        : result.right._tag === 'HttpResponse'
          ? await printResponse(H, result.right, values, io)
          : await printStreamed(H, result.right, interrupt.signal, values, io)
    return code === EXIT.ok && kept?.failed != null ? EXIT.clientError : code
  } finally {
    process.off('SIGINT', onSigint)
  }
}

const interrupted = async (io: Io): Promise<number> => {
  await write(io.stderr, 'httpipe: interrupted\n')
  return EXIT.interrupted
}

const failed = async (H: Lib, error: ClientError, values: Values, io: Io): Promise<number> => {
  await write(io.stderr, messageLine(error.message))
  if (values['log'] === true) await write(io.stderr, `${H.getLog(error, true)}\n`)
  return EXIT.clientError
}

/** Prints a stream as it arrives: an event stream, NDJSON, or (with --stream) any body. */
const printStreamed = async (
  H: Lib,
  stream: HttpStream,
  stopped: AbortSignal,
  values: Values,
  io: Io,
): Promise<number> => {
  const kind = streamingKind(stream.headers['content-type']) ?? 'bytes'
  await printHead(stream, values, io)
  const terminal = io.stdout.isTTY === true
  const ended = await printStream(
    H,
    stream,
    kind,
    { terminal, raw: values['raw'] === true, colour: useColour(io.stdout, io.env) },
    io.stdout,
  )
  if (stopped.aborted) return interrupted(io)
  if (ended.note !== null) await write(io.stderr, messageLine(ended.note))
  if (ended.error !== null) return failed(H, ended.error, values, io)
  const last = ended.closed
    ? `stdout closed by its reader after ${ended.bytes} bytes of the body - the rest not read`
    : `body read, ${ended.bytes} bytes`
  if (values['log'] === true)
    await write(io.stderr, `${H.getLog({ log: appendLog(stream.log, bodyEntry(last)) }, true)}\n`)
  if (values['fail'] === true && stream.status >= 400) {
    await write(io.stderr, failLine(stream.status, stream.statusText))
    return EXIT.httpError
  }
  return EXIT.ok
}
