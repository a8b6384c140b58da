/**
 * The clients compared, one function per client building `(url) => () => Promise<void>`. Each
 * request reads the whole answer, checks that the status is 200 and decodes the JSON with the
 * same io-ts codec (`Payload`): httpipe through `H.asJson(Payload)`, the others through
 * `Payload.decode(JSON.parse(text))`. A request that fails any of that rejects, and the harness
 * counts it as a failure.
 *
 * Every client keeps its connections alive; each gets its own pool (agent) except the ones on
 * the global fetch (raw fetch, ky, httpipe on `fromFetch(globalThis.fetch)`), which share
 * Node's global undici dispatcher, as they would in an application.
 * @module
 */
import http from 'node:http'
import axios from 'axios'
import crossFetch from 'cross-fetch'
import * as E from 'fp-ts/lib/Either.js'
import * as TE from 'fp-ts/lib/TaskEither.js'
import { pipe } from 'fp-ts/lib/function.js'
import got from 'got'
import ky from 'ky'
import { Agent, request } from 'undici'
import * as H from '../dist/esm/index.js'
import type { Contender, Op } from './harness.js'
import { Payload } from './payload.js'
import { rawDispatch } from './raw-dispatch.js'

/** The check every non-httpipe client applies to what it read. */
export const check = (status: number | undefined, text: string): void => {
  if (status !== 200) throw new Error(`status ${String(status)}`)
  if (E.isLeft(Payload.decode(JSON.parse(text)))) throw new Error('the answer does not decode')
}

/** undici.request through an undici Agent (keep-alive): the baseline. */
export const undiciRequest =
  (dispatcher: Agent) =>
  (url: string): Op =>
  async () => {
    const { statusCode, body } = await request(url, { dispatcher })
    check(statusCode, await body.text())
  }

/** node:http with a keep-alive agent, the body collected as Buffers. */
export const nodeHttp =
  (agent: http.Agent) =>
  (url: string): Op => {
    const u = new URL(url)
    const options: http.RequestOptions = { agent, host: u.hostname, port: u.port, path: `${u.pathname}${u.search}` }
    return () =>
      new Promise<void>((resolve, reject) => {
        const req = http.get(options, (res) => {
          const chunks: Buffer[] = []
          res.on('data', (c: Buffer) => chunks.push(c))
          res.on('error', reject)
          res.on('end', () => {
            try {
              check(res.statusCode, Buffer.concat(chunks).toString('utf8'))
              resolve()
            } catch (e) {
              reject(e)
            }
          })
        })
        req.on('error', reject)
      })
  }

/** Node's global fetch (its bundled undici; keep-alive by default). */
export const globalFetch =
  (url: string): Op =>
  async () => {
    const res = await fetch(url)
    check(res.status, await res.text())
  }

/** cross-fetch (node-fetch 2 on Node) with a keep-alive agent. */
export const crossFetchRaw =
  (agent: http.Agent) =>
  (url: string): Op =>
  async () => {
    const res = await crossFetch(url, { agent } as RequestInit)
    check(res.status, await res.text())
  }

/** axios with a keep-alive agent, asked for the text (its own JSON parsing off). */
export const axiosClient = (agent: http.Agent): ((url: string) => Op) => {
  const client = axios.create({
    httpAgent: agent,
    responseType: 'text',
    transformResponse: [(d: unknown) => d],
    validateStatus: () => true,
  })
  return (url) => async () => {
    const res = await client.get<string>(url)
    check(res.status, res.data)
  }
}

/** got with a keep-alive agent, no retries, no throwing on status (checked here). */
export const gotClient = (agent: http.Agent): ((url: string) => Op) => {
  const client = got.extend({ agent: { http: agent }, retry: { limit: 0 }, throwHttpErrors: false })
  return (url) => async () => {
    const res = await client(url)
    check(res.statusCode, res.body)
  }
}

/** ky on the global fetch, no retries, no timeout, no throwing on status. */
export const kyClient = (): ((url: string) => Op) => {
  const client = ky.create({ retry: 0, timeout: false, throwHttpErrors: false })
  return (url) => async () => {
    const res = await client.get(url)
    check(res.status, await res.text())
  }
}

const decode = H.asJson(Payload)
const is200 = H.ensureStatus((s) => s === 200)
const readOk = H.readOk(decode, (s) => s === 200)

/**
 * httpipe as the README writes it: the request built per call, run with `env`, status checked
 * and the answer decoded in one step with `readOk(asJson(Payload))`. `extra` adds steps (e.g. AWS4).
 */
export const httpipe =
  (env: H.Env, extra: (r: H.Request) => H.Request = (r) => r) =>
  (url: string): Op =>
  async () => {
    const r = await pipe(H.newRequest(), H.initialize(url), extra, H.processRequest('GET', env), readOk)()
    if (r._tag === 'Left') throw new Error(`${r.left._tag}: ${r.left.message}`)
  }

