/**
 * Real peers for tests: a TLS key pair made by openssl, and tinyproxy started on a free
 * loopback port with its own config (both cleaned up by the returned stop functions).
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface Pki {
  readonly dir: string
  readonly caPath: string
  readonly serverKey: string
  readonly serverCert: string
  readonly clientKey: string
  readonly clientCert: string
  readonly clientKeyPath: string
  readonly clientCertPath: string
  readonly ca: string
  readonly cleanup: () => void
}

const openssl = (cwd: string, ...args: string[]): void => {
  execFileSync('openssl', args, { cwd, stdio: 'pipe' })
}

/** A throwaway CA, a server certificate for 127.0.0.1 and a client certificate, all signed by the CA. */
export const makePki = (): Pki => {
  const dir = mkdtempSync(join(tmpdir(), 'httpipe-pki-'))
  openssl(
    dir,
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '2',
    '-subj',
    '/CN=httpipe test CA',
  )
  for (const [name, ext] of [
    ['server', 'subjectAltName=IP:127.0.0.1,DNS:localhost'],
    ['client', 'extendedKeyUsage=clientAuth'],
  ] as const) {
    openssl(
      dir,
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.csr`,
      '-subj',
      `/CN=httpipe ${name}`,
    )
    writeFileSync(join(dir, `${name}.ext`), `${ext}\n`)
    openssl(
      dir,
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      `${name}.pem`,
      '-days',
      '2',
      '-extfile',
      `${name}.ext`,
    )
  }
  const read = (f: string): string => readFileSync(join(dir, f), 'utf8')
  return {
    dir,
    caPath: join(dir, 'ca.pem'),
    ca: read('ca.pem'),
    serverKey: read('server.key'),
    serverCert: read('server.pem'),
    clientKey: read('client.key'),
    clientCert: read('client.pem'),
    clientKeyPath: join(dir, 'client.key'),
    clientCertPath: join(dir, 'client.pem'),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  }
}

/** A loopback port that was free a moment ago. */
export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const s = createServer()
    s.on('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const a = s.address()
      const port = typeof a === 'object' && a !== null ? a.port : 0
      s.close(() => resolve(port))
    })
  })

/** Waits until something accepts connections on 127.0.0.1:port (throws after `ms`). */
export const waitForPort = async (port: number, ms: number): Promise<void> => {
  const until = Date.now() + ms
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const c = connect(port, '127.0.0.1')
      c.once('connect', () => (c.destroy(), resolve(true)))
      c.once('error', () => resolve(false))
    })
    if (ok) return
    if (Date.now() > until) throw new Error(`nothing listens on 127.0.0.1:${port} after ${ms} ms`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

export interface Tinyproxy {
  readonly port: number
  readonly log: () => string
  readonly stop: () => Promise<void>
}

/** Starts Debian's tinyproxy in the foreground on 127.0.0.1 with Basic auth `user:password`. */
export const startTinyproxy = async (user: string, password: string): Promise<Tinyproxy> => {
  const dir = mkdtempSync(join(tmpdir(), 'httpipe-tinyproxy-'))
  const port = await freePort()
  const conf = join(dir, 'tinyproxy.conf')
  const logFile = join(dir, 'tinyproxy.log')
  writeFileSync(
    conf,
    [
      `Port ${port}`,
      'Listen 127.0.0.1',
      'Timeout 30',
      'MaxClients 50',
      'Allow 127.0.0.1',
      `BasicAuth ${user} ${password}`,
      'LogLevel Connect',
      `LogFile "${logFile}"`,
      '',
    ].join('\n'),
  )
  writeFileSync(logFile, '')
  const child: ChildProcess = spawn('tinyproxy', ['-d', '-c', conf], { stdio: 'ignore' })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  child.once('error', () => undefined)
  await waitForPort(port, 15_000)
  return {
    port,
    log: () => readFileSync(logFile, 'utf8'),
    stop: async () => {
      child.kill('SIGTERM')
      await exited
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** Listens on 127.0.0.1 (port 0); resolves with its base URL. */
export const listenLoopback = async (server: import('node:http').Server): Promise<string> => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const a = server.address()
  return `http://127.0.0.1:${typeof a === 'object' && a !== null ? a.port : 0}`
}

/** Closes a server and every connection it holds. */
export const closeServer = async (server: import('node:http').Server): Promise<void> => {
  server.closeAllConnections()
  await new Promise((r) => server.close(r))
}
