/**
 * asEventStream over hand-made streams: the HTML standard's examples give the events it says;
 * the same bytes re-chunked at random points give the same events (fast-check), and those equal
 * what eventsource-parser gives fed the whole text at once; data decoded with a codec, bad events
 * named by number; a Left of the body passed on; the body told to stop when reading stops early;
 * the bound on an event; the state a reconnection needs; hostile input.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { createParser } from 'eventsource-parser'
import * as E from 'fp-ts/Either'
import * as fc from 'fast-check'
import * as t from 'io-ts'
import { transportError, type ClientError } from '../../src/model/errors.js'
import { streamHead, type HttpStream, type ServerSentEvent } from '../../src/model/stream.js'
import { asEventStream, eventStreamDecoder } from '../../src/read/event-stream.js'
import { decodeStream } from '../../src/read/stream-body.js'
import { collect, cutAt, plain, streamOf, utf8, type BodyItem, throwingCodec as Throws } from '../support/streams.js'

const read = (items: Iterable<BodyItem>) => collect(asEventStream()(streamOf(items).stream))
const events = async (text: string): Promise<ServerSentEvent[]> =>
  (await read([utf8(text)])).map((r) =>
    E.isRight(r) ? r.right : assert.fail(`expected Right, got ${r.left._tag}: ${r.left.message}`),
  )
const ev = (data: string, id = '', event = 'message', retry?: number): ServerSentEvent =>
  retry === undefined ? { event, data, id } : { event, data, id, retry }

const lastLeft = <X>(rs: ReadonlyArray<E.Either<ClientError, X>>): ClientError => {
  const last = rs.at(-1)
  if (last === undefined || E.isRight(last)) return assert.fail('expected the stream to end with a Left')
  return last.left
}

describe('asEventStream: the HTML standard (§9.2 server-sent events)', () => {
  test('three messages, one of two data lines (joined with \\n)', async () => {
    const text =
      'data: This is the first message.\n\n' +
      'data: This is the second message, it\ndata: has two lines.\n\n' +
      'data: This is the third message.\n\n'
    assert.deepEqual(await events(text), [
      ev('This is the first message.'),
      ev('This is the second message, it\nhas two lines.'),
      ev('This is the third message.'),
    ])
  })

  test('event types', async () => {
    const text = 'event: add\ndata: 73857293\n\nevent: remove\ndata: 2153\n\nevent: add\ndata: 113411\n\n'
    assert.deepEqual(await events(text), [ev('73857293', '', 'add'), ev('2153', '', 'remove'), ev('113411', '', 'add')])
  })

  test('": test stream": a comment, an id, an id without a value (resets it), a leading space kept', async () => {
    const text = ': test stream\n\ndata: first event\nid: 1\n\ndata:second event\nid\n\ndata:  third event\n\n'
    assert.deepEqual(await events(text), [ev('first event', '1'), ev('second event', ''), ev(' third event', '')])
  })

  test('"data" without a colon; an empty data line; a last block without a blank line is dropped', async () => {
    assert.deepEqual(await events('data\n\ndata\ndata\n\ndata:'), [ev(''), ev('\n')])
  })

  test('"data:test" and "data: test" are the same event (one space after the colon is dropped)', async () => {
    assert.deepEqual(await events('data:test\n\ndata: test\n\n'), [ev('test'), ev('test')])
  })

  test('BOM, CR, LF and CRLF line ends, retry, the last event ID kept across events, unknown fields ignored', async () => {
    const text = '\ufeffretry: 2500\rid: 7\r\ndata: a\n\nfoo: bar\nretry: x\ndata: b\r\revent:\ndata: c\n\n'
    assert.deepEqual(await events(text), [
      ev('a', '7', 'message', 2500),
      ev('b', '7', 'message', 2500),
      ev('c', '7', 'message', 2500),
    ])
  })

  test('the id of a block without data still sets the last event ID (what a reconnection sends)', async () => {
    const d = eventStreamDecoder('t', undefined, streamHead(streamOf([]).stream))
    assert.deepEqual(d.push(utf8('data: a\n\nid: 9\n\n: ping\nid: 10')), { items: [ev('a')], error: null })
    assert.equal(d.state().lastEventId, '9', 'an id line not followed by a blank line is not committed')
    assert.deepEqual(d.push(utf8('\n\ndata: b\n\n')), { items: [ev('b', '10')], error: null })
  })

  test('an id holding NUL is ignored; invalid UTF-8 is read as U+FFFD', async () => {
    const rs = await read([utf8('id: 1\ndata: x\n\nid: a\0b\ndata: '), new Uint8Array([0xff, 0x0a, 0x0a])])
    assert.deepEqual(rs, [E.right(ev('x', '1')), E.right(ev('\ufffd', '1'))])
  })
})

/** A generated event stream: blocks of field lines, every line end CR, LF or CRLF. */
const text = fc.string({ unit: 'binary', maxLength: 8 }).map((s) => s.replace(/[\r\n]/g, ''))
const field = fc.oneof(
  text.map((v) => `data: ${v}`),
  text.map((v) => `data:${v}`),
  fc.constant('data'),
  text.map((v) => `event: ${v}`),
  fc.constant('event'),
  text.map((v) => `id: ${v}`),
  fc.constant('id'),
  fc.nat(100000).map((n) => `retry: ${n}`),
  text.map((v) => `retry: ${v}`),
  text.map((v) => `: ${v}`),
  text.map((v) => `${v.replace(/:/g, '')}: ${v}`),
)
const eol = fc.constantFrom('\n', '\r', '\r\n')
const block = fc.tuple(fc.array(fc.tuple(field, eol), { maxLength: 5 }), eol)
const eventStreamText = fc
  .tuple(fc.boolean(), fc.array(block, { maxLength: 8 }), fc.boolean())
  .map(
    ([bom, blocks, trailing]) =>
      (bom ? '\ufeff' : '') +
      blocks.map(([lines, end]) => lines.map(([l, e]) => l + e).join('') + end).join('') +
      (trailing ? 'data: unfinished' : ''),
  )

