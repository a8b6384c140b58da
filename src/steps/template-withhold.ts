/**
 * What `toTemplate` leaves out of a shared template: every literal secret is replaced by a
 * `Withheld` marker naming its field (credentials, secret-named headers, params and body fields,
 * PEM private key text), the URL's user info and a fragment that carries a secret are dropped.
 * @module
 */
import { isSecretHeader, isSecretParam } from '../encoding/redact.js'
import type { MultipartBody, Part } from '../model/multipart.js'
import type { Auth, Body, Json, Pairs, Request } from '../model/request.js'
import type { Secret, Withheld } from '../model/secret.js'
import { withinDepth } from '../model/codec.js'

const PRIVATE_KEY = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/

/** Whether a text holds a PEM private key (whatever the name of the field it is in). */
const isPrivateKeyText = (s: string): boolean => s.includes('PRIVATE KEY-----') && PRIVATE_KEY.test(s)

const marker = (field: string): Withheld => ({ _tag: 'Withheld', field })
const withhold = (s: Secret, field: string): Secret => (typeof s === 'string' ? marker(field) : s)
const withholdOrNull = (s: Secret | null, field: string): Secret | null => (s === null ? null : withhold(s, field))

/**
 * The auth scheme with every literal credential withheld (references kept).
 * @example
 * withholdAuth({ _tag: 'Bearer', token: 't' }) // { _tag: 'Bearer', token: { _tag: 'Withheld', field: 'auth.token' } }
 */
export const withholdAuth = (a: Auth): Auth => {
  switch (a._tag) {
    case 'None':
      return a
    case 'Basic':
    case 'Digest':
      return { ...a, password: withhold(a.password, 'auth.password') }
    case 'Bearer':
      return { ...a, token: withhold(a.token, 'auth.token') }
    case 'Aws4':
      return {
        ...a,
        secretKey: withhold(a.secretKey, 'auth.secretKey'),
        sessionToken: withholdOrNull(a.sessionToken, 'auth.sessionToken'),
      }
    case 'OAuth1':
      return {
        ...a,
        token: withhold(a.token, 'auth.token'),
        tokenSecret: withhold(a.tokenSecret, 'auth.tokenSecret'),
        consumerSecret: withhold(a.consumerSecret, 'auth.consumerSecret'),
      }
  }
}

/** A JSON value a template withheld: JSON data, refused when the request is prepared. */
const withheldJson = (field: string): Json => marker(field) as unknown as Json

/** Whether a named JSON value (param, field) is withheld: a secret name and a value, or PEM key text. */
const secretValue = (name: string, v: Json): boolean =>
  (v !== null && typeof v !== 'boolean' && isSecretParam(name)) || (typeof v === 'string' && isPrivateKeyText(v))

const fieldPath = (path: string, key: string | number): string =>
  typeof key === 'number'
    ? `${path}[${key}]`
    : /^[A-Za-z_$][\w$]*$/.test(key)
      ? `${path}.${key}`
      : `${path}[${JSON.stringify(key)}]`

interface Frame {
  readonly value: Json
  readonly path: string
  readonly keys: ReadonlyArray<string | number>
  readonly out: Array<Json> | Record<string, Json>
  i: number
  changed: boolean
}

/**
 * A JSON value with every secret-named member (at any depth) and every PEM private key text
 * withheld; the same value when there is none. Walked with a stack of its own, so a value of
 * any depth is fine.
 * @example
 * withholdJson({ user: 'ann', password: 'pw' }, 'body') // { user: 'ann', password: { _tag: 'Withheld', field: 'body.password' } }
 */
