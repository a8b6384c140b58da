/**
 * HTTPie's command lines, run by HTTPie (Debian's `httpie`, the `http` command that
 * scripts/install-peers.sh installs) and by httpipe: for each, `http --offline` and
 * `httpipe --offline` print the same request, and a recording node:http server on 127.0.0.1
 * receives the same request from both (method, path and query, headers, body bytes).
 *
 * Set aside, as the two tools differ there by design: the multipart boundary (replaced by
 * `BOUNDARY` in both, each Content-Length checked against its own body, then compared after
 * the boundary is replaced), and three default headers: `User-Agent` (each names itself),
 * `Accept-Encoding` (HTTPie `gzip, deflate`, httpipe `gzip, deflate, br`) and `Connection`
 * (HTTPie prints `keep-alive`; httpipe does not print it, its transport sends it). HTTPie's
 * `--offline` ends some bodies without a line break where httpipe writes one: trailing line
 * breaks are set aside. HTTPie's main function runs for every command line in one Python
 * process (what the `http` script runs; one `http` process is checked to print the same). Two choices of HTTPie's HTTP library (requests) are set aside too: a
 * space in the query is `+` there and `%20` in httpipe (the same space for every query
 * parser), and a DELETE (any method but GET and HEAD) without a body says `Content-Length: 0`
 * there and nothing in httpipe (the same empty body). HTTPie runs with `--ignore-stdin` (the test's stdin is a pipe, which
 * HTTPie would read as the body) and a config dir of its own.
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { useRecordingServer, useTempDir, type Recorded } from '../support/fixtures.js'
import { httpipe, spawnCollect } from './helpers.js'

const found = (() => {
  try {
    return execFileSync('sh', ['-c', 'command -v http'], { encoding: 'utf8' }).trim()
  } catch {
    return ''
  }
})()
const skip =
  found === '' ? 'the http command (Debian package httpie) is not installed: run scripts/install-peers.sh' : false

const server = useRecordingServer()
const tmp = useTempDir('httpie-diff')

/** The command lines; {u} is the URL of the case, {d} the folder of the files. */
const CASES: ReadonlyArray<ReadonlyArray<string>> = [
  ['GET', '{u}', 'q==1', 'page==2'],
  ['{u}?x=1', 'q==a b', 'x==[1]', 'q==c&d', 'e=='],
  ['{u}', 'name=Ann', 'city=Zürich'],
  ['{u}', 'age:=30', 'ok:=true', 'tags:=["a", 1]', 'obj:={"k": null, "k": 2}', 'pi:=3.14'],
  ['PUT', '{u}', 'a[b][c]=x', 'a[b][d]:=1', 'l[]=1', 'l[]=2', 'arr[2]=z'],
  ['{u}', '[]=1', '[]:=2'],
  ['PATCH', '{u}', 'ids:=[1, 2.50, 1e3, -0, 12345678901234567890, 1e-7]'],
  ['-f', '{u}', 'name=Ann Lee', 'x=a+b&c', 'name=Bo'],
  ['--form', 'POST', '{u}', 'a[b]=1', 'n:=5', 'flag:=true'],
  ['-f', '{u}', 'title=Report', 'doc@{d}/report.pdf'],
  ['--multipart', '{u}', 'a=1', 'b=2'],
  ['-f', '{u}', 'doc@{d}/a.txt;type=text/x-custom', 'note=@{d}/a.txt'],
  ['{u}', 'X-API-Version:2', 'Accept:text/plain'],
  ['{u}', 'X-Empty;', 'X-A:b'],
  ['{u}', 'X-Drop:1', 'X-Keep:2', 'X-Drop:'],
  ['{u}', 'f=@{d}/a.txt', 'j:=@{d}/d.json'],
  ['{u}', '@{d}/d.json'],
  ['{u}', 'a\\:b==c', 'd\\=e=f', 'g\\@h=i', 'j\\==k'],
  ['--json', '{u}'],
  ['-j', 'POST', '{u}', 'a=1'],
  ['DELETE', '{u}', 'id==7'],
  ['--raw', '{"a": 1}', '{u}'],
  ['{u}', 'Content-Type:application/vnd.api+json', 'data:={"x":1}'],
  ['{u}', 'X-From-File:@{d}/token.txt', 'q==@{d}/token.txt'],
  ['-f', 'PUT', '{u}', 'photo@{d}/pic.png', 'alt=a cat'],
]

/** What to compare of a request: the request line, the headers that matter (sorted), the body. */
interface Compared {
  readonly line: string
  readonly headers: ReadonlyArray<string>
  readonly body: string
}

