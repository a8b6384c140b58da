/**
 * Headless Chromium for the browser tests: Debian's `/usr/bin/chromium` (scripts/install-peers.sh
 * installs it), started on one URL with a fresh profile and nothing that reaches the network by
 * itself, and stopped by its process group (the browser and the helpers it started).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** Where Debian puts Chromium (HTTPIPE_CHROMIUM names another). */
export const CHROMIUM = process.env['HTTPIPE_CHROMIUM'] ?? '/usr/bin/chromium'

/** Why the browser tests cannot run here, or null when they can. */
export const chromiumMissing = (): string | null =>
  existsSync(CHROMIUM)
    ? null
    : `${CHROMIUM} is not installed (Debian's chromium package; scripts/install-peers.sh installs it as npm test's pretest)`

export interface Browser {
  /** what Chromium printed (for a failure's message) */
  readonly output: () => string
  /** stops the browser and its helpers, removes the profile */
  readonly stop: () => Promise<void>
}

/** Opens `url` in headless Chromium. */
export const openInChromium = async (url: string): Promise<Browser> => {
  const profile = await mkdtemp(join(tmpdir(), 'httpipe-chromium-'))
  const child: ChildProcess = spawn(
    CHROMIUM,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-proxy-server',
      '--disable-dev-shm-usage',
      `--user-data-dir=${profile}`,
      url,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  )
  let output = ''
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()))
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()))
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve()
    else child.once('exit', () => resolve())
  })
  child.once('error', (e) => (output += `\nspawn failed: ${e.message}`))
  return {
    output: () => output,
    stop: async () => {
      if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
        try {
          // the group: the browser and the zygote, renderer and utility processes it started
          process.kill(-child.pid, 'SIGKILL')
        } catch {
          child.kill('SIGKILL')
        }
        await exited
      }
      await rm(profile, { recursive: true, force: true })
    },
  }
}
