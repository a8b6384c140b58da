/**
 * The template loader for the browser build (in place of template-loader.ts): bundled with it.
 * @module
 */
import * as loader from './template-load.js'

/**
 * The loader module.
 * @example
 * templateLoader().loadTemplate // the function fromTemplate runs
 * @internal
 */
export const templateLoader = (): typeof loader => loader
