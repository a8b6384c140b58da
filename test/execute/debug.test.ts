import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { before, describe, test } from 'node:test'
import { promisify } from 'node:util'
import { useEchoServer, useTempDir } from '../support/fixtures.js'

const run = promisify(execFile)

const echo = useEchoServer()
const tmp = useTempDir('debug')
let script: string

const INDEX = new URL('../../src/index.ts', import.meta.url).href

before(async () => {
  await tmp.ready
  script = tmp.file('child.mts')
  // builds a request step by step, runs it against TARGET, prints the final log on stdout
  await writeFile(
    script,
    `import * as H from ${JSON.stringify(INDEX)}
const steps = [H.initialize(process.env.TARGET + '/get'), H.addHeader('X-Debug', 'yes'), H.addBearerAuthorization('debug-secret-token')]
const req = steps.reduce((r, step) => step(r), H.newRequest())
if (process.env.BUILD_ONLY === '1') {
  process.stdout.write(JSON.stringify({ tag: 'built', log: H.getLog(req, true) }))
  process.exit(0)
}
const result = await H.processRequest('GET')(req)()
const x = result._tag === 'Right' ? result.right : result.left
process.stdout.write(JSON.stringify({ tag: result._tag, log: H.getLog(x, true) }))
`,
  )
})

const child = async (
  debug: string | undefined,
  buildOnly = false,
): Promise<{ stdout: string; stderr: string; log: string; tag: string }> => {
  const env: NodeJS.ProcessEnv = { ...process.env, TARGET: echo.url, BUILD_ONLY: buildOnly ? '1' : '0' }
  delete env['HTTPIPE_DEBUG']
  delete env['NODE_OPTIONS']
  if (debug !== undefined) env['HTTPIPE_DEBUG'] = debug
  const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', script], {
    env,
    cwd: process.cwd(),
    timeout: 20_000,
  })
  const out = JSON.parse(stdout) as { tag: string; log: string }
  return { stdout, stderr, log: out.log, tag: out.tag }
}

describe('HTTPIPE_DEBUG', () => {
  test('HTTPIPE_DEBUG=1 prints each log line to stderr, in order, as it is written', async () => {
    const r = await child('1')
    assert.equal(r.tag, 'Right')
    const printed = r.stderr.split('\n').filter((l) => l.startsWith('[httpipe] '))
    assert.ok(
      printed.some((l) => l.startsWith('[httpipe] setUrl: ')),
      r.stderr,
    )
    assert.ok(printed.includes(`[httpipe] setUrl: URL set to ${echo.url}/get`), r.stderr)
    assert.ok(
      printed.some((l) => l.startsWith('[httpipe] executeRequest: response received, code 200')),
      r.stderr,
    )
    // exactly the log, line for line
    assert.deepEqual(
      printed.map((l) => l.slice('[httpipe] '.length)),
      r.log.split('\n'),
    )
    // secrets stay redacted on stderr too
    assert.ok(!r.stderr.includes('debug-secret-token'))
  })

  test('nothing is printed with HTTPIPE_DEBUG unset', async () => {
    const r = await child(undefined)
    assert.equal(r.tag, 'Right')
    assert.ok(r.log.includes('setUrl: '), 'the log itself is still written')
    assert.ok(!r.stderr.includes('[httpipe]'), r.stderr)
  })

  test('builder steps stay pure: a request only built, never run, prints nothing even with HTTPIPE_DEBUG=1', async () => {
    const r = await child('1', true)
    assert.equal(r.tag, 'built')
    assert.ok(r.log.includes('setUrl: '), 'the log itself is still written')
    assert.ok(!r.stderr.includes('[httpipe]'), r.stderr)
  })

  test('nothing is printed with HTTPIPE_DEBUG=0', async () => {
    const r = await child('0')
    assert.ok(!r.stderr.includes('[httpipe]'), r.stderr)
  })
})
