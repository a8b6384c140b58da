/**
 * scripts/check-layers.mjs: it passes on src/ and fails, naming the offence, on a tree with a
 * cycle or an import against the layer order.
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const SCRIPT = new URL('../scripts/check-layers.mjs', import.meta.url).pathname
const check = (...args: string[]) => spawnSync(process.execPath, [SCRIPT, ...args], { encoding: 'utf8' })

describe('check-layers', () => {
  test('src/ keeps the layers and has no cycle', () => {
    const r = check()
    assert.equal(r.status, 0, r.stderr)
    assert.match(r.stdout, /no cycle/)
  })

  test('a cycle and a backwards import are each named, and the script fails', () => {
    const dir = mkdtempSync(join(tmpdir(), 'httpipe-layers-'))
    try {
      mkdirSync(join(dir, 'model'))
      mkdirSync(join(dir, 'steps'))
      writeFileSync(join(dir, 'model', 'a.ts'), "import { b } from '../steps/b.js'\nexport const a = 1\n")
      writeFileSync(join(dir, 'steps', 'b.ts'), "import { c } from './c.js'\nexport const b = 1\n")
      writeFileSync(
        join(dir, 'steps', 'c.ts'),
        "import { b } from './b.js'\nimport type { T } from './d.js'\nexport const c = 1\n",
      )
      writeFileSync(join(dir, 'steps', 'd.ts'), "import type { c } from './c.js'\nexport type T = 1\n")
      const layers = join(dir, 'layers.json')
      writeFileSync(layers, JSON.stringify({ order: ['model', 'steps'] }))
      const r = check(dir, layers)
      assert.equal(r.status, 1)
      assert.match(r.stderr, /cycle: steps\/b\.ts → steps\/c\.ts → steps\/b\.ts/)
      assert.match(r.stderr, /layer: model\/a\.ts imports steps\/b\.ts \(steps\), a later layer than model/)
      assert.ok(!/steps\/d\.ts → steps\/c\.ts/.test(r.stderr), 'a type-only cycle is no cycle at run time')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  test('a file at the root other than index.ts, a type-only import across one rank, a folder with no layer and the apart folder are each named', () => {
    const dir = mkdtempSync(join(tmpdir(), 'httpipe-layers-'))
    try {
      for (const d of ['model', 'steps', 'read', 'extra', 'testing']) mkdirSync(join(dir, d))
      writeFileSync(join(dir, 'index.ts'), "export { a } from './model/a.js'\n")
      writeFileSync(join(dir, 'loose.ts'), 'export const loose = 1\n')
      writeFileSync(join(dir, 'model', 'a.ts'), 'export const a = 1\n')
      writeFileSync(join(dir, 'steps', 's.ts'), "import type { R } from '../read/r.js'\nexport const s = 1\n")
      writeFileSync(
        join(dir, 'read', 'r.ts'),
        "import { a } from '../model/a.js'\nimport type { s } from '../steps/s.js'\nexport type R = 1\n",
      )
      writeFileSync(join(dir, 'extra', 'x.ts'), 'export const x = 1\n')
      writeFileSync(join(dir, 'testing', 't.ts'), "import { a } from '../model/a.js'\nexport const t = a\n")
      const layers = join(dir, 'layers.json')
      writeFileSync(layers, JSON.stringify({ order: ['model', ['steps', 'read'], 'index.ts'], apart: ['testing'] }))
      const r = check(dir, layers)
      assert.equal(r.status, 1)
      assert.match(r.stderr, /root: loose\.ts is a file at the root of src\//)
      assert.match(r.stderr, /layer: steps\/s\.ts imports read\/r\.ts; steps and read are of one rank/)
      assert.match(
        r.stderr,
        /folders import each other: read ↔ steps \(read\/r\.ts imports steps\/s\.ts; steps\/s\.ts imports read\/r\.ts\)/,
      )
      assert.match(r.stderr, /no layer for extra/)
      assert.match(r.stderr, /apart: testing\/t\.ts imports model\/a\.ts/)
      assert.ok(!/index\.ts imports/.test(r.stderr), 'index.ts may import any layer before it')
      assert.ok(!/read\/r\.ts imports model/.test(r.stderr.replace(/apart:.*\n?/g, '')), 'an earlier layer is fine')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  test('a module over maxLines is named with its length, one at the limit is not', () => {
    const dir = mkdtempSync(join(tmpdir(), 'httpipe-layers-'))
    try {
      mkdirSync(join(dir, 'model'))
      writeFileSync(join(dir, 'model', 'long.ts'), 'export const a = 1\n'.repeat(11))
      writeFileSync(join(dir, 'model', 'fits.ts'), 'export const b = 1\n'.repeat(10))
      const layers = join(dir, 'layers.json')
      writeFileSync(layers, JSON.stringify({ order: ['model'], maxLines: 10 }))
      const r = check(dir, layers)
      assert.equal(r.status, 1)
      assert.match(r.stderr, /size: model\/long\.ts has 11 lines \(at most 10/)
      assert.ok(!/fits\.ts/.test(r.stderr), 'a module at the limit passes')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
