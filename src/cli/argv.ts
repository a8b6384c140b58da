/**
 * The positional arguments read as HTTPie reads them (`[METHOD] URL [ITEM …]`), and the flags
 * HTTPie and httpipe spell alike but read differently, told apart by what follows them:
 * `--json`/`-j` followed by JSON text is httpipe's JSON body, otherwise HTTPie's `--json`;
 * `--form name=value` with no data items is httpipe's form field, otherwise HTTPie's `--form`;
 * `-f` is HTTPie's `--form` when there are data items, otherwise curl's `--fail`; `--raw TEXT`
 * (or `--raw=TEXT`) is HTTPie's raw body, a bare `--raw` httpipe's raw output.
 * @module
 */
import { isDataItem, parseItem } from './item.js'

// RFC 9110 token (as model/valid.ts's isToken, whose module loads io-ts: too much for --version)
const isToken = (s: string): boolean => /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(s)

const KNOWN_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'TRACE', 'CONNECT']

/**
 * Whether a word is one of the usual HTTP methods (any case).
 * @example
 * isKnownMethod('patch') // true
 * @category cli
 * @since 0.3.0
 */
export const isKnownMethod = (s: string): boolean => KNOWN_METHODS.includes(s.toUpperCase())

/**
 * Whether a word reads as a URL rather than a method or an item: a scheme, `:port` or `//`,
 * `localhost`, or a host (`example.org`, `127.0.0.1:8080`) followed by `/`, `?` or nothing.
 * @example
 * looksLikeUrl('example.org/a') // true
 * looksLikeUrl('name=Ann') // false
 * @category cli
 * @since 0.3.0
 */
