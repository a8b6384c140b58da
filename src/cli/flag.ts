/**
 * The vocabulary of the flag table (flags.ts): the row type, the row constructors (`one` takes a
 * value, `many` repeats, `bool` toggles, `value` steers the output), the help headings, the
 * groups of flags that exclude each other, and how the TLS, AWS4 and OAuth1 flags read their text.
 * @module
 */
import type { Step, Tls } from '../model/request.js'
import type { TlsInput } from '../steps/init.js'
import { InvalidArgumentError } from 'commander'
import { options } from './values.js'

/**
 * The library, as the rows use it (loaded only once the command line is read, so that
 * `--help`, `--version` and usage errors start fast).
 * @example
 * const H: Lib = await import('../index.js')
 * @category cli
 * @since 0.3.0
 */
export type Lib = typeof import('../index.js')

/**
 * Every flag's value by its attribute name (`--max-redirects` is `maxRedirects`), as commander
 * read them.
 * @example
 * const v: Values = { header: [['Accept', 'text/plain']], verbose: true }
 * @category cli
 * @since 0.3.0
 */
export type Values = Readonly<Record<string, unknown>>

/**
 * One row of the table: commander's flag syntax, the help line and its heading, how the text
 * is read (`parse`, throwing a usage error), whether the flag may repeat (its value is then the
 * list), the flags it cannot go with, and the steps it stands for.
 * @example
 * const row: Flag = one('--bearer <token>', 'Bearer token', AUTH, secret, (t, H) => H.addBearerAuthorization(t))
 * @category cli
 * @since 0.3.0
 */
export interface Flag {
  readonly flags: string
  readonly help: string
  readonly group: string
  readonly parse?: (text: string) => unknown
  readonly repeat?: boolean
  readonly conflicts?: ReadonlyArray<string>
  /** left out of --help (the names argv.ts gives HTTPie's spellings) */
  readonly hidden?: boolean
  readonly step?: (value: never, lib: Lib, all: Values) => Step | ReadonlyArray<Step>
}

export const REQUEST = 'Request:'
export const BODY = 'Body (one of; --form and --file together make multipart/form-data):'
export const AUTH = 'Authorization (one of; a secret may be env:NAME, read from the environment):'
export const LIMITS =
  'Limits, retries and network (durations: 500ms, 30s, 2m, 1h, or seconds: 5, 0.5; sizes: 512k, 10M):'
export const TLS = 'TLS:'
export const OUTPUT = 'Output:'
export const SAVED = 'Templates and curl:'

export const one = <T>(
  flags: string,
  help: string,
  group: string,
  parse: (text: string) => T,
  step: (v: T, H: Lib, all: Values) => Step | ReadonlyArray<Step>,
  conflicts?: ReadonlyArray<string>,
): Flag => ({
  flags,
  help,
  group,
  parse,
  step,
  ...(conflicts === undefined ? {} : { conflicts }),
})
export const many = <T>(
  flags: string,
  help: string,
  group: string,
  parse: (text: string) => T,
  step: (v: ReadonlyArray<T>, H: Lib, all: Values) => Step | ReadonlyArray<Step>,
  conflicts?: ReadonlyArray<string>,
): Flag => ({
  ...one(flags, help, group, parse, step as never, conflicts),
  repeat: true,
})
export const bool = (
  flags: string,
  help: string,
  group: string,
  step?: (v: boolean, H: Lib) => Step | ReadonlyArray<Step>,
  conflicts?: ReadonlyArray<string>,
): Flag => ({
  flags,
  help,
  group,
  ...(step === undefined ? {} : { step }),
  ...(conflicts === undefined ? {} : { conflicts }),
})
/** A flag with a value that steers the command, no step. */
export const value = (flags: string, help: string, group: string): Flag => ({ flags, help, group, parse: text })
/** A repeatable flag whose values steer the command, no step. */
export const values = <T>(flags: string, help: string, group: string, parse: (text: string) => T): Flag => ({
  flags,
  help,
  group,
  parse,
  repeat: true,
})
export const text = (s: string): string => s

export const BODIES = ['json', 'form', 'data', 'dataFile', 'file', 'related', 'mixed']
export const others = (
  name: string,
  group: ReadonlyArray<string>,
  also: ReadonlyArray<string> = [],
): ReadonlyArray<string> => group.filter((n) => n !== name && !also.includes(n))
export const AUTHS = ['basic', 'bearer', 'digest', 'aws4', 'oauth1']

/** The request's TLS options as a step takes them, to change one of them and keep the others. */
export const tlsOf = (t: Tls | null): TlsInput => {
  if (t === null) return {}
  const passphrase = t.passphrase
  return {
    ...(t.ca === null ? {} : { ca: t.ca }),
    ...(t.cert === null ? {} : { cert: t.cert }),
    ...(t.key === null ? {} : { key: t.key }),
    ...(passphrase === null || (typeof passphrase !== 'string' && passphrase._tag === 'Withheld')
      ? {}
      : { passphrase }),
    rejectUnauthorized: t.rejectUnauthorized,
  }
}
export const tls =
  (H: Lib, change: (current: TlsInput, all: Values) => TlsInput, all: Values): Step =>
  (req) =>
    H.setTls(change(tlsOf(req.tls), all))(req)

export const AWS4 = options(
  ['key', 'secret', 'region', 'service', 'session-token', 'unsigned-payload'],
  ['key', 'secret', 'region'],
)
const OAUTH1 = options(
  ['consumer-key', 'consumer-secret', 'token', 'token-secret', 'method', 'version', 'body-fields'],
  ['consumer-key', 'consumer-secret'],
)
const OAUTH1_METHODS: Readonly<Record<string, readonly ['HMAC' | 'RSA' | 'PLAINTEXT', 'SHA1' | 'SHA256']>> = {
  'HMAC-SHA256': ['HMAC', 'SHA256'],
  'HMAC-SHA1': ['HMAC', 'SHA1'],
  'RSA-SHA256': ['RSA', 'SHA256'],
  'RSA-SHA1': ['RSA', 'SHA1'],
  PLAINTEXT: ['PLAINTEXT', 'SHA256'],
}
export const oauth1Method = (m: string): readonly ['HMAC' | 'RSA' | 'PLAINTEXT', 'SHA1' | 'SHA256'] => {
  const found = OAUTH1_METHODS[m.toUpperCase()]
  if (found === undefined)
    throw new InvalidArgumentError(
      `unknown method ${JSON.stringify(m)}: expected ${Object.keys(OAUTH1_METHODS).join(', ')}`,
    )
  return found
}
export const OAUTH1_CHECKED = (t: string): Readonly<Record<string, string>> => {
  const o = OAUTH1(t)
  if (o['method'] !== undefined) oauth1Method(o['method'])
  return o
}
