/**
 * What httpipe uses of `node:path`, for the browser build (in place of `node:path`): POSIX
 * `resolve`, `relative`, `isAbsolute` and `sep`, with `/` as the current directory (a template's
 * trusted folders are only compared there: files are not available in the browser).
 * @module
 */

/**
 * The separator.
 * @example
 * sep // '/'
 */
export const sep = '/'

/**
 * Whether a path starts at the root.
 * @example
 * isAbsolute('/a') // true
 */
export const isAbsolute = (p: string): boolean => p.startsWith('/')

/**
 * The absolute, normalized path of the segments, right to left until one is absolute.
 * @example
 * resolve('/a/b', '../c') // '/a/c'
 */
export const resolve = (...paths: ReadonlyArray<string>): string => {
  let joined = ''
  for (let i = paths.length - 1; i >= 0 && !isAbsolute(joined); i--) {
    const p = paths[i] ?? ''
    if (p !== '') joined = joined === '' ? p : `${p}/${joined}`
  }
  const out: string[] = []
  for (const s of `/${joined}`.split('/')) {
    if (s === '' || s === '.') continue
    if (s === '..') out.pop()
    else out.push(s)
  }
  return `/${out.join('/')}`
}

/**
 * The path from `from` to `to`.
 * @example
 * relative('/a/b', '/a/c/d') // '../c/d'
 */
export const relative = (from: string, to: string): string => {
  const a = resolve(from)
    .split('/')
    .filter((s) => s !== '')
  const b = resolve(to)
    .split('/')
    .filter((s) => s !== '')
  let i = 0
  while (i < a.length && i < b.length && a[i] === b[i]) i++
  return [...a.slice(i).map(() => '..'), ...b.slice(i)].join('/')
}
