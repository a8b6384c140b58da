/**
 * The published types compile where users compile them: the README's quick start, against the
 * packed package (`npm pack`, unpacked into a fresh folder's node_modules, its dependencies and
 * `@types/node` linked from this repository: no registry), with TypeScript 5 (the repository's
 * own), 6 and 7 (devDependencies `typescript-6` and `typescript-7`; 7 is a native binary, in a
 * platform package npm installs as an optional dependency), each under `strict` with
 * `module: NodeNext` (the ES module quick start and the CommonJS one, which gets the `require`
 * condition's types) and with `moduleResolution: bundler`. The library check is on
 * (`skipLibCheck: false`), so every .d.ts the package ships is checked, and `lib` is ES2022
 * without the DOM, as a Node user's: the globals come from `@types/node`. A last case takes
 * the defaults of `tsc --init` of TypeScript 7 (`types: []`, the DOM library). The library
 * check is what costs (about 9 s of CPU a compile on TypeScript 5 and 6, 1.5 s on 7), so the
 * file runs early (scripts/run-tests.mjs, LONGEST), two compiles at a time.
 */
import { before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

import { useTempDir } from './support/fixtures.js'
import { installPacked, ROOT } from './support/pack.js'

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
const block = (file: string): string => {
  const code = [...readme.matchAll(/```(?:js|ts)\n([\s\S]*?)```/g)]
    .map((m) => m[1] ?? '')
    .find((c) => c.startsWith(`// ${file}\n`))
  assert.ok(code !== undefined, `the README has a block starting // ${file}`)
  return code
}
/** The CommonJS quick start as TypeScript writes CommonJS: `import x = require()`, `import { a } from`. */
const asCts = (code: string): string =>
  code
    .replace(/^const \{ ([^}]+) \} = require\(('[^']+')\)$/gm, 'import { $1 } from $2')
    .replace(/^const (\w+) = require\(('[^']+')\)$/gm, 'import $1 = require($2)')

const local = createRequire(join(ROOT, 'package.json'))
/** A compiler package's folder (TypeScript 7 exports its package.json, not its bin). */
const packageDir = (name: string): string => dirname(local.resolve(`${name}/package.json`))
const COMPILERS = [
  { version: 5, dir: packageDir('typescript') },
  { version: 6, dir: packageDir('typescript-6') },
  { version: 7, dir: packageDir('typescript-7') },
].map((c) => ({ ...c, tsc: join(c.dir, 'bin', 'tsc') }))

const NODE_USER = {
  strict: true,
  skipLibCheck: false,
  noEmit: true,
  target: 'ES2022',
  lib: ['ES2022'],
  types: ['node'],
}
const CASES = [
  {
    name: 'NodeNext',
    options: { ...NODE_USER, module: 'NodeNext', moduleResolution: 'NodeNext' },
    files: ['quickstart.ts', 'quickstart.cts'],
  },
  {
    name: 'bundler',
    options: { ...NODE_USER, module: 'ESNext', moduleResolution: 'bundler' },
    files: ['quickstart.ts'],
  },
] as const
// `tsc --init` of TypeScript 7, less what is about emitting (jsx, declaration, source maps)
const INIT = {
  module: 'nodenext',
  target: 'esnext',
  types: [],
  noUncheckedIndexedAccess: true,
  exactOptionalPropertyTypes: true,
  strict: true,
  verbatimModuleSyntax: true,
  isolatedModules: true,
  noUncheckedSideEffectImports: true,
  moduleDetection: 'force',
  skipLibCheck: false,
  noEmit: true,
}

const tmp = useTempDir('types')
before(async () => {
  await tmp.ready
  installPacked(tmp.path, ['fp-ts', 'io-ts', '@types/node'])
  writeFileSync(tmp.file('package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }))
  writeFileSync(tmp.file('quickstart.ts'), block('quickstart.mjs'))
  writeFileSync(tmp.file('quickstart.cts'), asCts(block('quickstart.cjs')))
})

const compile = (tsc: string, project: string): Promise<{ code: number | null; out: string }> =>
  new Promise((resolve, reject) => {
    let out = ''
    const child = spawn(process.execPath, [tsc, '-p', project], { cwd: tmp.path })
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d))
    child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d))
    child.on('error', reject)
    child.on('exit', (code) => resolve({ code, out }))
  })

describe('the packed types compile', { timeout: 600_000, concurrency: 2 }, () => {
  for (const { version, tsc } of COMPILERS) {
    for (const c of CASES)
      test(`TypeScript ${version}, strict ${c.name}: the quick start (${c.files.join(', ')})`, async () => {
        const project = tmp.file(`tsconfig.${version}.${c.name}.json`)
        writeFileSync(project, JSON.stringify({ compilerOptions: c.options, files: c.files }))
        const { code, out } = await compile(tsc, project)
        assert.equal(out, '')
        assert.equal(code, 0)
      })
    if (version === 7)
      test(`TypeScript ${version}, the defaults of tsc --init: the quick start`, async () => {
        const project = tmp.file(`tsconfig.${version}.init.json`)
        writeFileSync(project, JSON.stringify({ compilerOptions: INIT, files: ['quickstart.ts'] }))
        const { code, out } = await compile(tsc, project)
        assert.equal(out, '')
        assert.equal(code, 0)
      })
  }

  test('the compilers are the versions named', () => {
    const versions = COMPILERS.map(
      ({ dir }) =>
        (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version.split('.')[0],
    )
    assert.deepEqual(versions, ['5', '6', '7'])
  })

  test('a type error in the quick start is reported (the check can fail)', async () => {
    writeFileSync(tmp.file('broken.ts'), `import * as H from 'httpipe'\nconst n: number = H.newRequest()\n`)
    const project = tmp.file('tsconfig.broken.json')
    writeFileSync(project, JSON.stringify({ compilerOptions: CASES[0].options, files: ['broken.ts'] }))
    const { code, out } = await compile(COMPILERS[2]?.tsc ?? '', project)
    assert.notEqual(code, 0)
    assert.match(out, /broken\.ts.*TS2322/)
  })
})
