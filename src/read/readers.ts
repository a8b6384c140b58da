/**
 * Reading a response: `as*` readers, `ensureStatus`, `responseFilename`.
 * @module
 */
import { isTagged } from '../model/valid.js'
import * as E from 'fp-ts/lib/Either.js'
import type * as O from 'fp-ts/lib/Option.js'
import * as t from 'io-ts'
import { decodeError, invalidInput, parseError, statusError, type ClientError } from '../model/errors.js'
import { redactUrl } from '../encoding/redact.js'
import type { HttpResponse } from '../model/response.js'

// fp-ts's `some` and `none`, written out: fp-ts/lib/Option.js would load seven more files with the package
const none: O.Option<never> = { _tag: 'None' }
const some = <A>(value: A): O.Option<A> => ({ _tag: 'Some', value })

/**
 * The charset named by a Content-Type, if any.
 * @example
 * charsetOf('text/plain; charset="windows-1251"') // 'windows-1251'
 */
export const charsetOf = (contentType: string | undefined): string | undefined =>
  contentType === undefined ? undefined : /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType)?.[1]

/** Fatal decoders by label, made once (decode without `stream` keeps no state between calls). */
const decoders = new Map<string, TextDecoder>()

const decoderFor = (label: string): TextDecoder | null => {
  const found = decoders.get(label)
  if (found !== undefined) return found
  try {
    const d = new TextDecoder(label, { fatal: true })
    if (decoders.size < 64) decoders.set(label, d)
    return d
  } catch {
    return null
  }
}

/**
 * Whether a value is an HttpResponse (readers check their input before reading it).
 * @example
 * isResponse(E.right(res)) // false
 */
export const isResponse = (x: unknown): x is HttpResponse =>
  isTagged<HttpResponse>('HttpResponse')(x) && x.body instanceof Uint8Array

/**
 * The `InvalidInput` of a reader given something else than an HttpResponse.
 * @example
 * notAResponse('asJson') // left(InvalidInput)
 */
export const notAResponse = (step: string): E.Either<ClientError, never> =>
  E.left(invalidInput(step, `${step}: the input is not an HttpResponse`, []))

const decodeText = (step: string, res: HttpResponse, encoding?: string): E.Either<ClientError, string> => {
  if (!isResponse(res)) return notAResponse(step)
  if (encoding !== undefined && typeof encoding !== 'string')
    return E.left(invalidInput(step, `${step}: the encoding must be a string`, res.log))
  if (res.file !== null)
    return E.left(
      invalidInput(step, `${step}: the body was saved to ${res.file}, not kept in memory; read the file`, res.log),
    )
  const label = encoding ?? charsetOf(res.headers['content-type']) ?? 'utf-8'
  const decoder = decoderFor(label)
  if (decoder === null) return E.left(invalidInput(step, `${step}: unknown encoding ${JSON.stringify(label)}`, res.log))
  try {
    return E.right(decoder.decode(res.body))
  } catch {
    return E.left(parseError(`${step}: the body is not valid ${label} text`, res.log, res))
  }
}

/**
 * The body as text, decoded with the given encoding, else the Content-Type charset, else UTF-8.
 * A leading byte order mark is dropped.
 * @example
 * pipe(H.processRequest('GET')(req), TE.flatMapEither(H.asString()))
 * @category responses
 * @since 0.1.0
 */
export const asString =
  (encoding?: string) =>
  (res: HttpResponse): E.Either<ClientError, string> =>
    decodeText('asString', res, encoding)

/**
 * The body bytes (empty when the body was streamed to a file, see {@link responseFilename}).
 * @example
 * pipe(H.processRequest('GET')(req), TE.map(H.asBinary))
 * @category responses
 * @since 0.1.0
 */
export const asBinary = (res: HttpResponse): Uint8Array => (isResponse(res) ? res.body : new Uint8Array(0))

/**
 * The file the body was streamed to, when `setResponseFile` was used.
 * @example
 * pipe(res, H.responseFilename) // some('/tmp/out.bin')
 * @category responses
 * @since 0.1.0
 */
export const responseFilename = (res: HttpResponse): O.Option<string> =>
  isResponse(res) && typeof res.file === 'string' ? some(res.file) : none

const shortJson = (v: unknown): string => {
  let s: string
  try {
    s = JSON.stringify(v) ?? String(v)
  } catch {
    s = String(v)
  }
  return s.length > 60 ? `${s.slice(0, 57)}...` : s
}

/**
 * io-ts errors as `path: expected T, got V` lines.
 * @example
 * formatErrors(errors) // ['json.field1: expected number, got "x"']
 */
export const formatErrors = (errors: t.Errors): ReadonlyArray<string> =>
  errors.map((e) => {
    const path = e.context
      .map((c) => c.key)
      .filter((k) => k !== '')
      .join('.')
    const expected = e.context[e.context.length - 1]?.type.name ?? 'unknown'
    return e.message ?? `${path === '' ? '<root>' : path}: expected ${expected}, got ${shortJson(e.value)}`
  })

