/**
 * Importing the built package loads only what the default path needs (run after
 * `npm run build`): no cross-fetch (node-fetch, whatwg-url), no proxy agents, no commander, no
 * test server, no iconv-lite (loaded by the first encoding other than UTF-8), no undici (its
 * dispatcher modules, not its index, load with the default transport's first request), no aws4
 * (loaded by the first AWS4 signature), no eventsource-parser (by the first event stream read),
 * none of fp-ts's TaskEither, Task, Option, Monoid and Endomorphism modules (the package uses
 * their types only), and not the ranged transfers' modules (execute/parts/upload, download and
 * common, loaded by the first `sendPart`, `sendDataInParts`, `getPart` or `getDataInParts`), nor
 * the running parts of `endpoint`, `paginate`, `processAll` and `streamEvents` (client/*-run.js,
 * loaded by their first call or iteration), nor the template reader (steps/template-load.js and
 * template-trust.js, loaded by the first `fromTemplate`).
 * What is left out loads on first
 * use: `crossFetchTransport`'s first request loads node-fetch and works, and so do the first
 * AWS4-signed request, event stream and ranged download. When a dependency cannot be loaded
 * (here: missing from the packed package's install) what needs it fails with a ClientError
 * naming it, each time, never a throw: a request on cross-fetch is a TransportError
 * (`TRANSPORT_UNAVAILABLE`), an AWS4-signed one an AuthError, an event stream read a
 * TransportError (`TRANSPORT_UNAVAILABLE`, not reconnected by `streamEvents`); and the default
 * transport still works.
 */
