/**
 * A progress bar for uploads and downloads, drawn on one line of a terminal (stderr) and
 * redrawn in place at most ten times a second.
 * @module
 */

/**
 * A byte count for people: `512 B`, `1.5 KiB`, `12.0 MiB`.
 * @example
 * humanBytes(1536) // '1.5 KiB'
 * @category cli
 * @since 0.3.0
 */
export const humanBytes = (n: number): string => {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
  let v = n
  let u = 0
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024
    u += 1
  }
  return u === 0 ? `${v} B` : `${v.toFixed(1)} ${units[u]}`
}

/**
 * One line of the bar: direction, bar and percentage when the total is known, bytes so far.
 * @example
 * progressLine({ direction: 'download', loaded: 512, total: 1024 }, 40) // 'download [##########----------]  50%  512 B / 1.0 KiB'
 * @category cli
 * @since 0.3.0
 */
export const progressLine = (
  p: { readonly direction: string; readonly loaded: number; readonly total: number | null },
  columns: number,
): string => {
  const label = p.direction.padEnd(8)
  if (p.total === null || p.total <= 0) return `${label} ${humanBytes(p.loaded)}`
  const ratio = Math.min(1, p.loaded / p.total)
  const tail = ` ${String(Math.floor(ratio * 100)).padStart(3)}%  ${humanBytes(p.loaded)} / ${humanBytes(p.total)}`
  const width = Math.max(10, Math.min(40, columns - label.length - tail.length - 4))
  const full = Math.round(ratio * width)
  return `${label} [${'#'.repeat(full)}${'-'.repeat(width - full)}]${tail}`
}

/**
 * A bar that draws progress events on `stream`, one line per direction; `done()` ends the
 * line. `show` says which events to draw.
 * @example
 * const bar = progressBar(process.stderr, (p) => p.direction === 'download')
 * @category cli
 * @since 0.3.0
 */
export const progressBar = (
  stream: { write(s: string): unknown; readonly columns?: number },
  show: (p: { readonly direction: string }) => boolean,
  now: () => number = Date.now,
) => {
  let direction: string | null = null
  let drawn = 0
  let pending: { readonly direction: string; readonly loaded: number; readonly total: number | null } | null = null
  const draw = (p: { readonly direction: string; readonly loaded: number; readonly total: number | null }): void => {
    // a pseudo-terminal may say 0 columns
    const line = progressLine(p, stream.columns !== undefined && stream.columns > 0 ? stream.columns : 80)
    stream.write(`\r${line}\u001b[K`)
    drawn = now()
    pending = null
  }
  return {
    onProgress: (p: { readonly direction: string; readonly loaded: number; readonly total: number | null }): void => {
      if (!show(p)) return
      if (direction !== null && p.direction !== direction) {
        if (pending !== null) draw(pending)
        stream.write('\n')
      }
      const first = p.direction !== direction
      direction = p.direction
      const complete = p.total !== null && p.loaded >= p.total
      if (first || complete || now() - drawn >= 100) draw(p)
      else pending = p
    },
    done: (): void => {
      if (pending !== null) draw(pending)
      if (direction !== null) stream.write('\n')
      direction = null
    },
  }
}