/**
 * Parses the body as JSON (an empty body is `{}`) and, with a codec, validates it.
 * Invalid JSON is a `ParseError`; a codec mismatch a `DecodeError` naming the io-ts paths.
 * @example
 * const Echo = t.type({ json: t.type({ field1: t.number }) })
 * pipe(H.processRequest('POST')(req), TE.flatMapEither(H.asJson(Echo)))
 * @category responses
 * @since 0.1.0
 */
export function asJson(): (res: HttpResponse) => E.Either<ClientError, unknown>
export function asJson<A>(codec: t.Decoder<unknown, A>): (res: HttpResponse) => E.Either<ClientError, A>
export function asJson<A>(codec?: t.Decoder<unknown, A>): (res: HttpResponse) => E.Either<ClientError, unknown> {
  // plain control flow: this runs once per response, so no combinator allocations here
  return (res) => {
    const json = parseBody('asJson', res, {})
    if (codec === undefined || E.isLeft(json)) return json
    return decodeBody('asJson', 'the body', codec, json.right, res)
  }
}

/**
 * The body parsed as JSON for reader `step` (a leading byte order mark dropped), `empty` when it
 * is empty or blank; invalid JSON is a `ParseError`, a body saved to a file an `InvalidInput`.
 * @example
 * parseBody('asJson', res, {}) // right({ field1: 10 })
 */
export const parseBody = (step: string, res: HttpResponse, empty: unknown): E.Either<ClientError, unknown> => {
  const text = decodeText(step, res)
  if (E.isLeft(text)) return text
  const body = text.right.charCodeAt(0) === 0xfeff ? text.right.slice(1) : text.right
  try {
    return E.right(body.trim() === '' ? empty : (JSON.parse(body) as unknown))
  } catch (e) {
    return E.left(
      parseError(
        `${step}: the body is not valid JSON (${e instanceof Error ? e.message : String(e)}): ${shortJson(body.trim())}`,
        res.log,
        res,
      ),
    )
  }
}

/**
 * `json` decoded by `codec` for reader `step`: a mismatch is a `DecodeError` naming `what`, the
 * codec and the io-ts paths; a codec without `decode` (or one that throws) an `InvalidInput`.
 * @example
 * decodeBody('asJson', 'the body', t.number, 1, res) // right(1)
 */
export const decodeBody = <A>(
  step: string,
  what: string,
  codec: t.Decoder<unknown, A>,
  json: unknown,
  res: HttpResponse,
): E.Either<ClientError, A> => {
  // a codec is a value from anywhere: read once, called and its answer read inside one net
  try {
    const decode: unknown = (codec as { decode?: unknown } | null)?.decode
    if (typeof decode !== 'function')
      return E.left(invalidInput(step, `${step}: the codec has no decode function`, res.log))
    const decoded = (decode as (u: unknown) => unknown).call(codec, json) as t.Validation<A>
    const tag: unknown = (decoded as { _tag?: unknown } | null)?._tag
    if (tag === 'Right') return E.right((decoded as E.Right<A>).right)
    const errors: unknown = tag === 'Left' ? (decoded as E.Left<unknown>).left : undefined
    if (!Array.isArray(errors))
      return E.left(invalidInput(step, `${step}: the codec's decode did not return a Validation`, res.log))
    return E.left(
      decodeError(
        `${step}: ${what} does not match ${codecName(codec)}: ${formatErrors(errors as t.Errors).join('; ')}`,
        errors as t.Errors,
        res.log,
        res,
      ),
    )
  } catch (e) {
    return E.left(invalidInput(step, `${step}: the codec threw: ${thrownText(e)}`, res.log))
  }
}

/**
 * What was thrown, as text, never throwing itself (a thrown object may have no prototype).
 * @example
 * thrownText(new Error('boom')) // 'boom'
 */
export const thrownText = (e: unknown): string => {
  try {
    return e instanceof Error ? e.message : String(e)
  } catch {
    return 'a value that cannot be shown'
  }
}

const codecName = (codec: t.Decoder<unknown, unknown>): string =>
  'name' in codec && typeof codec.name === 'string' ? codec.name : 'the codec'

/**
 * Passes a response whose status satisfies `pred` (default: 2xx), else a `StatusError`
 * carrying it.
 * @example
 * pipe(H.processRequest('GET')(req), TE.flatMapEither(H.ensureStatus()))
 * pipe(res, H.ensureStatus((s) => s === 200 || s === 404))
 * @category responses
 * @since 0.1.0
 */
export const ensureStatus =
  (pred: (status: number) => boolean = (s) => s >= 200 && s < 300) =>
  (res: HttpResponse): E.Either<ClientError, HttpResponse> => {
    if (!isResponse(res)) return notAResponse('ensureStatus')
    if (typeof pred !== 'function')
      return E.left(
        invalidInput('ensureStatus', 'ensureStatus: the predicate must be a function of the status', res.log),
      )
    let passes: boolean
    try {
      passes = Boolean(pred(res.status))
    } catch (e) {
      return E.left(
        invalidInput(
          'ensureStatus',
          `ensureStatus: the predicate threw: ${e instanceof Error ? e.message : String(e)}`,
          res.log,
        ),
      )
    }
    return passes
      ? E.right(res)
      : E.left(
          statusError(
            `ensureStatus: unexpected status ${res.status} ${res.statusText} from ${redactUrl(res.url)}`,
            res,
          ),
        )
  }
