/**
 * The command line's flag values, read from their text: pairs, header lines, credentials
 * (`env:NAME` is a reference to an environment variable), durations, sizes, counts, file parts
 * and option lists. A value that cannot be read throws commander's `InvalidArgumentError`,
 * which commander reports as a usage error naming the flag.
 * @module
 */
import { InvalidArgumentError } from 'commander'
import ms from 'ms'
import { isEnvName, secretFromEnv, type SecretRef } from '../model/secret.js'

const bad = (why: string): never => {
  throw new InvalidArgumentError(why)
}

/**
 * `name=value` (split at the first `=`; the name must not be empty).
 * @example
 * pair('q=a=b') // ['q', 'a=b']
 * @category cli
 * @since 0.3.0
 */
export const pair = (text: string): readonly [string, string] => {
  const i = text.indexOf('=')
  if (i <= 0) bad('expected name=value')
  return [text.slice(0, i), text.slice(i + 1)]
}

/**
 * A header line `Name: value` (the value's leading blanks dropped; `Name:` is an empty value).
 * @example
 * headerLine('Accept:  text/plain') // ['Accept', 'text/plain']
 * @category cli
 * @since 0.3.0
 */
export const headerLine = (text: string): readonly [string, string] => {
  const i = text.indexOf(':')
  if (i <= 0) bad("expected 'Name: value'")
  return [text.slice(0, i).trim(), text.slice(i + 1).replace(/^[ \t]+/, '')]
}

/**
 * A credential: `env:NAME` is a reference to the environment variable NAME (read when the
 * request runs, saved by name in a template), anything else the value itself. `env:` followed by
 * what is not a variable name (`env:API-TOKEN`) is a usage error, never sent as the value.
 * @example
 * secret('env:API_TOKEN') // { _tag: 'SecretRef', env: 'API_TOKEN' }
 * secret('s3cret') // 's3cret'
 * @category cli
 * @since 0.3.0
 */
export const secret = (text: string): string | SecretRef => {
  if (!text.startsWith('env:')) return text
  const name = text.slice(4)
  if (!isEnvName(name)) bad(`env:${name} is not a variable name (letters, digits and _, not starting with a digit)`)
  return secretFromEnv(name)
}

/**
 * `NAME=ORIGIN` for `--trust-secret`: a template may read the environment variable NAME, and
 * send it only to ORIGIN (normalized as `new URL(origin).origin`).
 * @example
 * trustedSecret('GITHUB_TOKEN=https://api.github.com/') // ['GITHUB_TOKEN', 'https://api.github.com']
 * @category cli
 * @since 0.3.0
 */
export const trustedSecret = (text: string): readonly [string, string] => {
  const [name, origin] = pair(text)
  if (!isEnvName(name)) bad(`expected NAME=ORIGIN: ${JSON.stringify(name)} is not a variable name`)
  const u = URL.canParse(origin) ? new URL(origin) : null
  if (u === null || (u.protocol !== 'http:' && u.protocol !== 'https:'))
    bad(`expected NAME=ORIGIN: ${JSON.stringify(origin)} is not an http(s) origin such as https://api.example.com`)
  return [name, u?.origin ?? '']
}

/**
 * `user:password` (split at the first colon; the password may be `env:NAME`).
 * @example
 * userPassword('ann:env:PW') // ['ann', { _tag: 'SecretRef', env: 'PW' }]
 * @category cli
 * @since 0.3.0
 */
export const userPassword = (text: string): readonly [string, string | SecretRef] => {
  const i = text.indexOf(':')
  if (i < 0) bad('expected user:password (the password may be env:NAME)')
  return [text.slice(0, i), secret(text.slice(i + 1))]
}

/**
 * A duration in milliseconds, as the `ms` package reads it (`500ms`, `30s`, `2m`, `1.5h`,
 * `2 minutes`, `1d`); a bare number is seconds, as HTTPie's and curl's `--timeout` take it
 * (`5`, `0.5`), where `ms` would read milliseconds.
 * @example
 * duration('1.5s') // 1500
 * duration('2 minutes') // 120000
 * duration('5') // 5000
 * @category cli
 * @since 0.3.0
 */
export const duration = (text: string): number => {
  const t = text.trim()
  const read = /^(\d+(?:\.\d+)?|\.\d+)$/.test(t)
    ? Number(t) * 1000
    : t === '' || t.startsWith('-')
      ? undefined
      : ms(t as ms.StringValue)
  const n = Math.round(read ?? Number.NaN)
  if (!Number.isSafeInteger(n) || n <= 0)
    bad('expected a duration above 0 such as 500ms, 30s or 2m (a bare number is seconds)')
  return n
}

const SIZES: Readonly<Record<string, number>> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }

