/**
 * Request bodies and signed requests against the limit: httpipe next to raw `Agent.dispatch`
 * (bench/raw-dispatch.ts) sending the same bytes, each pair in the same rounds, at c=16.
 *
 * - POST JSON 1 KiB and 64 KiB: `JSON.stringify` per request (as a user would) + raw dispatch,
 *   against `H.setJsonBody(value)` + `H.processRequest('POST')`;
 * - AWS4: `aws4.sign` (the body hashed by it) + raw dispatch of a 1 KiB JSON POST, against
 *   `H.addAws4Authorization` on the same request;
 * - OAuth1 (HMAC-SHA256): the `oauth-1.0a` package's header + raw dispatch of a GET with a
 *   query, against `H.addOAuthV1Authorization`;
 * - and, for reference, a plain GET: what the executor itself costs against raw dispatch, under
 *   every case above.
 *
 * Every request reads the whole answer (the 1 KiB JSON), checks status 200 and decodes it with
 * the same io-ts codec. Each round runs every case, its two contenders in a shuffled order, for
 * one slice each; the ratio is taken round by round, medians over rounds. Run with
 * `npm run bench -- --only=requests`.
 * @module
 */
import { createHmac } from 'node:crypto'
import aws4 from 'aws4'
import OAuth from 'oauth-1.0a'
import * as TE from 'fp-ts/lib/TaskEither.js'
import { pipe } from 'fp-ts/lib/function.js'
import { Agent } from 'undici'
import * as H from '../dist/esm/index.js'
import { median, mulberry32, runSlice, shuffle, type Op, type Slice } from './harness.js'
import { makePayload, Payload, routes } from './payload.js'
import { dispatchOnce } from './raw-dispatch.js'
import { textTable, mdTable } from './report.js'
import { check } from './variants.js'

const CONCURRENCY = 16
const AKID = 'AKIDEXAMPLE'
const AWS_SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY'
const OAUTH = { consumerKey: 'dpf43f3p2l4k3l03', consumerSecret: 'kd94hf93k423kf44' } as const
const OAUTH_TOKEN = { key: 'nnch734d00sl2jdk', secret: 'pfkkdhi9sl3r4s00' } as const

/** One case: a raw contender and httpipe doing the same request. */
export interface Case {
  readonly key: string
  readonly title: string
  readonly raw: { readonly label: string; readonly op: Op }
  readonly httpipe: { readonly label: string; readonly op: Op }
}

/** What one case measured: medians over rounds. */
export interface RequestsRow {
  readonly key: string
  readonly title: string
  readonly rawLabel: string
  readonly httpipeLabel: string
  readonly rawRps: number
  readonly httpipeRps: number
  readonly rawCpuUs: number
  readonly httpipeCpuUs: number
  readonly ratio: number
  readonly failures: number
  readonly firstError: string | null
}

export interface RequestsResult {
  readonly rounds: number
  readonly sliceMs: number
  readonly rows: ReadonlyArray<RequestsRow>
}

const decode = H.asJson(Payload)
const is200 = H.ensureStatus((s) => s === 200)

/** httpipe as a user writes it: built per call, run, status checked, answer decoded. */
const httpipeOp =
  (env: H.Env, url: string, method: string, steps: (r: H.Request) => H.Request): Op =>
  async () => {
    const r = await pipe(
      H.newRequest(),
      H.initialize(url),
      steps,
      H.processRequest(method, env),
      TE.flatMapEither(is200),
      TE.flatMapEither(decode),
    )()
    if (r._tag === 'Left') throw new Error(`${r.left._tag}: ${r.left.message}`)
  }

const rawCheck = async (p: Promise<{ readonly status: number; readonly body: Buffer }>): Promise<void> => {
  const { status, body } = await p
  check(status, body.toString('utf8'))
}