import { before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { unlinkSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { Agent, buildConnector, errors } from '../src/transport/undici-lib.js'
import { useTempDir } from './support/fixtures.js'
import { installPacked, ROOT } from './support/pack.js'

const PROBE = join(ROOT, 'bench', 'import-probe.mjs')

/** The files a fresh process loads to import (or require) `specifier`, relative to ROOT. */
const loaded = (specifier: string, format: 'esm' | 'cjs'): ReadonlyArray<string> => {
  const out = execFileSync(process.execPath, [PROBE, specifier, format, 'files'], { cwd: ROOT, encoding: 'utf8' })
  const { files } = JSON.parse(out) as { files: ReadonlyArray<string> }
  // a dependency as node_modules/…, wherever node_modules really is; the package's files from ROOT
  return files.map((f) =>
    f.includes('/node_modules/')
      ? f.slice(f.indexOf('/node_modules/') + 1)
      : f.startsWith(ROOT)
        ? f.slice(ROOT.length + 1)
        : f,
  )
}

const LATER =
  /node_modules\/(cross-fetch|node-fetch|whatwg-url|tr46|webidl-conversions|http-proxy-agent|https-proxy-agent|agent-base|commander|iconv-lite|undici|aws4|eventsource-parser)\/|node_modules\/fp-ts\/lib\/(TaskEither|Task|Option|Monoid|Endomorphism)\.js$|^dist\/\w+\/(testing|cli)\/|^dist\/\w+\/execute\/parts\/(upload|download|common)\.js$|^dist\/\w+\/client\/[\w-]+-run\.js$|^dist\/\w+\/steps\/template-(trust|load)\.js$|cross-fetch-send|forward-agent/

const node = (code: string, cwd: string): string =>
  execFileSync(process.execPath, ['--input-type=module', '-e', code], { cwd, encoding: 'utf8', timeout: 30_000 }).trim()

describe('importing httpipe', () => {
  for (const format of ['esm', 'cjs'] as const)
    test(`${format === 'esm' ? 'import' : 'require'}: loads none of what waits for first use`, () => {
      const files = loaded('httpipe', format)
      assert.deepEqual(
        files.filter((f) => LATER.test(f)),
        [],
      )
      // what it does load: the package's code (once, as CommonJS), the default transport's too
      for (const f of ['dist/cjs/index.js', 'dist/cjs/transport/undici.js', 'node_modules/fp-ts/lib/Either.js'])
        assert.ok(files.includes(f), `${f} is loaded`)
      assert.equal(files.filter((f) => /^dist\/esm\//.test(f)).length, format === 'esm' ? 1 : 0)
    })

  test('httpipe/testing is an export of its own: it loads the test server, not commander', () => {
    const files = loaded('httpipe/testing', 'esm')
    assert.ok(files.includes('dist/cjs/testing/echo-server.js'))
    assert.deepEqual(
      files.filter((f) => /node_modules\/commander\/|^dist\/\w+\/cli\//.test(f)),
      [],
    )
  })

  test("undici's parts are undici's own: its error classes, its connector, its Agent under a subclass", () => {
    const undici = createRequire(import.meta.url)('undici') as typeof import('undici')
    assert.equal(errors.SocketError, undici.errors.SocketError)
    assert.ok(new errors.SocketError('x') instanceof undici.errors.UndiciError)
    assert.equal(typeof buildConnector({}), 'function')
    class Sub extends Agent {
      readonly mine = 1
    }
    const agent = new Sub({ connections: 1 })
    assert.ok(agent instanceof undici.Agent && agent instanceof Agent && agent instanceof Sub)
    assert.equal(agent.mine, 1)
    assert.equal(Object.getPrototypeOf(Agent.prototype), undici.Agent.prototype)
    return agent.close()
  })
})

describe('crossFetchTransport on first use', () => {
  const SCRIPT = `
    import { unlinkSync } from 'node:fs'
import { createRequire } from 'node:module'
    import * as H from 'httpipe'
    import { startEchoServer } from 'httpipe/testing'
    const has = (name) => Object.keys(createRequire(import.meta.url).cache).some((f) => f.includes('/node_modules/' + name + '/'))
    const server = await startEchoServer()
    const send = async () => {
      const r = await H.get(server.url + '/get', { env: { transport: H.crossFetchTransport } })()
      return r._tag === 'Right' ? String(r.right.status) : r.left._tag + ' ' + r.left.cause
    }
    const lines = ['before: ' + has('node-fetch'), 'first: ' + (await send()), 'second: ' + (await send())]
    lines.push('undici: ' + has('undici'))
    const r = await H.get(server.url + '/get')()
    lines.push('default: ' + (r._tag === 'Right' ? r.right.status : r.left._tag), 'undici: ' + has('undici'))
    lines.push('after: ' + has('node-fetch'))
    await H.defaultTransport.close()
    await H.crossFetchTransport.close()
    await server.close()
    console.log(lines.join('\\n'))
  `

  test('its first request loads node-fetch, and works', () => {
    assert.equal(
      node(SCRIPT, ROOT),
      [
        'before: false',
        'first: 200',
        'second: 200',
        'undici: false',
        'default: 200',
        'undici: true',
        'after: true',
      ].join('\n'),
    )
  })

  const tmp = useTempDir('lazy')
  before(async () => {
    await tmp.ready
    installPacked(tmp.path)
  })

  test('cross-fetch missing: each request on it is a TransportError TRANSPORT_UNAVAILABLE, the default transport works', () => {
    unlinkSync(tmp.file('node_modules', 'cross-fetch')) // the link installPacked made, not what it points to
    assert.equal(
      node(SCRIPT, tmp.path),
      [
        'before: false',
        'first: TransportError TRANSPORT_UNAVAILABLE',
        'second: TransportError TRANSPORT_UNAVAILABLE',
        'undici: false',
        'default: 200',
        'undici: true',
        'after: false',
      ].join('\n'),
    )
  })

  // aws4, eventsource-parser and the ranged transfers' modules: not loaded by the import, loaded by
  // their first use (which works), or, missing, a ClientError naming them each time
  const FIRST_USE = `
    import { createRequire } from 'node:module'
    import * as H from 'httpipe'
    import { startEchoServer } from 'httpipe/testing'
    const has = (re) => Object.keys(createRequire(import.meta.url).cache).some((f) => re.test(f))
    const loaded = () => [/\\/node_modules\\/aws4\\//, /\\/node_modules\\/eventsource-parser\\//, /\\/execute\\/parts\\/(upload|download|common)\\.js$/, /\\/client\\/[\\w-]+-run\\.js$/, /\\/steps\\/template-load\\.js$/].map(has).join(' ')
    const server = await startEchoServer()
    const at = (path) => H.initialize(server.url + path)(H.newRequest())
    const shown = (e) => e._tag + (e.cause ? ' ' + e.cause : '') + (/cannot be loaded/.test(e.message) ? ' (cannot be loaded)' : '')
    const status = (r) => (r._tag === 'Right' ? String(r.right.status) : shown(r.left))
    const signed = () => H.processRequest('GET')(H.addAws4Authorization('AKID', 'SECRET', 'us-east-1')(at('/get')))()
    const events = async (read) => {
      const out = []
      for await (const e of read) out.push(e._tag === 'Right' ? e.right.data : shown(e.left) + (e.left.log.some((l) => /reconnection/.test(l.message)) ? ' reconnected' : ''))
      return out.join(',')
    }
    const streamed = async () => {
      const s = await H.streamRequest('GET')(at('/events?count=2'))()
      return s._tag === 'Right' ? events(H.asEventStream()(s.right)) : shown(s.left)
    }
    const lines = ['import: ' + loaded()]
    lines.push('aws4: ' + status(await signed()) + ' ' + status(await signed()))
    lines.push('asEventStream: ' + (await streamed()) + ' ' + (await streamed()))
    lines.push('streamEvents: ' + (await events(H.streamEvents({ maxReconnects: 1 })(at('/events?count=2')))))
    lines.push('getPart: ' + status(await H.getPart(0, 10)(at('/range/100'))()))
    const all = await H.processAll('GET')([at('/get'), at('/get')])()
    lines.push('processAll: ' + all.map(status).join(' '))
    const pages = []
    for await (const page of H.paginate()(at('/pages?pages=2'))) pages.push(status(page))
    lines.push('paginate: ' + pages.join(' '))
    const call = await H.endpoint({ method: 'GET', request: at('/get'), responses: { 200: { decode: (u) => ({ _tag: 'Right', right: u }) } } })()()
    lines.push('endpoint: ' + (call._tag === 'Right' ? call.right.status : shown(call.left)))
    const loadedTemplate = H.fromTemplate(H.toTemplate(at('/get')))
    lines.push('fromTemplate: ' + (loadedTemplate._tag === 'Right' ? 'Right' : shown(loadedTemplate.left)))
    lines.push('default: ' + status(await H.get(server.url + '/get')()))
    lines.push('after: ' + loaded())
    await H.defaultTransport.close()
    await server.close()
    console.log(lines.join('\\n'))
  `

  test('the first AWS4 signature, event stream, ranged transfer and endpoint, paginate and processAll load what they need, and work', () => {
    assert.equal(
      node(FIRST_USE, ROOT),
      [
        'import: false false false false false',
        'aws4: 200 200',
        'asEventStream: {"n":1},{"n":2} {"n":1},{"n":2}',
        'streamEvents: {"n":1},{"n":2}',
        'getPart: 206',
        'processAll: 200 200',
        'paginate: 200 200',
        'endpoint: 200',
        'fromTemplate: Right',
        'default: 200',
        'after: true true true true true',
      ].join('\n'),
    )
  })

  test('aws4, eventsource-parser and own lazy modules missing: a ClientError each time (AuthError, TransportError, InvalidInput), never a throw; the rest works', () => {
    for (const dep of ['aws4', 'eventsource-parser']) unlinkSync(tmp.file('node_modules', dep))
    // and two of the package's own modules loaded on first use
    for (const own of [
      ['client', 'paginate-run.js'],
      ['steps', 'template-load.js'],
    ])
      unlinkSync(tmp.file('node_modules', 'httpipe', 'dist', 'cjs', ...own))
    assert.equal(
      node(FIRST_USE, tmp.path),
      [
        'import: false false false false false',
        'aws4: AuthError (cannot be loaded) AuthError (cannot be loaded)',
        'asEventStream: TransportError TRANSPORT_UNAVAILABLE (cannot be loaded) TransportError TRANSPORT_UNAVAILABLE (cannot be loaded)',
        'streamEvents: TransportError TRANSPORT_UNAVAILABLE (cannot be loaded)',
        'getPart: 206',
        'processAll: 200 200',
        'paginate: TransportError MODULE_NOT_FOUND',
        'endpoint: 200',
        'fromTemplate: InvalidInput (cannot be loaded)',
        'default: 200',
        'after: false false true true false',
      ].join('\n'),
    )
  })
})
