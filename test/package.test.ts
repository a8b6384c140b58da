/**
 * The built package: both module formats load through the `exports` map (run after
 * `npm run build`, which `npm test` does first), the version matches package.json, `delete`
 * is exported under its name, and what `npm pack` ships: no test file, LICENSE and CHANGELOG,
 * source maps whose sources resolve, a README that names no file the package lacks.
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
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

  test('ships the builds, README, LICENSE and CHANGELOG, and nothing of the repository besides', () => {
    for (const f of [
      'package.json',
      'README.md',
      'LICENSE',
      'CHANGELOG.md',
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
  })

  test('every source map shipped carries its sources, or they are shipped too', () => {
    const maps = files.filter((f) => f.endsWith('.map'))
    assert.ok(maps.length > 0)
    for (const m of maps) {
      const map = JSON.parse(readFileSync(join(ROOT, m), 'utf8')) as {
        sources: string[]
        sourcesContent?: (string | null)[]
      }
      map.sources.forEach((s, i) => {
        const inline = typeof map.sourcesContent?.[i] === 'string'
        const beside = shipped.has(join(m, '..', s))
        assert.ok(inline || beside, `${m}: source ${s} is neither inlined nor shipped`)
      })
    }
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
