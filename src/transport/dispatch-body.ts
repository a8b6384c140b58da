/**
 * The body of a response read through undici's handler interface: chunks pushed to one reader,
 * or iterated with backpressure.
 * @module
 */
import { errors } from './undici-lib.js'
import type { BodyReader, PushBody } from '../model/transport.js'

/** Bytes a body holds for an iterating reader before the connection is paused (as undici's Readable). */
const HIGH_WATER = 64 * 1024

/**
 * What a {@link DispatchBody} asks of the request it belongs to: to resume the connection it
 * paused, or to drop it.
 * @example
 * const source: BodySource = { resumeSource: () => undefined, abortSource: (e) => console.error(e) }
 * @category transports
 * @since 0.3.0
 * @internal
 */
export interface BodySource {
  resumeSource(): void
  abortSource(error: Error): void
}

/**
 * A response body as undici delivers it: chunks are pushed by the handler, and either handed at
 * once to the one reader that `listen`ed, or queued for an iterator (the connection is paused
 * past {@link HIGH_WATER} queued bytes, and resumed as the iterator drains). A reader that stops
 * early (`cancel`, or an iterator left before the end) drops the connection.
 * @example
 * const body = new DispatchBody({ resumeSource: resume, abortSource: abort })
 * body.listen({ data: (c) => chunks.push(c), end: () => done(), error: (e) => fail(e) })
 * @category transports
 * @since 0.3.0
 * @internal
 */
export class DispatchBody implements PushBody {
  private queue: Uint8Array[] = []
  private queued = 0
  private paused = false
  /** set once: the body ended (`end`), failed (`fail`) or was cancelled */
  private finished = false
  private failure: { readonly error: unknown } | null = null
  private reader: BodyReader | null = null
  private wake: (() => void) | null = null

  constructor(private readonly source: BodySource) {}

  /** A chunk from undici; false asks undici to pause the connection. */
  push(chunk: Uint8Array): boolean {
    if (this.finished) return true
    if (this.reader !== null) {
      this.reader.data(chunk)
      return true
    }
    this.queue.push(chunk)
    this.queued += chunk.byteLength
    this.notify()
    if (this.queued < HIGH_WATER) return true
    this.paused = true
    return false
  }

  /** The whole body came. */
  end(): void {
    if (this.finished) return
    this.finished = true
    if (this.reader !== null) this.reader.end()
    else this.notify()
  }

  /** The body cannot be read to its end (a reset, a timeout, an abort). */
  fail(error: unknown): void {
    if (this.finished) return
    this.finished = true
    this.failure = { error }
    this.queue = []
    if (this.reader !== null) this.reader.error(error)
    else this.notify()
  }

  listen(reader: BodyReader): void {
    if (this.reader !== null) throw new Error('the body already has a reader')
    this.reader = reader
    const queued = this.queue
    this.queue = []
    this.queued = 0
    for (const chunk of queued) reader.data(chunk)
    if (this.failure !== null) reader.error(this.failure.error)
    else if (this.finished) reader.end()
    else this.resumeIfPaused()
  }

  cancel(): void {
    if (this.finished) return
    this.finished = true
    this.queue = []
    this.source.abortSource(new errors.RequestAbortedError())
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array> {
    try {
      for (;;) {
        const chunk = this.queue.shift()
        if (chunk !== undefined) {
          this.queued -= chunk.byteLength
          if (this.queued < HIGH_WATER) this.resumeIfPaused()
          yield chunk
          continue
        }
        if (this.failure !== null) throw this.failure.error
        if (this.finished) return
        await new Promise<void>((resolve) => (this.wake = resolve))
      }
    } finally {
      // a reader that leaves before the end: the rest is not wanted
      this.cancel()
    }
  }

  private notify(): void {
    const wake = this.wake
    this.wake = null
    wake?.()
  }

  private resumeIfPaused(): void {
    if (!this.paused) return
    this.paused = false
    this.source.resumeSource()
  }
}
