/**
 * One-call shortcuts, as OPI's wrapper has them: a URL (and a body) in, a
 * `TaskEither<ClientError, HttpResponse>` out, composed from the same builder steps
 * (`initialize`, `setUrlParams`, `setHeaders`, `setResponseFile`, `setJsonBody` or
 * `setFormBody`) and run by `processRequest`. Every HTTP status that arrives is a Right, as
 * with `processRequest`: add `TE.flatMapEither(H.ensureStatus())` to refuse the others.
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import type * as TE from 'fp-ts/lib/TaskEither.js'
import { setFormBody, setJsonBody } from '../steps/body.js'
import { processRequest } from './process.js'
import { showValue } from '../encoding/json.js'
import type { ClientError } from '../model/errors.js'
import type { Env } from '../execute/env.js'
import { setHeaders } from '../steps/headers.js'
import type { Method } from '../model/method.js'
import { initialize, setResponseFile } from '../steps/init.js'
import { newRequest, type Request, type Step } from '../model/request.js'
import type { SecretRef } from '../model/secret.js'
import { invalid, makeStep } from '../steps/step.js'
import type { HttpResponse } from '../model/response.js'
import { setUrlParams, type ParamsInput } from '../steps/params.js'

/**
 * Options of every shortcut; all optional. `params` go through `setUrlParams` (added to those
 * in the URL), `headers` through `setHeaders`, `responseFile` through `setResponseFile`;
 * `configure` is any further builder step (compose several with `flow`), applied last, so
 * auth, timeouts and retries are one option away; `env` is `processRequest`'s. A key that is
 * not one of these is `InvalidInput`, so a misspelt option is never silently dropped.
 * @example
 * const options: ShortcutOptions = {
 *   params: { q: 'fp-ts', page: 2 },
 *   headers: { Accept: 'application/json' },
 *   configure: flow(H.addBearerAuthorization('token'), H.setTimeout(5000)),
 * }
 * @category running
 * @since 0.3.0
 */
export interface ShortcutOptions {
  readonly params?: ParamsInput
  readonly headers?: Readonly<Record<string, string | SecretRef>> | ReadonlyArray<readonly [string, string | SecretRef]>
  readonly responseFile?: string
  readonly configure?: Step
  readonly env?: Env
}

/**
 * Options of the `…WithBody` shortcuts: {@link ShortcutOptions} and how the body is sent,
 * `bodyType: 'json'` (the default, `setJsonBody`: any value, or JSON text as it is) or
 * `bodyType: 'form'` (`setFormBody`: a record or `[name, value]` pairs, or a form string).
 * @example
 * const asForm: BodyShortcutOptions = { bodyType: 'form', headers: { 'X-Trace': '1' } }
 * @category running
 * @since 0.3.0
 */
export interface BodyShortcutOptions extends ShortcutOptions {
  readonly bodyType?: 'json' | 'form'
}

/**
 * A shortcut without a body: `get`, `head`, `put` and `delete`.
 * @example
 * const fetchIt: Shortcut = H.get
 * @inline
 * @category running
 * @since 0.3.0
 */
export type Shortcut = (url: string, options?: ShortcutOptions) => TE.TaskEither<ClientError, HttpResponse>

/**
 * A shortcut with a body: JSON by default, a form with `bodyType: 'form'` (whose body must then
 * be a record, pairs or a form string).
 * @example
 * const send: BodyShortcut = H.postWithBody
 * @inline
 * @category running
 * @since 0.3.0
 */
export interface BodyShortcut {
  (
    url: string,
    body: ParamsInput | string,
    options: BodyShortcutOptions & { readonly bodyType: 'form' },
  ): TE.TaskEither<ClientError, HttpResponse>
  (
    url: string,
    body: unknown,
    options?: BodyShortcutOptions & { readonly bodyType?: 'json' },
  ): TE.TaskEither<ClientError, HttpResponse>
}

const OPTION_KEYS: ReadonlySet<string> = new Set(['params', 'headers', 'responseFile', 'configure', 'env'])
const BODY_OPTION_KEYS: ReadonlySet<string> = new Set([...OPTION_KEYS, 'bodyType'])

type Checked = { readonly options: BodyShortcutOptions; readonly env: Env | undefined }

// The options, read once into a plain object (a getter or a Proxy is read exactly once);
// a Left names what is wrong.
const readOptions = (options: unknown, keys: ReadonlySet<string>): E.Either<string, Checked> => {
  if (options === undefined) return E.right({ options: {}, env: undefined })
  if (typeof options !== 'object' || options === null || Array.isArray(options))
    return E.left(
      `the options must be an object, got ${options === null ? 'null' : Array.isArray(options) ? 'an array' : typeof options}`,
    )
  const o: Record<string, unknown> = {}
  for (const key of Reflect.ownKeys(options)) {
    if (typeof key !== 'string' || !keys.has(key))
      return E.left(`unknown option ${JSON.stringify(showValue(key))} (known: ${[...keys].join(', ')})`)
    o[key] = (options as Record<string, unknown>)[key]
  }
  if (o['configure'] !== undefined && typeof o['configure'] !== 'function')
    return E.left('options.configure must be a builder step (req) => req')
  if (o['bodyType'] !== undefined && o['bodyType'] !== 'json' && o['bodyType'] !== 'form')
    return E.left(`options.bodyType must be 'json' or 'form', got ${JSON.stringify(showValue(o['bodyType']))}`)
  if (o['env'] !== undefined && (typeof o['env'] !== 'object' || o['env'] === null))
    return E.left('options.env must be an object')
  return E.right({ options: o as BodyShortcutOptions, env: o['env'] as Env | undefined })
}

