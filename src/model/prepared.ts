/**
 * A request ready to send, as data: its body as segments, and the hop type that the
 * executor's layers pass down to one attempt.
 * @module
 */
import type * as E from 'fp-ts/lib/Either.js'
import type { HeaderList } from './headers.js'
import type { Log } from './log.js'
import type { Proxy, ResolvedAuth as Auth, Tls } from './request.js'
import type { Settings } from './settings.js'

/**
 * A piece of a body: bytes in memory, the byte range `[start, end)` of a file whose size was
 * `size` when the request was prepared (read when an attempt sends it, re-opened every time; a
 * file whose size changed is an error, never extra or missing bytes), or a URL downloaded once
 * before the first attempt.
 * @example
 * const s: Segment = { _tag: 'File', path: './a.bin', start: 0, end: 1024, size: 1024 }
 * @category running
 * @since 0.2.0
 */
export type Segment =
  | { readonly _tag: 'Bytes'; readonly bytes: Uint8Array }
  | {
      readonly _tag: 'File'
      readonly path: string
      readonly start: number
      readonly end: number
      readonly size: number
    }
  | { readonly _tag: 'Url'; readonly url: string }

/**
 * The body as it will be sent: none, or segments sent one after the other; `length` is their
 * total size in bytes, null while a URL segment is not downloaded yet.
 * @example
 * const b: PreparedBody = { _tag: 'Segments', segments: [{ _tag: 'Bytes', bytes: new Uint8Array([1, 2]) }], length: 2 }
 * @category running
 * @since 0.2.0
 */
export type PreparedBody =
  | { readonly _tag: 'None' }
  | { readonly _tag: 'Segments'; readonly segments: ReadonlyArray<Segment>; readonly length: number | null }

/**
 * No body.
 * @example
 * noBody._tag // 'None'
 * @category running
 * @since 0.2.0
 */
export const noBody: PreparedBody = { _tag: 'None' }

/**
 * The length a segment is known to have (null for a URL not downloaded yet).
 * @example
 * segmentLength({ _tag: 'File', path: 'a', start: 10, end: 30, size: 30 }) // 20
 * @category running
 * @since 0.2.0
 */
export const segmentLength = (s: Segment): number | null =>
  s._tag === 'Bytes' ? s.bytes.byteLength : s._tag === 'File' ? s.end - s.start : null

/**
 * A body made of segments, its length summed when every segment's is known.
 * @example
 * segmentsBody([{ _tag: 'Bytes', bytes: new Uint8Array(3) }]).length // 3
 * @category running
 * @since 0.2.0
 */
export const segmentsBody = (segments: ReadonlyArray<Segment>): PreparedBody => {
  let length: number | null = 0
  for (const s of segments) {
    const n = segmentLength(s)
    length = n === null || length === null ? null : length + n
  }
  return { _tag: 'Segments', segments, length }
}

/**
 * Where the body of a response goes: kept in memory (`Memory`), streamed to a file when the
 * answer is a `2xx` (`File`, from `setResponseFile`; any other answer is kept in memory and
 * written there at the end), or kept only when it is the part `[start, end)` a ranged request
 * asked for (`Part`: the `206` of a range starting at `start` and ending by `end`, saved to
 * `path` when there is one; with `append`, `path` holds the `start` bytes before the part, the
 * part is appended to it as it arrives, and an attempt that fails cuts it back to `start`
 * bytes), or handed to its consumer unread when the answer is a `2xx` (`Stream`, from
 * `streamRequest`; with `only`, just a `2xx` whose Content-Type is one of those media types,
 * lower case; any other answer is read whole). Each case is one row where a response's
 * target is chosen.
 * @example
 * const s: Sink = { _tag: 'Part', path: '/tmp/a.bin', start: 0, end: 1024, append: true }
 * @category running
 * @since 0.3.0
 */
export type Sink =
  | { readonly _tag: 'Memory' }
  | { readonly _tag: 'File'; readonly path: string }
  | {
      readonly _tag: 'Part'
      readonly path: string | null
      readonly start: number
      readonly end: number
      readonly append: boolean
    }
  | { readonly _tag: 'Stream'; readonly only?: ReadonlyArray<string> }

/**
 * The sink of a response kept in memory.
 * @example
 * memorySink._tag // 'Memory'
 * @category running
 * @since 0.3.0
 */
export const memorySink: Sink = { _tag: 'Memory' }

/**
 * The sink of a response file (`setResponseFile`): a file, or memory without one.
 * @example
 * fileSink('/tmp/out.bin') // { _tag: 'File', path: '/tmp/out.bin' }
 * fileSink(null) // { _tag: 'Memory' }
 * @category running
 * @since 0.3.0
 */
