/**
 * A real peer for the live Digest tests: Debian's apache2 with mod_auth_digest, started in the
 * foreground (`apache2 -DFOREGROUND`, prefork) on a free 127.0.0.1 port with its own minimal config
 * in a temp dir. Nothing of the system's /etc/apache2 is read.
 *
 * Layout served (all under `/protected/`, which needs Digest credentials of `realm`):
 * - `/protected/index.html`: a static file (`fileText`);
 * - `/protected/echo.cgi`: a sh CGI that answers `method=…`, `length=…`, `user=…` lines, an
 *   empty line, then the request body as received.
 * `/open.txt` is served without authorization.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { createHash } from 'node:crypto'
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort, waitForPort } from './peers.js'

export interface ApacheDigestOptions {
  readonly realm: string
  readonly users: ReadonlyArray<{ readonly user: string; readonly password: string }>
}

export interface ApacheDigest {
  /** `http://127.0.0.1:<port>` */
  readonly url: string
  readonly port: number
  /** the text of /protected/index.html */
  readonly fileText: string
  /** apache's error log so far (mod_auth_digest logs why it refused credentials) */
  readonly errorLog: () => string
  /** the access log so far: `<method> <uri> <status> <user>` per line */
  readonly accessLog: () => string
  readonly stop: () => Promise<void>
}

const MODULES = '/usr/lib/apache2/modules'
const LOAD = [
  'mpm_prefork',
  'authn_core',
  'authn_file',
  'authz_core',
  'authz_user',
  'auth_digest',
  'alias',
  'mime',
  'cgi',
  'dir',
]

/** The apache2 binary (it lives in /usr/sbin, not always on PATH), or null. */
export const apacheBinary = (): string | null => {
  for (const p of ['/usr/sbin/apache2', '/usr/local/sbin/apache2']) if (existsSync(p)) return p
  return null
}

const md5 = (s: string): string => createHash('md5').update(s).digest('hex')

const CGI = `#!/bin/sh
printf 'Content-Type: text/plain\\r\\n\\r\\n'
printf 'method=%s\\nlength=%s\\nuser=%s\\n\\n' "$REQUEST_METHOD" "$CONTENT_LENGTH" "$REMOTE_USER"
if [ -n "$CONTENT_LENGTH" ] && [ "$CONTENT_LENGTH" -gt 0 ]; then head -c "$CONTENT_LENGTH"; fi
`

