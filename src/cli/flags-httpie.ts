/**
 * The rows of the flag table (flags.ts) that HTTPie and curl users expect: curl's `-X`, `-u`
 * and `-L`, how data items make the body (`--multipart`, and `--json`, `--form`, `-f`, `--raw TEXT` read as HTTPie's by argv.ts),
 * and what is printed (`--offline`, `--print`), then flags-transfer.ts's rows (sessions, parts, the
 * retry policy, `--mixed`). None of HTTPie's is a step: the items and these
 * flags are applied by apply-items.ts, the printing is run.ts's.
 * @module
 */
import { InvalidArgumentError } from 'commander'
import { AUTH, AUTHS, BODY, LIMITS, OUTPUT, REQUEST, bool, one, others, value, type Flag } from './flag.js'
import { userPassword } from './values.js'
import { TRANSFER_FLAGS } from './flags-transfer.js'

/**
 * `--print` letters: H request head, B request body, h response head, b response body, m meta.
 * @example
 * printLetters('HBhb') // 'HBhb'
 * @category cli
 * @since 0.3.0
 */
export const printLetters = (s: string): string => {
  if (!/^[HBhbm]+$/.test(s))
    throw new InvalidArgumentError(
      'expected letters of HBhbm (H request head, B request body, h response head, b response body, m meta)',
    )
  return s
}

const hidden = (f: Flag): Flag => ({ ...f, hidden: true })

/**
 * The rows, appended to the table.
 * @example
 * HTTPIE_FLAGS.map((f) => f.flags) // ['--multipart', …]
 * @category cli
 * @since 0.3.0
 */
export const HTTPIE_FLAGS: ReadonlyArray<Flag> = [
  value('-X, --request <method>', "the method, as curl's -X (wins over the METHOD argument)", REQUEST),
  one(
    '-u, --user <user:password>',
    "Basic authorization, as curl's -u (addBasicAuthorization)",
    AUTH,
    userPassword,
    ([u, p], H) => H.addBasicAuthorization(u, p),
    others('user', AUTHS),
  ),
  bool('-L, --location', "follow redirects, as curl's -L: the default (up to --max-redirects)", LIMITS),
  bool('--multipart', 'data items as a multipart/form-data body, even without a file part (HTTPie)', BODY),
  hidden(bool('--httpie-json', "HTTPie's --json: data items as a JSON body (the default)", BODY)),
  hidden(bool('--httpie-form', "HTTPie's --form: data items as a urlencoded form", BODY)),
  hidden(value('--raw-body <text>', "HTTPie's --raw TEXT: the body", BODY)),
  bool('--offline', 'build the request and print it (--print HB), nothing sent (HTTPie)', OUTPUT),
  {
    flags: '-p, --print <what>',
    help: 'print these on stdout: H request head, B request body, h response head, b response body, m meta (HTTPie; default b, with --offline HB)',
    group: OUTPUT,
    parse: printLetters,
  },
  bool('-I, --ignore-stdin', 'accepted for HTTPie command lines: httpipe never reads stdin', OUTPUT),
  ...TRANSFER_FLAGS,
]
