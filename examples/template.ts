/**
 * A reusable request template: a value composed with `flow`, specialised per call, saved to
 * JSON with RequestCodec and loaded back.
 */
import { flow, pipe } from 'fp-ts/function'
import * as E from 'fp-ts/Either'
import * as TE from 'fp-ts/TaskEither'
import * as t from 'io-ts'
import * as H from 'httpipe'

const Authed = t.type({ authenticated: t.boolean, token: t.string })

export const main = async (baseUrl: string): Promise<string> => {
  // the template: base URL, auth, headers and settings, as a plain function of a Request
  const api = flow(
    H.initialize(baseUrl),
    H.addBearerAuthorization('demo-token'),
    H.addHeader('Accept', 'application/json'),
    H.maxAttempts(2),
    H.setTimeout(5_000),
  )
  const bearerCheck = pipe(H.newRequest(), api, H.setUrl(`${baseUrl}/bearer`))

  // a template is data: save it, load it back
  const saved = JSON.stringify(H.RequestCodec.encode(bearerCheck))
  const loaded = H.RequestCodec.decode(JSON.parse(saved))
  if (E.isLeft(loaded)) return 'template did not load'

  const result = await pipe(loaded.right, H.processRequest('GET'), TE.flatMapEither(H.asJson(Authed)))()
  return pipe(
    result,
    E.match(
      (e) => `failed: ${e.message}`,
      (r) =>
        `authenticated=${r.authenticated} (template is ${saved.length} bytes of JSON; the token shows as *** in its log)`,
    ),
  )
}
