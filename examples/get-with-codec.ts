/**
 * A GET with URL params, its JSON answer decoded and validated by an io-ts codec.
 */
import { pipe } from 'fp-ts/function'
import * as E from 'fp-ts/Either'
import * as TE from 'fp-ts/TaskEither'
import * as t from 'io-ts'
import * as H from 'httpipe'

/** The part of the echo server's answer this example cares about. */
const Echo = t.type({
  method: t.string,
  args: t.record(t.string, t.union([t.string, t.array(t.string)])),
})

export const main = async (baseUrl: string): Promise<string> => {
  const result = await pipe(
    H.newRequest(),
    H.initialize(`${baseUrl}/get`),
    H.addUrlParameter('q', 'functional http'),
    H.addUrlParameter('page', 2),
    H.setUrlParams([
      ['q', 'functional http'],
      ['page', 2],
      ['tags', ['fp', 'ts']],
    ]),
    H.splitArraysInUrl(true),
    H.processRequest('GET'),
    TE.flatMapEither(H.ensureStatus()),
    TE.flatMapEither(H.asJson(Echo)),
  )()
  return pipe(
    result,
    E.match(
      (e) => `failed: ${e.message}`,
      (echo) => `${echo.method} with args ${JSON.stringify(echo.args)}`,
    ),
  )
}
