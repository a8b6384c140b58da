/**
 * iconv-lite, loaded when a text encoding other than UTF-8 is first used, not when httpipe is
 * imported (UTF-8 is Node's own).
 * @module
 */
import { createRequire } from 'node:module'

type Iconv = typeof import('iconv-lite')

let loaded: Iconv | null = null

/**
 * iconv-lite, loaded on the first call (a synchronous `require`: the steps that need it are
 * synchronous).
 * @example
 * iconv().encode('Я', 'windows-1251') // <Buffer df>
 * @category request
 * @since 0.3.0
 * @internal
 */
export const iconv = (): Iconv => (loaded ??= createRequire(import.meta.url)('iconv-lite') as Iconv)
