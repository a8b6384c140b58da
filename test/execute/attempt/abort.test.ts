/**
 * The attempt's abort: LazyAbort (a signal only when asked for, plain listeners) and the lazy
 * `signal` property of the request a transport gets (one getter for all, spread-safe), seen
 * through the executor with transports that read the signal, copy the request, or ignore both.
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { pipe } from 'fp-ts/lib/function.js'
import * as H from '../../../src/index.js'
import { LazyAbort, withLazySignal } from '../../../src/execute/attempt/abort.js'

describe('LazyAbort', () => {
  test('a listener that throws stops neither the abort nor the other listeners', () => {
    const a = new LazyAbort()
    const heard: string[] = []
    a.onAbort(() => heard.push('first'))
    a.onAbort(() => {
      throw new Error('a transport listener threw')
    })
    a.onAbort(() => heard.push('third'))
    assert.doesNotThrow(() => a.abort())
    assert.deepEqual(heard, ['first', 'third'])
    assert.equal(a.aborted, true)
    assert.equal(a.signal.aborted, true)
  })

  test('listeners run once on abort, at once when added after; the signal follows, made before or after', () => {
    const early = new LazyAbort()
    const before = early.signal
    const calls: string[] = []
    early.onAbort(() => void calls.push('a'))
    early.abort()
    early.abort()
    early.onAbort(() => void calls.push('late'))
    assert.deepEqual(calls, ['a', 'late'])
    assert.equal(before.aborted, true)
    const late = new LazyAbort()
    late.abort()
    assert.equal(late.signal.aborted, true)
  })
})

describe('withLazySignal', () => {
  test('the signal is made when first read, is the abort’s, and a spread copy keeps it working', () => {
    const abort = new LazyAbort()
    const req = withLazySignal({ url: 'http://h/' }, abort)
    assert.deepEqual(Object.keys(req), ['url', 'signal'])
    const copy = { ...req, url: 'http://other/' }
    assert.equal(copy.signal, req.signal)
    assert.equal(copy.signal.aborted, false)
    abort.abort()
    assert.equal(copy.signal.aborted, true)
    assert.equal(Object.getOwnPropertySymbols(copy).length, 0, 'the abort itself is not copied')
  })

  test('every request has the same getter (one shape for all, no function per request)', () => {
    const get = (o: object): unknown => Object.getOwnPropertyDescriptor(o, 'signal')?.get
    const a = withLazySignal({ url: 'a' }, new LazyAbort())
    const b = withLazySignal({ url: 'b' }, new LazyAbort())
    assert.equal(typeof get(a), 'function')
    assert.equal(get(a), get(b))
  })
})

describe('the signal a transport gets', () => {
  const run = (transport: H.Transport, over: (r: H.Request) => H.Request = (r) => r) =>
    pipe(
      H.newRequest(),
      H.initialize('http://127.0.0.1:9/x'),
      H.setTimeout(100),
      over,
      H.processRequest('GET', { transport }),
    )()

  test('a transport that copies the request and waits on the copy’s signal is aborted by the attempt limit', async () => {
    let seen: AbortSignal | null = null
    const inner: H.Transport = (req) =>
      new Promise((_, reject) => {
        seen = req.signal
        req.signal.addEventListener('abort', () => reject(Object.assign(new Error('aborted'), { code: 'ABORT_ERR' })))
      })
    const r = await run((req) => inner({ ...req, url: req.url }))
    assert.equal(r._tag, 'Left')
    if (r._tag === 'Left') assert.equal(r.left._tag, 'Timeout')
    assert.equal((seen as AbortSignal | null)?.aborted, true)
  })

  test('a transport that never reads the signal still gets one that works when it is read late', async () => {
    let kept: H.TransportRequest | null = null
    const r = await run(async (req) => {
      kept = req
      return { status: 204, statusText: 'No Content', headers: [], body: null, decoded: false }
    })
    assert.equal(r._tag, 'Right')
    assert.equal((kept as H.TransportRequest | null)?.signal.aborted, false)
  })
})