const DROPPED = new Set(['user-agent', 'accept-encoding', 'connection'])

/** Boundary replaced, its Content-Length checked against the body, dropped headers dropped. */
const normalise = (line: string, headers: ReadonlyArray<readonly [string, string]>, body: Buffer): Compared => {
  const type = headers.find(([n]) => n === 'content-type')?.[1] ?? ''
  const boundary = /boundary=([^;\s]+)/.exec(type)?.[1]
  const length = headers.find(([n]) => n === 'content-length')?.[1]
  const bodyText = body.toString('latin1')
  if (boundary !== undefined && length !== undefined) assert.equal(Number(length), body.byteLength, 'Content-Length')
  const swap = (s: string): string => (boundary === undefined ? s : s.split(boundary).join('BOUNDARY'))
  const shown = headers
    .filter(([n]) => !DROPPED.has(n) && !(n === 'content-length' && (boundary !== undefined || length === '0')))
    .map(([n, v]) => `${n}: ${swap(v)}`)
    .sort()
  // a space in the query: + (requests) or %20 (httpipe)
  const query = line.replace(/\?[^ ]*/, (q) => q.replaceAll('+', '%20'))
  return { line: query, headers: shown, body: swap(bodyText).replace(/\n+$/, '') }
}

/** An --offline print read back: the request line, headers (names in lower case), the body. */
const printed = (out: Buffer): Compared => {
  const text = out.toString('latin1')
  const end = /\r?\n\r?\n/.exec(text)
  const head = end === null ? text : text.slice(0, end.index)
  const body = end === null ? '' : text.slice(end.index + end[0].length)
  const [line = '', ...rest] = head.split(/\r?\n/)
  const headers = rest.map((l) => {
    const i = l.indexOf(':')
    return [l.slice(0, i).toLowerCase(), l.slice(i + 1).trim()] as const
  })
  // the line breaks the printers end a body with set aside (a multipart body's own CRLF kept)
  const trimmed = body.replace(/\n+$/, '')
  return normalise(line, headers, Buffer.from(trimmed.endsWith('\r') ? `${trimmed}\n` : trimmed, 'latin1'))
}

const received = (r: Recorded): Compared =>
  normalise(
    `${r.method} ${r.url}`,
    Object.entries(r.headers).map(([n, v]) => [n, Array.isArray(v) ? v.join(', ') : (v ?? '')] as const),
    r.body,
  )

const httpieEnv = (): NodeJS.ProcessEnv => ({ HTTPIE_CONFIG_DIR: join(tmp.path, 'httpie-config') })

/** One run of the `http` command, a process of its own. */
const http = (args: ReadonlyArray<string>) => spawnCollect(found, ['--ignore-stdin', ...args], { env: httpieEnv() })

/**
 * HTTPie's main function (what the `http` script calls, httpie.core.main) run for each command
 * line in one process of the script's own Python: a Python start and HTTPie's imports cost
 * ~0.35 s of CPU per `http` process, 50 of them too long for one test file on a busy machine.
 * Stdin closed (HTTPie's "closed fd" case), stdout and stderr captured per command line.
 */
const BATCH = `
import base64, io, json, sys
from httpie.core import main
from httpie.context import Environment
for line in sys.stdin:
    out = io.TextIOWrapper(io.BytesIO(), encoding='utf-8', write_through=True)
    err = io.TextIOWrapper(io.BytesIO(), encoding='utf-8', write_through=True)
    env = Environment(stdin=None, stdin_isatty=False, stdout=out, stdout_isatty=False, stderr=err, stderr_isatty=False)
    code = main(['http', '--ignore-stdin', *json.loads(line)], env)
    out.flush()
    err.flush()
    print(json.dumps({'code': int(code.value), 'out': base64.b64encode(out.buffer.getvalue()).decode(), 'err': err.buffer.getvalue().decode('utf-8', 'replace')}), flush=True)
`
const python = (() => {
  try {
    return /^#!\s*(\S*python\S*)\s*$/.exec(readFileSync(found, 'utf8').split('\n')[0] ?? '')?.[1] ?? null
  } catch {
    return null
  }
})()

/** HTTPie run for each command line: in one Python process when `http` is a Python script, else one process each, 4 at a time. */
const httpAll = async (
  lines: ReadonlyArray<ReadonlyArray<string>>,
): Promise<ReadonlyArray<{ readonly code: number | null; readonly stdout: Buffer; readonly err: string }>> => {
  if (python === null) {
    const out: Array<Awaited<ReturnType<typeof http>>> = []
    await pool(lines, 4, async (args, i) => {
      out[i] = await http(args)
    })
    return out
  }
  const r = await spawnCollect(python, ['-c', BATCH], {
    env: httpieEnv(),
    input: lines.map((l) => JSON.stringify(l)).join('\n') + '\n',
  })
  assert.equal(r.code, 0, r.err)
  return r.out
    .trim()
    .split('\n')
    .map((l) => {
      const d = JSON.parse(l) as { code: number; out: string; err: string }
      return { code: d.code, stdout: Buffer.from(d.out, 'base64'), err: d.err }
    })
}