/** Starts apache2 with Digest authentication for `users` in `realm`; stop() kills it and removes its files. */
export const startApacheDigest = async (o: ApacheDigestOptions): Promise<ApacheDigest> => {
  const bin = apacheBinary()
  if (bin === null) throw new Error('apache2 is not installed: run scripts/install-peers.sh (npm test does)')
  for (const m of LOAD)
    if (!existsSync(join(MODULES, `mod_${m}.so`)))
      throw new Error(`apache2 module mod_${m}.so is missing in ${MODULES}`)
  for (const u of o.users)
    if (/[:\n]/.test(u.user) || /[:\n]/.test(o.realm))
      throw new Error('user and realm must not contain ":" or newlines (htdigest format)')
  const root = getuid() === 0
  const dir = mkdtempSync(join(tmpdir(), 'httpipe-apache-'))
  // apache drops to www-data when started as root: the files it serves must be readable by it
  chmodSync(dir, 0o755)
  const docs = join(dir, 'htdocs')
  const prot = join(docs, 'protected')
  const run = join(dir, 'run')
  // directories 0755 and files 0644 (0755 for the CGI), whatever the umask
  mkdirSync(prot, { recursive: true, mode: 0o755 })
  mkdirSync(run, { mode: 0o755 })
  chmodSync(docs, 0o755)
  chmodSync(prot, 0o755)
  const fileText = `<!doctype html><title>protected</title><p>Digest-protected file ${Math.random().toString(36).slice(2)}</p>\n`
  writeFileSync(join(prot, 'index.html'), fileText, { mode: 0o644 })
  writeFileSync(join(docs, 'open.txt'), 'open\n', { mode: 0o644 })
  writeFileSync(join(prot, 'echo.cgi'), CGI)
  chmodSync(join(prot, 'echo.cgi'), 0o755)
  for (const f of [join(prot, 'index.html'), join(docs, 'open.txt')]) chmodSync(f, 0o644)
  const htdigest = join(dir, 'htdigest')
  writeFileSync(
    htdigest,
    o.users.map((u) => `${u.user}:${o.realm}:${md5(`${u.user}:${o.realm}:${u.password}`)}\n`).join(''),
    { mode: 0o644 },
  )
  writeFileSync(join(dir, 'mime.types'), 'text/html html\ntext/plain txt\n', { mode: 0o644 })
  const errorLog = join(dir, 'error.log')
  const accessLog = join(dir, 'access.log')
  const port = await freePort()
  const q = (s: string): string => `"${s.replace(/(["\\])/g, '\\$1')}"`
  const conf = [
    `ServerRoot ${q(dir)}`,
    `DefaultRuntimeDir ${q(run)}`,
    `PidFile ${q(join(run, 'apache2.pid'))}`,
    'ServerName 127.0.0.1',
    `Listen 127.0.0.1:${port}`,
    ...LOAD.map((m) => `LoadModule ${m}_module ${MODULES}/mod_${m}.so`),
    ...(root ? ['User www-data', 'Group www-data'] : []),
    `ErrorLog ${q(errorLog)}`,
    'LogLevel warn auth_digest:info',
    'LogFormat "%m %U %>s %u" short',
    `CustomLog ${q(accessLog)} short`,
    `TypesConfig ${q(join(dir, 'mime.types'))}`,
    'Timeout 30',
    'KeepAlive On',
    // a few prefork children: a client may open a second connection while the first is kept alive
    'StartServers 3',
    'MinSpareServers 2',
    'MaxSpareServers 4',
    'MaxRequestWorkers 8',
    `DocumentRoot ${q(docs)}`,
    `<Directory ${q(docs)}>`,
    '  Options None',
    '  AllowOverride None',
    '  Require all granted',
    '</Directory>',
    `<Directory ${q(prot)}>`,
    '  Options +ExecCGI',
    '  AddHandler cgi-script .cgi',
    '  AuthType Digest',
    `  AuthName ${q(o.realm)}`,
    '  AuthDigestProvider file',
    `  AuthUserFile ${q(htdigest)}`,
    `  AuthDigestDomain /protected/`,
    '  Require valid-user',
    '</Directory>',
    '',
  ].join('\n')
  const confPath = join(dir, 'apache2.conf')
  writeFileSync(confPath, conf, { mode: 0o644 })
  writeFileSync(errorLog, '')
  writeFileSync(accessLog, '')
  let stderr = ''
  let exitCode: number | null | undefined
  // detached: its own process group, since the prefork parent stops its children with
  // killpg(getpgrp(), SIGTERM), which would otherwise hit this test process too
  const child: ChildProcess = spawn(bin, ['-DFOREGROUND', '-d', dir, '-f', confPath], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', LANG: 'C' },
    detached: true,
  })
  const killOnExit = (): void => {
    if (exitCode === undefined && child.pid !== undefined) child.kill('SIGTERM')
  }
  process.once('exit', killOnExit)
  /** the apache processes of this start only (their own group, led by `child`) */
  const killGroup = (signal: NodeJS.Signals): void => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, signal)
    } catch {
      /* already gone */
    }
  }
  child.stderr?.setEncoding('utf8')
  child.stderr?.on('data', (d: string) => (stderr += d))
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code) => {
      exitCode = code
      resolve()
    }),
  )
  child.once('error', (e) => (stderr += String(e)))
  const cleanup = (): void => rmSync(dir, { recursive: true, force: true })
  try {
    await Promise.race([
      waitForPort(port, 10_000),
      exited.then(() => {
        throw new Error(`apache2 exited (code ${String(exitCode)}) before listening`)
      }),
    ])
  } catch (e) {
    const log = existsSync(errorLog) ? readFileSync(errorLog, 'utf8') : ''
    process.removeListener('exit', killOnExit)
    killGroup('SIGKILL')
    await exited
    cleanup()
    throw new Error(`${(e as Error).message}\nstderr: ${stderr}\nerror log: ${log}`)
  }
  let stopped = false
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    fileText,
    errorLog: () => readFileSync(errorLog, 'utf8'),
    accessLog: () => readFileSync(accessLog, 'utf8'),
    stop: async () => {
      if (stopped) return
      stopped = true
      process.removeListener('exit', killOnExit)
      if (exitCode === undefined) {
        child.kill('SIGTERM')
        const t = setTimeout(() => killGroup('SIGKILL'), 5000)
        await exited
        clearTimeout(t)
      }
      cleanup()
    },
  }
}

const getuid = (): number => (typeof process.getuid === 'function' ? process.getuid() : -1)
