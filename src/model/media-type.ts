/**
 * Media types of files from their names, for file parts given no type: the mime-types database,
 * loaded on first use (its data is large; a request without such a part never loads it). The
 * browser build has a sibling with a short table of common types.
 * @module
 */
import { createRequire } from 'node:module'

let mimeTypes: { readonly lookup: (path: string) => string | false } | undefined

/**
 * The media type of a file from its name (`report.pdf` is `application/pdf`), from the
 * mime-types database (loaded on first use), or null for a name it does not know.
 * @example
 * mediaTypeOf('report.pdf') // 'application/pdf'
 * mediaTypeOf('README') // null
 * @internal
 */
export const mediaTypeOf = (filename: string): string | null =>
  (mimeTypes ??= createRequire(import.meta.url)('mime-types') as NonNullable<typeof mimeTypes>).lookup(filename) || null
