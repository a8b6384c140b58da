/**
 * The module that loads templates (and reads their trust), loaded (synchronously) by the first
 * `fromTemplate` rather than with the package. The browser build has a sibling that bundles it.
 * @module
 */
import { createRequire } from 'node:module'

type Loader = typeof import('./template-load.js')
let loaded: Loader | null = null
const here = import.meta.url

/**
 * The loader module; a failed load throws, and is tried again next time.
 * @example
 * templateLoader().loadTemplate // the function fromTemplate runs
 * @internal
 */
export const templateLoader = (): Loader => {
  if (loaded === null) {
    // named `require`: scripts/build.mjs keeps the files that the entry points' `require('./…')`
    // reach (and `here`, not import.meta.url: the build makes that a call of `require` too)
    const require = createRequire(here)
    loaded = require('./template-load.js') as Loader
  }
  return loaded
}
