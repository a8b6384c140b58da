// Compiles the TypeScript the tests run (src, test, examples, bench) once, with esbuild (tsx's own
// compiler, installed with it), into a temporary copy of the repository, so that each test file's
// process runs plain JavaScript under `node --test` instead of loading tsx and compiling its
// imports again (about a second of CPU per process, and the suite starts over a hundred).
//
// The copy has the repository's layout, so that whatever a test finds relative to its own file
// (import.meta.url / import.meta.dirname: README.md, package.json, dist/, scripts/, src/index.ts)
// is where it expects: in the four compiled folders every x.ts has its x.js beside it (with a
// source map pointing at the original, so a failure's stack names test/…/x.test.ts and its line
// under --enable-source-maps) and a copy of x.ts itself (a test that starts a child with tsx on
// src/index.ts still finds it); every other entry of the repository is a symbolic link to the
// original (node_modules, dist, package.json, …).
//
// Usage (from the repository root): `node scripts/compile-tests.mjs [dir]` prints the copy's path;
// run-tests.mjs imports compileTests().
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { pathToFileURL } from 'node:url'

/** The folders whose .ts files are compiled; the rest of the repository is linked. */
export const COMPILED = ['src', 'test', 'examples', 'bench']
const SKIP = new Set(['.git', 'tmp', 'coverage', 'scratch'])

const loadEsbuild = async (root) => {
  const req = createRequire(join(root, 'package.json'))
  let path
  try {
    path = req.resolve('esbuild')
  } catch {
    // not hoisted: the one tsx depends on
    path = createRequire(req.resolve('tsx')).resolve('esbuild')
  }
  return import(pathToFileURL(path).href)
}

/**
 * tsx lets a test import a package's folder or extensionless file the way CommonJS does
 * (`fp-ts/function`: the folder's package.json `main`, lib/function.js); plain Node ESM does not.
 * Such a specifier (a package without an `exports` map, a subpath without an extension) becomes the
 * file tsx would load, as a subpath of the same package (`fp-ts/lib/function.js`), the module src
 * itself imports.
 */
const esmSpecifier = (root) => {
  const req = createRequire(join(root, 'package.json'))
  const cache = new Map()
  return (spec) => {
    if (spec.startsWith('.') || spec.startsWith('node:') || spec.startsWith('/') || spec.includes(':')) return spec
    const parts = spec.split('/')
    const name = spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]
    const sub = spec.slice(name.length + 1)
    if (sub === '' || /\.[cm]?js$|\.json$/.test(sub)) return spec
    if (!cache.has(spec)) {
      let out = spec
      try {
        const pkgJson = req.resolve(`${name}/package.json`)
        if (JSON.parse(readFileSync(pkgJson, 'utf8')).exports === undefined) {
          const file = req.resolve(spec)
          out = `${name}/${relative(dirname(pkgJson), file).split(sep).join('/')}`
        }
      } catch {
        // left as written: Node reports it as it would have
      }
      cache.set(spec, out)
    }
    return cache.get(spec)
  }
}

const walk = (dir) =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)],
  )

/**
 * Makes the compiled copy of `root` in `out` (a new temporary folder when not given) and returns
 * its path.
 */
export const compileTests = async (root = process.cwd(), out = undefined) => {
  root = resolve(root)
  const dir = out === undefined ? mkdtempSync(join(tmpdir(), 'httpipe-tests-')) : resolve(out)
  mkdirSync(dir, { recursive: true })
  for (const e of readdirSync(root, { withFileTypes: true })) {
    if (SKIP.has(e.name) || COMPILED.includes(e.name)) continue
    symlinkSync(join(root, e.name), join(dir, e.name))
  }
  const entryPoints = []
  for (const folder of COMPILED) {
    let files
    try {
      files = walk(join(root, folder))
    } catch {
      continue
    }
    for (const f of files) {
      const rel = f.slice(root.length + 1)
      mkdirSync(join(dir, rel, '..'), { recursive: true })
      copyFileSync(f, join(dir, rel))
      if (f.endsWith('.ts') && !f.endsWith('.d.ts')) entryPoints.push(f)
    }
  }
  const esbuild = await loadEsbuild(root)
  const { outputFiles } = await esbuild.build({
    write: false,
    entryPoints,
    outdir: dir,
    outbase: root,
    absWorkingDir: root,
    tsconfig: join(root, 'tsconfig.json'),
    bundle: false,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: 'linked',
    sourcesContent: false,
    logLevel: 'error',
  })
  const fix = esmSpecifier(root)
  const IMPORT = /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s*)"([^"]+)"/g
  for (const f of outputFiles) {
    mkdirSync(dirname(f.path), { recursive: true })
    if (f.path.endsWith('.js'))
      writeFileSync(
        f.path,
        f.text.replace(IMPORT, (m, pre, spec) => `${pre}"${fix(spec)}"`),
      )
    else writeFileSync(f.path, f.contents)
  }
  return dir
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(await compileTests(process.cwd(), process.argv[2]))
}

/** Removes a copy compileTests made. */
export const removeCompiled = (dir) => rmSync(dir, { recursive: true, force: true })
