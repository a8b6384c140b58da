// Builds the package: the code once, as CommonJS in dist/cjs, and dist/esm as ES module wrappers
// of it (Node's "ES module wrapper" for dual packages), with type declarations for both.
//
// - One copy of the code: an ES module import of httpipe and a require of it load the same
//   modules (one `defaultTransport`, one set of caches in a process that does both), the package
//   ships the code once (it was most of the tarball twice over), and an import loads CommonJS
//   files, which Node loads at about half the cost of the same files as ES modules (no module
//   lexer pass over every CommonJS dependency, no module graph to link).
// - dist/cjs: each file of src transpiled on its own (`isolatedModules` holds, so this is what
//   tsc emits), without comments (the TSDoc is in the .d.ts) and without source maps (the
//   output is tsc's readable JavaScript, line for line close to the source; `import.meta.url`
//   becomes the file's URL). Only what an entry
//   point reaches is kept (`index`, `testing/index`, `cli/main`, following static and dynamic
//   imports), with a declaration emit of the program (`noCheck`: the type check is
//   `npm run typecheck`, which npm test runs right after the build).
// - dist/esm: `index.js`, `testing/index.js` and `cli/main.js` (the `bin`, `#!/usr/bin/env node`)
//   require their CommonJS module (through createRequire) and export each of its names; their .d.ts re-export its types.
//   The names are read from the built module itself, so the wrapper cannot miss one.
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, relative, resolve } from 'node:path'

const require = createRequire(import.meta.url)
const ts = require('typescript')
const ROOT = resolve(import.meta.dirname, '..')
const SRC = join(ROOT, 'src')
const DIST = join(ROOT, 'dist')
const CJS = join(DIST, 'cjs')
const ESM = join(DIST, 'esm')
const ENTRIES = ['index', 'testing/index', 'cli/main']

const fail = (message) => {
  console.error(message)
  process.exit(1)
}
const host = ts.createCompilerHost({})

const config = ts.getParsedCommandLineOfConfigFile(
  join(ROOT, 'tsconfig.build.json'),
  {},
  {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => fail(ts.formatDiagnostics([d], host)),
  },
)
if (config.errors.length > 0) fail(ts.formatDiagnostics(config.errors, host))
const sources = config.fileNames.filter((f) => !f.endsWith('.d.ts'))

rmSync(DIST, { recursive: true, force: true })

/** Writes `text` at `file`, making its folder. */
const write = (file, text) => {
  mkdirSync(dirname(file), { recursive: true })
  writeFileSync(file, text)
}

// dist/cjs: the code
const { moduleResolution: _, ...options } = config.options
const compilerOptions = {
  ...options,
  module: ts.ModuleKind.CommonJS,
  removeComments: true,
  sourceMap: false,
  inlineSources: false,
  declaration: false,
}
for (const file of sources) {
  const out = ts.transpileModule(readFileSync(file, 'utf8'), {
    compilerOptions,
    fileName: file,
    reportDiagnostics: true,
  })
  if (out.diagnostics.length > 0) fail(ts.formatDiagnostics(out.diagnostics, host))
  // CommonJS has no import.meta: its url is the file's (as bundlers do), anything else fails the build
  const text = out.outputText.replaceAll('import.meta.url', "require('node:url').pathToFileURL(__filename).href")
  if (/\bimport\.meta\b/.test(text)) fail(`build: ${relative(ROOT, file)} uses import.meta beyond import.meta.url`)
  write(join(CJS, relative(SRC, file)).replace(/\.ts$/, '.js'), text)
}
const REQUIRE = /\brequire\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g
const reached = new Set()
const visit = (file) => {
  if (reached.has(file)) return
  if (!existsSync(file)) fail(`build: ${relative(ROOT, file)} is required but was not emitted`)
  reached.add(file)
  for (const m of readFileSync(file, 'utf8').matchAll(REQUIRE)) visit(resolve(dirname(file), m[1] ?? ''))
}
for (const e of ENTRIES) visit(join(CJS, `${e}.js`))
for (const name of readdirSync(CJS, { recursive: true })) {
  const file = join(CJS, name)
  if (file.endsWith('.js') && !reached.has(file)) rmSync(file)
}
write(join(CJS, 'package.json'), JSON.stringify({ type: 'commonjs' }) + '\n')

// dist/cjs: the declarations
const program = ts.createProgram(sources, {
  ...config.options,
  outDir: CJS,
  declaration: true,
  emitDeclarationOnly: true,
  sourceMap: false,
  declarationMap: false,
  noCheck: true,
})
const emitted = program.emit()
if (emitted.emitSkipped || emitted.diagnostics.length > 0) fail(ts.formatDiagnostics(emitted.diagnostics, host))
// the package ships the declarations the exports' types reach; the others (internal modules,
// the command line) stay in dist for the repository's own benches, left out by an .npmignore
const TYPE_IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g
const typed = new Set()
const visitTypes = (file) => {
  if (typed.has(file)) return
  if (!existsSync(file)) fail(`build: ${relative(ROOT, file)} is referred to but was not emitted`)
  typed.add(file)
  for (const m of readFileSync(file, 'utf8').matchAll(TYPE_IMPORT))
    visitTypes(resolve(dirname(file), (m[1] ?? '').replace(/\.js$/, '.d.ts')))
}
for (const e of ['index', 'testing/index']) visitTypes(join(CJS, `${e}.d.ts`))
const unshipped = readdirSync(CJS, { recursive: true })
  .filter((name) => name.endsWith('.d.ts') && !typed.has(join(CJS, name)))
  .map((name) => `/${name.split('\\').join('/')}`)
  .sort()
write(join(CJS, '.npmignore'), unshipped.join('\n') + '\n')

// dist/esm: the wrappers
const wrapper = (entry) => {
  const names = Object.keys(require(join(CJS, `${entry}.js`)))
  const up = '../'.repeat(entry.split('/').length)
  const from = `${up}cjs/${entry}.js`
  // a name that is a reserved word (`delete`) is exported under an alias
  const local = (n) => (/^[A-Za-z_$][\w$]*$/.test(n) && !isReserved(n) ? n : `$${n.replace(/\W/g, '_')}`)
  // the CommonJS module required, not imported: an import of CommonJS makes Node read it with its
  // module lexer first (about 20 ms of CPU for httpipe's), a require is what the import does after
  const lines = [`import { createRequire } from 'node:module'`, `const m = createRequire(import.meta.url)('${from}')`]
  for (const n of names) lines.push(`const ${local(n)} = m[${JSON.stringify(n)}]`)
  if (names.length > 0)
    lines.push(`export { ${names.map((n) => (local(n) === n ? n : `${local(n)} as ${n}`)).join(', ')} }`)
  write(join(ESM, `${entry}.js`), lines.join('\n') + '\n')
  write(join(ESM, `${entry}.d.ts`), `export * from '${from}'\n`)
}
const isReserved = (n) => {
  try {
    new Function(`const ${n} = 0`)
    return false
  } catch {
    return true
  }
}
wrapper('index')
wrapper('testing/index')
write(join(ESM, 'cli', 'main.js'), `#!/usr/bin/env node\nimport '../../cjs/cli/main.js'\n`)
write(join(ESM, 'package.json'), JSON.stringify({ type: 'module' }) + '\n')
chmodSync(join(ESM, 'cli', 'main.js'), 0o755)

// dist/browser: the `browser` export condition, one ES module bundle (see scripts/build-browser.mjs)
const { buildBrowser } = await import('./build-browser.mjs')
await buildBrowser().catch((e) => fail(e.message))
