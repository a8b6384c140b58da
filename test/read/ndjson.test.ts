/**
 * asNdjson over hand-made streams: lines as they arrive, split anywhere (fast-check: the same
 * bytes re-chunked give the same results), bad lines named by number, a Left of the body passed
 * on, the body told to stop when reading stops early, the bound on a line, hostile input.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import * as E from 'fp-ts/Either'
import * as fc from 'fast-check'
import * as t from 'io-ts'
import { timeout, type ClientError } from '../../src/model/errors.js'
import type { HttpStream } from '../../src/model/stream.js'
import { asNdjson, MAX_LINE_BYTES, ndjsonDecoder } from '../../src/read/ndjson.js'
import { decodeStream } from '../../src/read/stream-body.js'
import { streamHead } from '../../src/model/stream.js'
import { collect, cutAt, plain, streamOf, utf8, type BodyItem, throwingCodec as Throws } from '../support/streams.js'

const read = (items: Iterable<BodyItem>) => collect(asNdjson()(streamOf(items).stream))

const rights = <X>(rs: ReadonlyArray<E.Either<ClientError, X>>): X[] =>
  rs.map((r) => (E.isRight(r) ? r.right : assert.fail(`expected Right, got ${r.left._tag}: ${r.left.message}`)))

const lastLeft = <X>(rs: ReadonlyArray<E.Either<ClientError, X>>): ClientError => {
  const last = rs.at(-1)
  if (last === undefined || E.isRight(last)) return assert.fail('expected the stream to end with a Left')
  return last.left
}

describe('asNdjson: lines', () => {
  test('one value per line; \\n and \\r\\n; blank lines skipped; a last line without a line break counts', async () => {
    const rs = await read([utf8('{"a":1}\n\r\n  \n[2,3]\r\n"x"\n\n7')])
    assert.deepEqual(rights(rs), [{ a: 1 }, [2, 3], 'x', 7])
  })

  test('a leading byte order mark is dropped; an empty body gives nothing', async () => {
    assert.deepEqual(rights(await read([utf8('\ufeff{"a":1}\n')])), [{ a: 1 }])
    assert.deepEqual(await read([]), [])
    assert.deepEqual(await read([new Uint8Array(0), utf8('\n\n')]), [])
  })

  test('a line split inside a multi-byte character, byte by byte', async () => {
    const bytes = utf8('{"s":"é€😀"}\n{"s":"ж"}\n')
    const rs = await read(cutAt(bytes, [...bytes.keys()]))
    assert.deepEqual(rights(rs), [{ s: 'é€😀' }, { s: 'ж' }])
  })

  test('the same bytes re-chunked at random points give the same results (fast-check)', async () => {
    const value = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 12 }),
      fc.integer(),
      fc.dictionary(fc.string({ unit: 'binary', maxLength: 4 }), fc.string({ unit: 'binary', maxLength: 6 }), {
        maxKeys: 3,
      }),
    )
    const line = fc.record({ value, end: fc.constantFrom('\n', '\r\n'), blank: fc.constantFrom('', '\n', ' \r\n') })
    await fc.assert(
      fc.asyncProperty(
        fc.array(line, { maxLength: 12 }),
        fc.boolean(),
        fc.array(fc.nat(400), { maxLength: 30 }),
        async (lines, finalBreak, cuts) => {
          const text = lines
            .map((l, i) => `${l.blank}${JSON.stringify(l.value)}${i < lines.length - 1 || finalBreak ? l.end : ''}`)
            .join('')
          const bytes = utf8(text)
          const whole = await read([bytes])
          const pieces = await read(cutAt(bytes, cuts))
          assert.deepStrictEqual(pieces, whole)
          assert.deepStrictEqual(
            rights(whole),
            lines.map((l) => JSON.parse(JSON.stringify(l.value)) as unknown),
          )
        },
      ),
      { numRuns: 200 },
    )
  })

  test('with a codec each line is decoded', async () => {
    const Row = t.type({ id: t.number }, 'Row')
    const rs = await collect(asNdjson(Row)(streamOf([utf8('{"id":1}\n{"id":2,"x":0}\n')]).stream))
    assert.deepEqual(rights(rs), [{ id: 1 }, { id: 2, x: 0 }])
  })
})

describe('asNdjson: errors', () => {
  test('a line that is not JSON is a ParseError naming its line (blank lines counted); the stream ends there', async () => {
    const body = streamOf([utf8('{"a":1}\n\n{oops}\n{"a":2}\n')])
    const rs = await collect(asNdjson()(body.stream))
    assert.equal(rs.length, 2)
    assert.deepEqual(rs[0], E.right({ a: 1 }))
    const e = lastLeft(rs)
    assert.equal(e._tag, 'ParseError')
    assert.match(e.message, /^asNdjson: line 3 is not valid JSON/)
    assert.equal(e._tag === 'ParseError' && e.response?.status, 200)
  })

  test('a line that is not UTF-8 is a ParseError naming it', async () => {
    const rs = await read([utf8('1\n2\n'), new Uint8Array([0x22, 0xc3, 0x28, 0x22, 0x0a]), utf8('4\n')])
    assert.deepEqual(rs.slice(0, 2), [E.right(1), E.right(2)])
    assert.deepEqual(plain(rs[2]!), { _tag: 'ParseError', message: 'asNdjson: line 3 is not valid UTF-8' })
    assert.equal(rs.length, 3)
  })

  test('a line the codec refuses is a DecodeError naming its line and the io-ts path', async () => {
    const Row = t.type({ id: t.number }, 'Row')
    const rs = await collect(asNdjson(Row)(streamOf([utf8('{"id":1}\r\n{"id":"x"}\r\n')]).stream))
    const e = lastLeft(rs)
    assert.equal(e._tag, 'DecodeError')
    assert.match(e.message, /^asNdjson: line 2 does not match Row: id: expected number, got "x"/)
  })

  test('a Left of the body is passed on as it is, and the stream ends after it', async () => {
    const cut = timeout('executeRequest: no byte within 50 ms', 50, [], 'idle')
    const body = streamOf([utf8('1\n2'), E.left(cut), utf8('\n3\n')])
    const rs = await collect(asNdjson()(body.stream))
    assert.deepEqual(rs, [E.right(1), E.left(cut)])
    assert.equal(body.pulls(), 2, 'nothing is read after the Left')
    assert.equal(body.returns(), 1, 'the body is told to stop')
  })

  test('a bad line tells the body to stop: nothing more is read', async () => {
    const body = streamOf([utf8('x\n'), utf8('1\n'), utf8('2\n')])
    const rs = await collect(asNdjson()(body.stream))
    assert.equal(lastLeft(rs)._tag, 'ParseError')
    assert.equal(body.pulls(), 1)
    assert.equal(body.returns(), 1)
  })

  test('a consumer leaving early (break, return()) tells the body to stop', async () => {
    const body = streamOf([utf8('1\n2\n'), utf8('3\n')])
    for await (const r of asNdjson()(body.stream)) {
      assert.deepEqual(r, E.right(1))
      break
    }
    assert.equal(body.returns(), 1)
    assert.equal(body.pulls(), 1)
    const again = streamOf([utf8('1\n')])
    const it = asNdjson()(again.stream)[Symbol.asyncIterator]()
    assert.deepEqual(await it.next(), { done: false, value: E.right(1) })
    await it.return?.()
    assert.equal(again.returns(), 1)
    const ended = streamOf([utf8('1\n')])
    await collect(asNdjson()(ended.stream))
    assert.equal(ended.returns(), 0, 'a body that ended by itself is not told')
  })

  test('a line over the bound is ResponseTooLarge, whether it comes whole or in pieces, and reading stops', async () => {
    const decode = (items: BodyItem[], max: number) => {
      const body = streamOf(items)
      return {
        body,
        rs: collect(decodeStream('t', body.stream, (s) => E.right(ndjsonDecoder('t', undefined, streamHead(s), max)))),
      }
    }
    const ok = decode([utf8('12345678\r'), utf8('\n1234567'), utf8('8')], 8)
    assert.deepEqual(await ok.rs, [E.right(12345678), E.right(12345678)])
    for (const pieces of [[utf8('1\n123456789\n1\n')], [utf8('1\n1234'), utf8('5'), utf8('6789'), utf8('\n1\n')]]) {
      const { body, rs } = decode(pieces, 8)
      const got = await rs
      assert.deepEqual(got.map(plain), [
        E.right(1),
        { _tag: 'ResponseTooLarge', message: 't: line 2 is longer than 8 bytes' },
      ])
      assert.equal(body.returns(), 1)
    }
    // a body without line breaks never grows memory past the default bound
    const mib = new Uint8Array(1024 * 1024).fill(0x31)
    const body = streamOf(Array.from({ length: 110 }, () => mib))
    const rs = await collect(asNdjson()(body.stream))
    const e = lastLeft(rs)
    assert.equal(e._tag === 'ResponseTooLarge' && e.limit, MAX_LINE_BYTES)
    assert.equal(body.pulls(), 101, 'reading stopped as the bound was passed')
  })

  test('a codec that throws is an InvalidInput; a codec without decode is refused before reading', async () => {
    const rs = await collect(asNdjson(Throws)(streamOf([utf8('1\n')]).stream))
    assert.deepEqual(plain(rs[0]!), { _tag: 'InvalidInput', message: 'asNdjson: the codec threw: boom' })
    const body = streamOf([utf8('1\n')])
    const bad = await collect(asNdjson({} as t.Decoder<unknown, number>)(body.stream))
    assert.deepEqual(bad.map(plain), [{ _tag: 'InvalidInput', message: 'asNdjson: the codec has no decode function' }])
    assert.equal(body.pulls(), 0)
    // the stream ends with that Left: its body is told to stop (its connection let go at once)
    assert.equal(body.returns(), 1)
  })
})

describe('asNdjson: hostile input', () => {
  const only = async (x: unknown): Promise<unknown[]> => (await collect(asNdjson()(x as HttpStream))).map(plain)

  test('something else than a stream is one InvalidInput', async () => {
    const notStream = { _tag: 'InvalidInput', message: 'asNdjson: the input is not an HttpStream' }
    for (const x of [
      null,
      undefined,
      42,
      'x',
      {},
      { _tag: 'HttpStream', log: [] },
      { _tag: 'HttpResponse', log: [], body: new Uint8Array(0) },
    ])
      assert.deepEqual(await only(x), [notStream])
    const getter = Object.defineProperty({}, '_tag', { get: () => assert.fail('read') })
    assert.deepEqual(await only(getter), [notStream])
  })

  test('a body that throws is a TransportError; one yielding something else an InvalidInput', async () => {
    const thrown = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })
    const rs = await read([utf8('1\n'), { throws: thrown }])
    assert.deepEqual(rs[0], E.right(1))
    const e = lastLeft(rs)
    assert.equal(e._tag === 'TransportError' && e.cause, 'ECONNRESET')
    assert.equal(e.message, 'asNdjson: reading the body failed: socket hang up')
    assert.equal(lastLeft(await read([{ throws: 'a string' }]))._tag, 'TransportError')
    for (const raw of ['1\n', E.right('1\n'), 7, null, { _tag: 'Left', left: 'x' }, [1, 2]]) {
      const got = await read([{ raw }])
      assert.deepEqual(got.map(plain), [
        {
          _tag: 'InvalidInput',
          message: 'asNdjson: the body yielded something else than Either<ClientError, Uint8Array>',
        },
      ])
    }
  })

  test('fields that throw when read (the stream, a result, an item) are InvalidInputs, never a rejection', async () => {
    const boom = (): never => {
      throw new Error('boom')
    }
    const { stream } = streamOf([utf8('1\n')])
    const head = Object.defineProperty({ ...stream }, 'status', { get: boom })
    assert.deepEqual((await collect(asNdjson()(head))).map(plain), [
      { _tag: 'InvalidInput', message: 'asNdjson: the stream cannot be read: boom' },
    ])
    const results: ReadonlyArray<unknown> = [
      Object.defineProperty({}, 'done', { get: boom }),
      { done: false, value: Object.defineProperty({}, '_tag', { get: boom }) },
      {
        done: false,
        value: {
          _tag: 'Left',
          get left() {
            return boom()
          },
        },
      },
    ]
    for (const result of results) {
      const odd: HttpStream = {
        ...stream,
        body: {
          [Symbol.asyncIterator]: () => ({
            next: async () => result as IteratorResult<E.Either<ClientError, Uint8Array>>,
          }),
        },
      }
      assert.deepEqual((await collect(asNdjson()(odd))).map(plain), [
        { _tag: 'InvalidInput', message: "asNdjson: the body's result cannot be read: boom" },
      ])
    }
  })

  test('a body whose iterator cannot be made, or whose return() throws, is still a value', async () => {
    const { stream } = streamOf([])
    const broken = { ...stream, body: { [Symbol.asyncIterator]: () => assert.fail('no') } }
    assert.equal(lastLeft(await collect(asNdjson()(broken)))._tag, 'InvalidInput')
    const rude: HttpStream = {
      ...stream,
      body: {
        [Symbol.asyncIterator]: () => ({
          next: async () => ({ done: false, value: E.right(utf8('1\n2\n')) }),
          return: () => {
            throw new Error('no return')
          },
        }),
      },
    }
    for await (const r of asNdjson()(rude)) {
      assert.deepEqual(r, E.right(1))
      break
    }
  })
})