/** Runs `work` over the items, `n` at a time. */
const pool = async <A>(items: ReadonlyArray<A>, n: number, work: (a: A, i: number) => Promise<void>): Promise<void> => {
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next
      next += 1
      await work(items[i] as A, i)
    }
  }
  await Promise.all(Array.from({ length: n }, worker))
}

describe('HTTPie command lines: httpipe builds and sends what http does', { skip }, () => {
  const fill = (args: ReadonlyArray<string>, i: number, tool: string): string[] =>
    args.map((a) => a.replaceAll('{u}', `${server.url}/c${i}/${tool}`).replaceAll('{d}', tmp.path))

  test('files for the cases', () => {
    writeFileSync(join(tmp.path, 'a.txt'), 'hello\nworld\n')
    writeFileSync(join(tmp.path, 'd.json'), '{"x": [1, 2], "y": "ü"}')
    writeFileSync(join(tmp.path, 'token.txt'), 'abc123\n\n')
    writeFileSync(join(tmp.path, 'report.pdf'), Buffer.from('%PDF-1.4\n%\u00e2\u00e3\n1 0 obj\n', 'latin1'))
    writeFileSync(join(tmp.path, 'pic.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 1, 2]))
    assert.ok(CASES.length >= 20)
  })

  test('--offline prints the same request, and the server receives the same request', { timeout: 60_000 }, async () => {
    const failures: string[] = []
    const untool = (c: Compared): Compared => ({ ...c, line: c.line.replace(/\/c\d+\/[to]/, '/cN') })
    // the path names the tool, so that the two are told apart: compared without it
    const [theirs] = await Promise.all([
      httpAll([
        ...CASES.map((args, i) => ['--offline', ...fill(args, i, 't')]),
        ...CASES.map((args, i) => fill(args, i, 't')),
      ]),
      pool(CASES, 4, async (args, i) => {
        const sent = await httpipe(fill(args, i, 'o'))
        assert.equal(sent.code, 0, `httpipe ${args.join(' ')}: ${sent.err}`)
      }),
    ])
    await pool(CASES, 4, async (args, i) => {
      const ours = await httpipe(['--offline', ...fill(args, i, 'o')])
      const their = theirs[i]
      assert.equal(their?.code, 0, `http ${args.join(' ')}: ${their?.err}`)
      assert.equal(theirs[CASES.length + i]?.code, 0, `http ${args.join(' ')}: ${theirs[CASES.length + i]?.err}`)
      assert.equal(ours.code, 0, `httpipe ${args.join(' ')}: ${ours.err}`)
      try {
        assert.deepEqual(untool(printed(ours.stdout)), untool(printed(their?.stdout ?? Buffer.alloc(0))))
      } catch (e) {
        failures.push(`offline #${i} ${args.join(' ')}:\n${(e as Error).message}`)
      }
    })
    for (const [i, args] of CASES.entries()) {
      const byTool = (tool: string): Compared => {
        const rs = server.seen.filter((r) => r.url.startsWith(`/c${i}/${tool}`))
        assert.equal(rs.length, 1, `#${i} ${tool}: one request`)
        const c = received(rs[0] as Recorded)
        const host = c.headers.filter((h) => !h.startsWith('host: '))
        return { ...c, line: c.line.replace(/\/c\d+\/[to]/, '/cN'), headers: host }
      }
      try {
        assert.deepEqual(byTool('o'), byTool('t'))
        assert.ok(server.seen.find((r) => r.url.startsWith(`/c${i}/o`))?.headers.host?.startsWith('127.0.0.1:'))
      } catch (e) {
        failures.push(`sent #${i} ${args.join(' ')}:\n${(e as Error).message}`)
      }
    }
    assert.equal(failures.length, 0, failures.join('\n\n'))
  })

  test('the http command itself prints what its main function printed', async () => {
    const args = fill(CASES[4] ?? [], 4, 't')
    const [alone, batched] = await Promise.all([http(['--offline', ...args]), httpAll([['--offline', ...args]])])
    assert.equal(alone.code, 0, alone.err)
    assert.deepEqual(printed(alone.stdout), printed(batched[0]?.stdout ?? Buffer.alloc(0)))
  })
})
