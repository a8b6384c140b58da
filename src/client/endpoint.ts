/**
 * `endpoint`: a request template, its codecs and its responses made one typed function,
 * `(input) => TaskEither<ClientError, union of the responses>`, the input type inferred from the
 * codecs.
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import type * as TE from 'fp-ts/lib/TaskEither.js'
import type * as t from 'io-ts'
import type { ClientError } from '../model/errors.js'
import type { Method } from '../model/method.js'
import type { Request, Step } from '../model/request.js'
import type { Env } from '../execute/env.js'
import { asJsonByStatus, type ByStatus, type StatusCases } from '../read/by-status.js'
import type { ParamsInput } from '../steps/params.js'
import type { PathParamValue } from '../steps/path-params.js'
import { guarded, unexpected } from './process.js'

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

/** The calls, loaded by the first rather than with the package (a failed load is tried again by the next). */
let loading: Promise<typeof import('./endpoint-run.js')> | null = null
const runModule = (): Promise<typeof import('./endpoint-run.js')> =>
  (loading ??= import('./endpoint-run.js').catch((e: unknown) => {
    loading = null
    throw e
  }))

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
  ((input?: unknown): TE.TaskEither<ClientError, ByStatus<D['responses']>> =>
    () =>
      guarded(
        async () => (await runModule()).runEndpoint<D>(definition, input)(),
        (e) => E.left(unexpected('endpoint', e, [])),
      )) as Endpoint<D>
