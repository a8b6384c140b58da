/**
 * HTTPie's request items (httpie/cli/argtypes.py, requestitems.py): each argument after the URL
 * is split at its first separator (the longest of those starting there), `\` escaping a
 * separator's character, and read with HTTPie's meaning:
 *
 * | item | meaning |
 * |---|---|
 * | `Header:value`, `Header:` | a header; with no value, no such header |
 * | `Header;` | a header with an empty value |
 * | `Header:@file` | a header whose value is the file's text |
 * | `name==value`, `name==@file` | a query parameter |
 * | `name=value`, `name=@file` | a JSON string field (a form field with --form) |
 * | `name:=json`, `name:=@file` | a raw JSON field (numbers, booleans, arrays, objects) |
 * | `name@file[;type=mime]` | a file part (multipart) |
 * | `@file` | the file is the body |
 *
 * Data items build a JSON body (nested keys as HTTPie 3: nested.ts), a urlencoded form with
 * `--form`, or a multipart body with a file part or `--multipart`.
 * @module
 */
import { readFileSync, statSync } from 'node:fs'
import { homedir } from 'node:os'
import { basename } from 'node:path'
import { readJson, scalarText, writeJson, type JsonValue } from './json-value.js'
import { nestedJson, NestedKeyError } from './nested.js'
import { isDataItem, type Item } from './item.js'
import { Usage } from './template.js'

/**
 * How data items make the body: JSON (the default, or `--json`), a urlencoded form (`--form`),
 * or multipart (`--multipart`, or `--form` with a file part).
 * @example
 * const t: RequestType = 'form'
 * @category cli
 * @since 0.3.0
 */
export type RequestType = 'json' | 'form' | 'multipart' | null

/**
 * A part of a multipart body from items, in HTTPie's order.
 * @example
 * const p: MultipartItem = { _tag: 'File', name: 'doc', path: 'a.pdf', filename: 'a.pdf', type: null }
 * @category cli
 * @since 0.3.0
 */
export type MultipartItem =
  | { readonly _tag: 'Field'; readonly name: string; readonly value: string }
  | {
      readonly _tag: 'File'
      readonly name: string
      readonly path: string
      readonly filename: string
      readonly type: string | null
    }

/**
 * What the items ask for: headers (a null value: no such header), query parameters, and the
 * body: none, JSON text, urlencoded pairs, multipart parts, or a file sent as it is.
 * @example
 * const r: ItemsRequest = { headers: [['X-A', 'b']], params: [['q', '1']], body: { _tag: 'None' }, hasData: false }
 * @category cli
 * @since 0.3.0
 */
export interface ItemsRequest {
  readonly headers: ReadonlyArray<readonly [string, string | null]>
  readonly params: ReadonlyArray<readonly [string, string]>
  readonly body:
    | { readonly _tag: 'None' }
    | { readonly _tag: 'Json'; readonly text: string }
    | { readonly _tag: 'Form'; readonly pairs: ReadonlyArray<readonly [string, string]> }
    | { readonly _tag: 'Multipart'; readonly parts: ReadonlyArray<MultipartItem> }
    | { readonly _tag: 'File'; readonly path: string; readonly type: string | null }
  readonly hasData: boolean
}

const expand = (path: string): string => (path === '~' || path.startsWith('~/') ? homedir() + path.slice(1) : path)

const UTF8 = new TextDecoder('utf-8', { fatal: true })

const readText = (item: Item): string => {
  let bytes: Uint8Array
  try {
    bytes = readFileSync(expand(item.value))
  } catch (e) {
    throw new Usage(`${JSON.stringify(item.orig)}: cannot read ${item.value}: ${(e as NodeJS.ErrnoException).code}`)
  }
  try {
    return UTF8.decode(bytes)
  } catch {
    throw new Usage(`${JSON.stringify(item.orig)}: ${item.value} is not a UTF-8 or ASCII text file`)
  }
}

/** A file part's file: there and a file, or a usage error now (it is read when the request is sent). */
const readable = (item: Item, path: string): string => {
  const file = expand(path)
  let isFile = false
  try {
    isFile = statSync(file).isFile()
  } catch (e) {
    throw new Usage(`${JSON.stringify(item.orig)}: cannot read ${path}: ${(e as NodeJS.ErrnoException).code}`)
  }
  if (!isFile) throw new Usage(`${JSON.stringify(item.orig)}: ${path} is not a file`)
  return file
}

const readJsonOf = (item: Item, text: string): JsonValue => {
  try {
    return readJson(text)
  } catch (e) {
    throw new Usage(`${JSON.stringify(item.orig)}: not JSON (${(e as Error).message})`)
  }
}

