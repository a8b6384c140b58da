/**
 * readBody's in-memory paths, each read the same way: a body that pushes its chunks (the undici
 * transport's), a Node Readable, and any other async iterable (a custom transport's): the bytes,
 * download progress, the size limit (the source is stopped) and a failing source.
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { Readable } from 'node:stream'
import { readBody, type ReadOptions } from '../../../src/execute/attempt/collect.js'
import { DispatchBody } from '../../../src/transport/dispatch-body.js'
import type { Progress } from '../../../src/execute/env.js'

const parts = ['hello ', 'wide ', 'world']

const options = (over: Partial<ReadOptions> = {}): ReadOptions & { seen: Progress[] } => {
  const seen: Progress[] = []
  return {
    decoders: [],
    file: null,
    total: 16,
    maxBytes: Number.POSITIVE_INFINITY,
    onProgress: (p) => void seen.push(p),
    seen,
    ...over,
  }
}

/** An async iterable (not a stream) that counts how it was left. */
const iterable = (fail: Error | null = null): AsyncIterable<Uint8Array> & { returned: number } => {
  const it = {
    returned: 0,
    [Symbol.asyncIterator]: () => {
      let i = 0
      return {
        next: async (): Promise<IteratorResult<Uint8Array>> => {
          if (i < parts.length) return { done: false, value: Buffer.from(parts[i++] ?? '') }
          if (fail !== null) throw fail
          return { done: true, value: undefined }
        },
        return: async (): Promise<IteratorResult<Uint8Array>> => {
          it.returned++
          return { done: true, value: undefined }
        },
      }
    },
  }
  return it
}

/** A DispatchBody fed the parts, then ended or failed (on the next tick). */
const pushed = (fail: Error | null = null): DispatchBody & { cancelled: number } => {
  const b = Object.assign(new DispatchBody({ resumeSource: () => undefined, abortSource: () => void b.cancelled++ }), {
    cancelled: 0,
  })
  setImmediate(() => {
    for (const p of parts) b.push(Buffer.from(p))
    if (fail === null) b.end()
    else b.fail(fail)
  })
  return b
}

const kinds: ReadonlyArray<readonly [string, (fail?: Error | null) => AsyncIterable<Uint8Array>]> = [
  ['a push body', (fail = null) => pushed(fail)],
  [
    'a Node Readable',
    (fail = null) =>
      Readable.from(
        (async function* () {
          for (const p of parts) yield Buffer.from(p)
          if (fail !== null) throw fail
        })(),
      ),
  ],
  ['an async iterable', (fail = null) => iterable(fail)],
]

describe('readBody in memory', () => {
  for (const [what, make] of kinds) {
    test(`${what}: the bytes, with progress per chunk`, async () => {
      const o = options()
      const r = await readBody(make(), o)
      assert.equal(r._tag, 'Bytes')
      if (r._tag === 'Bytes') assert.equal(Buffer.from(r.bytes).toString(), 'hello wide world')
      assert.deepEqual(
        o.seen.map((p) => [p.direction, p.loaded, p.total]),
        [
          ['download', 6, 16],
          ['download', 11, 16],
          ['download', 16, 16],
        ],
      )
    })

    test(`${what}: over the limit is a limit failure, and the source is stopped`, async () => {
      const body = make()
      const r = await readBody(body, options({ maxBytes: 8 }))
      assert.deepEqual(r, { _tag: 'Failed', failure: { _tag: 'Limit', limit: 8 } })
      if (body instanceof DispatchBody) assert.equal((body as DispatchBody & { cancelled: number }).cancelled, 1)
      else if (body instanceof Readable) assert.equal(body.destroyed, true)
      else assert.equal((body as unknown as { returned: number }).returned, 1)
    })

    test(`${what}: a source that fails is a source failure with its error`, async () => {
      const e = new Error('reset')
      const r = await readBody(make(e), options())
      assert.equal(r._tag, 'Failed')
      if (r._tag === 'Failed') assert.deepEqual(r.failure, { _tag: 'Source', error: e })
    })
  }

  test('a null body is empty bytes, no progress', async () => {
    const o = options()
    const r = await readBody(null, o)
    assert.equal(r._tag, 'Bytes')
    if (r._tag === 'Bytes') assert.equal(r.bytes.byteLength, 0)
    assert.equal(o.seen.length, 0)
  })
})
