/**
 * Every `@example` in the TSDoc of the public API, and every TypeScript snippet of the README,
 * is type-checked against the built package and run, so that none goes stale (the scheme, its prelude and fixtures are described in
 * test/support/doc-examples.ts); the modules it imports resolve in plain Node ESM.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import * as E from 'fp-ts/Either'
import { flow, pipe } from 'fp-ts/function'
import * as O from 'fp-ts/Option'
import * as TE from 'fp-ts/TaskEither'
import * as t from 'io-ts'

import * as H from 'httpipe'
import * as T from 'httpipe/testing'
import { moduleExamples, publicApi } from '../scripts/api-docs.mjs'
import {
  importsOf,
  parseExample,
  renderExample,
  type Api,
  type DocContext,
  type Example,
} from './support/doc-examples.js'

const ROOT = resolve(import.meta.dirname, '..')
const api = publicApi(ROOT)
const examples: ReadonlyArray<Example> = [
  ...api.flatMap((x) =>
    x.tags
      .filter((tag) => tag.name === 'example')
      .map((tag, i, all) =>
        parseExample(
          `${x.module === 'httpipe' ? '' : `${x.module}:`}${x.name}${all.length > 1 ? `#${i + 1}` : ''}`,
          `${x.file}:${x.line}`,
          tag.text,
        ),
      ),
  ),
  ...moduleExamples(ROOT).flatMap((m) =>
    m.examples.map((text, i) => parseExample(`module ${m.module}#${i + 1}`, m.file, text)),
  ),
  // the README's TypeScript snippets, type-checked and run here (its quick start is JavaScript,
  // and what its whole programs print is checked, by test/readme.test.ts)
  ...[...readFileSync(join(ROOT, 'README.md'), 'utf8').matchAll(/^```ts\n([\s\S]*?)^```/gm)].map((m, i, all) =>
    parseExample(
      `README#${i + 1}/${all.length}`,
      `README.md:${(m.input?.slice(0, m.index).split('\n').length ?? 0) + 1}`,
      m[1] ?? '',
    ),
  ),
]
const names = (module: string, kinds: ReadonlyArray<string>) =>
  api.filter((x) => x.module === module && kinds.includes(x.kind)).map((x) => x.name)
const apiNames: Api = {
  values: names('httpipe', ['value', 'both']),
  types: names('httpipe', ['type', 'both']),
  testingValues: names('httpipe/testing', ['value', 'both']),
  testingTypes: names('httpipe/testing', ['type', 'both']),
}
const toRun = examples.filter((x) => x.skip === null)
const skipped = examples.filter((x) => x.skip !== null)

let server: T.EchoServer
let dir: string
let ctx: DocContext
let checks = 0
const files = new Map<string, string>()

before(async () => {
  server = await T.startEchoServer()
  mkdirSync(join(ROOT, 'tmp'), { recursive: true })
  dir = mkdtempSync(join(ROOT, 'tmp', 'doc-examples-'))
  const url = server.url
  const req = pipe(H.newRequest(), H.initialize(`${url}/anything`))
  const got = await H.get(`${url}/get`)()
  assert.ok(E.isRight(got), 'fixture res')
  const notFound = await pipe(H.get(`${url}/status/404`), TE.flatMapEither(H.ensureStatus()))()
  assert.ok(E.isLeft(notFound), 'fixture err')
  async function* stream(): AsyncIterable<Uint8Array> {
    yield new TextEncoder().encode('hello')
  }
  ctx = {
    H,
    T,
    pipe,
    flow,
    E,
    O,
    TE,
    t,
    url,
    server,
    req,
    res: got.right,
    err: notFound.left,
    token: 'a-token',
    signal: new AbortController().signal,
    stream: stream(),
    hop: { method: 'GET', url: `${url}/get`, headers: [], body: { _tag: 'None' }, auth: { _tag: 'None' }, attempt: 1 },
    console: { log: () => undefined, error: () => undefined },
    check: (actual, expected, line) => {
      const plain = typeof actual === 'object' && actual !== null ? JSON.parse(JSON.stringify(actual)) : actual
      assert.deepStrictEqual(plain, expected, `the example says ${line}`)
    },
  }
  const port = Number(new URL(url).port)
  const context = '../../test/support/doc-examples.js'
  toRun.forEach((ex, i) => {
    const file = join(dir, `example-${String(i).padStart(3, '0')}.ts`)
    const { code, checks: n } = renderExample(ex, apiNames, port, context)
    checks += n
    writeFileSync(file, code)
    files.set(ex.id, file)
  })
  // each example file imports every public name as its preamble, so unused names are expected there
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      extends: '../../tsconfig.json',
      compilerOptions: { noEmit: true, noUnusedLocals: false, noUnusedParameters: false },
      include: ['*.ts'],
    }),
  )
})

after(async () => {
  await server.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('the TSDoc examples of the public API', () => {
  test('every export has one, and they are counted: run and skipped (with the reason)', (t) => {
    const without = api.filter((x) => !x.tags.some((tag) => tag.name === 'example')).map((x) => x.name)
    assert.deepStrictEqual(without, [])
    assert.ok(toRun.length > 100, `${toRun.length} examples to run`)
    t.diagnostic(
      `${examples.length} examples: ${toRun.length} run (${checks} values checked), ${skipped.length} skipped${skipped.map((x) => `\n  ${x.id}: ${x.skip}`).join('')}`,
    )
  })

  test('they type-check against the built package', () => {
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc')
    const r = spawnSync(process.execPath, [tsc, '-p', join(dir, 'tsconfig.json')], { encoding: 'utf8' })
    const ids = new Map([...files].map(([id, file]) => [file.slice(dir.length + 1), id]))
    const out = r.stdout.replace(/^(example-\d+\.ts)/gm, (f) => `${ids.get(f) ?? f} (${f})`)
    assert.equal(r.status, 0, out)
  })

  test('the modules they import resolve in plain Node ESM (no tsx)', () => {
    const specs = [...new Set(examples.flatMap((x) => importsOf(x.source)))]
    assert.ok(specs.includes('httpipe'))
    const code = specs.map((s) => `await import(${JSON.stringify(s)})`).join('; ')
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8', cwd: ROOT })
    assert.equal(r.status, 0, r.stderr)
  })

  for (const ex of toRun)
    test(`${ex.id} runs (${ex.where})`, async () => {
      const file = files.get(ex.id)
      assert.ok(file !== undefined)
      const mod = (await import(pathToFileURL(file).href)) as { default: (c: DocContext) => Promise<void> }
      await mod.default(ctx)
    })
})
