/**
 * `/users` and `/users/:id`: a tiny, stateless JSON API for the typed-endpoint examples (a get, a
 * create, a 404 and a 422, as a real API answers them). Nothing is stored: a user exists when its
 * id is a whole number from 1 to 1000, and is named after it.
 * @module
 * @internal
 */
import { sendJson, send, EMPTY, param, type Context, type Handler } from './context.js'

const MAX_ID = 1000

const notAllowed = (ctx: Context, allow: string): void =>
  sendJson(ctx, 405, { title: 'Method Not Allowed', detail: `use ${allow}` }, [['Allow', allow]])

/** The user `id` names, or null: ids are 1 to 1000, written without sign or leading zero. */
const userId = (text: string): number | null => {
  const id = /^[1-9]\d{0,3}$/.test(text) ? Number(text) : NaN
  return id >= 1 && id <= MAX_ID ? id : null
}

/**
 * `GET /users/:id`: 200 `{ id, name }` for ids 1 to 1000, else 404 `{ title, detail }`;
 * `DELETE /users/:id`: 204 (no body) or that 404.
 * @internal
 */
export const user: Handler = (ctx) => {
  const method = ctx.request.method
  if (method !== 'GET' && method !== 'HEAD' && method !== 'DELETE') return notAllowed(ctx, 'GET, HEAD, DELETE')
  const raw = param(ctx, 'id')
  const id = userId(raw)
  if (id === null)
    return sendJson(ctx, 404, { title: 'Not Found', detail: `no user ${JSON.stringify(raw.slice(0, 100))}` })
  if (method === 'DELETE') return send(ctx, 204, EMPTY)
  sendJson(ctx, 200, { id, name: `User ${id}` })
}

/**
 * `POST /users` with a JSON object: 201 `{ id: 1001, ...fields }` (`Location: /users/1001`) when
 * `name` is a non-empty string, else 422 `{ errors: [{ field, message }] }`; 400 when the body is
 * not a JSON object. `GET /users` lists the first three users.
 * @internal
 */
export const users: Handler = (ctx) => {
  const method = ctx.request.method
  if (method === 'GET' || method === 'HEAD')
    return sendJson(
      ctx,
      200,
      [1, 2, 3].map((id) => ({ id, name: `User ${id}` })),
    )
  if (method !== 'POST') return notAllowed(ctx, 'GET, HEAD, POST')
  let fields: unknown
  try {
    fields = JSON.parse(ctx.body.toString('utf8'))
  } catch {
    fields = undefined
  }
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields))
    return sendJson(ctx, 400, { title: 'Bad Request', detail: 'the body must be a JSON object' })
  const name = (fields as { name?: unknown }).name
  if (typeof name !== 'string' || name.trim() === '')
    return sendJson(ctx, 422, {
      errors: [{ field: 'name', message: name === undefined ? 'required' : 'must be a non-empty string' }],
    })
  sendJson(ctx, 201, { ...fields, id: MAX_ID + 1 }, [['Location', '/users/1001']])
}