/** The events and data eventsource-parser makes of the whole text fed at once. */
const parserReference = (whole: string): Array<{ event: string; data: string }> => {
  const out: Array<{ event: string; data: string }> = []
  const parser = createParser({ onEvent: (m) => out.push({ event: m.event || 'message', data: m.data }) })
  parser.feed(whole)
  // eventsource-parser keeps a final CR, waiting for the LF of a CRLF: at the end of the text none comes
  if (whole.endsWith('\r')) parser.feed('\n')
  return out
}

/** The HTML standard's algorithm (§9.2.6), written out line by line over the whole (decoded) text. */
const standardReference = (whole: string): ServerSentEvent[] => {
  const out: ServerSentEvent[] = []
  let data = ''
  let type = ''
  let idBuffer = ''
  let lastId = ''
  let retry: number | undefined
  const lines = whole.split(/\r\n|\r|\n/)
  lines.pop() // the text after the last line end is not a line: discarded at the end of the stream
  for (const line of lines) {
    if (line === '') {
      lastId = idBuffer
      if (data !== '') out.push(ev(data.slice(0, -1), lastId, type === '' ? 'message' : type, retry))
      data = ''
      type = ''
      continue
    }
    if (line.startsWith(':')) continue
    const colon = line.indexOf(':')
    const field = colon < 0 ? line : line.slice(0, colon)
    const raw = colon < 0 ? '' : line.slice(colon + 1)
    const value = raw.startsWith(' ') ? raw.slice(1) : raw
    if (field === 'event') type = value
    else if (field === 'data') data += `${value}\n`
    else if (field === 'id' && !value.includes('\0')) idBuffer = value
    else if (field === 'retry' && /^[0-9]+$/.test(value)) retry = Number(value)
  }
  return out
}

describe('asEventStream: split anywhere', () => {
  test("the same bytes re-chunked at random points give the same events, those of the standard's algorithm written out, and eventsource-parser fed the whole text agrees on types and data (fast-check)", async () => {
    await fc.assert(
      fc.asyncProperty(eventStreamText, fc.array(fc.nat(300), { maxLength: 40 }), async (s, cuts) => {
        const bytes = utf8(s)
        const whole = await read([bytes])
        assert.deepStrictEqual(await read(cutAt(bytes, cuts)), whole)
        const decoded = new TextDecoder().decode(bytes)
        assert.deepStrictEqual(whole, standardReference(decoded).map(E.right))
        assert.deepStrictEqual(
          whole.map((r) => E.isRight(r) && { event: r.right.event, data: r.right.data }),
          parserReference(decoded),
        )
      }),
      { numRuns: 300 },
    )
  })

  test('byte by byte, through a multi-byte character and a CRLF cut in two', async () => {
    const bytes = utf8('data: é€😀\r\n\r\ndata: ж\r\r')
    assert.deepEqual(await read(cutAt(bytes, [...bytes.keys()])), [E.right(ev('é€😀')), E.right(ev('ж'))])
  })
})

