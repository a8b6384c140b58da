/**
 * `endpoint`: a request template, its codecs and its responses made one typed function,
 * `(input) => TaskEither<ClientError, union of the responses>`, the input type inferred from the
 * codecs.
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import * as TE from 'fp-ts/lib/TaskEither.js'
import type * as t from 'io-ts'
import { invalidInput, type ClientError } from '../model/errors.js'
import type { Method } from '../model/method.js'
import { newRequest, type Request, type Step } from '../model/request.js'
import type { Env } from '../execute/env.js'
import { asJsonByStatus, type ByStatus, type StatusCases } from '../read/by-status.js'
import { setJsonBody } from '../steps/body.js'
import { setHeaders } from '../steps/headers.js'
import { addUrlParameter, toPairs, type ParamsInput } from '../steps/params.js'
import { setPathParams, type PathParamValue } from '../steps/path-params.js'
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

const fail = (message: string): E.Either<ClientError, never> =>
  E.left(invalidInput('endpoint', `endpoint: ${message}`, []))

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e))

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
const partOf = (codec: t.Encoder<never, unknown>, input: unknown, part: Part): E.Either<ClientError, unknown> => {
  if (typeof input !== 'object' || input === null || !Object.hasOwn(input, part))
    return fail(`the input has no ${part} (the definition has a ${part} codec)`)
  const value: unknown = (input as Record<Part, unknown>)[part]
  const is: unknown = (codec as { is?: unknown }).is
  if (typeof is === 'function' && (is as (u: unknown) => boolean).call(codec, value) !== true)
    return fail(`the input's ${part} is not a ${(codec as { name?: unknown }).name ?? 'value of its codec'}`)
  return E.right(value)
}

/** A part of the input encoded (an encoder that throws is InvalidInput). */
const encoded = <O>(codec: t.Encoder<never, O>, value: unknown, part: Part): E.Either<ClientError, O> => {
  try {
    return E.right((codec.encode as (a: unknown) => O)(value))
  } catch (e) {
    return fail(`the ${part} codec's encode threw: ${errorText(e)}`)
  }
}

/** The step a part of the input makes. */
const stepOf = (d: EndpointDefinition, part: Part, value: unknown): E.Either<ClientError, Step> => {
  switch (part) {
    case 'path':
      return pipe(encoded(d.path!, value, part), E.map(setPathParams))
    case 'query':
      return pipe(
        encoded(d.query!, value, part),
        E.flatMap((q) =>
          pipe(
            toPairs(q),
            E.mapLeft((m) => invalidInput('endpoint', `endpoint: query: ${m}`, [])),
          ),
        ),
        E.map(
          (pairs): Step =>
            (req) =>
              pairs.reduce((r, [k, v]) => addUrlParameter(k, v)(r), req),
        ),
      )
    case 'headers':
      return pipe(
        encoded(d.headers!, value, part),
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
    return fail(`the request step threw: ${errorText(e)}`)
  }
  if (!isRequest(req)) return fail('the request step did not return a Request')
  for (const part of PARTS) {
    const codec = d[part]
    if (codec === undefined) continue
    const step = pipe(
      partOf(codec, input, part),
      E.flatMap((v) => stepOf(d, part, v)),
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
      if (E.isLeft(built)) return TE.left(built.left)
      return pipe(
        processRequest(definition.method, definition.env)(built.right),
        TE.flatMapEither(asJsonByStatus<D['responses']>(definition.responses as never)),
      )
    } catch (e) {
      return TE.fromEither(fail(`the definition or the input cannot be read: ${errorText(e)}`))
    }
  }) as Endpoint<D>
