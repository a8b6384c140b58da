/**
 * The README's quick start runs as written, with plain `node` (no tsx), as an ES module and
 * as CommonJS, in a fresh folder where `httpipe` is the packed package (`npm pack`, unpacked
 * into node_modules, its dependencies linked): what it prints is what the README says.
 */
import { before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'

import { useTempDir } from './support/fixtures.js'
import { installPacked, ROOT } from './support/pack.js'

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
const section = (title: string): string => {
  const start = readme.indexOf(`\n## ${title}\n`)
  assert.ok(start >= 0, `README has a section ${title}`)
  const end = readme.indexOf('\n## ', start + 1)
  return readme.slice(start, end < 0 ? undefined : end)
}
const snippet = (file: string, title = 'Quick start'): string => {
  const block = [...section(title).matchAll(/```(?:js|ts)\n([\s\S]*?)```/g)]
    .map((m) => m[1] ?? '')
    .find((code) => code.startsWith(`// ${file}\n`))
  assert.ok(block !== undefined, `the section ${title} has a block starting // ${file}`)
  return block
}
/** The lines the snippet says it prints: `// prints: x` or `// prints:` and `// x` lines after it. */
const printed = (code: string): string => {
  const lines = code.trimEnd().split('\n')
  const at = lines.findIndex((l) => l.startsWith('// prints:'))
  assert.ok(at >= 0, 'the snippet says what it prints')
  const first = (lines[at] ?? '').slice('// prints:'.length).trim()
  return [...(first === '' ? [] : [first]), ...lines.slice(at + 1).map((l) => l.replace(/^\/\/ ?/, ''))].join('\n')
}

const tmp = useTempDir('readme')
before(async () => {
  await tmp.ready
  installPacked(tmp.path)
})

const run = (file: string, code: string, nodeArgs: ReadonlyArray<string> = []) => {
  writeFileSync(tmp.file(file), code)
  const env = { ...process.env }
  delete env['NODE_OPTIONS']
  return spawnSync(process.execPath, [...nodeArgs, file], { cwd: tmp.path, encoding: 'utf8', env, timeout: 30_000 })
}

/** TypeScript as a user of the package runs it: tsx's loader (this repository's, by path). */
const TSX = [`--import=${pathToFileURL(join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href}`]

describe('README', () => {
  test('has the install line', () => {
    assert.match(section('Install'), /^npm install httpipe fp-ts io-ts$/m)
  })

  for (const file of ['quickstart.mjs', 'quickstart.cjs'])
    test(`the quick start ${file} runs with plain node against the packed package and prints what the README says`, () => {
      const code = snippet(file)
      const r = run(file, code)
      assert.equal(r.status, 0, r.stderr)
      assert.equal(r.stdout.trim(), printed(code))
      assert.equal(r.stderr, '')
    })

  test('the typed endpoints example runs with tsx against the packed package and prints what the README says (test/doc-examples.test.ts type-checks it)', () => {
    const file = 'typed-endpoints.mts'
    const code = snippet(file, 'Typed endpoints')
    const r = run(file, code, TSX)
    assert.equal(r.status, 0, r.stderr)
    assert.equal(r.stdout.trim(), printed(code))
  })

  test('the Streams example runs with tsx against the packed package and prints what it says', () => {
    const file = 'streams.mts'
    const code = snippet(file, 'Streams')
    const r = run(file, code, TSX)
    assert.equal(r.status, 0, r.stderr)
    assert.equal(r.stdout.trim(), printed(code))
  })

  test('what the README says of fp-ts/function holds: plain Node ESM refuses it, CommonJS takes it', () => {
    const esm = run('dir-import.mjs', "import { pipe } from 'fp-ts/function'\nconsole.log(typeof pipe)\n")
    assert.notEqual(esm.status, 0)
    assert.match(esm.stderr, /ERR_UNSUPPORTED_DIR_IMPORT/)
    assert.match(section('Quick start'), /ERR_UNSUPPORTED_DIR_IMPORT/)
    const cjs = run('dir-import.cjs', "const { pipe } = require('fp-ts/function')\nconsole.log(typeof pipe)\n")
    assert.equal(cjs.stdout.trim(), 'function')
  })
})
