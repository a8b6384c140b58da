/**
 * `endpoint`: a request template, its codecs and its responses made one typed function,
 * `(input) => TaskEither<ClientError, union of the responses>`, the input type inferred from the
 * codecs.
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import type * as TE from 'fp-ts/lib/TaskEither.js'
import type * as t from 'io-ts'
import { invalidInput, type ClientError } from '../model/errors.js'
import type { Log } from '../model/log.js'
import type { Method } from '../model/method.js'
import { newRequest, type Request, type Step } from '../model/request.js'
import type { Env } from '../execute/env.js'
import { asJsonByStatus, type ByStatus, type StatusCases } from '../read/by-status.js'
import { thrownText } from '../read/readers.js'
import { setJsonBody } from '../steps/body.js'
import { setHeaders } from '../steps/headers.js'
import { setUrlParams, toPairs, type ParamsInput } from '../steps/params.js'
import { setPathParam, type PathParamValue } from '../steps/path-params.js'
import { isRequest } from '../steps/step.js'
import { processRequest } from './process.js'

/**
 * What {@link endpoint} takes: the method, the request template (a Request, or a step applied to
 * a new one), io-ts encoders for the parts of the input (each optional: `path` gives the values
 * of the URL's `{name}` placeholders, `query` URL params added to the template's (one it has by name is replaced), `headers`
 * headers merged into the template's, `body` the JSON body), the decoders of the responses by
 * status (as {@link asJsonByStatus} takes them) and the env it runs with.
 * @example
 * const getUser = {
 *   method: 'GET',
 *   request: H.setUrl(`${url}/users/{id}`),
 *   path: t.type({ id: t.number }),
 *   responses: { 200: t.type({ id: t.number, name: t.string }) },
 * } satisfies H.EndpointDefinition
 * @category running
 * @since 0.3.0
 */
export interface EndpointDefinition {
  readonly method: Method
  readonly request: Request | Step
  readonly path?: t.Encoder<never, Readonly<Record<string, PathParamValue>>>
  readonly query?: t.Encoder<never, ParamsInput>
  readonly headers?: t.Encoder<never, Readonly<Record<string, string>>>
  readonly body?: t.Encoder<never, unknown>
  readonly responses: StatusCases
  readonly env?: Env
}

type Part = 'path' | 'query' | 'headers' | 'body'
const PARTS: ReadonlyArray<Part> = ['path', 'query', 'headers', 'body']

/** `{ [K]: A }` when the definition has an encoder of `A` at `K`, else nothing. */
type Field<D, K extends Part> = D extends { readonly [P in K]: t.Encoder<infer A, unknown> }
  ? { readonly [P in K]: A }
  : unknown

type Simplify<T> = { [K in keyof T]: T[K] } & {}

/**
 * The input of an endpoint: `{ path, query, headers, body }`, each present exactly when the
 * definition has its encoder, typed as what that encoder takes.
 * @example
 * const Path = t.type({ id: t.number })
 * type In = EndpointInput<{ method: 'GET'; request: H.Step; path: typeof Path; responses: {} }>
 * // { readonly path: { id: number } }
 * @category running
 * @since 0.3.0
 */
export type EndpointInput<D> = Simplify<Field<D, 'path'> & Field<D, 'query'> & Field<D, 'headers'> & Field<D, 'body'>>

/**
 * An endpoint as a function: its input (optional when the definition has no encoder) to the run
 * and the response decoded by status.
 * @example
 * const getUser = {
 *   method: 'GET',
 *   request: H.setUrl(`${url}/users/{id}`),
 *   path: t.type({ id: t.number }),
 *   responses: { 200: t.type({ id: t.number, name: t.string }) },
 * } satisfies H.EndpointDefinition
 * const user: Endpoint<typeof getUser> = H.endpoint(getUser)
 * @category running
 * @since 0.3.0
 */
export type Endpoint<D extends EndpointDefinition> =
  {} extends EndpointInput<D>
    ? (input?: EndpointInput<D>) => TE.TaskEither<ClientError, ByStatus<D['responses']>>
    : (input: EndpointInput<D>) => TE.TaskEither<ClientError, ByStatus<D['responses']>>

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
 * An endpoint: a function from its input to a run of the request and the response decoded by
 * status. The input's type is inferred from the definition's encoders (`{ path, query, headers,
 * body }`, each required exactly when its encoder is given; no input when there is none); the
 * result is the union of the responses, discriminated by a literal `status`. Each call builds the
 * request from the template and the encoded input (path params set, query params added (a name the template has replaced),
 * headers merged, the body set with its codec) and runs it as any other (log, retries, redirects,
 * auth, limits). A definition or input that cannot be used is an `InvalidInput` of `endpoint`;
 * a status with no response case a `StatusError`.
 * @example
 * const User = t.type({ id: t.number, name: t.string })
 * const Problem = t.type({ title: t.string })
 * const getUser = H.endpoint({
 *   method: 'GET',
 *   request: flow(H.setBaseUrl(url), H.setUrl('/users/{id}')),
 *   path: t.type({ id: t.number }),
 *   responses: { 200: User, 404: Problem },
 * })
 * const found = await getUser({ path: { id: 7 } })() // right({ status: 200, body: { id: 7, name: 'User 7' } })
 * const missing = await getUser({ path: { id: 0 } })() // right({ status: 404, body: { title: 'Not Found' } })
 * @category running
 * @since 0.3.0
 */
export const endpoint = <D extends EndpointDefinition>(definition: D): Endpoint<D> =>
  ((input?: unknown): TE.TaskEither<ClientError, ByStatus<D['responses']>> => {
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
  }) as Endpoint<D>
