/**
 * The JSON answers of the benchmark server and the one io-ts codec every client decodes them
 * with. `makePayload(bytes)` is deterministic and exactly `bytes` long, so the server (a child
 * process) and the in-memory measurement in the parent serve the same text.
 * @module
 */
import * as t from 'io-ts'

export const Item = t.type({
  id: t.number,
  name: t.string,
  tags: t.array(t.string),
  score: t.number,
  active: t.boolean,
})
export const Payload = t.type({ ok: t.boolean, count: t.number, items: t.array(Item), pad: t.string })
export type Payload = t.TypeOf<typeof Payload>

/** A JSON document of exactly `bytes` bytes (ASCII) that `Payload` accepts. */
export const makePayload = (bytes: number): Buffer => {
  const items: Array<t.TypeOf<typeof Item>> = []
  const render = (pad: string): string => JSON.stringify({ ok: true, count: items.length, items, pad })
  for (let i = 0; ; i++) {
    const item = {
      id: i,
      name: `item number ${i}`,
      tags: ['alpha', 'beta', `t${i % 7}`],
      score: ((i * 37) % 101) + 0.5,
      active: i % 3 !== 0,
    }
    items.push(item)
    if (render('').length > bytes) {
      items.pop()
      break
    }
  }
  const text = render('x'.repeat(bytes - render('').length))
  if (text.length !== bytes) throw new Error(`payload is ${text.length} bytes, wanted ${bytes}`)
  return Buffer.from(text, 'utf8')
}

/** The routes of bench/server.ts. */
export const routes = {
  small: '/json/1k',
  large: '/json/64k',
  big: (bytes: number): string => `/big/${bytes}`,
  /** POST: the request body read whole (its length in `x-received-bytes`), then the 1 KiB JSON */
  post: '/post/1k',
} as const
