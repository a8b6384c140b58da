/**
 * The request body of one attempt: the bytes as they are, or a stream the attempt watches.
 * @module
 */
import { openBody } from '../body.js'
import type { Hop } from '../../model/prepared.js'
import type { Progress } from '../env.js'
import type { Watch } from './watch.js'

/** Byte bodies larger than this go out in chunks of it, so that the idle limit sees the upload move. */
const CHUNK = 64 * 1024

/** Notes how many body bytes the transport has taken so far. */
type Sent = (loaded: number) => void

/**
 * The outgoing body as a stream the attempt watches: each chunk handed to the transport counts
 * as progress for the idle limit (an upload that moves is not idle) and, after the transport
 * took it, as upload progress (the one place upload bytes are counted); a failure of the body (a
 * file that vanished or changed size) is kept and ends the attempt at once, since transports
 * react to a failing body slowly or vaguely (node-fetch waits for the socket to hang up).
 */
async function* outgoing(
  src: Uint8Array | AsyncIterable<Uint8Array>,
  touch: () => void,
  onError: (e: unknown) => void,
  sent: Sent | undefined,
): AsyncGenerator<Uint8Array> {
  let loaded = 0
  try {
    if (src instanceof Uint8Array) {
      for (let at = 0; at < src.byteLength; at += CHUNK) {
        touch()
        const chunk = src.subarray(at, at + CHUNK)
        yield chunk
        // the transport asked for more: this chunk is written (or buffered to be)
        if (sent !== undefined) sent((loaded += chunk.byteLength))
      }
      return
    }
    for await (const chunk of src) {
      touch()
      yield chunk
      if (sent !== undefined) sent((loaded += chunk.byteLength))
    }
  } catch (e) {
    onError(e)
    throw e
  }
}

/**
 * The request body of one attempt as the transport gets it: the bytes as they are, or a watched
 * stream (see {@link outgoing}); a failure of the body is kept in `error` and aborts the attempt.
 */
export class Upload {
  error: unknown = null
  readonly stream: AsyncGenerator<Uint8Array> | null
  readonly body: Uint8Array | AsyncIterable<Uint8Array> | null

  constructor(hop: Hop, w: Watch, onProgress: ((p: Progress) => void) | undefined) {
    const opened = openBody(hop.body)
    const total = hop.body._tag === 'Segments' ? hop.body.length : null
    const sent: Sent | undefined =
      onProgress === undefined ? undefined : (loaded) => onProgress({ direction: 'upload', loaded, total })
    const plain =
      opened === null ||
      (opened instanceof Uint8Array && (opened.byteLength === 0 || (opened.byteLength <= CHUNK && sent === undefined)))
    this.stream = plain ? null : outgoing(opened, w.touch, (e) => ((this.error = e), w.abort.abort()), sent)
    this.body = this.stream ?? opened
  }

  /** Whatever the transport did with the body, the attempt closes it (a file is never left open). */
  close(): void {
    if (this.stream !== null) void this.stream.return(undefined).catch(() => undefined)
  }
}