export const withholdJson = (root: Json, rootPath: string): Json => {
  if (typeof root === 'string') return isPrivateKeyText(root) ? withheldJson(rootPath) : root
  if (typeof root !== 'object' || root === null) return root
  const open = (value: Json, path: string): Frame => {
    const arr = Array.isArray(value)
    return {
      value,
      path,
      keys: arr ? (value as ReadonlyArray<Json>).map((_, i) => i) : Object.keys(value as object),
      out: arr ? [] : {},
      i: 0,
      changed: false,
    }
  }
  const stack: Frame[] = [open(root, rootPath)]
  let done: { value: Json; changed: boolean } = { value: root, changed: false }
  const put = (f: Frame, key: string | number, v: Json): void => {
    if (typeof key === 'number') (f.out as Json[]).push(v)
    else Object.defineProperty(f.out, key, { value: v, enumerable: true, writable: true, configurable: true })
  }
  while (stack.length > 0) {
    const f = stack[stack.length - 1] as Frame
    if (f.i === f.keys.length) {
      stack.pop()
      const value = f.changed ? (f.out as Json) : f.value
      const parent = stack[stack.length - 1]
      if (parent === undefined) done = { value, changed: f.changed }
      else {
        put(parent, parent.keys[parent.i] as string | number, value)
        parent.changed ||= f.changed
        parent.i++
      }
      continue
    }
    const key = f.keys[f.i] as string | number
    const v = (f.value as Record<string | number, Json>)[key] as Json
    const path = fieldPath(f.path, key)
    if ((typeof key === 'string' && secretValue(key, v)) || (typeof v === 'string' && isPrivateKeyText(v))) {
      put(f, key, withheldJson(path))
      f.changed = true
      f.i++
    } else if (typeof v === 'object' && v !== null) stack.push(open(v, path))
    else {
      put(f, key, v)
      f.i++
    }
  }
  return done.changed ? done.value : root
}

/**
 * Name/value pairs (params, form fields) with the values of secret-named pairs withheld.
 * @example
 * withholdPairs([['client_secret', 'x']], 'params') // [['client_secret', { _tag: 'Withheld', field: 'params[0] (client_secret)' }]]
 */
export const withholdPairs = (pairs: Pairs, path: string): Pairs =>
  pairs.map(([k, v], i): readonly [string, Json] => {
    const field = `${path}[${i}] (${k})`
    return [k, secretValue(k, v) ? withheldJson(field) : withholdJson(v, field)]
  })

const withholdPart = (p: Part, i: number): Part =>
  p._tag === 'Field' && typeof p.value === 'string' && secretValue(p.name, p.value)
    ? { ...p, value: marker(`body.parts[${i}] (${p.name})`) }
    : p

/** The pairs of a urlencoded text (`a=1&b=2`), decoded; null when one does not decode. */
const formPairs = (text: string): Pairs | null => {
  try {
    return text
      .split('&')
      .filter((s) => s !== '')
      .map((s): readonly [string, Json] => {
        const i = s.indexOf('=')
        const dec = (x: string): string => decodeURIComponent(x.replace(/\+/g, ' '))
        return i === -1 ? [dec(s), ''] : [dec(s.slice(0, i)), dec(s.slice(i + 1))]
      })
  } catch {
    return null
  }
}

/**
 * A body with its secret fields withheld: JSON members at any depth, form fields (a form given
 * as text with a secret-named field becomes fields), multipart text fields.
 * @example
 * withholdBody({ _tag: 'Form', fields: [['password', 'pw']], collection: false }).fields[0][1] // { _tag: 'Withheld', field: 'body.fields[0] (password)' }
 */
export const withholdBody = (b: Body): Body => {
  switch (b._tag) {
    case 'Json': {
      const value = withholdJson(b.value, 'body')
      return value === b.value ? b : { ...b, value }
    }
    case 'JsonText': {
      // kept verbatim unless a member must be withheld: then it is saved as a value, with the marker
      const parsed = JSON.parse(b.text) as Json // checked by setJsonBody and by the codec
      const value = withholdJson(parsed, 'body')
      if (value === parsed) return b
      // a value too deep for a template to hold (or to stringify): the whole body is withheld
      return { _tag: 'Json', value: withinDepth(value) ? value : withheldJson('body'), collection: false }
    }
    case 'Form':
      return { ...b, fields: withholdPairs(b.fields, 'body.fields') }
    case 'FormText': {
      const pairs = formPairs(b.text)
      if (pairs === null || !pairs.some(([k, v]) => secretValue(k, v))) return b
      return { _tag: 'Form', fields: withholdPairs(pairs, 'body.fields'), collection: false }
    }
    case 'Multipart':
      return { ...b, parts: b.parts.map(withholdPart) } satisfies MultipartBody
    default:
      return b
  }
}

