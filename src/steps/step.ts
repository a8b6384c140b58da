/**
 * The one way a builder step is made: sticky errors, logging and immutability in one place.
 * @module
 */
import { isTagged } from '../model/valid.js'
import * as E from 'fp-ts/lib/Either.js'
import { appendLog, type LogEntry } from '../model/log.js'
import { newRequest, type Request, type Step } from '../model/request.js'
import { showValue } from '../encoding/json.js'

/**
 * What a step's body decides: the fields to change and the log lines, or (Left) the reason the
 * input is invalid.
 * @example
 * const c: Change = { patch: { url: 'https://x/' }, messages: ['URL set to https://x/'] }
 */
export interface Change {
  readonly patch: Partial<Omit<Request, '_tag' | 'log' | 'error'>>
  readonly messages: ReadonlyArray<string>
}

/**
 * `f` of a checked value, or the check's refusal: `pipe(e, E.flatMap(f))` without fp-ts's
 * per-call argument handling (a step that checks a URL runs per request in most programs).
 * @example
 * andThen(checkUrl('setUrl', url), (full) => change({ url: full }, 'URL set'))
 */
export const andThen = <A, B>(e: E.Either<string, A>, f: (a: A) => E.Either<string, B>): E.Either<string, B> =>
  e._tag === 'Left' ? e : f(e.right)

/**
 * A change with these fields and one log line.
 * @example
 * change({ url: 'https://x/' }, 'URL set')
 */
export const change = (patch: Change['patch'], ...messages: ReadonlyArray<string>): E.Either<string, Change> =>
  E.right({ patch, messages })

/**
 * A change that only logs (the step decided to ignore its input).
 * @example
 * note('empty value - skipped')
 */
export const note = (...messages: ReadonlyArray<string>): E.Either<string, Change> => E.right({ patch: {}, messages })

/**
 * Invalid input: the reason, recorded as the Request's sticky error.
 * @example
 * invalid('header value contains CR, LF or NUL')
 */
export const invalid = (reason: string): E.Either<string, Change> => E.left(reason)

/**
 * Whether a value is a Request (a plain object tagged `Request` with a log), as a step or a
 * runner checks its input before reading it.
 * @example
 * isRequest(newRequest()) // true
 * isRequest(E.right(newRequest())) // false
 */
export const isRequest: (x: unknown) => x is Request = isTagged<Request>('Request')

/** ` tagged "X"` for an object with a string `_tag`, '' otherwise (or when reading it throws). */
const tagOf = (x: object): string => {
  try {
    const tag = (x as { _tag?: unknown })._tag
    return typeof tag === 'string' ? ` tagged ${showValue(tag)}` : ''
  } catch {
    return ''
  }
}

/** What a step gives for an input that is no Request: a new Request holding the error. */
const notARequest = (step: string, x: unknown): Request => {
  const what =
    x === null ? 'null' : Array.isArray(x) ? 'an array' : typeof x === 'object' ? `an object${tagOf(x)}` : typeof x
  const reason = `the input is not a Request (got ${what})`
  return {
    ...newRequest(),
    error: { step, message: `${step}: ${reason}` },
    log: [{ at: null, step, message: `error: ${reason}` }],
  }
}

const entries = (step: string, messages: ReadonlyArray<string>): ReadonlyArray<LogEntry> =>
  messages.map((message) => ({ at: null, step, message }))

/**
 * Makes a builder step named `step` from a pure decision. The step is a no-op once the
 * Request holds an error; a Left records the error (message prefixed with the step name) and
 * logs it; a Right applies the patch to a copy and logs its messages. Never mutates.
 * @example
 * const setUrlRaw = (url: string) => makeStep('setUrl', () => change({ url }, `URL set to ${url}`))
 */
export const makeStep =
  (step: string, decide: (req: Request) => E.Either<string, Change>): Step =>
  (req) => {
    if (!isRequest(req)) return notARequest(step, req)
    if (req.error !== null) return req
    const decision = decideSafely(decide, req)
    if (E.isLeft(decision)) {
      const message = `${step}: ${decision.left}`
      return {
        ...req,
        error: { step, message },
        log: appendLog(req.log, ...entries(step, [`error: ${decision.left}`])),
      }
    }
    return applyPatch(req, decision.right.patch, appendLog(req.log, ...entries(step, decision.right.messages)))
  }

/**
 * A step's decision, or a Left when reading its input threw (a getter, a Proxy trap, a
 * `toString`, a value deep enough to exhaust the stack): a step never throws.
 */
const decideSafely = (decide: (req: Request) => E.Either<string, Change>, req: Request): E.Either<string, Change> => {
  try {
    return decide(req)
  } catch (e) {
    return E.left(`the input cannot be read: ${e instanceof Error ? `${e.name}: ${e.message}` : showValue(e)}`)
  }
}

/**
 * `{ ...req, ...patch, log }`, written out: one object of one shape (a spread of a patch whose
 * fields vary from step to step is among the slowest ways V8 has to make an object).
 */
const applyPatch = (req: Request, p: Change['patch'], log: Request['log']): Request => ({
  _tag: 'Request',
  initialized: 'initialized' in p ? (p.initialized as Request['initialized']) : req.initialized,
  url: 'url' in p ? (p.url as Request['url']) : req.url,
  baseUrl: 'baseUrl' in p ? (p.baseUrl as Request['baseUrl']) : req.baseUrl,
  params: 'params' in p ? (p.params as Request['params']) : req.params,
  pathParams: 'pathParams' in p ? (p.pathParams as Request['pathParams']) : req.pathParams,
  headers: 'headers' in p ? (p.headers as Request['headers']) : req.headers,
  dataType: 'dataType' in p ? (p.dataType as Request['dataType']) : req.dataType,
  body: 'body' in p ? (p.body as Request['body']) : req.body,
  auth: 'auth' in p ? (p.auth as Request['auth']) : req.auth,
  settings: 'settings' in p ? (p.settings as Request['settings']) : req.settings,
  responseFile: 'responseFile' in p ? (p.responseFile as Request['responseFile']) : req.responseFile,
  proxy: 'proxy' in p ? (p.proxy as Request['proxy']) : req.proxy,
  tls: 'tls' in p ? (p.tls as Request['tls']) : req.tls,
  error: req.error,
  log,
})