export const looksLikeUrl = (s: string): boolean =>
  /^(?:[a-z][a-z0-9.+-]*:\/\/|:\d|:\/|:$|\/|localhost\b|\[[0-9a-f:.]+\])/i.test(s) ||
  /^[\w-]+(?:\.[\w-]+)+(?::\d+)?(?:[/?#]|$)/.test(s) ||
  /^[\w-]+(?::\d+(?:[/?#]|$)|[/?#])/.test(s)

/**
 * The roles of the positional arguments: the method (when one is given), the URL and the
 * request items, as HTTPie tells them apart (a method is letters, or a known method, or with
 * httpipe any token before a URL; unlike HTTPie, a word followed by an item is the URL:
 * `localhost a=1`), or why they cannot be read.
 * @example
 * positionals(['POST', 'example.org', 'a=1']) // { method: 'POST', url: 'example.org', items: ['a=1'], error: null }
 * @category cli
 * @since 0.3.0
 */
export const positionals = (
  args: ReadonlyArray<string>,
): {
  readonly method: string | undefined
  readonly url: string | undefined
  readonly items: ReadonlyArray<string>
  readonly error: string | null
} => {
  const [a, b] = args
  if (a === undefined) return { method: undefined, url: undefined, items: [], error: null }
  if (b === undefined)
    return isKnownMethod(a)
      ? { method: a, url: undefined, items: [], error: null }
      : { method: undefined, url: a, items: [], error: null }
  // a word that could be a method is one unless an item follows it (`localhost a=1`: HTTPie takes localhost for the method)
  const itemNext = parseItem(b) !== null && !looksLikeUrl(b)
  const isMethod = isKnownMethod(a) || ((/^[a-zA-Z]+$/.test(a) || (!looksLikeUrl(a) && isToken(a))) && !itemNext)
  if (!isMethod && !looksLikeUrl(a) && !itemNext)
    return { method: a, url: b, items: args.slice(2), error: `not a method name: ${JSON.stringify(a)}` }
  return isMethod
    ? { method: a, url: b, items: args.slice(2), error: null }
    : { method: undefined, url: a, items: args.slice(1), error: null }
}

const isJsonText = (s: string | undefined): boolean => {
  if (s === undefined) return false
  try {
    JSON.parse(s)
    return true
  } catch {
    return false
  }
}

/** What follows `--json` is its value when it is JSON text or meant as such (`{…`), or neither a method, a URL nor an item. */
const isJsonValue = (s: string | undefined): boolean =>
  s !== undefined &&
  !s.startsWith('-') &&
  (isJsonText(s) || /^\s*[[{"]/.test(s) || (parseItem(s) === null && !looksLikeUrl(s) && !/^[a-zA-Z]+$/.test(s)))

/** `name=value` as the old `--form` takes it: a data item with `=` whose name is no URL. */
const isFormPair = (s: string | undefined): boolean => {
  const item = s === undefined ? null : parseItem(s)
  return item !== null && item.sep === '=' && !/[/?:]/.test(item.key) && item.key !== ''
}

/** The indexes of the positional arguments of argv (flags' values skipped). */
const positionIndexes = (argv: ReadonlyArray<string>, takesValue: (flag: string) => boolean): number[] => {
  const at: number[] = []
  for (let i = 0; i < argv.length; i += 1) {
    const a = argv[i] ?? ''
    if (a === '--') {
      for (let j = i + 1; j < argv.length; j += 1) at.push(j)
      break
    }
    if (a.startsWith('-') && a.length > 1) {
      if (!a.includes('=') && takesValue(a)) i += 1
    } else at.push(i)
  }
  return at
}

/**
 * argv with HTTPie's spellings of the flags both have turned into the names the program knows
 * (`--httpie-json`, `--httpie-form`, `--raw-body`), as the module says.
 * @example
 * httpieArgv(['-f', 'POST', 'example.org', 'a=1'], () => false) // ['--httpie-form', 'POST', 'example.org', 'a=1']
 * httpieArgv(['example.org', '-f'], () => false) // ['example.org', '-f']
 * @category cli
 * @since 0.3.0
 */
export const httpieArgv = (input: ReadonlyArray<string>, valued: (flag: string) => boolean): string[] => {
  const argv = [...input]
  // --json: the JSON text after it decides
  for (let i = 0; i < argv.length; i += 1) {
    const a = argv[i]
    if (a === '--') break
    if (a === '--json' || a === '-j') {
      if (isJsonValue(argv[i + 1])) i += 1
      else argv[i] = '--httpie-json'
    } else if (a !== undefined && a.startsWith('--raw=')) argv[i] = `--raw-body=${a.slice(6)}`
  }
  let formValued = false
  const takesValue = (f: string): boolean => f === '--raw-body' || (f === '--form' ? formValued : valued(f))
  const roles = (): { readonly at: number[]; readonly items: Set<number> } => {
    const at = positionIndexes(argv, takesValue)
    const p = positionals(at.map((i) => argv[i] ?? ''))
    const first = at.length - p.items.length
    return { at, items: new Set(at.slice(first)) }
  }
  // --raw TEXT: the text is a body when it cannot be the method, the URL or an item
  let r = roles()
  for (let i = 0; i < argv.length; i += 1) {
    if (argv[i] !== '--raw' || !r.at.includes(i + 1)) continue
    const x = argv[i + 1] ?? ''
    const item = parseItem(x)
    const first = r.at[0] === i + 1
    const body = first
      ? !isKnownMethod(x) && r.at.length > 1 && !looksLikeUrl(x)
      : r.items.has(i + 1) && (item === null || ((item.sep === ':' || item.sep === ';') && !isToken(item.key)))
    if (body) {
      argv[i] = '--raw-body'
      r = roles()
    }
  }
  // --form: a pair after it is the old flag's value unless other data items make it HTTPie's
  const afterForm = new Set(argv.flatMap((a, i) => (a === '--form' && isFormPair(argv[i + 1]) ? [i + 1] : [])))
  const dataItems = [...r.items].filter((i) => !afterForm.has(i) && isDataItem(parseItem(argv[i] ?? '')))
  for (let i = 0; i < argv.length; i += 1)
    if (argv[i] === '--form' && !(afterForm.has(i + 1) && dataItems.length === 0)) argv[i] = '--httpie-form'
  // -f: HTTPie's --form with data items, curl's --fail without
  formValued = true
  r = roles()
  const hasData = [...r.items].some((i) => isDataItem(parseItem(argv[i] ?? '')))
  return hasData ? argv.map((a) => (a === '-f' ? '--httpie-form' : a)) : argv
}
