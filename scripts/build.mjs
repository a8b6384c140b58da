// Builds dist/esm (ES modules) and dist/cjs (CommonJS), both with type declarations; the command
// line's entry (package.json `bin`, its `#!/usr/bin/env node` kept by tsc) is made executable.
// The two compilations run side by side (each is one process on one core), and emit only
// (`--noCheck`: the output is the same; the type check of src and test is `npm run typecheck`,
// which npm test runs right after the build, so checking here too would do it three times).
import { spawn } from 'node:child_process'
import { chmodSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc')
rmSync('dist', { recursive: true, force: true })
const run = (...args) =>
  new Promise((resolve, reject) =>
    spawn(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--noCheck', ...args], { stdio: 'inherit' }).on(
      'exit',
      (code) => (code === 0 ? resolve() : reject(new Error(`tsc ${args.join(' ')} exited with ${code}`))),
    ),
  )
try {
  await Promise.all([
    run('--outDir', 'dist/esm'),
    run('--outDir', 'dist/cjs', '--module', 'commonjs', '--moduleResolution', 'node10'),
  ])
} catch (e) {
  console.error(String(e))
  process.exit(1)
}
writeFileSync('dist/esm/package.json', JSON.stringify({ type: 'module' }) + '\n')
writeFileSync('dist/cjs/package.json', JSON.stringify({ type: 'commonjs' }) + '\n')
chmodSync('dist/esm/cli/main.js', 0o755)
