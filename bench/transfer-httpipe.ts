/**
 * httpipe's side of the transfer benchmark, as a user writes it (default transport, default
 * settings): a file uploaded as one multipart/form-data part, as a plain file body and with
 * `sendDataInParts`; a download to a file with `setResponseFile` and with `getDataInParts`.
 * @module
 */
import * as TE from 'fp-ts/lib/TaskEither.js'
import { pipe } from 'fp-ts/lib/function.js'
import * as H from '../dist/esm/index.js'
import type { Job, Outcome } from './transfer-cases.js'

/** A run checked with `ensureStatus()`: the answer's text (`read`), else the error. */
const outcome = async (
  run: TE.TaskEither<H.ClientError, H.HttpResponse>,
  read: (res: H.HttpResponse) => TE.TaskEither<H.ClientError, string>,
): Promise<Outcome> => {
  const r = await pipe(run, TE.flatMapEither(H.ensureStatus()), TE.flatMap(read))()
  return r._tag === 'Left' ? { error: `${r.left._tag}: ${r.left.message}` } : { answer: r.right }
}
const text = (res: H.HttpResponse): TE.TaskEither<H.ClientError, string> => TE.fromEither(H.asString()(res))
const saved = (): TE.TaskEither<H.ClientError, string> => TE.right('')

/** One multipart/form-data part from the file, POSTed to /sink. */
export const multipartUpload = (job: Job): Promise<Outcome> =>
  outcome(
    pipe(
      H.newRequest(),
      H.initialize(`${job.base}/sink`),
      H.startMultipartBody(),
      H.addMultipartFormDataFile('file', 'big.bin', H.fromFile(job.file)),
      H.processRequest('POST'),
    ),
    text,
  )

/** The file as the body of a PUT to /sink. */
export const fileUpload = (job: Job): Promise<Outcome> =>
  outcome(
    pipe(
      H.newRequest(),
      H.initialize(`${job.base}/sink`),
      H.setBinaryBody(H.fromFile(job.file)),
      H.processRequest('PUT'),
    ),
    text,
  )

/** The file in chunks of `chunk` bytes to /upload/<id>, following the 308s. */
export const chunkedUpload =
  (chunk: number) =>
  (job: Job): Promise<Outcome> =>
    outcome(
      pipe(
        H.newRequest(),
        H.initialize(`${job.base}/upload/${job.uploadId}`),
        H.setBinaryBody(H.fromFile(job.file)),
        H.sendDataInParts(chunk),
      ),
      text,
    )

/** /blob/<size> streamed to the file. */
export const fileDownload = (job: Job): Promise<Outcome> =>
  outcome(
    pipe(
      H.newRequest(),
      H.initialize(`${job.base}/blob/${job.size}`),
      H.setResponseFile(job.file),
      H.processRequest('GET'),
    ),
    saved,
  )

/** /blob/<size> to the file in ranged parts of `chunk` bytes. */
export const rangedDownload =
  (chunk: number) =>
  (job: Job): Promise<Outcome> =>
    outcome(
      pipe(
        H.newRequest(),
        H.initialize(`${job.base}/blob/${job.size}`),
        H.setResponseFile(job.file),
        H.getDataInParts(chunk),
      ),
      saved,
    )
