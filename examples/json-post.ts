/**
 * A JSON POST with typed error handling: every failure is a ClientError value, folded with
 * matchClientError; the log travels with it.
 */
import { pipe } from 'fp-ts/function'
import * as T from 'fp-ts/Task'
import * as TE from 'fp-ts/TaskEither'
import * as t from 'io-ts'
import * as H from 'httpipe'

const Created = t.type({ json: t.type({ field1: t.number, field2: t.string }) })

const explain = H.matchClientError<string>({
  InvalidInput: (e) => `bad input at ${e.step}: ${e.message}`,
  TransportError: (e) => `network problem (${e.cause}): ${e.message}`,
  Timeout: (e) => `no answer within ${e.timeoutMs} ms`,
  FileError: (e) => `file ${e.path}: ${e.cause}`,
  AuthError: (e) => `auth failed: ${e.message}`,
  ParseError: (e) => `not JSON: ${e.message}`,
  DecodeError: (e) => `unexpected shape: ${e.message}`,
  StatusError: (e) => `HTTP ${e.status}`,
  ResponseTooLarge: (e) => `body over ${e.limit} bytes`,
})

const post = (url: string, body: unknown) =>
  pipe(
    H.newRequest(),
    H.initialize(url),
    H.setJsonBody(body),
    H.addHeader('X-My-Header1', 'Hello'),
    H.processRequest('POST'),
    TE.flatMapEither(H.ensureStatus()),
    TE.flatMapEither(H.asJson(Created)),
    TE.match(explain, (r) => `created: ${JSON.stringify(r.json)}`),
  )

export const main = async (baseUrl: string): Promise<string> => {
  const lines = await T.sequenceArray([
    post(`${baseUrl}/post`, { field1: 10, field2: 'Text' }),
    post(`${baseUrl}/post`, '{"field1": oops}'),
    post(`${baseUrl}/status/503`, { field1: 1, field2: 'x' }),
    post(`${baseUrl}/post`, { field1: 'not a number', field2: 'x' }),
  ])()
  return lines.join('\n')
}
