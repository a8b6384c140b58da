/**
 * The API docs: scripts/check-docs.mjs passes on src/ and fails, naming the export and the
 * missing tag, on a tree without them; typedoc builds the docs with no warning, every
 * @category a section.
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

import { publicApi } from '../scripts/api-docs.mjs'

const ROOT = resolve(import.meta.dirname, '..')
const SCRIPT = join(ROOT, 'scripts', 'check-docs.mjs')

describe('check-docs', () => {
  // that every export of src/ passes is checked once, by `npm test` itself (scripts/checks.mjs); here, that the script fails
  test('a missing tag, a bad @since, a category outside the set and an undocumented re-export are each named, and the script fails', () => {
    const dir = mkdtempSync(join(tmpdir(), 'httpipe-docs-'))
    try {
      mkdirSync(join(dir, 'src', 'testing'), { recursive: true })
      writeFileSync(
        join(dir, 'src', 'a.ts'),
        [
          '/**\n * Fine.\n * @example\n * ok()\n * @category request\n * @since 0.1.0\n */\nexport const ok = () => 1',
          '/**\n * No category.\n * @example\n * noCategory()\n * @since 0.1.0\n */\nexport const noCategory = () => 1',
          '/**\n * Bad since.\n * @example\n * badSince()\n * @category request\n * @since soon\n */\nexport const badSince = () => 1',
          '/**\n * Odd category.\n * @example\n * oddCategory()\n * @category model\n * @since 0.1.0\n */\nexport const oddCategory = () => 1',
          'export type Bare = number',
        ].join('\n'),
      )
      writeFileSync(
        join(dir, 'src', 'index.ts'),
        "export { ok, noCategory, badSince, oddCategory } from './a.js'\nexport type { Bare } from './a.js'\n",
      )
      writeFileSync(join(dir, 'src', 'testing', 'index.ts'), 'export {}\n')
      const r = spawnSync(process.execPath, [SCRIPT, dir], { encoding: 'utf8' })
      assert.equal(r.status, 1)
      assert.match(r.stderr, /src\/a\.ts:\d+ noCategory \(httpipe\): no @category/)
      assert.match(r.stderr, /src\/a\.ts:\d+ badSince \(httpipe\): @since "soon" is not a version/)
      for (const tag of ['example', 'category', 'since'])
        assert.match(r.stderr, new RegExp(`Bare \\(httpipe\\): no @${tag}`))
      assert.doesNotMatch(r.stderr, / ok \(httpipe\)/)
      assert.match(
        r.stderr,
        /src\/a\.ts:\d+ oddCategory \(httpipe\): @category "model" is not one of request, headers, bodies, auth, settings, running, responses, errors, transports/,
      )
      assert.match(r.stderr, /check-docs: 6 problem\(s\) in the docs of 5 exports/)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

test('typedoc builds the API docs without a warning, one section per @category', () => {
  mkdirSync(join(ROOT, 'tmp'), { recursive: true })
  const out = mkdtempSync(join(ROOT, 'tmp', 'api-docs-'))
  try {
    const typedoc = join(createRequire(import.meta.url).resolve('typedoc/package.json'), '..', 'bin', 'typedoc')
    const r = spawnSync(process.execPath, [typedoc, '--out', out, '--logLevel', 'Warn', '--skipErrorChecking'], {
      encoding: 'utf8',
      cwd: ROOT,
    })
    assert.equal(r.status, 0, r.stdout + r.stderr)
    assert.equal(r.stdout.trim(), '', 'no warning')
    const page = readFileSync(join(out, 'modules', 'httpipe.html'), 'utf8')
    const categories = new Set(
      publicApi(ROOT)
        .filter((x) => x.module === 'httpipe')
        .map((x) => x.tags.find((t) => t.name === 'category')?.text.trim()),
    )
    for (const c of categories) assert.match(page, new RegExp(`<h2[^>]*>${c}<`), `section ${c}`)
  } finally {
    rmSync(out, { recursive: true, force: true })
  }
})