/** Pairs grouped as HTTPie's multi-value dicts group them: a repeated key joins its first place. */
const grouped = <T>(entries: ReadonlyArray<readonly [string, T]>): Array<readonly [string, T]> => {
  const order: string[] = []
  const byKey = new Map<string, T[]>()
  for (const [k, v] of entries) {
    const list = byKey.get(k)
    if (list === undefined) {
      order.push(k)
      byKey.set(k, [v])
    } else list.push(v)
  }
  return order.flatMap((k) => (byKey.get(k) ?? []).map((v) => [k, v] as const))
}

/** Headers as HTTPie's case-insensitive multi-dict keeps them: `Name:` replaces every value by none. */
const headersOf = (items: ReadonlyArray<Item>): Array<readonly [string, string | null]> => {
  const out: Array<[string, string | null]> = []
  for (const item of items) {
    let value: string | null
    if (item.sep === ';') {
      if (item.value !== '') throw new Usage(`invalid item ${JSON.stringify(item.orig)} (an empty header is Header;)`)
      value = ''
    } else if (item.sep === ':@') value = readText(item).replace(/\n+$/, '')
    else value = item.value === '' ? null : item.value
    const same = (n: string): boolean => n.toLowerCase() === item.key.toLowerCase()
    const first = out.findIndex(([n]) => same(n))
    if (value === null) {
      const rest = out.filter(([n], i) => i === first || !same(n))
      if (first >= 0) rest[first] = [item.key, null]
      else rest.push([item.key, null])
      out.splice(0, out.length, ...rest)
    } else {
      if (first >= 0 && out[first]?.[1] === null) out.splice(first, 1)
      out.push([item.key, value])
    }
  }
  return out
}

/**
 * The request the items ask for, read as HTTPie reads them (files read now; a file that cannot
 * be read or a value that is not JSON is a usage error naming the item).
 * @example
 * itemsRequest([parseItem('name=Ann'), parseItem('age:=30')].flatMap((i) => (i === null ? [] : [i])), null).body // { _tag: 'Json', text: '{"name": "Ann", "age": 30}' }
 * @category cli
 * @since 0.3.0
 */
export const itemsRequest = (
  items: ReadonlyArray<Item>,
  type: RequestType,
  lookupType: (path: string) => string | null,
): ItemsRequest => {
  const headers = headersOf(items.filter((i) => i.sep === ':' || i.sep === ';' || i.sep === ':@'))
  const params = grouped(
    items.flatMap((i) =>
      i.sep === '=='
        ? [[i.key, i.value] as const]
        : i.sep === '==@'
          ? [[i.key, readText(i).replace(/\n+$/, '')] as const]
          : [],
    ),
  )
  const data = items.filter((i) => isDataItem(i))
  const hasData = data.length > 0
  const files = data.filter((i) => i.sep === '@')
  const raw = files.find((f) => f.key === '')
  const multipart = type === 'multipart' || files.some((f) => f.key !== '')
  if (raw !== undefined) {
    if (data.length > 1)
      throw new Usage(`${JSON.stringify(raw.orig)}: a body from a file cannot be mixed with other data items`)
    const [path = '', given] = raw.value.split(';type=')
    const file = readable(raw, path)
    return { headers, params, body: { _tag: 'File', path: file, type: given ?? lookupType(file) }, hasData }
  }
  const valueOf = (i: Item): JsonValue =>
    i.sep === '='
      ? i.value
      : i.sep === '=@'
        ? readText(i)
        : i.sep === ':='
          ? readJsonOf(i, i.value)
          : readJsonOf(i, readText(i))
  if (!multipart && type !== 'form') {
    if (!hasData) return { headers, params, body: { _tag: 'None' }, hasData }
    let json: JsonValue
    try {
      json = nestedJson(data.map((i) => [i.key, valueOf(i)] as const))
    } catch (e) {
      if (e instanceof NestedKeyError) throw new Usage(`nested JSON key: ${e.message}`)
      throw e
    }
    return { headers, params, body: { _tag: 'Json', text: writeJson(json) }, hasData }
  }
  const text = (i: Item): string => {
    const t = scalarText(valueOf(i))
    if (t === null) throw new Usage(`${JSON.stringify(i.orig)}: a form field cannot hold a JSON array, object or null`)
    return t
  }
  if (!multipart)
    return {
      headers,
      params,
      body: { _tag: 'Form', pairs: grouped(data.map((i) => [i.key, text(i)] as const)) },
      hasData,
    }
  const parts = grouped(
    data.map((i): readonly [string, MultipartItem] => {
      if (i.sep !== '@') return [i.key, { _tag: 'Field', name: i.key, value: text(i) }]
      const [path = '', given] = i.value.split(';type=')
      const file = readable(i, path)
      return [
        i.key,
        { _tag: 'File', name: i.key, path: file, filename: basename(path), type: given ?? lookupType(file) },
      ]
    }),
  )
  return { headers, params, body: { _tag: 'Multipart', parts: parts.map(([, p]) => p) }, hasData }
}
