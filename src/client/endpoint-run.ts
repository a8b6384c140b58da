/**
 * The calls of `endpoint` (endpoint.ts): the request built from the template and the encoded
 * input, run, and its answer decoded by status. Loaded by the first call.
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import type * as TE from 'fp-ts/lib/TaskEither.js'
import type * as t from 'io-ts'
import { invalidInput, type ClientError } from '../model/errors.js'
import type { Log } from '../model/log.js'
import { newRequest, type Request, type Step } from '../model/request.js'
import { asJsonByStatus, type ByStatus } from '../read/by-status.js'
import { thrownText } from '../read/readers.js'
import { setJsonBody } from '../steps/body.js'
import { setHeaders } from '../steps/headers.js'
import { setUrlParams, toPairs } from '../steps/params.js'
import { setPathParam } from '../steps/path-params.js'
import { isRequest } from '../steps/step.js'
import { processRequest } from './process.js'
import type { EndpointDefinition } from './endpoint.js'

type Part = 'path' | 'query' | 'headers' | 'body'
const PARTS: ReadonlyArray<Part> = ['path', 'query', 'headers', 'body']

const fail = (message: string, log: Log = []): E.Either<ClientError, never> =>
  E.left(invalidInput('endpoint', `endpoint: ${message}`, log))

/** A record's entries without the `undefined` ones (an optional field left out), other inputs as they are. */
const withoutUndefined = <O>(o: O): O =>
  typeof o === 'object' && o !== null && !Array.isArray(o) && Object.getPrototypeOf(o) === Object.prototype
    ? (Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as O)
    : o

/** Why a definition cannot run, or null (read once per call: a definition is a value from anywhere). */
const definitionProblem = (d: EndpointDefinition): string | null => {
  if (typeof d !== 'object' || d === null) return 'the definition must be an object'
  if (typeof d.method !== 'string') return 'the definition has no method'
  if (!isRequest(d.request) && typeof d.request !== 'function')
    return 'the definition`s request must be a Request or a step'
  for (const part of PARTS) {
    const codec: unknown = d[part]
    if (codec !== undefined && typeof (codec as { encode?: unknown } | null)?.encode !== 'function')
      return `the ${part} codec has no encode function`
  }
  return null
}

/** The value of `part` in the input, checked by the codec's guard when it has one. */
const partOf = (
  codec: t.Encoder<never, unknown>,
  input: unknown,
  part: Part,
  log: Log,
): E.Either<ClientError, unknown> => {
  if (typeof input !== 'object' || input === null || !Object.hasOwn(input, part))
    return fail(`the input has no ${part} (the definition has a ${part} codec)`, log)
  const value: unknown = (input as Record<Part, unknown>)[part]
  const is: unknown = (codec as { is?: unknown }).is
  if (typeof is !== 'function') return E.right(value)
  let passes: unknown
  try {
    passes = (is as (u: unknown) => boolean).call(codec, value)
  } catch (e) {
    return fail(`the ${part} codec's guard threw: ${thrownText(e)}`, log)
  }
  if (passes === true) return E.right(value)
  const name: unknown = (codec as { name?: unknown }).name
  return fail(`the input's ${part} is not a ${typeof name === 'string' ? name : 'value of its codec'}`, log)
}

/** A part of the input encoded (an encoder that throws is InvalidInput). */
const encoded = <O>(codec: t.Encoder<never, O>, value: unknown, part: Part, log: Log): E.Either<ClientError, O> => {
  try {
    return E.right(withoutUndefined((codec.encode as (a: unknown) => O)(value)))
  } catch (e) {
    return fail(`the ${part} codec's encode threw: ${thrownText(e)}`, log)
  }
}

/**
 * Steps in order, as one (fp-ts's Endomorphism monoid: `flow` of any number, the identity of
 * none), written out: importing fp-ts's Endomorphism, Monoid and TaskEither modules for this
 * file's few uses loaded nine more files with the package (see test/package-lazy.test.ts).
 */
const all =
  (steps: ReadonlyArray<Step>): Step =>
  (req) =>
    steps.reduce((r, step) => step(r), req)

/** `TE.fromEither`. */
const fromEither =
  <A>(e: E.Either<ClientError, A>): TE.TaskEither<ClientError, A> =>
  () =>
    Promise.resolve(e)

/**
 * The step a part of the input makes: path params set one by one (the template's others kept),
 * query params added after the template's (those it has by name replaced, repeated names kept),
 * headers merged, the body set with its codec.
 */
const stepOf = (d: EndpointDefinition, part: Part, value: unknown, log: Log): E.Either<ClientError, Step> => {
  switch (part) {
    case 'path':
      return pipe(
        encoded(d.path!, value, part, log),
        E.flatMap((p) =>
          typeof p === 'object' && p !== null && !Array.isArray(p)
            ? E.right(all(Object.entries(p).map(([k, v]) => setPathParam(k, v))))
            : fail('the path codec must encode to an object of path params', log),
        ),
      )
    case 'query':
      return pipe(
        encoded(d.query!, value, part, log),
        E.flatMap((q) =>
          pipe(
            toPairs(q),
            E.mapLeft((m) => invalidInput('endpoint', `endpoint: query: ${m}`, log)),
          ),
        ),
        E.map((pairs): Step => {
          const names = new Set(pairs.map(([k]) => k))
          return (req) => setUrlParams([...req.params.filter(([k]) => !names.has(k)), ...pairs])(req)
        }),
      )
    case 'headers':
      return pipe(
        encoded(d.headers!, value, part, log),
        E.map((h) => setHeaders(h)),
      )
    case 'body':
      return E.right(setJsonBody(value, d.body as t.Encoder<unknown, unknown>))
  }
}

/** The request a call makes: the template, then the parts of the input. */
const buildRequest = (d: EndpointDefinition, input: unknown): E.Either<ClientError, Request> => {
  let req: Request
  try {
    req = isRequest(d.request) ? d.request : d.request(newRequest())
  } catch (e) {
    return fail(`the request step threw: ${thrownText(e)}`)
  }
  if (!isRequest(req)) return fail('the request step did not return a Request')
  for (const part of PARTS) {
    const codec = d[part]
    if (codec === undefined) continue
    const log = req.log
    const step = pipe(
      partOf(codec, input, part, log),
      E.flatMap((v) => stepOf(d, part, v, log)),
    )
    if (E.isLeft(step)) return step
    req = step.right(req)
  }
  return E.right(req)
}

/**
 * One call of the endpoint of `definition` (see `endpoint`).
 * @example
 * await runEndpoint(definition, { path: { id: 7 } })()
 * @category running
 * @since 0.3.0
 * @internal
 */
export const runEndpoint = <D extends EndpointDefinition>(
  definition: D,
  input: unknown,
): TE.TaskEither<ClientError, ByStatus<D['responses']>> => {
  try {
    const problem = definitionProblem(definition)
    const built = problem !== null ? fail(problem) : buildRequest(definition, input)
    if (E.isLeft(built)) return fromEither(E.left(built.left))
    const read = asJsonByStatus<D['responses']>(definition.responses as never)
    const run = processRequest(definition.method, definition.env)(built.right)
    // `TE.flatMapEither`: a reader given hostile decoders answers with a Left; this net is for what it cannot foresee
    return () =>
      run().then((res) => {
        if (E.isLeft(res)) return res
        try {
          return read(res.right)
        } catch (e) {
          return fail(`reading the response failed: ${thrownText(e)}`, res.right.log)
        }
      })
  } catch (e) {
    return fromEither(fail(`the definition or the input cannot be read: ${thrownText(e)}`))
  }
}
