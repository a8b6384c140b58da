/**
 * The flags as one table: a row per flag (syntax, help, how its text is read, the steps it
 * stands for; rows without steps steer the output; row type in flag.ts, HTTPie's rows in
 * flags-httpie.ts). The program is built from it, the request by applying the rows in order.
 * @module
 */
import type { Request } from '../model/request.js'
import { isSecretHeader } from '../encoding/redact.js'
import {
  count,
  duration,
  filePart,
  headerLine,
  pair,
  relatedPart,
  secret,
  size,
  trustedSecret,
  userPassword,
} from './values.js'
import {
  AUTH,
  AUTHS,
  AWS4,
  BODIES,
  BODY,
  LIMITS,
  OAUTH1_CHECKED,
  OUTPUT,
  REQUEST,
  SAVED,
  TLS,
  bool,
  many,
  oauth1Method,
  one,
  others,
  text,
  tls,
  tlsOf,
  value,
  values,
  type Flag,
} from './flag.js'
import { HTTPIE_FLAGS } from './flags-httpie.js'

/**
 * The table. Rows are applied in this order, after the template (`--template`) or `initialize(URL)`.
 * @example
 * FLAGS.find((f) => f.flags.includes('--bearer'))?.help // 'Bearer token'
 * @category cli
 * @since 0.3.0
 */
