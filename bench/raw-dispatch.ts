/**
 * The limit column: undici's dispatcher driven directly with a minimal handler
 * (`agent.dispatch(opts, { onConnect, onHeaders, onData, onComplete, onError })`), the body
 * collected as Buffers, the status checked and the JSON decoded with the same io-ts codec as
 * every other client. No AsyncResource, no Readable, no abort signal: what httpipe's default
 * transport runs on, with nothing of httpipe's own on top.
 * @module
 */
import type { IncomingHttpHeaders } from 'node:http'
import type { Agent, Dispatcher } from 'undici'
import type { Op } from './harness.js'
import { check } from './variants.js'

/** What one raw request sends: method, headers, body (a string or bytes), sent as given. */
export interface RawInit {
  readonly method?: Dispatcher.HttpMethod
  readonly headers?: Readonly<Record<string, string>>
  readonly body?: string | Uint8Array
}

/** One request through `agent.dispatch`: resolves with the status and the whole body. */
export const dispatchOnce = (
  agent: Agent | Dispatcher,
  url: URL,
  init: RawInit = {},
): Promise<{ readonly status: number; readonly body: Buffer }> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let status = 0
    const handler: Dispatcher.DispatchHandler = {
      onConnect: () => undefined,
      onHeaders: (statusCode: number) => {
        status = statusCode
        return true
      },
      onData: (chunk: Buffer) => {
        chunks.push(chunk)
        return true
      },
      onComplete: () => resolve({ status, body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks) }),
      onError: reject,
    }
    agent.dispatch(
      {
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method: init.method ?? 'GET',
        headers: init.headers as IncomingHttpHeaders | undefined,
        body: init.body,
      },
      handler,
    )
  })

/**
 * The raw dispatch contender: `(url) => op`, with its URL parsed once (as a program that calls
 * one endpoint in a loop would), the answer checked and decoded as by every client.
 */
export const rawDispatch =
  (agent: Agent, init: RawInit = {}) =>
  (url: string): Op => {
    const u = new URL(url)
    return async () => {
      const { status, body } = await dispatchOnce(agent, u, init)
      check(status, body.toString('utf8'))
    }
  }