/**
 * A size in bytes: `1048576`, `512k`, `10M`, `1G` (powers of 1024; a trailing `B` or `iB` is allowed).
 * @example
 * size('10M') // 10485760
 * @category cli
 * @since 0.3.0
 */
export const size = (text: string): number => {
  const m = /^(\d+(?:\.\d+)?)\s*([kmg]?)(?:i?b)?$/i.exec(text.trim())
  const n = m === null ? Number.NaN : Math.floor(Number(m[1]) * (SIZES[(m[2] ?? '').toLowerCase()] ?? 1))
  if (!Number.isSafeInteger(n) || n < 0) bad('expected a size such as 1048576, 512k, 10M or 1G')
  return n
}

/**
 * A whole number from 0 to 1000.
 * @example
 * count('3') // 3
 * @category cli
 * @since 0.3.0
 */
export const count = (text: string): number => {
  const n = /^\d+$/.test(text.trim()) ? Number(text) : Number.NaN
  if (!Number.isInteger(n) || n > 1000) bad('expected a whole number from 0 to 1000')
  return n
}

/**
 * `key=value,key=value,flag`: an option list (a key without `=` is `'true'`); only `keys` are
 * allowed, and every key in `required` must be there.
 * @example
 * options(['key', 'region'], ['key'])('key=AKID,region=eu-west-1') // { key: 'AKID', region: 'eu-west-1' }
 * @category cli
 * @since 0.3.0
 */
export const options =
  (keys: ReadonlyArray<string>, required: ReadonlyArray<string>) =>
  (text: string): Readonly<Record<string, string>> => {
    const out: Record<string, string> = {}
    for (const item of text.split(',')) {
      const i = item.indexOf('=')
      const key = (i < 0 ? item : item.slice(0, i)).trim()
      if (!keys.includes(key)) bad(`unknown key ${JSON.stringify(key)}: expected ${keys.join(', ')}`)
      out[key] = i < 0 ? 'true' : item.slice(i + 1)
    }
    const missing = required.filter((k) => out[k] === undefined)
    if (missing.length > 0) bad(`missing ${missing.join(', ')} (expected ${required.map((k) => `${k}=…`).join(',')})`)
    return out
  }

/**
 * A part given as `data;type=mime;filename=name;id=cid`: the data is `@path` (a file) or text,
 * followed by attributes from `allowed`. Attributes are read from the end, so text may hold `;`.
 * @example
 * part(['type', 'filename'])('@photo.jpg;type=image/jpeg') // { file: 'photo.jpg', text: null, attrs: { type: 'image/jpeg' } }
 * @category cli
 * @since 0.3.0
 */
export const part =
  (allowed: ReadonlyArray<string>) =>
  (
    text: string,
  ): {
    readonly file: string | null
    readonly text: string | null
    readonly attrs: Readonly<Record<string, string>>
  } => {
    const pieces = text.split(';')
    const attrs: Record<string, string> = {}
    while (pieces.length > 1) {
      const last = pieces[pieces.length - 1] ?? ''
      const m = /^\s*([a-z]+)=(.*)$/.exec(last)
      if (m === null || m[1] === undefined || !allowed.includes(m[1])) break
      attrs[m[1]] = m[2] ?? ''
      pieces.pop()
    }
    const data = pieces.join(';')
    if (data.startsWith('@')) {
      if (data.length === 1) bad('expected a file name after @')
      return { file: data.slice(1), text: null, attrs }
    }
    return { file: null, text: data, attrs }
  }

/**
 * `field=@path[;type=mime][;filename=name]`: a file part of a multipart/form-data body.
 * @example
 * filePart('doc=@./a.pdf;type=application/pdf') // { field: 'doc', path: './a.pdf', type: 'application/pdf', filename: 'a.pdf' }
 * @category cli
 * @since 0.3.0
 */
export const filePart = (
  text: string,
): { readonly field: string; readonly path: string; readonly type: string | undefined; readonly filename: string } => {
  const [field, rest] = pair(text)
  const p = part(['type', 'filename'])(rest)
  if (p.file === null) bad('expected field=@path (a text field is --form name=value)')
  const path = p.file ?? ''
  return { field, path, type: p.attrs['type'], filename: p.attrs['filename'] ?? path.split(/[\\/]/).pop() ?? path }
}

/**
 * `@path;type=mime[;id=content-id]` or `text;type=mime[;id=…]`: a part of a multipart/related body.
 * @example
 * relatedPart('{"a":1};type=application/json;id=root') // { file: null, text: '{"a":1}', attrs: { type: 'application/json', id: 'root' } }
 * @category cli
 * @since 0.3.0
 */
export const relatedPart = (text: string): ReturnType<ReturnType<typeof part>> => {
  const p = part(['type', 'id'])(text)
  if (p.attrs['type'] === undefined) bad('expected @path or text, then ;type=mime (and ;id=content-id if wanted)')
  return p
}
