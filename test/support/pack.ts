/**
 * The package as npm would publish it (not a test file): its file list from
 * `npm pack --dry-run --json`, and an install of the packed tarball into a fresh folder, its
 * dependencies linked from this repository's node_modules (no registry involved).
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync, readFileSync, symlinkSync } from 'node:fs'
import { join, resolve } from 'node:path'

export const ROOT = resolve(import.meta.dirname, '..', '..')

export interface PackEntry {
  readonly path: string
  readonly size: number
}

const npm = (args: ReadonlyArray<string>): string =>
  execFileSync('npm', [...args, '--ignore-scripts', '--json'], { cwd: ROOT, encoding: 'utf8' })

/** The files `npm pack` would put in the tarball. */
export const packFiles = (): ReadonlyArray<PackEntry> =>
  (JSON.parse(npm(['pack', '--dry-run'])) as ReadonlyArray<{ files: ReadonlyArray<PackEntry> }>)[0]?.files ?? []

/**
 * Packs the package into `dir` and unpacks it as `dir/node_modules/httpipe`, with the
 * package's dependencies and `extra` (e.g. fp-ts, io-ts for the app) linked beside it.
 */
export const installPacked = (dir: string, extra: ReadonlyArray<string> = []): void => {
  const [packed] = JSON.parse(npm(['pack', '--pack-destination', dir])) as ReadonlyArray<{ filename: string }>
  if (packed === undefined) throw new Error('npm pack wrote nothing')
  const target = join(dir, 'node_modules', 'httpipe')
  mkdirSync(target, { recursive: true })
  execFileSync('tar', ['-xzf', join(dir, packed.filename), '-C', target, '--strip-components=1'])
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }
  for (const dep of new Set([...Object.keys(pkg.dependencies), ...extra])) {
    const link = join(dir, 'node_modules', dep)
    mkdirSync(join(link, '..'), { recursive: true })
    symlinkSync(join(ROOT, 'node_modules', dep), link, 'dir')
  }
}
