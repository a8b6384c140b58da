/**
 * Media types of files from their names, for the browser build (in place of media-type.ts: the
 * mime-types database is too large to bundle): the common types by extension, null otherwise
 * (the part is then `application/octet-stream`).
 * @module
 */

const TYPES: Readonly<Record<string, string>> = {
  txt: 'text/plain',
  html: 'text/html',
  htm: 'text/html',
  css: 'text/css',
  csv: 'text/csv',
  md: 'text/markdown',
  xml: 'application/xml',
  js: 'text/javascript',
  mjs: 'text/javascript',
  json: 'application/json',
  pdf: 'application/pdf',
  zip: 'application/zip',
  gz: 'application/gzip',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  svg: 'image/svg+xml',
  ico: 'image/vnd.microsoft.icon',
  mp3: 'audio/mpeg',
  wav: 'audio/wav',
  mp4: 'video/mp4',
  webm: 'video/webm',
  woff2: 'font/woff2',
}

/**
 * The media type of a file from its name, from a table of common types, or null.
 * @example
 * mediaTypeOf('report.pdf') // 'application/pdf'
 * @internal
 */
export const mediaTypeOf = (filename: string): string | null => {
  const dot = filename.lastIndexOf('.')
  if (dot === -1 || /[/\\]/.test(filename.slice(dot))) return null
  return TYPES[filename.slice(dot + 1).toLowerCase()] ?? null
}
