/**
 * The cases of the transfer benchmark, each run alone in a child process (bench/transfer-child.ts)
 * so that its peak RSS is its own: httpipe uploading a file as a multipart part, as a plain file
 * body and with `sendDataInParts`, and downloading to a file with `setResponseFile` and with
 * `getDataInParts`; next to the raw `node:http` pipe of the same bytes in each direction (the
 * baseline of the ratios) and raw `node:http` speaking the same parts protocols by hand. A case
 * loads its module (transfer-raw.ts or transfer-httpipe.ts) when it runs, so a raw pipe's
 * process never loads httpipe or undici.
 * @module
 */

/** What a case gets: the server, the file to upload or download to, the resource's size. */
export interface Job {
  readonly id: string
  readonly base: string
  readonly file: string
  readonly size: number
  /** a fresh upload id for `/upload/<id>` */
  readonly uploadId: string
}

/** How a case ended: an error text, or the server's answer (an upload's JSON; empty for a download). */
export type Outcome = { readonly error: string } | { readonly answer: string }

export type Run = (job: Job) => Promise<Outcome>

export interface TransferCase {
  readonly id: string
  readonly label: string
  readonly direction: 'upload' | 'download'
  /** the raw node:http pipe of its direction */
  readonly baseline: boolean
  /** imports the case's module; the run */
  readonly load: () => Promise<Run>
}

const MiB = 1 << 20
const raw = (): Promise<typeof import('./transfer-raw.js')> => import('./transfer-raw.js')
const httpipe = (): Promise<typeof import('./transfer-httpipe.js')> => import('./transfer-httpipe.js')

export const transferCases: ReadonlyArray<TransferCase> = [
  {
    id: 'up-raw',
    label: 'node:http, file piped into the request (reference)',
    direction: 'upload',
    baseline: true,
    load: async () => (await raw()).rawUpload,
  },
  {
    id: 'up-file',
    label: 'httpipe, setBinaryBody(fromFile), PUT',
    direction: 'upload',
    baseline: false,
    load: async () => (await httpipe()).fileUpload,
  },
  {
    id: 'up-multipart',
    label: 'httpipe, multipart/form-data, one fromFile part, POST',
    direction: 'upload',
    baseline: false,
    load: async () => (await httpipe()).multipartUpload,
  },
  {
    id: 'up-raw-parts-5',
    label: 'node:http, the same 308/Range protocol by hand, 5 MiB chunks (reference)',
    direction: 'upload',
    baseline: false,
    load: async () => (await raw()).rawChunkedUpload(5 * MiB),
  },
  {
    id: 'up-parts-5',
    label: 'httpipe, sendDataInParts (5 MiB chunks, 308/Range)',
    direction: 'upload',
    baseline: false,
    load: async () => (await httpipe()).chunkedUpload(5 * MiB),
  },
  {
    id: 'up-parts-16',
    label: 'httpipe, sendDataInParts (16 MiB chunks, 308/Range)',
    direction: 'upload',
    baseline: false,
    load: async () => (await httpipe()).chunkedUpload(16 * MiB),
  },
  {
    id: 'down-raw',
    label: 'node:http, response piped into a file (reference)',
    direction: 'download',
    baseline: true,
    load: async () => (await raw()).rawDownload,
  },
  {
    id: 'down-file',
    label: 'httpipe, setResponseFile + GET',
    direction: 'download',
    baseline: false,
    load: async () => (await httpipe()).fileDownload,
  },
  {
    id: 'down-raw-parts-5',
    label: 'node:http, ranged GETs by hand, 5 MiB parts appended (reference)',
    direction: 'download',
    baseline: false,
    load: async () => (await raw()).rawRangedDownload(5 * MiB),
  },
  {
    id: 'down-parts-5',
    label: 'httpipe, getDataInParts (5 MiB parts, 206)',
    direction: 'download',
    baseline: false,
    load: async () => (await httpipe()).rangedDownload(5 * MiB),
  },
  {
    id: 'down-parts-16',
    label: 'httpipe, getDataInParts (16 MiB parts, 206)',
    direction: 'download',
    baseline: false,
    load: async () => (await httpipe()).rangedDownload(16 * MiB),
  },
]
