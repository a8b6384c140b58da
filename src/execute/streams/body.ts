/**
 * The body of a stream (`streamRequest`): the answer's bytes handed to the consumer as it asks
 * for them, decoded, under the run's idle limit, deadline, `env.signal` and size limit, the
 * connection released as soon as the consumer stops.
 * @module
 */
import { Readable, pipeline, type Transform } from 'node:stream'
import * as E from 'fp-ts/lib/Either.js'
import { invalidInput, type ClientError } from '../../model/errors.js'
import type { TransportResponse } from '../../model/transport.js'
import type { ReadFailure } from '../attempt/collect.js'
import { readFailure } from '../attempt/failures.js'
import { dropBody } from '../attempt/head.js'
import type { Watch } from '../attempt/watch.js'
import type { RunCtx } from '../context.js'
import type { Progress } from '../env.js'

type Item = IteratorResult<E.Either<ClientError, Uint8Array>, undefined>

const DONE: Item = { done: true, value: undefined }

/** What a read raced against the watch settles with when a limit or `env.signal` fired first. */
const FIRED = Symbol('fired')

/** A failure of the decoders, told apart from one of the connection that feeds them. */
class SourceFailed {
  constructor(readonly error: unknown) {}
}

/** The connection's chunks, counted as they arrive, a failure of it marked as such (for a pipeline of decoders). */
async function* marked(body: AsyncIterable<Uint8Array>, arrived: (n: number) => void): AsyncGenerator<Uint8Array> {
  try {
    for await (const chunk of body) {
      arrived(chunk.byteLength)
      yield chunk
    }
  } catch (e) {
    throw new SourceFailed(e)
  }
}

const ignore = (): void => undefined

/**
 * What a stream's body needs from the attempt that opened it: the run, the answer, the watch
 * still running over it, the decoders of its Content-Encoding, the size limit (decoded bytes)
 * and what to close when it ends (the request body).
 * @example
 * const close = () => undefined
 * const o: Opened = { ctx, res, watch, decoders: [], limit: Infinity, close, onProgress: undefined, total: null }
 * @internal
 */
export interface Opened {
  readonly ctx: RunCtx
  readonly res: TransportResponse
  readonly watch: Watch
  readonly decoders: ReadonlyArray<Transform>
  readonly limit: number
  readonly close: () => void
  /** `env.onProgress` (made safe), told of the bytes as they arrive, against the declared `total` */
  readonly onProgress: ((p: Progress) => void) | undefined
  readonly total: number | null
}

/**
 * The body of a stream: an `AsyncIterable<Either<ClientError, Uint8Array>>` read once, that
 * ends after its first Left. Each `next` asks the connection for one chunk (the connection is
 * paused while the consumer does not ask: backpressure); `return` (a `break` out of `for
 * await`), even before the first `next`, drops the connection at once. A second iteration is
 * one Left: the bytes are gone.
 * @example
 * for await (const chunk of new StreamBody(opened)) if (E.isRight(chunk)) hash.update(chunk.right)
 * @internal
 */
