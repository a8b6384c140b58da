/**
 * The pure parts of transfers in parts: byte-range headers, the chunked-upload decision, and
 * slicing a body made of segments (a property: any slice equals the same slice of the bytes).
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import {
  acknowledgedBytes,
  contentRange,
  parseContentRange,
  rangeHeader,
  unsatisfiedTotal,
} from '../../../src/encoding/range.js'
import { isExpectedPart, nextChunk, partProblem } from '../../../src/execute/parts/ranges.js'
import { segmentsBody, sliceBody, type Segment } from '../../../src/model/prepared.js'
import { sentBytes } from '../../helpers.js'

describe('range headers', () => {
  test('rendered as RFC 9110 writes them', () => {
    assert.equal(contentRange(0, 100, 1000), 'bytes 0-99/1000')
    assert.equal(rangeHeader(5, 6), 'bytes=5-5')
  })
  test('Content-Range parsed, and refused when it is not one or does not add up', () => {
    assert.deepEqual(parseContentRange('bytes 0-99/1000'), { start: 0, end: 99, total: 1000 })
    assert.deepEqual(parseContentRange('BYTES 5-5/*'), { start: 5, end: 5, total: null })
    for (const bad of [
      undefined,
      '',
      'bytes 9-1/10',
      'bytes 0-10/10',
      'bytes */10',
      'bytes a-b/c',
      'items 0-1/2',
      'bytes 0-1/2, 3-4/5',
      `bytes 0-${'9'.repeat(20)}/*`,
    ])
      assert.equal(parseContentRange(bad), null, String(bad))
    assert.equal(unsatisfiedTotal('bytes */1000'), 1000)
    assert.equal(unsatisfiedTotal('bytes 0-1/1000'), null)
  })
  test('a resumable server acknowledgement: bytes=0-N is N+1 bytes; none is 0; anything else null', () => {
    assert.equal(acknowledgedBytes('bytes=0-524287'), 524288)
    assert.equal(acknowledgedBytes(undefined), 0)
    for (const bad of ['bytes=5-10', 'bytes=0-', 'junk', 'bytes=0-1,3-4'])
      assert.equal(acknowledgedBytes(bad), null, bad)
  })
})

describe('isExpectedPart and partProblem', () => {
  test('only the 206 of a range starting where asked and ending by the end asked for', () => {
    const want = { start: 100, end: 200 }
    assert.equal(isExpectedPart(want, 206, 'bytes 100-199/1000'), true)
    assert.equal(isExpectedPart(want, 206, 'bytes 100-149/150'), true)
    assert.equal(isExpectedPart(want, 206, 'bytes 101-199/1000'), false)
    assert.equal(isExpectedPart(want, 206, 'bytes 100-200/1000'), false)
    assert.equal(isExpectedPart(want, 200, 'bytes 100-199/1000'), false)
    assert.equal(partProblem(want, 206, 'bytes 100-199/1000'), null)
    assert.match(partProblem(want, 416, undefined) ?? '', /answered 416 instead of 206/)
    assert.match(partProblem(want, 206, 'x') ?? '', /no valid Content-Range/)
  })
})

describe('nextChunk', () => {
  test('308 goes on from what the server holds, also fewer bytes than were sent', () => {
    assert.deepEqual(nextChunk(308, 'bytes=0-99', 100, 1000), { _tag: 'next', offset: 100 })
    assert.deepEqual(nextChunk(308, 'bytes=0-49', 100, 1000), { _tag: 'next', offset: 50 })
    assert.deepEqual(nextChunk(308, undefined, 200, 1000), { _tag: 'next', offset: 0 })
  })
  test('complete: a 2xx for the last chunk, or a server holding every byte', () => {
    assert.deepEqual(nextChunk(201, undefined, 1000, 1000), { _tag: 'done' })
    assert.deepEqual(nextChunk(308, 'bytes=0-999', 1000, 1000), { _tag: 'done' })
    assert.deepEqual(nextChunk(200, undefined, 100, 1000), { _tag: 'next', offset: 100 })
  })
  test('a 416 with a Range resynchronises; other statuses stop; nonsense fails', () => {
    assert.deepEqual(nextChunk(416, 'bytes=0-199', 200, 1000), { _tag: 'next', offset: 200 })
    assert.deepEqual(nextChunk(416, undefined, 200, 1000), { _tag: 'stop' })
    assert.deepEqual(nextChunk(403, undefined, 100, 1000), { _tag: 'stop' })
    assert.equal(nextChunk(308, 'bytes=0-500', 100, 1000)._tag, 'fail')
    assert.equal(nextChunk(308, 'bytes=10-20', 100, 1000)._tag, 'fail')
  })
})

describe('sliceBody', () => {
  test('property: any slice of any segments is the same slice of their bytes, files narrowed not read', () => {
    const seg: fc.Arbitrary<Segment> = fc.oneof(
      fc.uint8Array({ maxLength: 20 }).map((b): Segment => ({ _tag: 'Bytes', bytes: b })),
      fc
        .tuple(fc.nat(30), fc.nat(30))
        .map(([a, n]): Segment => ({ _tag: 'File', path: `/f${a}`, start: a, end: a + n, size: a + n + 5 })),
    )
    fc.assert(
      fc.property(fc.array(seg, { maxLength: 6 }), fc.nat(120), fc.nat(120), (segments, x, y) => {
        // a file segment stands for the bytes start..end-1 of its file, counted as their offsets
        const asBytes = (ss: ReadonlyArray<Segment>): number[] =>
          ss.flatMap((s) =>
            s._tag === 'Bytes'
              ? [...s.bytes]
              : s._tag === 'File'
                ? Array.from({ length: s.end - s.start }, (_, i) => 1000 + s.start + i)
                : [],
          )
        const [start, end] = x <= y ? [x, y] : [y, x]
        const body = segmentsBody(segments)
        const sliced = sliceBody(body, start, end)
        assert.ok(sliced._tag === 'Segments')
        assert.deepEqual(asBytes(sliced.segments), asBytes(segments).slice(start, end))
        assert.equal(sliced.length, asBytes(segments).slice(start, end).length)
      }),
    )
  })
  test('bytes are sliced without a copy', () => {
    const bytes = new Uint8Array([1, 2, 3, 4])
    const sliced = sliceBody(segmentsBody([{ _tag: 'Bytes', bytes }]), 1, 3)
    assert.deepEqual([...sentBytes(sliced)], [2, 3])
    assert.ok(
      sliced._tag === 'Segments' &&
        sliced.segments[0]?._tag === 'Bytes' &&
        sliced.segments[0].bytes.buffer === bytes.buffer,
    )
  })
})