/** The same with the two readers chained on the TaskEither (`TE.flatMapEither` twice), as before `readOk`. */
export const httpipeChained =
  (env: H.Env) =>
  (url: string): Op =>
  async () => {
    const r = await pipe(
      H.newRequest(),
      H.initialize(url),
      H.processRequest('GET', env),
      TE.flatMapEither(is200),
      TE.flatMapEither(decode),
    )()
    if (r._tag === 'Left') throw new Error(`${r.left._tag}: ${r.left.message}`)
  }

/** The clients, the resources to release at the end, and notes on what is missing. */
export interface Clients {
  readonly contenders: ReadonlyArray<Contender>
  readonly notes: ReadonlyArray<string>
  readonly httpipeTransports: ReadonlyArray<readonly [string, H.Env]>
  readonly close: () => Promise<void>
}

const isTransport = (x: unknown): x is H.Transport => typeof x === 'function'

/**
 * Every client. `H.crossFetchTransport` (a Transport) and `H.undiciTransport()` (a factory)
 * are looked up at run time in `exports` (the built package): a build without them gets a
 * note instead of the variant.
 */
export const makeClients = (
  aws4Concurrencies: ReadonlyArray<number>,
  exports: Readonly<Record<string, unknown>> = H as unknown as Record<string, unknown>,
): Clients => {
  const undiciAgent = new Agent({ keepAliveTimeout: 60_000, keepAliveMaxTimeout: 600_000 })
  const dispatchAgent = new Agent({ keepAliveTimeout: 60_000, keepAliveMaxTimeout: 600_000 })
  const agents = {
    http: new http.Agent({ keepAlive: true }),
    cross: new http.Agent({ keepAlive: true }),
    axios: new http.Agent({ keepAlive: true }),
    got: new http.Agent({ keepAlive: true }),
  }
  const notes: string[] = []
  const anyH = exports
  const transports: Array<readonly [string, string, H.Env]> = [
    ['httpipe', 'httpipe (default transport)', { transport: H.defaultTransport }],
    ['httpipe-fetch', 'httpipe (fromFetch(globalThis.fetch))', { transport: H.fromFetch(globalThis.fetch) }],
  ]
  const closers: Array<() => Promise<void>> = []
  if (isTransport(anyH['crossFetchTransport']))
    transports.push([
      'httpipe-cross-fetch',
      'httpipe (crossFetchTransport)',
      { transport: anyH['crossFetchTransport'] },
    ])
  else notes.push('H.crossFetchTransport is not exported by this build: the httpipe cross-fetch variant was skipped.')
  const makeUndici = anyH['undiciTransport']
  if (typeof makeUndici === 'function') {
    const t = (makeUndici as () => unknown)()
    if (isTransport(t)) {
      transports.push(['httpipe-undici', 'httpipe (undiciTransport())', { transport: t }])
      if (typeof t.close === 'function') closers.push(() => (t.close as () => Promise<void>)())
    } else notes.push('H.undiciTransport() did not return a function: the httpipe undici variant was skipped.')
  } else notes.push('H.undiciTransport is not exported by this build: the httpipe undici variant was skipped.')

  const contenders: Contender[] = [
    { id: 'undici', label: 'undici.request (Agent)', op: undiciRequest(undiciAgent) },
    { id: 'dispatch', label: 'undici Agent.dispatch (minimal handler)', op: rawDispatch(dispatchAgent) },
    { id: 'http', label: 'node:http (keep-alive agent)', op: nodeHttp(agents.http) },
    { id: 'fetch', label: 'fetch (global)', op: globalFetch },
    { id: 'cross-fetch', label: 'cross-fetch (keep-alive agent)', op: crossFetchRaw(agents.cross) },
    ...transports.map(([id, label, env]): Contender => ({ id, label, op: httpipe(env) })),
    {
      id: 'httpipe-chained',
      label: 'httpipe, readers chained with TE.flatMapEither (default transport)',
      op: httpipeChained({ transport: H.defaultTransport }),
    },
    {
      id: 'httpipe-aws4',
      label: 'httpipe + AWS4 signing (default transport)',
      concurrencies: aws4Concurrencies,
      op: httpipe({ transport: H.defaultTransport }, H.addAws4Authorization('AKID', 'SECRET', 'us-east-1', 's3')),
    },
    { id: 'axios', label: 'axios (keep-alive agent)', op: axiosClient(agents.axios) },
    { id: 'got', label: 'got (keep-alive agent)', op: gotClient(agents.got) },
    { id: 'ky', label: 'ky (global fetch)', op: kyClient() },
  ]
  return {
    contenders,
    notes,
    httpipeTransports: transports.map(([, label, env]) => [label, env] as const),
    close: async () => {
      for (const a of Object.values(agents)) a.destroy()
      H.defaultTransport.close !== undefined && (await H.defaultTransport.close())
      await Promise.allSettled([undiciAgent.close(), dispatchAgent.close(), ...closers.map((c) => c())])
    },
  }
}
