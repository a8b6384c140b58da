/**
 * Folding a ClientError: all nine kinds ({@link matchClientError}), or some of them with a
 * default for the rest ({@link matchClientErrorW}, {@link matchClientErrorOr}).
 * @module
 */
import type { ClientError, ClientErrorHandlers, ClientErrorTag } from './errors.js'

const TAGS: ReadonlySet<string> = new Set<ClientErrorTag>([
  'InvalidInput',
  'TransportError',
  'Timeout',
  'FileError',
  'AuthError',
  'ParseError',
  'DecodeError',
  'StatusError',
  'ResponseTooLarge',
])

/**
 * Handlers for some kinds of ClientError, each typed by its tag; what they return may differ.
 * @example
 * const some = { Timeout: (e: Timeout) => e.limit } satisfies SomeClientErrorHandlers
 * @inline
 * @category errors
 * @since 0.3.0
 */
export type SomeClientErrorHandlers = {
  readonly [K in ClientErrorTag]?: (e: Extract<ClientError, { _tag: K }>) => unknown
}

type Returned<H> = { readonly [K in keyof H]: NonNullable<H[K]> extends (e: never) => infer R ? R : never }[keyof H]
type OnlyTags<H> = { readonly [K in Exclude<keyof H, ClientErrorTag>]: never }

// The own handler for the tag of `e`, or undefined: a value that is not a ClientError, a tag
// that is not one of the nine (`constructor`, `__proto__`), an inherited or accessor property
// and a handler that is no function all count as no handler. Nothing here throws, not even
// on a Proxy.
const handlerFor = (handlers: unknown, e: unknown): ((e: ClientError) => unknown) | undefined => {
  try {
    if (typeof handlers !== 'object' || handlers === null || typeof e !== 'object' || e === null) return undefined
    const tag: unknown = (e as { _tag?: unknown })._tag
    if (typeof tag !== 'string' || !TAGS.has(tag)) return undefined
    const h: unknown = Object.getOwnPropertyDescriptor(handlers, tag)?.value
    return typeof h === 'function' ? (h as (e: ClientError) => unknown) : undefined
  } catch {
    return undefined
  }
}

const describeTag = (e: unknown): string => {
  try {
    const tag: unknown = typeof e === 'object' && e !== null ? (e as { _tag?: unknown })._tag : undefined
    return typeof tag === 'string'
      ? JSON.stringify(tag.slice(0, 40))
      : `a value without a string _tag (${e === null ? 'null' : typeof e})`
  } catch {
    return 'an unreadable value'
  }
}

/**
 * Folds a ClientError: one handler per `_tag`, checked exhaustively by the compiler.
 *
 * The handlers must be given: a fold cannot make up a value of the caller's type. Called
 * against its type (from JavaScript, a handler missing or not a function, or a value that is
 * not a ClientError) it throws a `TypeError` naming the tag, the one place in httpipe that
 * throws; use {@link matchClientErrorW} to handle some tags and default the rest.
 * @example
 * pipe(err, H.matchClientError({
 *   InvalidInput: (e) => `bad input at ${e.step}`,
 *   TransportError: (e) => `network: ${e.cause}`,
 *   Timeout: (e) => `timed out after ${e.timeoutMs} ms`,
 *   FileError: (e) => `file ${e.path}`,
 *   AuthError: (e) => e.message,
 *   ParseError: (e) => e.message,
 *   DecodeError: (e) => e.message,
 *   StatusError: (e) => `HTTP ${e.status}`,
 *   ResponseTooLarge: (e) => `over ${e.limit} bytes`,
 * })) // 'HTTP 404'
 * @throws TypeError only when called against its type: no handler for the tag of `e`
 * @category errors
 * @since 0.1.0
 */
export const matchClientError =
  <B>(handlers: ClientErrorHandlers<B>) =>
  (e: ClientError): B => {
    const h = handlerFor(handlers, e)
    if (h === undefined) throw new TypeError(`matchClientError: no handler for ${describeTag(e)}`)
    return h(e) as B
  }

/**
 * Folds a ClientError with handlers for some tags and `otherwise` for the rest (Effect's
 * `catchTags`, data last). Each handler gets its own kind of error; `otherwise` gets the
 * kinds no handler was given for; the result is the union of what they return. A tag
 * misspelt in `handlers` is a compile error.
 *
 * Nothing throws but a handler: from JavaScript, a value that is not a ClientError, a tag
 * without an own handler, or a handler that is not a function goes to `otherwise` (and
 * `otherwise` not being a function is the one `TypeError`, as no value can be made up).
 * @example
 * const describe = H.matchClientErrorW(
 *   { Timeout: (e) => `slow (${e.limit})`, StatusError: (e) => e.status },
 *   (other) => other.message, // other: every kind but Timeout and StatusError
 * ) // (e: ClientError) => string | number
 * describe(err) // 404
 * @category errors
 * @since 0.3.0
 */
export const matchClientErrorW =
  <H extends SomeClientErrorHandlers, B>(
    handlers: H & OnlyTags<H>,
    otherwise: (e: Exclude<ClientError, { readonly _tag: keyof H }>) => B,
  ) =>
  (e: ClientError): Returned<H> | B =>
    matchSome(handlers, otherwise as (e: ClientError) => unknown, 'matchClientErrorW', e) as Returned<H> | B

/**
 * {@link matchClientErrorW} with one result type `B` for every handler and for
 * `otherwise`, which gets any ClientError: the form to annotate, `matchClientErrorOr<B>(…)`.
 * @example
 * const exitCode = H.matchClientErrorOr<number>({ InvalidInput: () => 2, Timeout: () => 124 }, () => 1)
 * exitCode(err) // 1
 * @category errors
 * @since 0.3.0
 */
export const matchClientErrorOr =
  <B>(
    handlers: { readonly [K in ClientErrorTag]?: (e: Extract<ClientError, { _tag: K }>) => B },
    otherwise: (e: ClientError) => B,
  ) =>
  (e: ClientError): B =>
    matchSome(handlers, otherwise, 'matchClientErrorOr', e) as B

const matchSome = (
  handlers: unknown,
  otherwise: (e: ClientError) => unknown,
  name: string,
  e: ClientError,
): unknown => {
  const h = handlerFor(handlers, e)
  if (h !== undefined) return h(e)
  if (typeof otherwise !== 'function')
    throw new TypeError(`${name}: otherwise is not a function (for ${describeTag(e)})`)
  return otherwise(e)
}
