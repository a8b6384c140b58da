/**
 * The rows of the flag table (flags.ts) for sessions (`--session`, `--session-read-only`, as
 * HTTPie's), transfers in parts (`-c/--continue`, `--get-in-parts`, `--send-in-parts`), the
 * retry policy (`--retry-statuses`, `--retry-methods`, `--retry-backoff`, `--retry-after-cap`,
 * next to `--retries`) and multipart/mixed bodies (`--mixed`). Sessions and parts are run.ts's
 * (session.ts, parts.ts); the retry rows change the request's policy, keeping what they do not name.
 * @module
 */
import { InvalidArgumentError } from 'commander'
import type { RetryPolicy } from '../model/retry-policy.js'
import type { Step } from '../model/request.js'
import { BODIES, BODY, LIMITS, OUTPUT, REQUEST, bool, many, one, others, value, type Flag, type Lib } from './flag.js'
import { mediaTypeOf } from '../model/media-type.js'
import { duration, part, size } from './values.js'

const bad = (why: string): never => {
  throw new InvalidArgumentError(why)
}

/**
 * A list of status codes, `429,503`.
 * @example
 * statusList('429, 503') // [429, 503]
 * @category cli
 * @since 0.3.0
 */
export const statusList = (text: string): ReadonlyArray<number> =>
  text.split(',').map((s) => {
    const n = /^\s*\d{3}\s*$/.test(s) ? Number(s) : Number.NaN
    return n >= 100 && n <= 599 ? n : bad('expected status codes from 100 to 599, such as 429,503')
  })

/**
 * A list of method names, `GET,POST`, upper-cased.
 * @example
 * methodList('get,post') // ['GET', 'POST']
 * @category cli
 * @since 0.3.0
 */
export const methodList = (text: string): ReadonlyArray<string> =>
  text
    .split(',')
    .map((s) => s.trim())
    .map((s) =>
      /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(s) ? s.toUpperCase() : bad('expected method names such as GET,POST'),
    )

/**
 * `BASE[,CAP]`: the backoff's first wait and its cap, as durations.
 * @example
 * backoff('200ms,5s') // [200, 5000]
 * @category cli
 * @since 0.3.0
 */
export const backoff = (text: string): readonly [number, number | undefined] => {
  const [base, cap, more] = text.split(',')
  if (more !== undefined) bad('expected BASE[,CAP] such as 200ms,5s')
  return [duration(base ?? ''), cap === undefined ? undefined : duration(cap)]
}

/** A chunk size above 0. */
const chunk = (text: string): number => {
  const n = size(text)
  return n > 0 ? n : bad('expected a size above 0 such as 256k or 8M')
}

/** Changes some fields of the request's retry policy, keeping the others. */
const policy =
  (H: Lib, change: Partial<RetryPolicy>): Step =>
  (req) =>
    H.setRetryPolicy({ ...req.settings.retryPolicy, ...change })(req)

/**
 * The rows, appended to the table.
 * @example
 * TRANSFER_FLAGS.map((f) => f.flags) // ['--session <name-or-path>', …]
 * @category cli
 * @since 0.3.0
 */
export const TRANSFER_FLAGS: ReadonlyArray<Flag> = [
  {
    ...value(
      '--session <name-or-path>',
      "keep cookies, headers and authorization between runs, as HTTPie's sessions: a NAME (kept by host under $XDG_CONFIG_HOME/httpipe/sessions) or a PATH; mode 0600, secrets only as env:NAME",
      REQUEST,
    ),
    conflicts: ['sessionReadOnly'],
  },
  value('--session-read-only <name-or-path>', 'use a session without writing it back', REQUEST),
  many(
    '--mixed <part>',
    'a part of a multipart/mixed body, @path or text, then ;type=mime (a file: the type its name says; text: text/plain) (addDataAsRelated); repeatable',
    BODY,
    part(['type']),
    (ps, H) => [
      H.startMultipartBody('mixed'),
      ...ps.map((p) =>
        p.file === null
          ? H.addDataAsRelated(p.text ?? '', p.attrs['type'] ?? 'text/plain')
          : H.addDataAsRelated(
              H.fromFile(p.file),
              p.attrs['type'] ?? mediaTypeOf(p.file) ?? 'application/octet-stream',
            ),
      ),
    ],
    others('mixed', BODIES),
  ),
  one(
    '--retry-statuses <list>',
    'the statuses retried, such as 429,503 (setRetryPolicy; default 408,413,429,500,502,503,504)',
    LIMITS,
    statusList,
    (statuses, H) => policy(H, { statuses: [...statuses] }),
  ),
  one(
    '--retry-methods <list>',
    'the methods retried, such as GET,PUT,POST (setRetryPolicy; default GET,HEAD,PUT,DELETE,OPTIONS,TRACE)',
    LIMITS,
    methodList,
    (methods, H) => policy(H, { methods: [...methods] }),
  ),
  one(
    '--retry-backoff <base[,cap]>',
    'the first wait between attempts and its cap, with full jitter (setRetryPolicy; default 100ms,10s)',
    LIMITS,
    backoff,
    ([baseMs, capMs], H) => policy(H, { baseMs, ...(capMs === undefined ? {} : { capMs }) }),
  ),
  one(
    '--retry-after-cap <duration>',
    'the longest Retry-After honoured (setRetryPolicy; default 60s)',
    LIMITS,
    duration,
    (retryAfterCapMs, H) => policy(H, { retryAfterCapMs }),
  ),
  one(
    '--send-in-parts <size>',
    'send the body in chunks of this size, following a resumable-upload server (sendDataInParts)',
    LIMITS,
    chunk,
    () => [],
  ),
  one(
    '--get-in-parts <size>',
    'download to --out in ranged parts of this size, each checked before it is appended (getDataInParts)',
    LIMITS,
    chunk,
    () => [],
  ),
  bool(
    '-c, --continue',
    "resume a download to --out from the size of the file there, with a ranged request (curl's -C -, HTTPie's --continue; getDataInParts); a server that ignores Range sends it all again",
    OUTPUT,
  ),
]
