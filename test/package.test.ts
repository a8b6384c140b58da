/**
 * The built package: both module formats load through the `exports` map (run after
 * `npm run build`, which `npm test` does first), the version matches package.json, `delete`
 * is exported under its name, and what `npm pack` ships: no test file, LICENSE (the CHANGELOG
 * stays in the repository: the tarball's weight),
 * no source maps, at most 250 kB packed for Node.js (the browser bundle, a second copy of the
 * code for bundlers, at most 80 kB gzipped on top), the code once (dist/esm wraps dist/cjs), every file a
 * shipped file imports shipped too, a README that names no file the package lacks.
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { VERSION } from '../src/index.js'
import { packFiles, ROOT } from './support/pack.js'

const node = (code: string, type: 'module' | 'commonjs'): string =>
  execFileSync(process.execPath, [type === 'module' ? '--input-type=module' : '--input-type=commonjs', '-e', code], {
    encoding: 'utf8',
  }).trim()

test('ESM: import httpipe and httpipe/testing from dist', () => {
  const out = node(
    "const H = await import('httpipe'); const T = await import('httpipe/testing'); console.log(typeof H.processRequest, typeof H.newRequest, typeof T.startEchoServer)",
    'module',
  )
  assert.equal(out, 'function function function')
})

test('CommonJS: require httpipe and httpipe/testing from dist', () => {
  const out = node(
    "const H = require('httpipe'); const T = require('httpipe/testing'); console.log(typeof H.processRequest, typeof H.asJson, typeof T.startEchoServer)",
    'commonjs',
  )
  assert.equal(out, 'function function function')
})

test('CommonJS build runs a request end to end', () => {
  const out = node(
    `const H = require('httpipe'); const { startEchoServer } = require('httpipe/testing'); const { pipe } = require('fp-ts/function');
     (async () => { const s = await startEchoServer(); const r = await pipe(H.newRequest(), H.initialize(s.url + '/get?x=1'), H.processRequest('GET'))(); await s.close();
       console.log(r._tag, r.right.status, JSON.parse(Buffer.from(r.right.body).toString()).args.x) })()`,
    'commonjs',
  )
  assert.equal(out, 'Right 200 1')
})

test('VERSION and the User-Agent follow package.json', () => {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }
  assert.equal(VERSION, pkg.version)
})

test('a missing export is an error, not undefined behaviour', () => {
  assert.throws(() => node("require('httpipe/nope')", 'commonjs'), /ERR_PACKAGE_PATH_NOT_EXPORTED|not exported/)
})

test('delete is exported under its own name to ESM and CommonJS', () => {
  assert.equal(
    node(
      "import { delete as del } from 'httpipe'; import * as H from 'httpipe'; console.log(typeof del, del === H.delete, typeof H.deleteWithBody)",
      'module',
    ),
    'function true function',
  )
  assert.equal(
    node("const { delete: del, get } = require('httpipe'); console.log(typeof del, typeof get)", 'commonjs'),
    'function function',
  )
})

describe('npm pack', () => {
  const files = packFiles().map((f) => f.path)
  const shipped = new Set(files)

  test('ships the builds, README and LICENSE, and nothing of the repository besides (not the CHANGELOG)', () => {
    for (const f of [
      'package.json',
      'README.md',
      'LICENSE',
      'dist/esm/index.js',
      'dist/esm/index.d.ts',
      'dist/cjs/index.js',
      'dist/cjs/index.d.ts',
      'dist/esm/testing/index.js',
      'dist/cjs/testing/index.js',
    ])
      assert.ok(shipped.has(f), `${f} is shipped`)
    const unwanted = files.filter((f) =>
      /(^|\/)(test|tests|__tests__)\/|\.test\.|\.spec\.|^(src|scripts|bench|examples|tmp|docs)\/|tsbuildinfo$|^\.|(^|\/)node_modules\//.test(
        f,
      ),
    )
    assert.deepStrictEqual(unwanted, [])
    assert.ok(!shipped.has('CHANGELOG.md'), 'the CHANGELOG is read in the repository')
  })

  test("ships no source maps and no sources: the JavaScript is the compiler's, the TSDoc is in the .d.ts", () => {
    assert.deepEqual(
      files.filter((f) => /\.map$|\.ts$/.test(f) && !f.endsWith('.d.ts')),
      [],
    )
  })

  // the cap was 250 kB for the whole tarball; the browser build (one minified bundle,
  // a second copy of the code that Node.js never loads) came after it and adds ~70 kB: the cap
  // holds for what Node.js installs and loads, and the bundle has a cap of its own
  test('at most 250 kB packed without the browser bundle, which is at most 80 kB gzipped', () => {
    const [packed] = JSON.parse(
      execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8' }),
    ) as ReadonlyArray<{ size: number; unpackedSize: number }>
    assert.ok(packed !== undefined && packed.size > 50_000, 'npm pack reports the size')
    const bundle = gzipSync(readFileSync(join(ROOT, 'dist/browser/index.js')), { level: 9 }).byteLength
    assert.ok(bundle > 10_000 && bundle <= 80_000, `${bundle} bytes gzipped (browser bundle)`)
    assert.ok(packed.size - bundle <= 250_000, `${packed.size - bundle} bytes packed without the browser bundle`)
  })

  test('the code is shipped once: dist/esm holds the ES module entry points, wrappers of dist/cjs', () => {
    assert.deepEqual(files.filter((f) => f.startsWith('dist/esm/')).sort(), [
      'dist/esm/cli/main.js',
      'dist/esm/index.d.ts',
      'dist/esm/index.js',
      'dist/esm/package.json',
      'dist/esm/testing/index.d.ts',
      'dist/esm/testing/index.js',
    ])
  })

  test('every relative require and type import of a shipped file names a shipped file', () => {
    const missing: string[] = []
    for (const f of files.filter((f) => /\.(js|d\.ts)$/.test(f))) {
      const text = readFileSync(join(ROOT, f), 'utf8')
      const specs = [...text.matchAll(/(?:\brequire\(|\bfrom\s*|\bimport\s*\(?\s*)['"](\.{1,2}\/[^'"]+)['"]/g)]
      for (const m of specs) {
        const target = join(f, '..', (m[1] ?? '').replace(/\.js$/, f.endsWith('.d.ts') ? '.d.ts' : '.js'))
        if (!shipped.has(target)) missing.push(`${f} -> ${target}`)
      }
    }
    assert.deepEqual(missing, [])
  })

  test('LICENSE is MIT by the httpipe contributors; package.json says where the code lives', () => {
    const license = readFileSync(join(ROOT, 'LICENSE'), 'utf8')
    assert.match(license, /^MIT License\n\nCopyright \(c\) 2026 httpipe contributors\n/)
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      license: string
      repository: { url: string }
      keywords: string[]
    }
    assert.equal(pkg.license, 'MIT')
    assert.match(pkg.repository.url, /^git\+https:\/\/.+\.git$/)
    assert.ok(pkg.keywords.includes('fp-ts') && pkg.keywords.includes('http-client'))
  })

  test('the CHANGELOG has the version in package.json as its latest release, and an unreleased next one', () => {
    const changelog = readFileSync(join(ROOT, 'CHANGELOG.md'), 'utf8')
    const versions = [...changelog.matchAll(/^## (\d+\.\d+\.\d+) \(([^)]+)\)$/gm)].map((m) => [m[1], m[2]])
    assert.deepStrictEqual(
      versions.map(([v]) => v),
      ['0.3.0', '0.2.0', '0.1.0'],
    )
    assert.equal(versions[0]?.[1], 'unreleased')
    assert.equal(versions[1]?.[0], VERSION)
    assert.match(versions[1]?.[1] ?? '', /^\d{4}-\d{2}-\d{2}$/)
  })

  test('the README links and names no file the package does not ship', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
    const links = [...readme.matchAll(/\]\(([^)\s]+)\)/g)]
      .map((m) => m[1] ?? '')
      .filter((l) => !/^(https?:|mailto:|#)/.test(l))
    const named = [...readme.matchAll(/`([^`\s]+)`/g)]
      .map((m) => m[1] ?? '')
      .filter((p) => /^(src|test|scripts|bench|examples|docs)\/|^[\w-]+\.md$/.test(p))
    const missing = [...links, ...named]
      .map((l) => l.replace(/#.*$/, '').replace(/^\.\//, ''))
      .filter((l) => !shipped.has(l) && !files.some((f) => f.startsWith(`${l.replace(/\/$/, '')}/`)))
    assert.deepStrictEqual(missing, [])
  })
})