export const makeCases = (base: string, agent: Agent, env: H.Env): ReadonlyArray<Case> => {
  const postUrl = `${base}${routes.post}`
  const post = new URL(postUrl)
  const values = {
    '1k': JSON.parse(makePayload(1024).toString('utf8')) as unknown,
    '64k': JSON.parse(makePayload(64 * 1024).toString('utf8')) as unknown,
  }
  const jsonCase = (key: '1k' | '64k', title: string): Case => ({
    key: `post-${key}`,
    title,
    raw: {
      label: 'JSON.stringify + raw dispatch',
      op: () =>
        rawCheck(
          dispatchOnce(agent, post, {
            method: 'POST',
            headers: { 'content-type': 'application/json; charset=utf-8' },
            body: JSON.stringify(values[key]),
          }),
        ),
    },
    // the step made per request, as a user writes it
    httpipe: {
      label: 'httpipe setJsonBody',
      op: httpipeOp(env, postUrl, 'POST', (r) => H.setJsonBody(values[key])(r)),
    },
  })
  const aws4Raw: Op = () => {
    const body = JSON.stringify(values['1k'])
    const signed = aws4.sign(
      {
        host: post.host,
        path: post.pathname,
        method: 'POST',
        service: 's3',
        region: 'us-east-1',
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body,
      },
      { accessKeyId: AKID, secretAccessKey: AWS_SECRET },
    )
    const headers: Record<string, string> = {}
    for (const [n, v] of Object.entries(signed.headers ?? {})) headers[n] = String(v)
    return rawCheck(dispatchOnce(agent, post, { method: 'POST', headers, body }))
  }
  const oauthUrl = `${base}${routes.small}?page=2&q=a%20b`
  const oauthTarget = new URL(oauthUrl)
  const oauth = new OAuth({
    consumer: { key: OAUTH.consumerKey, secret: OAUTH.consumerSecret },
    signature_method: 'HMAC-SHA256',
    hash_function: (text, key) => createHmac('sha256', key).update(text).digest('base64'),
  })
  const oauthRaw: Op = () => {
    const header = oauth.toHeader(oauth.authorize({ url: oauthUrl, method: 'GET' }, OAUTH_TOKEN))
    return rawCheck(dispatchOnce(agent, oauthTarget, { method: 'GET', headers: { ...header } }))
  }
  const getUrl = `${base}${routes.small}`
  const get = new URL(getUrl)
  return [
    {
      // the reference: no body, no auth; what the executor itself costs against raw dispatch
      key: 'get',
      title: 'GET 1 KiB (reference: no body, no auth)',
      raw: { label: 'raw dispatch', op: () => rawCheck(dispatchOnce(agent, get)) },
      httpipe: { label: 'httpipe processRequest', op: httpipeOp(env, getUrl, 'GET', (r) => r) },
    },
    jsonCase('1k', 'POST JSON 1 KiB'),
    jsonCase('64k', 'POST JSON 64 KiB'),
    {
      key: 'aws4',
      title: 'AWS4-signed POST JSON 1 KiB',
      raw: { label: 'aws4.sign + raw dispatch', op: aws4Raw },
      httpipe: {
        label: 'httpipe addAws4Authorization',
        op: httpipeOp(env, postUrl, 'POST', (r) =>
          pipe(r, H.setJsonBody(values['1k']), H.addAws4Authorization(AKID, AWS_SECRET, 'us-east-1', 's3')),
        ),
      },
    },
    {
      key: 'oauth1',
      title: 'OAuth1 HMAC-SHA256 GET with a query',
      raw: { label: 'oauth-1.0a + raw dispatch', op: oauthRaw },
      httpipe: {
        label: 'httpipe addOAuthV1Authorization',
        op: httpipeOp(
          env,
          oauthUrl,
          'GET',
          H.addOAuthV1Authorization(OAUTH_TOKEN.key, OAUTH_TOKEN.secret, OAUTH.consumerKey, OAUTH.consumerSecret),
        ),
      },
    },
  ]
}

/**
 * Every case for `rounds` rounds of `sliceMs` per contender (after one warm-up slice each),
 * the cases and each case's two contenders in an order shuffled per round.
 */
