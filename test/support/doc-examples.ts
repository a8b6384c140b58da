/**
 * Turns the `@example` blocks of the public API's TSDoc into modules that can be type-checked
 * and run (not a test file; test/doc-examples.test.ts runs them).
 *
 * The scheme: an example is run as the body of an async function whose scope holds every
 * value export of httpipe by its own name (and `H`, the whole module), fp-ts's `pipe`, `flow`,
 * `E`, `O`, `TE`, io-ts as `t`, and these fixtures: `url` (a started echo server's base URL;
 * `http://127.0.0.1:8080` in an example is rewritten to it), `server`, `req` (a Request
 * initialized to `${url}/anything`), `res` (the HttpResponse of a GET `${url}/get`), `err` (a
 * StatusError for a 404), `token`, `signal`, `stream` and `hop`; every type export is in scope
 * as a type. An example's own imports are kept (and then its names win over the prelude's).
 * A line `EXPR // VALUE` whose comment is a plain literal (a number, string, boolean, null,
 * array or object) checks that EXPR deep-equals VALUE. An example that starts with a line
 * `// not run: REASON` is counted as skipped, with the reason.
 */
import type * as HT from 'httpipe'
import type * as TT from 'httpipe/testing'
import type * as Fn from 'fp-ts/function'
import type * as EitherT from 'fp-ts/Either'
import type * as OptionT from 'fp-ts/Option'
import type * as TaskEitherT from 'fp-ts/TaskEither'
import type * as IoTs from 'io-ts'
import type { Hop } from '../../src/model/prepared.js'

export interface DocContext {
  readonly H: typeof HT
  readonly T: typeof TT
  readonly pipe: typeof Fn.pipe
  readonly flow: typeof Fn.flow
  readonly E: typeof EitherT
  readonly O: typeof OptionT
  readonly TE: typeof TaskEitherT
  readonly t: typeof IoTs
  readonly url: string
  readonly server: TT.EchoServer
  readonly req: HT.Request
  readonly res: HT.HttpResponse
  readonly err: HT.ClientError
  readonly token: string
  readonly signal: AbortSignal
  readonly stream: AsyncIterable<Uint8Array>
  readonly hop: Hop
  readonly console: Pick<Console, 'log' | 'error'>
  readonly check: (actual: unknown, expected: unknown, line: string) => void
}

/** The fixtures of the scheme, as named in an example. */
export const FIXTURES = [
  'url',
  'server',
  'req',
  'res',
  'err',
  'token',
  'signal',
  'stream',
  'hop',
  'console',
  'pipe',
  'flow',
  'E',
  'O',
  'TE',
  't',
  'H',
] as const

export interface Example {
  readonly id: string
  readonly where: string
  readonly source: string
  readonly skip: string | null
}

const stripFences = (s: string): string =>
  s
    .replace(/^\s*```[a-z]*\s*\n/, '')
    .replace(/\n\s*```\s*$/, '')
    .trim()

/** One example's code, and why it is not run when it says so. */
export const parseExample = (id: string, where: string, text: string): Example => {
  const source = stripFences(text)
  const m = /^\/\/ not run: (.+)$/m.exec(source.split('\n')[0] ?? '')
  return { id, where, source, skip: m?.[1]?.trim() ?? null }
}

const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (...args: string[]) => unknown

const parses = (code: string): boolean => {
  try {
    new AsyncFunction(code)
    return true
  } catch {
    return false
  }
}

