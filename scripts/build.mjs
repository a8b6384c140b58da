// Builds dist/esm (ES modules) and dist/cjs (CommonJS), both with type declarations; the command
// line's entry (package.json `bin`, its `#!/usr/bin/env node` kept by tsc) is made executable.
import { execFileSync } from 'node:child_process'
import { chmodSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc')
rmSync('dist', { recursive: true, force: true })
const run = (...args) =>
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json', ...args], { stdio: 'inherit' })
run('--outDir', 'dist/esm')
run('--outDir', 'dist/cjs', '--module', 'commonjs', '--moduleResolution', 'node10')
writeFileSync('dist/esm/package.json', JSON.stringify({ type: 'module' }) + '\n')
writeFileSync('dist/cjs/package.json', JSON.stringify({ type: 'commonjs' }) + '\n')
chmodSync('dist/esm/cli/main.js', 0o755)
