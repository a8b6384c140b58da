/**
 * Shared helpers for the transport tests (not a test file itself).
 */
import type * as H from '../../src/index.js'

/** One attempt as a transport gets it: a GET of `url` with the default limits. */
export const attempt = (url: string, over: Partial<H.TransportRequest> = {}): H.TransportRequest => ({
  method: 'GET',
  url,
  headers: [],
  body: null,
  signal: new AbortController().signal,
  proxy: null,
  tls: null,
  timeouts: { connectMs: 10_000, idleMs: 300_000 },
  ...over,
})
