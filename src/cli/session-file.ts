/**
 * Where a session lives and how its file is read and written (`--session NAME_OR_PATH`): a NAME
 * under the per-user config folder, by host as HTTPie keeps them
 * (`$XDG_CONFIG_HOME/httpipe/sessions/<host_port>/<NAME>.json`), a PATH as given. The file is
 * read only when it is a regular file of this user that no one else may read or write, and
 * written whole (a new file renamed over the old one) with mode 0600 in a folder of mode 0700.
 * @module
 */
import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { dirname, join, resolve, sep } from 'node:path'
import { Usage } from './template.js'

/** HTTPie's rule for a session name; a name with a path separator is a path. */
const NAME = /^[a-zA-Z0-9_.-]+$/

const isPath = (s: string): boolean => s.includes('/') || s.includes(sep)

/**
 * The file of a session: a PATH (it holds a `/`) as given (`~/` is the home folder), a NAME
 * under `$XDG_CONFIG_HOME/httpipe/sessions/<host>/` (default `~/.config/httpipe`; on Windows
 * `%APPDATA%\httpipe`), where `<host>` is the URL's host with `:` written `_`, as HTTPie does.
 * @example
 * sessionPath('api', 'http://127.0.0.1:8080/x', { XDG_CONFIG_HOME: '/home/ann/.config' }) // '/home/ann/.config/httpipe/sessions/127.0.0.1_8080/api.json'
 * @category cli
 * @since 0.3.0
 */
export const sessionPath = (
  nameOrPath: string,
  url: string | null,
  env: Readonly<Record<string, string | undefined>>,
): string => {
  const home = env['HOME'] || homedir()
  if (isPath(nameOrPath)) return resolve(nameOrPath.startsWith('~/') ? join(home, nameOrPath.slice(2)) : nameOrPath)
  if (!NAME.test(nameOrPath))
    throw new Usage(
      `--session: ${JSON.stringify(nameOrPath)} is neither a name (letters, digits, _ . -) nor a path (with a /)`,
    )
  const host = url !== null && URL.canParse(url) ? new URL(url).host : ''
  if (host === '') throw new Usage(`--session ${nameOrPath}: a named session needs a URL with a host (or give a path)`)
  const config =
    env['XDG_CONFIG_HOME'] || (process.platform === 'win32' && env['APPDATA'] ? env['APPDATA'] : join(home, '.config'))
  return join(config, 'httpipe', 'sessions', host.replace(/:/g, '_'), `${nameOrPath}.json`)
}

/**
 * The text of a session file, or null when there is none yet. A file that is not a regular
 * file, belongs to another user, or that others may read or write (any group or other bit:
 * it holds the session's cookies) is a usage error naming it, as one that cannot be read.
 * @example
 * readSessionFile('/home/ann/.config/httpipe/sessions/h/api.json') // '{"headers":[]…}' or null
 * @category cli
 * @since 0.3.0
 */
export const readSessionFile = (path: string): string | null => {
  let st: ReturnType<typeof statSync>
  try {
    st = statSync(path)
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    if (code === 'ENOENT') return null
    throw new Usage(`session ${path}: cannot be read (${code ?? String(e)})`)
  }
  if (!st.isFile()) throw new Usage(`session ${path}: not a regular file`)
  if (process.platform !== 'win32') {
    if (typeof process.getuid === 'function' && st.uid !== process.getuid())
      throw new Usage(`session ${path}: belongs to another user (uid ${st.uid}); a session must be your own file`)
    const mode = st.mode & 0o777
    if ((mode & 0o077) !== 0)
      throw new Usage(
        `session ${path}: others may read or write it (mode ${mode.toString(8).padStart(4, '0')}); it holds cookies: chmod 600 ${path}`,
      )
  }
  try {
    return readFileSync(path, 'utf8')
  } catch (e) {
    throw new Usage(`session ${path}: cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)})`)
  }
}

/**
 * Writes a session file whole: a new file of mode 0600 next to it, renamed over it (a run that
 * stops half-way leaves the old file), its folder made with mode 0700 when missing. The error
 * code when it cannot be written, else null.
 * @example
 * writeSessionFile('/home/ann/.config/httpipe/sessions/h/api.json', '{}\n') // null
 * @category cli
 * @since 0.3.0
 */
export const writeSessionFile = (path: string, text: string): string | null => {
  const temp = `${path}.${process.pid}.${Date.now().toString(36)}.tmp`
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 })
    writeFileSync(temp, text, { mode: 0o600, flag: 'wx' })
    chmodSync(temp, 0o600)
    renameSync(temp, path)
    return null
  } catch (e) {
    try {
      rmSync(temp, { force: true })
    } catch {
      /* the error that matters is the first */
    }
    return (e as NodeJS.ErrnoException).code ?? String(e)
  }
}