/** The value of a comment that is a plain literal, or undefined when it is prose. */
export const literal = (comment: string): { readonly value: unknown } | undefined => {
  if (!/^[-\d'"[{]|^(true|false|null)\b/.test(comment) || comment.includes('…') || comment.includes('...'))
    return undefined
  try {
    const value: unknown = new Function(`"use strict"; return (${comment})`)()
    return typeof value === 'function' || typeof value === 'symbol' ? undefined : { value }
  } catch {
    return undefined
  }
}

// `EXPR // VALUE` lines become checks; a `console.log(X) // VALUE` checks X.
const withChecks = (source: string): { readonly code: string; readonly checks: number } => {
  let checks = 0
  const lines = source.split('\n').map((line) => {
    const at = line.lastIndexOf(' // ')
    if (at <= 0) return line
    const left = line.slice(0, at).trim()
    const lit = literal(line.slice(at + 4).trim())
    if (
      lit === undefined ||
      /^(const|let|var|import|export|return|if|for|while)\b/.test(left) ||
      !parses(`return (${left})`)
    )
      return line
    const logged = /^console\.log\((.*)\)$/.exec(left)
    const expr = logged !== null && parses(`return (${logged[1]})`) ? logged[1] : left
    checks++
    return `${line.slice(0, line.length - line.trimStart().length)}__check(${expr}, ${line.slice(at + 4).trim()}, ${JSON.stringify(line.trim())})`
  })
  return { code: lines.join('\n'), checks }
}

const IMPORT = /^import\s[^\n]*?from\s+['"][^'"]+['"]\s*;?\s*$|^import\s+['"][^'"]+['"]\s*;?\s*$/gm

/** The module specifiers an example imports. */
export const importsOf = (source: string): ReadonlyArray<string> =>
  [...source.matchAll(/^import\s(?:[^\n]*?from\s+)?['"]([^'"]+)['"]/gm)].map((m) => m[1] ?? '')

const importedNames = (imports: ReadonlyArray<string>): ReadonlySet<string> =>
  new Set(
    imports.flatMap((line) => {
      const ns = /\*\s+as\s+(\w+)/.exec(line)
      const def = /^import\s+(\w+)\s*(,|from)/.exec(line)
      const named = /\{([^}]*)\}/.exec(line)
      return [
        ...(ns?.[1] === undefined ? [] : [ns[1]]),
        ...(def?.[1] === undefined || def[1] === 'type' ? [] : [def[1]]),
        ...(named?.[1] ?? '')
          .split(',')
          .map(
            (s) =>
              s
                .trim()
                .replace(/^type\s+/, '')
                .split(/\s+as\s+/)
                .pop() ?? '',
          )
          .filter((s) => s !== ''),
      ]
    }),
  )

export interface Api {
  readonly values: ReadonlyArray<string>
  readonly types: ReadonlyArray<string>
  readonly testingValues: ReadonlyArray<string>
  readonly testingTypes: ReadonlyArray<string>
}

const RESERVED = new Set(['delete'])

/** The module that runs one example, and how many value checks it makes. */
export const renderExample = (
  ex: Example,
  api: Api,
  port: number,
  contextModule: string,
): { readonly code: string; readonly checks: number } => {
  const source = ex.source.replaceAll('127.0.0.1:8080', `127.0.0.1:${port}`)
  const imports = [...source.matchAll(IMPORT)].map((m) => m[0].trim())
  const body = source.replace(IMPORT, '').trim()
  const own = importedNames(imports)
  const { code, checks } = withChecks(body)
  const free = (names: ReadonlyArray<string>) => names.filter((n) => !own.has(n) && !RESERVED.has(n))
  const typeImport = (names: ReadonlyArray<string>, from: string) =>
    free(names).length === 0 ? '' : `import type { ${free(names).join(', ')} } from '${from}'`
  return {
    checks,
    code: [
      `// ${ex.id}: generated from the @example of ${ex.where}`,
      ...imports,
      typeImport(api.types, 'httpipe'),
      own.has('H') ? '' : `import type * as H from 'httpipe'`,
      typeImport(api.testingTypes, 'httpipe/testing'),
      `import type { DocContext } from '${contextModule}'`,
      `export default async (__ctx: DocContext): Promise<void> => {`,
      `  const { ${free([...FIXTURES]).join(', ')} } = __ctx`,
      `  const __check = __ctx.check`,
      `  const { ${free(api.values).join(', ')} } = __ctx.H`,
      `  const { ${free(api.testingValues).join(', ')} } = __ctx.T`,
      `  {`,
      code,
      `  }`,
      `}`,
      '',
    ].join('\n'),
  }
}
