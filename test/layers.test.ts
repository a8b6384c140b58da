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
      writeFileSync(join(dir, 'steps', 'c.ts'), "import { b } from './b.js'\nimport type { T } from './d.js'\nexport const c = 1\n")
      writeFileSync(join(dir, 'steps', 'd.ts'), "import type { c } from './c.js'\nexport type T = 1\n")
      const layers = join(dir, 'layers.json')
      writeFileSync(layers, JSON.stringify([{ name: 'model', paths: ['model/'] }, { name: 'steps', paths: ['steps/'] }]))
      const r = check(dir, layers)
      assert.equal(r.status, 1)
      assert.match(r.stderr, /cycle: steps\/b\.ts → steps\/c\.ts → steps\/b\.ts/)
      assert.match(r.stderr, /layer: model\/a\.ts \(model\) imports steps\/b\.ts \(steps\), a later layer/)
      assert.ok(!/steps\/d\.ts → steps\/c\.ts/.test(r.stderr), 'a type-only cycle is no cycle at run time')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
