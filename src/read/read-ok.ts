/**
 * `readOk`: check the status and read the answer in one step on the TaskEither a run returns.
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import type * as TE from 'fp-ts/lib/TaskEither.js'
import { invalidInput, type ClientError } from '../model/errors.js'
import type { HttpResponse } from '../model/response.js'
import { ensureStatus } from './readers.js'

/**
 * A reader of a response: one of the `as*` readers, `ensureStatus`, or any function of an
 * {@link HttpResponse} to an `Either`.
 * @example
 * const read: H.ResponseReader<{ id: number }> = H.asJson(t.type({ id: t.number }))
 * @category responses
 * @since 0.3.0
 */
export type ResponseReader<A> = (res: HttpResponse) => E.Either<ClientError, A>

const STEP = 'readOk'

const failed = (message: string): E.Either<ClientError, never> => E.left(invalidInput(STEP, `${STEP}: ${message}`, []))

const thrown = (e: unknown): string => (e instanceof Error ? e.message : String(e))

/**
 * Checks the status of the answer a run gives (`ok`, by default any `2xx`: else a
 * `StatusError` carrying the response), then reads it with `read` — what
 * `TE.flatMapEither(H.ensureStatus(ok))` followed by `TE.flatMapEither(read)` do, in one step:
 * one promise hop instead of three, and none of fp-ts's per-call argument handling, which is
 * a fifth of the client's own time on a small JSON answer. A failed run's error passes through
 * unchanged. Nothing throws: a `read` or `ok` that is not a function, or that throws, and a
 * task that rejects are an `InvalidInput` naming `readOk`.
 * @example
 * const User = t.type({ id: t.number, name: t.string })
 * const user = await pipe(
 *   H.newRequest(),
 *   H.initialize('https://api.example.com/users/1'),
 *   H.processRequest('GET'),
 *   H.readOk(H.asJson(User)),
 * )() // right({ id: 1, name: 'Ann' }), or left(StatusError | ParseError | DecodeError | …)
 * @category responses
 * @since 0.3.0
 */
export const readOk = <A>(
  read: ResponseReader<A>,
  ok?: (status: number) => boolean,
): ((run: TE.TaskEither<ClientError, HttpResponse>) => TE.TaskEither<ClientError, A>) => {
  const check = ensureStatus(ok)
  const then = (r: E.Either<ClientError, HttpResponse>): E.Either<ClientError, A> => {
    if (typeof r !== 'object' || r === null) return failed('the run did not give an Either')
    if (r._tag === 'Left') return r
    const checked = check(r.right)
    if (checked._tag === 'Left') return checked
    if (typeof read !== 'function') return failed('the reader must be a function of the response')
    try {
      return read(r.right)
    } catch (e) {
      return E.left(invalidInput(STEP, `${STEP}: the reader threw: ${thrown(e)}`, r.right.log))
    }
  }
  return (run) => () => {
    try {
      if (typeof run !== 'function') return Promise.resolve(failed('the input is not a TaskEither (a run)'))
      return Promise.resolve(run()).then(then, (e: unknown) => failed(`the run rejected: ${thrown(e)}`))
    } catch (e) {
      return Promise.resolve(failed(`the run threw: ${thrown(e)}`))
    }
  }
}
