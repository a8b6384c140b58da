/**
 * The two Node.js globals httpipe's code names, as the browser build provides them (esbuild's
 * `inject`: each free use of `Buffer` or `process` in the bundle refers to these): `Buffer` from
 * the `buffer` package (what every bundler's Node polyfill uses), and a `process` with an empty
 * `env` and a `stderr` whose lines go to `console.debug` (the `env.debug` log).
 * @module
 */
import { Buffer } from 'buffer'

export { Buffer }

/**
 * The part of `process` httpipe reads: `env` (nothing set) and `stderr.write`.
 * @example
 * process.stderr.write('[httpipe] …\n') // console.debug('[httpipe] …')
 */
export const process = {
  env: {} as Record<string, string | undefined>,
  stderr: {
    write: (text: string): boolean => {
      console.debug(text.replace(/\n$/, ''))
      return true
    },
  },
}