export const fileSink = (path: string | null): Sink => (path === null ? memorySink : { _tag: 'File', path })

/**
 * The file a sink writes to, if any.
 * @example
 * sinkFile({ _tag: 'File', path: '/tmp/out.bin' }) // '/tmp/out.bin'
 * sinkFile(memorySink) // null
 * @category running
 * @since 0.3.0
 */
export const sinkFile = (s: Sink): string | null => (s._tag === 'Memory' || s._tag === 'Stream' ? null : s.path)

/**
 * A request ready to send: final method, URL and headers (Basic/Bearer included, AWS4 and
 * OAuth1 signed as the first attempt would be), the body as segments, and what the executor
 * needs to follow redirects and retry.
 * @example
 * const p = await H.prepareRequest('GET')(req)() // right({ _tag: 'PreparedRequest', method: 'GET', url: 'http://…', … })
 * @category running
 * @since 0.1.0
 */
export interface PreparedRequest {
  readonly _tag: 'PreparedRequest'
  readonly method: string
  readonly url: string
  readonly headers: HeaderList
  readonly body: PreparedBody
  readonly auth: Auth
  readonly settings: Settings
  /** where the body of the answer goes (`setResponseFile`, the ranged downloads) */
  readonly sink: Sink
  readonly proxy: Proxy<string> | null
  readonly tls: Tls<string> | null
  /** values read from `secretFromEnv` references (header values), masked in the log like every secret */
  readonly masked?: ReadonlyArray<string>
  readonly log: Log
}

/**
 * One hop of a run, as the executor's layers see it: what to send now. Redirects change the
 * method, URL, headers, body and auth; `attempt` counts the sends of this hop (1-based).
 * @example
 * const hop: Hop = { method: 'GET', url: 'http://127.0.0.1/x', headers: [], body: { _tag: 'None' }, auth: { _tag: 'None' }, attempt: 1 }
 * @category running
 * @since 0.2.0
 */
export interface Hop {
  readonly method: string
  readonly url: string
  readonly headers: HeaderList
  readonly body: PreparedBody
  readonly auth: Auth
  readonly attempt: number
}

/**
 * Why signing an attempt failed: the body file could not be read, or the scheme could not sign.
 * @example
 * const f: SignFailure = { _tag: 'Auth', message: 'AWS4 signing failed: …' }
 * @category running
 * @since 0.2.0
 */
export type SignFailure =
  | { readonly _tag: 'Auth'; readonly message: string }
  | { readonly _tag: 'File'; readonly path: string; readonly code: string }

/**
 * Hashes of a body by algorithm (`sha256`, `md5`, …), each computed once per run; file
 * segments are streamed through the hash.
 * @example
 * const h: BodyHasher = async () => E.right('e3b0c442…')
 * @category running
 * @since 0.2.0
 */
export type BodyHasher = (algorithm: string) => Promise<E.Either<SignFailure, string>>

/**
 * What a scheme that signs the request itself (AWS4, OAuth1) or answers a challenge (Digest)
 * gets for one attempt: the hop, the settings, the clock, randomness and the body's hashes.
 * @example
 * const hash: BodyHasher = async () => E.right('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')
 * const s: SignInput = { hop, settings: H.defaultSettings, now: Date.now(), random: Math.random, hash }
 * @category running
 * @since 0.2.0
 */
export interface SignInput {
  readonly hop: Hop
  readonly settings: Settings
  readonly now: number
  readonly random: () => number
  readonly hash: BodyHasher
}

/**
 * The bytes `[start, end)` of a body, as segments (file ranges narrowed, bytes sliced without
 * copying). Needs a body of known length (no URL segment left).
 * @example
 * sliceBody(segmentsBody([{ _tag: 'Bytes', bytes: Buffer.from('abcdef') }]), 1, 4) // the segments of 'bcd'
 * @category running
 * @since 0.3.0
 */
export const sliceBody = (body: PreparedBody, start: number, end: number): PreparedBody => {
  if (body._tag === 'None') return body
  const out: Segment[] = []
  let at = 0
  for (const s of body.segments) {
    const n = segmentLength(s) ?? 0
    const from = Math.max(start, at)
    const to = Math.min(end, at + n)
    if (from < to) {
      if (s._tag === 'Bytes') out.push({ _tag: 'Bytes', bytes: s.bytes.subarray(from - at, to - at) })
      else if (s._tag === 'File') out.push({ ...s, start: s.start + (from - at), end: s.start + (to - at) })
    }
    at += n
  }
  return segmentsBody(out)
}
