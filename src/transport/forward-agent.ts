/**
 * Forwarding through an HTTP proxy for the cross-fetch transport: http-proxy-agent's agent with
 * the connection to the proxy bounded by the connect timeout and ended with the request.
 * @module
 */
import type net from 'node:net'
import { HttpProxyAgent } from 'http-proxy-agent'
import { connectTimeoutError } from './connect.js'

/**
 * http-proxy-agent's forwarding agent with its connection to the proxy bounded like every other
 * connect: the socket it opens gets an abort signal that the connect timeout (or the request
 * going away) fires, and the wait for it ends then with the connect timeout's error.
 * @example
 * new TimedHttpProxyAgent('http://127.0.0.1:3128', { keepAlive: false }, 10_000)
 * @internal
 */
export class TimedHttpProxyAgent extends HttpProxyAgent<string> {
  constructor(
    url: string,
    opts: ConstructorParameters<typeof HttpProxyAgent<string>>[1],
    private readonly ms: number,
  ) {
    super(url, opts)
    this.proxyAddress = new URL(url).host
  }

  private readonly proxyAddress: string

  override connect(
    req: Parameters<HttpProxyAgent<string>['connect']>[0],
    opts: Parameters<HttpProxyAgent<string>['connect']>[1],
  ): Promise<net.Socket> {
    const ac = new AbortController()
    const self = this as unknown as { connectOpts: object }
    const base = self.connectOpts
    self.connectOpts = { ...base, signal: ac.signal }
    let pending: Promise<net.Socket>
    try {
      pending = super.connect(req, opts) // opens the socket synchronously, with the signal, before its first await
    } finally {
      self.connectOpts = base
    }
    return new Promise<net.Socket>((resolve, reject) => {
      let done = false
      const finish = (e: Error | null, s: net.Socket | null): void => {
        if (done) return void s?.destroy()
        done = true
        if (timer !== null) clearTimeout(timer)
        req.removeListener('close', onClose)
        if (s !== null) return resolve(s)
        ac.abort(e)
        reject(e)
      }
      const onClose = (): void => finish(Object.assign(new Error('aborted'), { code: 'ABORT_ERR' }), null)
      const timer =
        this.ms > 0 ? setTimeout(() => finish(connectTimeoutError(this.proxyAddress, this.ms), null), this.ms) : null
      req.once('close', onClose)
      pending.then(
        (s) => finish(null, s),
        (e: Error) => finish(e, null),
      )
    })
  }
}
