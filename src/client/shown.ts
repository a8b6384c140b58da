/**
 * Values as short text for the messages of the client's runners.
 * @module
 */
import { showValue } from '../encoding/json.js'

/**
 * A value as short text for a message (at most 60 characters).
 * @example
 * shown('abc') // '"abc"'
 * @internal
 */
export const shown = (v: unknown): string => {
  let text: string
  try {
    text = typeof v === 'function' ? 'a function' : typeof v === 'string' ? JSON.stringify(v) : showValue(v)
  } catch {
    text = 'a value that cannot be shown'
  }
  return text.length > 60 ? `${text.slice(0, 59)}…` : text
}
