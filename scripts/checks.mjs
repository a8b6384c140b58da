// The checks npm test runs before the tests, two at a time (the machine has two cores, and each
// check is one process): the type check, Prettier, the layer rule and the docs rule. Each one's
// output is printed whole when it ends; the exit status is the first failure's.
import { spawn } from 'node:child_process'
import { createRequire } from 'node:module'

const req = createRequire(import.meta.url)
const CHECKS = [
  ['typecheck', [req.resolve('typescript/bin/tsc'), '-p', 'tsconfig.json', '--noEmit']],
  ['check-docs', ['scripts/check-docs.mjs']],
  ['check-layers', ['scripts/check-layers.mjs']],
  [
    'check-format',
    [req.resolve('prettier/bin/prettier.cjs'), '--check', 'src', 'test', 'scripts', 'bench', 'examples'],
  ],
]
const one = ([name, args]) =>
  new Promise((resolve) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.on('data', (c) => (out += c))
    child.stderr.on('data', (c) => (out += c))
    child.on('exit', (code) => {
      process.stdout.write(`> ${name}\n${out}${out.endsWith('\n') || out === '' ? '' : '\n'}`)
      resolve(code ?? 1)
    })
  })
let status = 0
const queue = [...CHECKS]
await Promise.all(
  [0, 1].map(async () => {
    for (let c = queue.shift(); c !== undefined; c = queue.shift()) {
      const code = await one(c)
      if (code !== 0 && status === 0) status = code
    }
  }),
)
process.exit(status)
