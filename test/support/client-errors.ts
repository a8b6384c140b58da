/**
 * One ClientError of each kind, with a shared log and a 404 response (not a test file).
 */
import type * as H from '../../src/index.js'

export const log: H.Log = [{ at: null, step: 's', message: 'm' }]

export const response: H.HttpResponse = {
  _tag: 'HttpResponse',
  status: 404,
  statusText: 'Not Found',
  headers: {},
  rawHeaders: [],
  url: 'http://127.0.0.1/x',
  body: new Uint8Array(0),
  file: null,
  redirects: 0,
  attempts: 1,
  timings: { start: 0, headers: 1, end: 2, total: 2 },
  log,
}

export const samples: ReadonlyArray<H.ClientError> = [
  { _tag: 'InvalidInput', step: 'setJsonBody', message: 'setJsonBody: invalid JSON text', log },
  { _tag: 'TransportError', cause: 'ECONNREFUSED', message: 'executeRequest: refused', log },
  { _tag: 'Timeout', timeoutMs: 100, limit: 'attempt', message: 'executeRequest: timed out', log },
  { _tag: 'FileError', path: './x', cause: 'ENOENT', message: 'prepareRequest: cannot read ./x', log },
  { _tag: 'AuthError', message: 'executeRequest: unsupported digest algorithm', log },
  { _tag: 'ParseError', message: 'asJson: invalid JSON', log },
  { _tag: 'DecodeError', errors: [], message: 'asJson: json.a: expected number', log },
  { _tag: 'StatusError', status: 404, response, message: 'ensureStatus: status 404', log },
  { _tag: 'ResponseTooLarge', limit: 1024, message: 'executeRequest: body over 1024 bytes', log },
]