export class StreamBody
  implements
    AsyncIterable<E.Either<ClientError, Uint8Array>>,
    AsyncIterator<E.Either<ClientError, Uint8Array>, undefined>
{
  private source: AsyncIterator<Uint8Array> | null = null
  private finished = false
  private taken = false
  private size = 0
  /** bytes as they arrived (before decoding), for env.onProgress */
  private loaded = 0
  /** the pending read's resolve, called by the watch's abort (one listener for the whole stream) */
  private wake: ((r: typeof FIRED) => void) | null = null

  constructor(private readonly o: Opened) {
    // a limit or env.signal that fires while nobody reads lets go of what the run holds at once
    // (the timer, its listener on env.signal, the request body), not at a read that may never come
    o.watch.abort.onAbort(() => {
      if (this.finished) return
      o.watch.finish()
      o.close()
      this.wake?.(FIRED)
    })
  }

  [Symbol.asyncIterator](): AsyncIterator<E.Either<ClientError, Uint8Array>, undefined> {
    if (!this.taken) {
      this.taken = true
      return this
    }
    let told = false
    const again = invalidInput('streamRequest', 'streamRequest: the body of a stream is read once', this.o.ctx.log.log)
    return {
      next: () => Promise.resolve(told ? DONE : ((told = true), { done: false, value: E.left(again) })),
    }
  }

  /** The decoded bytes as the consumer reads them: the body itself, or the end of its decoders. */
  private open(): AsyncIterator<Uint8Array> {
    const body = this.o.res.body
    if (body === null) return [][Symbol.iterator]() as unknown as AsyncIterator<Uint8Array>
    if (this.o.decoders.length === 0) return body[Symbol.asyncIterator]()
    const out = pipeline(
      [Readable.from(marked(body, this.arrived), { objectMode: false }), ...this.o.decoders],
      ignore,
    ) as Transform
    return out[Symbol.asyncIterator]()
  }

  /**
   * The next chunk of the body, or FIRED when the watch aborts first: a read does not wait on the
   * body alone, since a transport aborted while nobody was reading may leave its body neither
   * ended nor failed (node-fetch). Not a `Promise.race` with one long-pending promise: each race
   * would leave a reaction on it holding its chunk, and memory would grow with the bytes read.
   */
  private read(source: AsyncIterator<Uint8Array>): Promise<IteratorResult<Uint8Array> | typeof FIRED> {
    const read = new Promise<IteratorResult<Uint8Array> | typeof FIRED>((resolve, reject) => {
      this.wake = resolve
      source.next().then(resolve, reject)
    })
    return read.finally(() => (this.wake = null))
  }

  /** Bytes arrived from the connection: download progress, as processRequest tells it. */
  private readonly arrived = (n: number): void => {
    const f = this.o.onProgress
    if (f !== undefined) f({ direction: 'download', loaded: (this.loaded += n), total: this.o.total })
  }

  async next(): Promise<Item> {
    if (this.finished) return DONE
    const o = this.o
    try {
      if (o.watch.abort.aborted) return this.failed({ _tag: 'Source', error: new Error('aborted') })
      this.source ??= this.open()
      const r = await this.read(this.source)
      if (this.finished) return DONE
      if (r === FIRED) return this.failed({ _tag: 'Source', error: new Error('aborted') })
      if (r.done === true) return this.ended()
      const chunk = r.value
      o.watch.touch()
      if (o.decoders.length === 0) this.arrived(chunk.byteLength)
      this.size += chunk.byteLength
      if (this.size > o.limit) return this.failed({ _tag: 'Limit', limit: o.limit })
      return { done: false, value: E.right(chunk) }
    } catch (e) {
      if (this.finished) return DONE
      const f: ReadFailure =
        e instanceof SourceFailed
          ? { _tag: 'Source', error: e.error }
          : o.decoders.length > 0 && o.watch.fired === null
            ? { _tag: 'Decode', error: e }
            : { _tag: 'Source', error: e }
      return this.failed(f)
    }
  }

  /** The consumer stops: the rest is not wanted, and the connection is dropped at once. */
  return(): Promise<Item> {
    if (!this.finished) {
      this.o.ctx.log.add(`stream left by its reader after ${this.size} bytes`)
      this.stop(true)
    }
    return Promise.resolve(DONE)
  }

  /** The body came whole (or a limit fired as it ended). */
  private ended(): Item {
    const fired = this.o.watch.fired
    if (fired !== null) return this.failed({ _tag: 'Source', error: new Error(fired) })
    this.stop(false)
    this.o.ctx.log.add(`body read, ${this.size} bytes`)
    return DONE
  }

  private failed(f: ReadFailure): Item {
    const fired = this.o.watch.fired
    this.stop(true)
    return { done: false, value: E.left(readFailure(this.o.ctx, f, fired, null).error) }
  }

  /** Ends the watch and closes what is open; `drop`: the connection too, its body unread. */
  private stop(drop: boolean): void {
    this.finished = true
    const o = this.o
    o.watch.finish()
    o.close()
    if (!drop) return
    o.watch.abort.abort()
    for (const d of o.decoders) d.destroy()
    const source = this.source
    if (source === null) return dropBody(o.res.body)
    try {
      void source.return?.()?.catch(ignore)
    } catch {
      // a body whose return() throws has nothing more to release
    }
  }
}
