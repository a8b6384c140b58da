/**
 * A session in a run (`--session`, `--session-read-only`): opened once the request is built
 * (a named one lives under the URL's host), its headers and authorization added where the
 * command line gives none, its jar given to the run as `env.cookieJar`, and written back once
 * the request was sent (not with `--session-read-only`).
 * @module
 */
import type { Request } from '../model/request.js'
import { readItems } from './apply-items.js'
import { positionals } from './argv.js'
import type { Lib, Values } from './flag.js'
import { kept, openSession, saveSession, sessionSteps, type Session } from './session.js'

/** The lower-case names of the headers the command line gives (-H and header items, `Name:` too). */
const givenNames = (args: ReadonlyArray<string>, values: Values): ReadonlySet<string> => {
  const flags = Array.isArray(values['header']) ? (values['header'] as ReadonlyArray<readonly [string, string]>) : []
  const items = readItems(positionals(args).items).filter((i) => i.sep === ':' || i.sep === ';' || i.sep === ':@')
  return new Set([...flags.map(([n]) => n), ...items.map((i) => i.key)].map((n) => n.toLowerCase()))
}

/**
 * The session the flags name, opened, and the request with its headers and authorization; a
 * session that cannot be opened throws a `Usage` error naming its file. Null without one.
 * @example
 * const s = await startSession(H, req, ['http://h/x'], { session: 'api' }, process.env)
 * @category cli
 * @since 0.3.0
 */
export const startSession = async (
  H: Lib,
  req: Request,
  args: ReadonlyArray<string>,
  values: Values,
  env: Readonly<Record<string, string | undefined>>,
): Promise<{ readonly req: Request; readonly session: Session; readonly given: ReadonlySet<string> } | null> => {
  const name = values['session'] ?? values['sessionReadOnly']
  if (typeof name !== 'string') return null
  const url =
    req.url !== null && URL.canParse(req.url, req.baseUrl ?? undefined)
      ? new URL(req.url, req.baseUrl ?? undefined).href
      : req.baseUrl
  const session = await openSession(name, url, env, values['session'] === undefined)
  const given = givenNames(args, values)
  let out = req
  for (const s of sessionSteps(H, session, given, values)) out = s(out)
  return { req: out, session, given }
}

/**
 * Writes the session back after a run that sent the request: the command line's headers and
 * authorization (secrets as `env:NAME` only) and the jar. The lines to print: the secrets not
 * kept, and a failure to write.
 * @example
 * await endSession(started, values) // { notes: [], failed: null }
 * @category cli
 * @since 0.3.0
 */
export const endSession = async (
  started: { readonly req: Request; readonly session: Session; readonly given: ReadonlySet<string> },
  values: Values,
): Promise<{ readonly notes: ReadonlyArray<string>; readonly failed: string | null }> => {
  const { session, req, given } = started
  if (session.readOnly) return { notes: [], failed: null }
  const k = kept(
    session,
    req.headers.filter(([n]) => given.has(n.toLowerCase())),
    values,
  )
  const notes =
    k.withheld.length === 0
      ? []
      : [
          `not kept in the session (secrets given as values; give them as env:NAME to keep a reference): ${k.withheld.join(', ')}`,
        ]
  return { notes, failed: await saveSession({ ...session, headers: k.headers, auth: k.auth }) }
}
