/**
 * What a request may not ask for in a browser (the browser build's platform.ts): files (a file
 * body or part, a response file), a proxy (the browser chooses it) and TLS options (the browser
 * holds the certificates). Each is an `InvalidInput` naming the step that set it, returned
 * before anything is sent.
 * @module
 */
import type { Request, Source } from '../../model/request.js'

const isFile = (s: Source): boolean => s._tag === 'File'

const refuse = (step: string, what: string): { readonly step: string; readonly message: string } => ({
  step,
  message: `${step}: ${what} is not available in the browser`,
})

/**
 * The first setting of `req` a browser cannot carry out, as the step that set it and why; null
 * when there is none.
 * @example
 * unavailableHere(pipe(H.newRequest(), H.setResponseFile('out.bin')))?.step // 'setResponseFile'
 * @internal
 */
export const unavailableHere = (req: Request): { readonly step: string; readonly message: string } | null => {
  if (req.responseFile !== null) return refuse('setResponseFile', 'writing the response to a file')
  if (req.proxy !== null) return refuse('setProxy', 'a proxy (the browser chooses its own)')
  if (req.tls !== null) return refuse('setTls', 'a TLS option (the browser holds the certificates)')
  const b = req.body
  if (b._tag === 'Binary' && isFile(b.source)) return refuse('setBinaryBody', 'a body read from a file (fromFile)')
  if (b._tag === 'Multipart')
    for (const p of b.parts) {
      if (p._tag === 'File' && isFile(p.source))
        return refuse('addMultipartFormDataFile', 'a part read from a file (fromFile)')
      if (p._tag === 'Related' && isFile(p.source))
        return refuse('addDataAsRelated', 'a part read from a file (fromFile)')
    }
  return null
}