const describeThrown = (e: unknown): string => (e instanceof Error ? e.message : showValue(e))

// The request a shortcut runs: the steps in order, each recording its own InvalidInput; an
// option the shortcut itself refuses is recorded under the shortcut's name.
const build = (
  name: string,
  url: unknown,
  o: BodyShortcutOptions,
  body: { readonly data: unknown } | undefined,
): Request => {
  const fail = (reason: string) => makeStep(name, () => invalid(reason))
  let req = newRequest()
  req =
    typeof url === 'string'
      ? initialize(url)(req)
      : fail(`the URL must be a string, got ${url === null ? 'null' : typeof url}`)(req)
  if (o.params !== undefined) req = setUrlParams(o.params)(req)
  if (o.headers !== undefined) req = setHeaders(o.headers)(req)
  if (o.responseFile !== undefined) req = setResponseFile(o.responseFile)(req)
  if (body !== undefined)
    req = (o.bodyType === 'form' ? setFormBody(body.data as ParamsInput | string) : setJsonBody(body.data))(req)
  if (o.configure !== undefined && req.error === null) {
    try {
      req = o.configure(req)
    } catch (e) {
      req = fail(`options.configure threw: ${describeThrown(e)}`)(req)
    }
  }
  return req
}

const run = (
  name: string,
  method: Method,
  url: unknown,
  options: unknown,
  body: { readonly data: unknown } | undefined,
): TE.TaskEither<ClientError, HttpResponse> => {
  let checked: E.Either<string, Checked>
  try {
    checked = readOptions(options, body === undefined ? OPTION_KEYS : BODY_OPTION_KEYS)
  } catch (e) {
    checked = E.left(`the options cannot be read: ${describeThrown(e)}`)
  }
  if (E.isLeft(checked)) return processRequest(method)(makeStep(name, () => invalid(checked.left))(newRequest()))
  return processRequest(method, checked.right.env)(build(name, url, checked.right.options, body))
}

const shortcut =
  (name: string, method: Method): Shortcut =>
  (url, options) =>
    run(name, method, url, options, undefined)

const bodyShortcut = (name: string, method: Method): BodyShortcut =>
  ((url: string, data: unknown, options?: BodyShortcutOptions) =>
    run(name, method, url, options, { data })) as BodyShortcut

/**
 * GET `url`: `newRequest`, `initialize(url)`, the options' steps, `processRequest('GET')`.
 * @example
 * const res = await H.get(`${url}/get`, { params: { q: 'fp' }, headers: { Accept: 'application/json' } })()
 * res._tag === 'Right' && res.right.status // 200
 * @category running
 * @since 0.3.0
 */
export const get: Shortcut = shortcut('get', 'GET')

/**
 * HEAD `url`: the status and headers, no body.
 * @example
 * const res = await H.head(`${url}/get`)()
 * @category running
 * @since 0.3.0
 */
export const head: Shortcut = shortcut('head', 'HEAD')

/**
 * PUT `url` without a body (see {@link putWithBody}).
 * @example
 * const res = await H.put(`${url}/put`, { params: { id: 7 } })()
 * @category running
 * @since 0.3.0
 */
export const put: Shortcut = shortcut('put', 'PUT')

/**
 * DELETE `url` without a body; exported as `delete` (`H.delete(url)`, or
 * `import { delete as del } from 'httpipe'`).
 * @example
 * const res = await H.delete(`${url}/delete`, { headers: { 'If-Match': '"v1"' } })()
 * @category running
 * @since 0.3.0
 */
export const del: Shortcut = shortcut('delete', 'DELETE')

/**
 * POST `url` with a JSON body, or a form with `{ bodyType: 'form' }`.
 * @example
 * const created = await H.postWithBody(`${url}/post`, { field1: 10 })()
 * const viaForm = await H.postWithBody(`${url}/post`, { name: 'Ann' }, { bodyType: 'form' })()
 * pipe(viaForm, E.flatMap(H.asJson()), E.map((echo) => (echo as { form: unknown }).form)) // { _tag: 'Right', right: { name: 'Ann' } }
 * @category running
 * @since 0.3.0
 */
export const postWithBody: BodyShortcut = bodyShortcut('postWithBody', 'POST')

/**
 * PUT `url` with a JSON body, or a form with `{ bodyType: 'form' }`.
 * @example
 * const res = await H.putWithBody(`${url}/put`, { field1: 10 }, { params: { id: 7 } })()
 * @category running
 * @since 0.3.0
 */
export const putWithBody: BodyShortcut = bodyShortcut('putWithBody', 'PUT')

/**
 * PATCH `url` with a JSON body, or a form with `{ bodyType: 'form' }`.
 * @example
 * const res = await H.patchWithBody(`${url}/patch`, { field2: 'new' })()
 * @category running
 * @since 0.3.0
 */
export const patchWithBody: BodyShortcut = bodyShortcut('patchWithBody', 'PATCH')

/**
 * DELETE `url` with a JSON body, or a form with `{ bodyType: 'form' }`.
 * @example
 * const res = await H.deleteWithBody(`${url}/delete`, { ids: [1, 2] })()
 * @category running
 * @since 0.3.0
 */
export const deleteWithBody: BodyShortcut = bodyShortcut('deleteWithBody', 'DELETE')