export const measureRequests = async (o: {
  readonly base: string
  readonly rounds: number
  readonly sliceMs: number
  readonly warmupMs: number
  readonly seed: number
  readonly only?: ReadonlySet<string>
  readonly onProgress?: (m: string) => void
}): Promise<RequestsResult> => {
  const agent = new Agent({ keepAliveTimeout: 60_000, keepAliveMaxTimeout: 600_000 })
  const transport = H.undiciTransport()
  // BENCH_REQUESTS=aws4,oauth1 runs only those cases (keys: get, post-1k, post-64k, aws4, oauth1)
  const only = o.only ?? (process.env['BENCH_REQUESTS'] ? new Set(process.env['BENCH_REQUESTS'].split(',')) : undefined)
  const cases = makeCases(o.base, agent, { transport }).filter((c) => only === undefined || only.has(c.key))
  const random = mulberry32(o.seed)
  const slices = new Map(cases.map((c) => [c.key, { raw: [] as Slice[], httpipe: [] as Slice[] }]))
  try {
    o.onProgress?.('requests: warm-up')
    for (const c of cases) {
      await runSlice(c.raw.op, CONCURRENCY, o.warmupMs)
      await runSlice(c.httpipe.op, CONCURRENCY, o.warmupMs)
    }
    for (let r = 0; r < o.rounds; r++) {
      o.onProgress?.(`requests: round ${r + 1}/${o.rounds}`)
      for (const c of shuffle(cases, random))
        for (const side of shuffle(['raw', 'httpipe'] as const, random))
          slices.get(c.key)?.[side].push(await runSlice(c[side].op, CONCURRENCY, o.sliceMs))
    }
  } finally {
    await agent.close()
    await transport.close?.()
  }
  const rows = cases.map((c): RequestsRow => {
    const s = slices.get(c.key) ?? { raw: [], httpipe: [] }
    const all = [...s.raw, ...s.httpipe]
    return {
      key: c.key,
      title: c.title,
      rawLabel: c.raw.label,
      httpipeLabel: c.httpipe.label,
      rawRps: median(s.raw.map((x) => x.rps)),
      httpipeRps: median(s.httpipe.map((x) => x.rps)),
      rawCpuUs: median(s.raw.map((x) => x.cpuUs)),
      httpipeCpuUs: median(s.httpipe.map((x) => x.cpuUs)),
      ratio: median(s.httpipe.map((x, i) => x.rps / (s.raw[i]?.rps ?? Number.NaN))),
      failures: all.reduce((n, x) => n + x.failures, 0),
      firstError: all.find((x) => x.firstError !== null)?.firstError ?? null,
    }
  })
  return { rounds: o.rounds, sliceMs: o.sliceMs, rows }
}

const TARGET = 0.8

const table = (r: RequestsResult) => {
  const ref = r.rows.find((x) => x.key === 'get')
  const extra = (cpu: number, base: number | undefined): string =>
    base === undefined || !Number.isFinite(cpu - base) ? '–' : (cpu - base).toFixed(0)
  return {
    head: [
      'case (c=16)',
      'raw contender',
      'raw req/s',
      'httpipe req/s',
      'raw CPU µs',
      'httpipe CPU µs',
      'raw +µs',
      'httpipe +µs',
      'ratio',
      'target',
    ],
    left: 2,
    rows: r.rows.map((x) => [
      x.title,
      x.rawLabel,
      Math.round(x.rawRps).toString(),
      Math.round(x.httpipeRps).toString(),
      x.rawCpuUs.toFixed(0),
      x.httpipeCpuUs.toFixed(0),
      x.key === 'get' ? '' : extra(x.rawCpuUs, ref?.rawCpuUs),
      x.key === 'get' ? '' : extra(x.httpipeCpuUs, ref?.httpipeCpuUs),
      x.failures > 0 ? `broken (${x.firstError ?? ''})` : x.ratio.toFixed(2),
      x.failures === 0 && x.ratio >= TARGET ? `≥ ${TARGET}: met` : `≥ ${TARGET}: short`,
    ]),
  }
}

const caption = (r: RequestsResult): string =>
  `Request bodies and signing at c=${CONCURRENCY}, httpipe against raw Agent.dispatch sending the same bytes: ` +
  `${r.rounds} rounds of ${r.sliceMs} ms per contender, cases and contenders shuffled per round; ratio = httpipe req/s / raw req/s in the same round, median over rounds. ` +
  'CPU is the client process per request (median over rounds); "+µs" is that CPU above the same side\'s plain GET: what the body or the signature costs each side.'

/** The section as plain text. */
export const requestsText = (r: RequestsResult): string => `${caption(r)}\n${textTable(table(r))}`

/** The section as markdown. */
export const requestsMarkdown = (r: RequestsResult): string =>
  `## Request bodies and signed requests\n\n${caption(r)}\n\n${mdTable(table(r))}`