export const FLAGS: ReadonlyArray<Flag> = [
  // request
  one('--encoding <name>', 'text bodies and charset labels (useEncoding), e.g. windows-1251', REQUEST, text, (v, H) =>
    H.useEncoding(v),
  ),
  one('--base-url <url>', 'a base that a URL path (/users) joins onto (setBaseUrl)', REQUEST, text, (v, H) =>
    H.setBaseUrl(v),
  ),
  many('--param <name=value>', 'add a query parameter, encoded (addUrlParameter); repeatable', REQUEST, pair, (ps, H) =>
    ps.map(([k, v]) => H.addUrlParameter(k, v)),
  ),
  many(
    '--path-param <name=value>',
    'a value for the {name} placeholder in the URL path, sent as one encoded segment (setPathParam); repeatable',
    REQUEST,
    pair,
    (ps, H) => ps.map(([k, v]) => H.setPathParam(k, v)),
  ),
  many(
    '-H, --header <line>',
    "add a header 'Name: value' (addHeader); a secret-named header's value may be env:NAME; repeatable",
    REQUEST,
    headerLine,
    (hs, H) => hs.map(([n, v]) => H.addHeader(n, isSecretHeader(n) ? secret(v) : v)),
  ),
  bool(
    '--no-url-encoding',
    'insert query parameters as given, not percent-encoded (useUrlEncoding)',
    REQUEST,
    (on, H) => (on ? [] : H.useUrlEncoding(false)),
  ),
  // body
  one(
    '-j, --json <text>',
    "a JSON body, given as JSON text (setJsonBody); a bare --json (no JSON text after it) is HTTPie's: data items as JSON",
    BODY,
    text,
    (v, H) => H.setJsonBody(v),
    others('json', BODIES),
  ),
  many(
    '--form <name=value>',
    "a urlencoded form field (setFormBody), or a text part with --file; repeatable; a bare --form (no name=value after it, or with data items) is HTTPie's: data items as a form",
    BODY,
    pair,
    (fs, H, all) =>
      all['file'] === undefined
        ? H.setFormBody(fs)
        : [H.startMultipartBody(), ...fs.map(([k, v]) => H.addMultipartFormDataField(k, v))],
    others('form', BODIES, ['file']),
  ),
  one(
    '-d, --data <text>',
    'a text body (setStringBody), sent as text/plain unless a Content-Type header says otherwise',
    BODY,
    text,
    (v, H) => H.setStringBody(v),
    others('data', BODIES),
  ),
  one(
    '--data-file <path>',
    'a body streamed from a file (setBinaryBody(fromFile)), application/octet-stream unless a header says otherwise',
    BODY,
    text,
    (v, H) => H.setBinaryBody(H.fromFile(v), true),
    others('dataFile', BODIES),
  ),
  many(
    '-F, --file <field=@path>',
    'a file part of a multipart/form-data body, field=@path[;type=mime][;filename=name] (addMultipartFormDataFile); repeatable',
    BODY,
    filePart,
    (fs, H, all) => [
      ...(all['form'] === undefined ? [H.startMultipartBody()] : []),
      ...fs.map((f) => H.addMultipartFormDataFile(f.field, f.filename, H.fromFile(f.path), f.type)),
    ],
    others('file', BODIES, ['form']),
  ),
  many(
    '--related <part>',
    'a part of a multipart/related body, @path or text, then ;type=mime[;id=content-id] (addDataAsRelated); the first is the root; repeatable',
    BODY,
    relatedPart,
    (ps, H) => [
      H.startMultipartBody('related', (ps[0]?.attrs['type'] ?? '').split(';')[0]?.trim() || undefined),
      ...ps.map((p) =>
        H.addDataAsRelated(p.file === null ? (p.text ?? '') : H.fromFile(p.file), p.attrs['type'] ?? '', p.attrs['id']),
      ),
    ],
    others('related', BODIES),
  ),
  // authorization
  one(
    '--basic <user:password>',
    'Basic authorization (addBasicAuthorization)',
    AUTH,
    userPassword,
    ([u, p], H) => H.addBasicAuthorization(u, p),
    others('basic', AUTHS),
  ),
  one(
    '--bearer <token>',
    'Bearer token (addBearerAuthorization)',
    AUTH,
    secret,
    (t, H) => H.addBearerAuthorization(t),
    others('bearer', AUTHS),
  ),
  one(
    '--digest <user:password>',
    "Digest authorization, answering the server's challenge (addDigestAuthorization)",
    AUTH,
    userPassword,
    ([u, p], H) => H.addDigestAuthorization(u, p),
    others('digest', AUTHS),
  ),
  one(
    '--aws4 <options>',
    'AWS Signature V4: key=…,secret=…,region=…[,service=s3][,session-token=…][,unsigned-payload] (addAws4Authorization)',
    AUTH,
    AWS4,
    (o, H) =>
      H.addAws4Authorization(o['key'] ?? '', secret(o['secret'] ?? ''), o['region'] ?? '', o['service'] ?? 's3', {
        ...(o['session-token'] === undefined ? {} : { sessionToken: secret(o['session-token']) }),
        ...(o['unsigned-payload'] === undefined ? {} : { unsignedPayload: o['unsigned-payload'] === 'true' }),
      }),
    others('aws4', AUTHS),
  ),
  one(
    '--oauth1 <options>',
    'OAuth 1.0a: consumer-key=…,consumer-secret=…[,token=…,token-secret=…][,method=HMAC-SHA256|HMAC-SHA1|RSA-SHA256|RSA-SHA1|PLAINTEXT][,version=1.0][,body-fields] (addOAuthV1Authorization)',
    AUTH,
    OAUTH1_CHECKED,
    (o, H) => [
      H.addOAuthV1Authorization(
        secret(o['token'] ?? ''),
        secret(o['token-secret'] ?? ''),
        o['consumer-key'] ?? '',
        secret(o['consumer-secret'] ?? ''),
        o['version'] ?? '1.0',
      ),
      ...(o['method'] === undefined ? [] : [H.setOAuthV1Algorithm(...oauth1Method(o['method']))]),
      ...(o['body-fields'] === 'true' ? [H.useBodyFieldsAtOAuth(true)] : []),
    ],
    others('oauth1', AUTHS),
  ),
  // limits and network
  one('--timeout <duration>', 'per attempt (setTimeout; default 1h)', LIMITS, duration, (ms, H) => H.setTimeout(ms)),
  one(
    '--connect-timeout <duration>',
    'to connect, TLS and proxy tunnel included (setConnectTimeout; default 10s)',
    LIMITS,
    duration,
    (ms, H) => H.setConnectTimeout(ms),
  ),
  one(
    '--idle-timeout <duration>',
    'longest wait for the next byte of the answer (setIdleTimeout; default 5m)',
    LIMITS,
    duration,
    (ms, H) => H.setIdleTimeout(ms),
  ),
  one(
    '--deadline <duration>',
    'the whole run: attempts, waits and redirects (setDeadline)',
    LIMITS,
    duration,
    (ms, H) => H.setDeadline(ms),
  ),
  one('--retries <n>', 'retries allowed by the retry policy (maxAttempts; default 0)', LIMITS, count, (n, H) =>
    H.maxAttempts(n),
  ),
  one('--max-redirects <n>', 'redirects followed, 0 for none (maxRedirects; default 5)', LIMITS, count, (n, H) =>
    H.maxRedirects(n),
  ),
  one('--max-size <size>', 'the most response bytes accepted (setMaxResponseSize)', LIMITS, size, (n, H) =>
    H.setMaxResponseSize(n),
  ),
  bool('--no-gzip', 'do not ask for or decode compressed answers (useGzipCompression)', LIMITS, (on, H) =>
    on ? [] : H.useGzipCompression(false),
  ),
  bool('--http2', 'offer HTTP/2 on https: (useHttp2)', LIMITS, (on, H) => (on ? H.useHttp2() : [])),
  one('--proxy <url>', 'an HTTP(S) proxy, http://user:password@host:port (setProxy)', LIMITS, text, (v, H) =>
    H.setProxy(v),
  ),
  // TLS
  one('--ca <file>', 'trust this CA certificate (PEM) (setTls)', TLS, text, (p, H, all) =>
    tls(H, (t) => ({ ...t, ca: H.fromFile(p) }), all),
  ),
  one('--cert <file>', 'present this client certificate (PEM), with --key (setTls)', TLS, text, (p, H, all) =>
    tls(
      H,
      (t, a) => ({ ...t, cert: H.fromFile(p), ...(typeof a['key'] === 'string' ? { key: H.fromFile(a['key']) } : {}) }),
      all,
    ),
  ),
  one('--key <file>', "the client certificate's private key (PEM) (setTls)", TLS, text, (p, H, all) =>
    all['cert'] === undefined ? tls(H, (t) => ({ ...t, key: H.fromFile(p) }), all) : [],
  ),
  one('--key-passphrase <secret>', "the private key's passphrase (setTls)", TLS, secret, (s, H, all) =>
    tls(H, (t) => ({ ...t, passphrase: s }), all),
  ),
  bool(
    '-k, --insecure',
    "do not check the server's certificate (setTls rejectUnauthorized: false); also lets a --template turn the checks off",
    TLS,
    (on, H) => (on ? (req: Request) => H.setTls({ ...tlsOf(req.tls), rejectUnauthorized: false })(req) : []),
  ),
  // output
  one('-o, --out <file>', 'stream the body to a file, not to stdout (setResponseFile)', OUTPUT, text, (p, H) =>
    H.setResponseFile(p),
  ),
  bool('-v, --verbose', 'print the request sent (head, body) and the status line and headers on stderr', OUTPUT),
  bool('--log', "print the request's log on stderr", OUTPUT),
  bool('--raw', "write the body as it came, also on a terminal; --raw TEXT is HTTPie's: TEXT is the body", OUTPUT),
  bool('--stream', 'print any body as it arrives (event streams and NDJSON always are)', OUTPUT),
  bool('-f, --fail', "exit 22 when the status is 400 or above; with data items -f is HTTPie's --form", OUTPUT),
  bool('--no-progress', 'no progress bar (it is drawn on a terminal only)', OUTPUT),
  // templates and curl
  value(
    '--template <file>',
    'start from a saved template; other flags change it. A template may not read env secrets or files, download from a URL, use a proxy or turn TLS checks off unless a --trust flag allows it',
    SAVED,
  ),
  values(
    '--trust-secret <NAME=ORIGIN>',
    'let the --template read the environment variable NAME, sent only to ORIGIN (never after a redirect elsewhere); repeatable',
    SAVED,
    trustedSecret,
  ),
  values(
    '--trust-files <dir>',
    'let the --template read and write files inside this directory; repeatable',
    SAVED,
    text,
  ),
  bool('--trust-downloads', 'let the --template download a body or part from a URL (fromUrl) when it runs', SAVED),
  bool('--trust-proxy', 'let the --template send the request through its proxy', SAVED),
  value(
    '--save-template <file>',
    'save the request as a template (secrets given as env:NAME saved by name, other secrets withheld) and exit',
    SAVED,
  ),
  bool('--curl', 'print the equivalent curl command and exit, nothing sent', SAVED),
  bool('--show-secrets', 'with --curl, -v, --print, --offline: write secrets, not ***', SAVED),
  ...HTTPIE_FLAGS,
]
