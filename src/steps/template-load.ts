/**
 * Loading a template (`fromTemplate` in template.ts): the JSON decoded as a Request, its trust
 * read and checked. Loaded by the first `fromTemplate`, not with the package.
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import type * as t from 'io-ts'
import { invalidInput, type ClientError } from '../model/errors.js'
import { RequestCodec } from '../model/codec.js'
import type { Request } from '../model/request.js'
import { checkTemplate, readTrust, type TemplateTrust } from './template-trust.js'

/** The field of a validation error as code would name it: `headers[0][1]`, `settings.timeout`. */
const pathOf = (e: t.ValidationError): string =>
  e.context
    // a union adds an entry per member it tried: not a field
    .filter(
      (c, i) => c.key !== '' && !((e.context[i - 1]?.type as { _tag?: string } | undefined)?._tag === 'UnionType'),
    )
    .map((c) => c.key)
    .reduce((acc, k) => (/^\d+$/.test(k) ? `${acc}[${k}]` : acc === '' ? k : `${acc}.${k}`), '')

/**
 * `fromTemplate` (template.ts) once its module is loaded: `json` read as a template of `version`.
 * @example
 * loadTemplate({ httpipeTemplate: 99 }, undefined, 1)._tag // 'Left'
 * @category request
 * @since 0.3.0
 * @internal
 */
export const loadTemplate = (
  json: unknown,
  trust: TemplateTrust | undefined,
  TEMPLATE_VERSION: number,
): E.Either<ClientError, Request> => {
  const fail = (message: string): E.Either<ClientError, Request> =>
    E.left(invalidInput('fromTemplate', `fromTemplate: ${message}`, []))
  const allowed = readTrust(trust)
  if (E.isLeft(allowed)) return fail(allowed.left)
  let decoded: ReturnType<typeof RequestCodec.decode>
  try {
    const o = json as { httpipeTemplate?: unknown; request?: unknown } | null
    if (typeof o !== 'object' || o === null || o.httpipeTemplate !== TEMPLATE_VERSION)
      return fail(`not an httpipe template of version ${TEMPLATE_VERSION}`)
    decoded = RequestCodec.decode(o.request)
  } catch {
    return fail('the template could not be read')
  }
  if (E.isLeft(decoded)) {
    const first = decoded.left[0]
    const expected = first?.context[first.context.length - 1]?.type.name ?? 'a valid value'
    return fail(
      `the template's request is not valid at ${first === undefined ? '<root>' : pathOf(first) || '<root>'} (expected ${expected})`,
    )
  }
  let checked: ReturnType<typeof checkTemplate>
  try {
    checked = checkTemplate(decoded.right, allowed.right)
  } catch {
    return fail('the template could not be read')
  }
  if (checked.problems.length > 0)
    return fail(`the template may not act on this machine unless trusted: ${checked.problems.join('; ')}`)
  return E.right({
    ...checked.req,
    log: [{ at: null, step: 'fromTemplate', message: 'request loaded from a template' }],
  })
}
