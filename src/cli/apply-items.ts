/**
 * The steps HTTPie's request items and body flags stand for (`--json`, `--form`,
 * `--multipart`, `--raw TEXT`), with the headers HTTPie sends for them: for JSON data
 * `Accept: application/json, *\/*;q=0.5` and `Content-Type: application/json`, for a form
 * `application/x-www-form-urlencoded; charset=utf-8`; a header given (-H or an item) wins.
 * @module
 */
import type { Step } from '../model/request.js'
import { isSecretHeader } from '../encoding/redact.js'
import type { Lib, Values } from './flag.js'
import { BODIES } from './flag.js'
import { parseItem } from './item.js'
import type { Item } from './item.js'
import { itemsRequest, type RequestType } from './items.js'
import { Usage } from './template.js'
import { secret } from './values.js'

const JSON_ACCEPT = 'application/json, */*;q=0.5'
const FORM_TYPE = 'application/x-www-form-urlencoded; charset=utf-8'

/** Python's quote_plus: what HTTPie (requests) writes in a urlencoded form. */
const quotePlus = (s: string): string =>
  encodeURIComponent(s)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+')

/**
 * The request items read from the positional arguments after the URL (one that is not an
 * item is a usage error).
 * @example
 * readItems(['a==1', 'X-A:b']).map((i) => i.sep) // ['==', ':']
 * @category cli
 * @since 0.3.0
 */
export const readItems = (args: ReadonlyArray<string>): ReadonlyArray<Item> =>
  args.map((a) => {
    const item = parseItem(a)
    if (item === null)
      throw new Usage(
        `not a request item: ${JSON.stringify(a)} (Header:value, name==value, name=value, name:=json, name@file; \\ escapes a separator)`,
      )
    return item
  })

/**
 * The steps of the request items and HTTPie's body flags, applied after the flag table's rows.
 * @example
 * itemSteps(H, readItems(['name=Ann']), {}, lookup) // [setJsonBody('{"name": "Ann"}'), …]
 * @category cli
 * @since 0.3.0
 */
export const itemSteps = (
  H: Lib,
  items: ReadonlyArray<Item>,
  values: Values,
  lookupType: (path: string) => string | null,
): ReadonlyArray<Step> => {
  const type: RequestType =
    values['multipart'] === true
      ? 'multipart'
      : values['httpieForm'] === true
        ? 'form'
        : values['httpieJson'] === true
          ? 'json'
          : null
  const r = itemsRequest(items, type, lookupType)
  const raw = typeof values['rawBody'] === 'string' ? values['rawBody'] : null
  const flagBody = BODIES.find((b) => values[b] !== undefined)
  if ((r.hasData || raw !== null) && flagBody !== undefined)
    throw new Usage(
      `request data (items or --raw) cannot be mixed with --${flagBody.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`,
    )
  if (raw !== null && r.hasData) throw new Usage('a body from --raw cannot be mixed with data items (name=value …)')
  const steps: Step[] = []
  if (r.params.length > 0) steps.push((req) => H.setUrlParams([...req.params, ...r.params])(req))
  const b = r.body
  if (raw !== null) steps.push(H.setBinaryBody(new TextEncoder().encode(raw), true))
  else if (b._tag === 'Json') steps.push(H.setJsonBody(b.text))
  else if (b._tag === 'Form')
    steps.push(H.setFormBody(b.pairs.map(([k, v]) => `${quotePlus(k)}=${quotePlus(v)}`).join('&')))
  else if (b._tag === 'File') steps.push(H.setBinaryBody(H.fromFile(b.path), true))
  else if (b._tag === 'Multipart')
    steps.push(
      H.startMultipartBody(),
      ...b.parts.map((p) =>
        p._tag === 'Field'
          ? H.addMultipartFormDataField(p.name, p.value)
          : H.addMultipartFormDataFile(p.name, p.filename, H.fromFile(p.path), p.type ?? undefined),
      ),
    )
  // the headers HTTPie sends by default for its kinds of bodies; -H and header items win
  const given = new Set(
    [
      ...(Array.isArray(values['header']) ? (values['header'] as ReadonlyArray<readonly [string, string]>) : []),
      ...r.headers,
    ].map(([n]) => n.toLowerCase()),
  )
  const defaults: Array<readonly [string, string]> = []
  const hasBody = raw !== null || b._tag !== 'None'
  if (b._tag !== 'Multipart' && b._tag !== 'Form' && (type === 'json' || (type === null && hasBody))) {
    defaults.push(['Accept', JSON_ACCEPT])
    defaults.push(['Content-Type', b._tag === 'File' ? (b.type ?? 'application/json') : 'application/json'])
  } else if (type === 'form' && b._tag !== 'Multipart') defaults.push(['Content-Type', FORM_TYPE])
  for (const [n, v] of defaults) if (!given.has(n.toLowerCase())) steps.push(H.addHeader(n, v))
  // header items: repeated names joined with ', '; `Name:` (no value) sends none of them
  const byName = new Map<string, { name: string; values: string[] }>()
  for (const [n, v] of r.headers) {
    // `Accept-Encoding:` asks for no compressed answer; httpipe's Accept and User-Agent stay (no step drops them)
    if (v === null && n.toLowerCase() === 'accept-encoding') steps.push(H.useGzipCompression(false))
    if (v === null) continue
    const at = byName.get(n.toLowerCase()) ?? { name: n, values: [] }
    at.values.push(v)
    byName.set(n.toLowerCase(), at)
  }
  for (const { name, values: vs } of byName.values()) {
    const v = vs.join(', ')
    let value: ReturnType<typeof secret>
    try {
      value = isSecretHeader(name) ? secret(v) : v
    } catch (e) {
      throw new Usage(`${name}: ${(e as Error).message}`)
    }
    steps.push(H.addHeader(name, value))
  }
  return steps
}