/**
 * The URL without the values of its secret-named query params (moved to the params, withheld,
 * in the same order after the rest of the query).
 * @example
 * withoutQuerySecrets('https://h/x?token=1&a=2').url // 'https://h/x?a=2'
 */
export const withoutQuerySecrets = (url: string | null): { readonly url: string | null; readonly moved: Pairs } => {
  if (url === null) return { url, moved: [] }
  const q = url.indexOf('?')
  if (q === -1) return { url, moved: [] }
  const hash = url.indexOf('#', q)
  const query = url.slice(q + 1, hash === -1 ? undefined : hash)
  const kept: string[] = []
  const moved: Array<readonly [string, Json]> = []
  for (const part of query.split('&')) {
    const raw = part.split('=')[0] ?? ''
    let name = raw
    try {
      name = decodeURIComponent(raw.replace(/\+/g, ' '))
    } catch {
      /* keep the raw name */
    }
    if (part !== '' && isSecretParam(name)) moved.push([name, withheldJson(`url query ${name}`)])
    else kept.push(part)
  }
  if (moved.length === 0) return { url, moved: [] }
  const rest = kept.join('&')
  return { url: `${url.slice(0, q)}${rest === '' ? '' : `?${rest}`}${hash === -1 ? '' : url.slice(hash)}`, moved }
}

/**
 * The URL without its user info (user name and password) and without a fragment that carries a
 * secret (`#access_token=…`); `userInfo` says whether there was user info.
 * @example
 * withoutUserInfo('https://ann:pw@h/x#access_token=t') // { url: 'https://h/x', userInfo: true }
 */
export const withoutUserInfo = (url: string | null): { readonly url: string | null; readonly userInfo: boolean } => {
  if (url === null) return { url, userInfo: false }
  let out = url
  const hash = out.indexOf('#')
  if (hash !== -1) {
    const fragment = out.slice(hash + 1)
    // `#access_token=…&token_type=bearer` (OAuth implicit grant), `#/callback?code=…`
    const names = fragment.split(/[&;?]/).flatMap((p) => (p.includes('=') ? [p.slice(0, p.indexOf('='))] : []))
    if (names.some((n) => isSecretParam(n))) out = out.slice(0, hash)
  }
  const start = out.indexOf('//')
  if (start === -1 || !URL.canParse(out)) return { url: out, userInfo: false }
  const u = new URL(out)
  if (u.username === '' && u.password === '') return { url: out, userInfo: false }
  const end = out.slice(start + 2).search(/[/?#]|$/) + start + 2
  const at = out.lastIndexOf('@', end - 1)
  return at < start
    ? { url: out, userInfo: false }
    : { url: `${out.slice(0, start + 2)}${out.slice(at + 1)}`, userInfo: true }
}

/**
 * The TLS options with a PEM private key given as text withheld: the template keeps no key, and
 * its passphrase is a `Withheld` marker naming `tls.key`, so the run is refused until `setTls`
 * sets the key again (a key in a file is a path, kept).
 * @example
 * withholdTls({ ca: null, cert: 'C', key: '-----BEGIN PRIVATE KEY-----…', passphrase: null, rejectUnauthorized: true }).passphrase
 * // { _tag: 'Withheld', field: 'tls.key (PEM text)' }
 */
export const withholdTls = (t: Request['tls']): Request['tls'] => {
  if (t === null) return null
  if (typeof t.key === 'string')
    return { ...t, key: null, passphrase: marker('tls.key (PEM text; a key in a file is kept as its path)') }
  return { ...t, passphrase: withholdOrNull(t.passphrase, 'tls.passphrase') }
}

/**
 * The user headers with the values of secret-named headers (and PEM key text) withheld.
 * @example
 * withholdHeaders([['X-Authorization', 'k']]) // [['X-Authorization', { _tag: 'Withheld', field: 'headers[0] (X-Authorization)' }]]
 */
export const withholdHeaders = (hs: Request['headers']): Request['headers'] =>
  hs.map(
    ([n, v], i) =>
      [
        n,
        isSecretHeader(n) || (typeof v === 'string' && isPrivateKeyText(v)) ? withhold(v, `headers[${i}] (${n})`) : v,
      ] as const,
  )