describe('asEventStream: data decoded, errors', () => {
  const Delta = t.type({ delta: t.string }, 'Delta')

  test('with a codec, data is parsed as JSON and decoded', async () => {
    const rs = await collect(
      asEventStream(Delta)(streamOf([utf8('data: {"delta":"a"}\n\ndata: {"delta":\ndata: "b"}\n\n')]).stream),
    )
    assert.deepEqual(rs, [
      E.right({ event: 'message', data: { delta: 'a' }, id: '' }),
      E.right({ event: 'message', data: { delta: 'b' }, id: '' }),
    ])
  })

  test('data that is not JSON is a ParseError naming the event; one the codec refuses a DecodeError', async () => {
    const body = streamOf([utf8(': hi\n\ndata: {"delta":"a"}\n\ndata: nope\n\ndata: {"delta":"c"}\n\n')])
    const rs = await collect(asEventStream(Delta)(body.stream))
    assert.equal(rs.length, 2)
    assert.match(lastLeft(rs).message, /^asEventStream: the data of event 2 is not valid JSON/)
    assert.equal(lastLeft(rs)._tag, 'ParseError')
    assert.equal(body.returns(), 1)
    const bad = await collect(asEventStream(Delta)(streamOf([utf8('data: {"delta":1}\n\n')]).stream))
    assert.equal(lastLeft(bad)._tag, 'DecodeError')
    assert.match(
      lastLeft(bad).message,
      /^asEventStream: the data of event 1 does not match Delta: delta: expected string, got 1/,
    )
  })

  test('a Left of the body is passed on, and nothing is read after it', async () => {
    const cut = transportError('executeRequest: connection reset', 'ECONNRESET', [])
    const body = streamOf([utf8('data: a\n\ndata: b'), E.left(cut), utf8('\n\n')])
    assert.deepEqual(await collect(asEventStream()(body.stream)), [E.right(ev('a')), E.left(cut)])
    assert.equal(body.pulls(), 2)
    assert.equal(body.returns(), 1)
  })

  test('a consumer leaving early tells the body to stop', async () => {
    const body = streamOf([utf8('data: a\n\ndata: b\n\n'), utf8('data: c\n\n')])
    for await (const r of asEventStream()(body.stream)) {
      assert.deepEqual(r, E.right(ev('a')))
      break
    }
    assert.equal(body.returns(), 1)
    assert.equal(body.pulls(), 1)
  })

  test('an event over the bound is ResponseTooLarge, in one piece or buffered across pieces', async () => {
    const decode = (items: BodyItem[]) =>
      collect(
        decodeStream('t', streamOf(items).stream, (s) =>
          E.right(eventStreamDecoder('t', undefined, streamHead(s), {}, 16)),
        ),
      )
    const tooLarge = { _tag: 'ResponseTooLarge', message: 't: event 2 is longer than 16 characters' }
    const long = 'data: 0123456789\ndata: 0123456789\n\n'
    for (const items of [[utf8(`data: a\n\n${long}`)], [utf8('data: a\n\n'), ...cutAt(utf8(long), [5, 20, 30])]])
      assert.deepEqual((await decode(items)).map(plain), [E.right(ev('a')), tooLarge])
    // a line that never ends
    const endless = await decode([utf8('data: a\n\n: '), ...Array.from({ length: 10 }, () => utf8('0123456789'))])
    assert.deepEqual(endless.map(plain), [E.right(ev('a')), tooLarge])
  })

  test('throwing codecs and codecs without decode are InvalidInputs', async () => {
    const rs = await collect(asEventStream(Throws)(streamOf([utf8('data: 1\n\n')]).stream))
    assert.deepEqual(rs.map(plain), [{ _tag: 'InvalidInput', message: 'asEventStream: the codec threw: boom' }])
    const body = streamOf([utf8('data: 1\n\n')])
    const none = await collect(asEventStream(null as unknown as t.Decoder<unknown, number>)(body.stream))
    assert.deepEqual(none.map(plain), [
      { _tag: 'InvalidInput', message: 'asEventStream: the codec has no decode function' },
    ])
    assert.equal(body.pulls(), 0)
  })
})

describe('asEventStream: reconnection state, hostile input', () => {
  test("the decoder tells the last event ID and retry, and starts from a former connection's", () => {
    const d = eventStreamDecoder('streamEvents', undefined, streamHead(streamOf([]).stream), {
      lastEventId: '4',
      retry: 100,
    })
    assert.deepEqual(d.state(), { lastEventId: '4', retry: 100 })
    assert.deepEqual(d.push(utf8('data: a\n\nretry: 900\nid: 5\ndata: b\n\nretry: 99999999999999999999\n')), {
      items: [ev('a', '4', 'message', 100), ev('b', '5', 'message', 900)],
      error: null,
    })
    assert.deepEqual(d.state(), { lastEventId: '5', retry: 900 }, 'a retry past the safe integers is ignored')
    assert.deepEqual(d.end(), { items: [], error: null })
  })

  test('something else than a stream, a body that throws or yields something else: one Left, never a rejection', async () => {
    const only = async (x: unknown) => (await collect(asEventStream()(x as HttpStream))).map(plain)
    for (const x of [null, 1, {}, { _tag: 'HttpStream', log: [], body: 'data: x\n\n' }])
      assert.deepEqual(await only(x), [
        { _tag: 'InvalidInput', message: 'asEventStream: the input is not an HttpStream' },
      ])
    assert.equal(lastLeft(await read([utf8('data: a\n\n'), { throws: new Error('gone') }]))._tag, 'TransportError')
    assert.equal(lastLeft(await read([{ raw: 'data: a\n\n' }]))._tag, 'InvalidInput')
  })
})
