/**
 * A form post, built whole with setFormBody and field by field with initializeFormBody.
 */
import { pipe } from 'fp-ts/function'
import * as E from 'fp-ts/Either'
import * as TE from 'fp-ts/TaskEither'
import * as t from 'io-ts'
import * as H from 'httpipe'

const Echo = t.type({ form: t.record(t.string, t.union([t.string, t.array(t.string)])) })

export const main = async (baseUrl: string): Promise<string> => {
  const whole = pipe(
    H.newRequest(),
    H.initialize(`${baseUrl}/post`),
    H.setFormBody({ name: 'Ann Lee', city: 'Zürich' }),
  )
  const byField = pipe(
    H.newRequest(),
    H.initialize(`${baseUrl}/post`),
    H.initializeFormBody(),
    H.insertBodyField('name', 'Bob'),
    H.insertBodyField('born', new Date(Date.UTC(1990, 4, 17)), 'dateOnly'),
    H.insertBodyField('admin', 'yes', 'boolean'),
  )
  const send = (req: H.Request) => pipe(req, H.processRequest('POST'), TE.flatMapEither(H.asJson(Echo)))
  const results = await Promise.all([send(whole)(), send(byField)()])
  return results
    .map(
      E.match(
        (e) => `failed: ${e.message}`,
        (r) => `form received: ${JSON.stringify(r.form)}`,
      ),
    )
    .join('\n')
}
