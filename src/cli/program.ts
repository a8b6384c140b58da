/**
 * The command line read by commander, built from the flag table: the usage, the help with
 * examples and exit codes, `--version`, and usage errors (exit 2) that name the flag.
 * @module
 */
import { Command, CommanderError, Option } from 'commander'
import { VERSION } from '../model/version.js'
import { FLAGS } from './flags.js'
import type { Flag, Values } from './flag.js'
import { httpieArgv } from './argv.js'

/** The flags that take a value (`-o`, `--out`, …): what follows them is no positional argument. */
const VALUED = new Set(
  FLAGS.flatMap((f) => (f.flags.includes('<') ? f.flags.replace(/ [<[].*$/, '').split(/,\s*/) : [])),
)

/**
 * The exit codes, as `--help` and the README list them.
 * @example
 * EXIT.usage // 2
 * @category cli
 * @since 0.3.0
 */
export const EXIT = { ok: 0, clientError: 1, usage: 2, httpError: 22, interrupted: 130 } as const

const EXAMPLES = `
Method: GET, or POST when a body or data item is given; any other as the first argument (httpipe PUT URL …).

Request items (HTTPie's), after the URL:
  Header:value        a header; Header: none; Header; an empty one; Header:@file from a file
  name==value         a query parameter (name==@file: from a file)
  name=value          a JSON string field (a form field with -f/--form); name=@file: the file's text
  name:=json          a raw JSON field: 30, true, null, [1,2], {"a":1}; name:=@file: from a file
  a[b][c]=x  a[]=1    nested JSON keys (HTTPie 3); a[2]=x sets an index, []=1 a top-level array
  field@file          a file part, multipart (;type=mime, else the type its name says)
  @file               the file is the body
  \\:  \\=  \\@          a separator's character taken literally (in quotes: 'a\\:b==c')
JSON data is sent with Content-Type: application/json and Accept: application/json, */*;q=0.5;
--form (or -f with data items; -f alone is --fail) makes a urlencoded form, --multipart or a
file part multipart/form-data; --raw TEXT sends TEXT. --offline prints the request and sends
nothing; --print HBhbm picks what goes to stdout (H/B request head/body, h/b response head/body,
m elapsed time); -v shows the request sent and the response head on stderr.

A secret (password, token, AWS or OAuth secret, key passphrase, secret-named header) given as
env:NAME is read from the environment variable NAME when the request runs, and a template or a
session saves the name, never the value. --session NAME keeps cookies, headers and auth between
runs (by host under $XDG_CONFIG_HOME/httpipe/sessions, mode 0600); -c resumes an --out download.
HTTP_PROXY, HTTPS_PROXY and NO_PROXY are honoured unless --proxy is given. A template is
someone else's: one that reads env secrets or files,
uses a proxy or turns TLS checks off is refused unless --trust-secret NAME=ORIGIN,
--trust-files DIR, --trust-proxy or --insecure allow it; what it will do is printed first.

Examples:
  httpipe https://api.example.com/users --param page=2 -H 'Accept: application/json'
  httpipe POST https://api.example.com/users --json '{"name":"Ann"}' --bearer env:API_TOKEN
  httpipe https://example.com/upload --form title=Report --file 'doc=@report.pdf;type=application/pdf'
  httpipe https://example.com/big.iso --out big.iso --retries 3 --timeout 10m
  httpipe https://api.example.com/users --bearer env:API_TOKEN --save-template users.json
  httpipe --template users.json --param page=3 --trust-secret API_TOKEN=https://api.example.com
  httpipe POST https://api.example.com/items --json '{"a":1}' --curl
  httpipe api.example.com/users name=Ann age:=30 'tags[]=a' X-Trace:1 page==2
  httpipe -f PUT example.com/upload title=Report doc@report.pdf -v
  httpipe --offline :8080/items q==1 'filter[kind]=open'
  httpipe --session api example.com/login -u ann:env:PW && httpipe --session api example.com/me
  httpipe example.com/big.iso --out big.iso -c

Output: the body on stdout (pretty, coloured JSON on a terminal; the bytes as they came when
piped or with --raw); -v the status line and headers, --log the log, on stderr; a progress bar
on stderr for --out downloads and uploads on a terminal. No colour when NO_COLOR is set.
A text/event-stream or NDJSON answer (any answer with --stream) is printed as it arrives: the
bytes as they come when piped or with --raw; on a terminal event: / id: / data: blocks, one
pretty JSON value per NDJSON line. A pipe closed by its reader (| head) ends the request.

Exit codes:
  0   success (any HTTP status, unless --fail)
  1   the request failed (a ClientError: connection, timeout, TLS, file, auth, size …)
  2   usage error: a bad flag or value, a template or session that cannot be loaded
  22  with --fail: the status was 400 or above
  130 interrupted (Ctrl-C)
`

/** The attribute name commander gives a flag's value (`--max-redirects` → `maxRedirects`, `--no-gzip` → `gzip`). */
export const attributeOf = (f: Flag): string => new Option(f.flags).attributeName()

const collect =
  (parse: (text: string) => unknown) =>
  (text: string, previous: unknown): unknown => [...(Array.isArray(previous) ? previous : []), parse(text)]

/**
 * The program: the table's flags, `[METHOD] URL`, `--help` and `--version`; errors are thrown
 * (commander's exitOverride), written to `stderr` with the `httpipe:` prefix.
 * @example
 * makeProgram((s) => process.stderr.write(s), (s) => process.stdout.write(s))
 * @category cli
 * @since 0.3.0
 */
export const makeProgram = (writeErr: (s: string) => void, writeOut: (s: string) => void): Command => {
  const program = new Command('httpipe')
    .usage('[METHOD] URL [ITEM …] [options]')
    .description("Send an HTTP request built from flags that mirror httpipe's builder steps.")
    .argument('[method]', 'GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS or another token')
    .argument(
      '[url]',
      'the URL (no scheme: https://; :3000/x is http://localhost:3000/x), or a path with --base-url or --template',
    )
    .argument(
      '[items...]',
      "HTTPie's request items: Header:value, name==value, name=value, name:=json, field@file (below)",
    )
    .version(VERSION, '--version', 'print the version')
    .helpOption('-h, --help', 'show this help')
    .exitOverride()
    .configureOutput({ writeErr, writeOut, outputError: (s, write) => write(`httpipe: ${s.replace(/^error: /, '')}`) })
    .showHelpAfterError('(httpipe --help lists the flags)')
    .addHelpText('after', EXAMPLES)
  for (const f of FLAGS) {
    const o = new Option(f.flags, f.help).helpGroup(f.group)
    if (f.parse !== undefined) o.argParser(f.repeat === true ? collect(f.parse) : f.parse)
    if (f.conflicts !== undefined) o.conflicts([...f.conflicts])
    if (f.hidden === true) o.hideHelp()
    program.addOption(o)
  }
  return program
}

/**
 * The command line read: the positional arguments and every flag's value, or the exit code when
 * commander has already answered (help, version: 0; a usage error: 2, its message on stderr).
 * @example
 * readCommandLine(['GET', 'http://127.0.0.1/x', '-v'], write, write) // { _tag: 'Run', args: ['GET', 'http://127.0.0.1/x'], values: { verbose: true, … } }
 * @category cli
 * @since 0.3.0
 */
export const readCommandLine = (
  argv: ReadonlyArray<string>,
  writeErr: (s: string) => void,
  writeOut: (s: string) => void,
):
  | { readonly _tag: 'Run'; readonly args: ReadonlyArray<string>; readonly values: Values }
  | { readonly _tag: 'Exit'; readonly exit: number } => {
  const program = makeProgram(writeErr, writeOut)
  try {
    program.parse(
      httpieArgv(argv, (f) => VALUED.has(f)),
      { from: 'user' },
    )
  } catch (e) {
    if (e instanceof CommanderError) return { _tag: 'Exit', exit: e.exitCode === 0 ? EXIT.ok : EXIT.usage }
    throw e
  }
  return { _tag: 'Run', args: program.args, values: program.opts() }
}
