/**
 * HTTP-dates (RFC 9110 §5.6.7) read strictly, for Retry-After: a text in any other form is no
 * date (where `Date.parse` would read `-5` as the year -5).
 * @module
 */
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
const DAY = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)'
const LONG_DAY = '(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)'
const MONTH = `(${MONTHS.join('|')})`
const TIME = '(\\d{2}):(\\d{2}):(\\d{2})'
/** IMF-fixdate: `Sun, 06 Nov 1994 08:49:37 GMT` (RFC 9110 §5.6.7). */
const IMF = new RegExp(`^${DAY}, (\\d{2}) ${MONTH} (\\d{4}) ${TIME} GMT$`)
/** The obsolete RFC 850 form: `Sunday, 06-Nov-94 08:49:37 GMT` (a two-digit year). */
const RFC850 = new RegExp(`^${LONG_DAY}, (\\d{2})-${MONTH}-(\\d{2}) ${TIME} GMT$`)
/** The obsolete asctime form: `Sun Nov  6 08:49:37 1994` (in UTC). */
const ASCTIME = new RegExp(`^${DAY} ${MONTH} ([ \\d]\\d) ${TIME} (\\d{4})$`)

/** A UTC time from its fields, or null when a field is out of range (`31 Feb`, `25:00:00`). */
const utc = (year: number, month: string, day: number, h: number, m: number, s: number): number | null => {
  const mi = MONTHS.indexOf(month)
  const t = Date.UTC(year, mi, day, h, m, s)
  const d = new Date(t)
  return d.getUTCFullYear() === year && d.getUTCMonth() === mi && d.getUTCDate() === day && h < 24 && m < 60 && s < 61
    ? t
    : null
}

/**
 * The time an HTTP-date names (RFC 9110 §5.6.7: the IMF-fixdate, or the obsolete RFC 850 and
 * asctime forms, all in GMT), or null for any other text. A two-digit RFC 850 year more than 50
 * years ahead of `now` is taken as the past century (RFC 9110).
 * @example
 * httpDate('Sun, 06 Nov 1994 08:49:37 GMT', Date.now) // 784111777000
 * httpDate('-5', Date.now) // null
 * @internal
 */
export const httpDate = (text: string, now: () => number): number | null => {
  let m = IMF.exec(text)
  if (m !== null) return utc(Number(m[3]), m[2] ?? '', Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6]))
  m = ASCTIME.exec(text)
  if (m !== null)
    return utc(Number(m[6]), m[1] ?? '', Number((m[2] ?? '').trim()), Number(m[3]), Number(m[4]), Number(m[5]))
  m = RFC850.exec(text)
  if (m === null) return null
  const thisYear = new Date(now()).getUTCFullYear()
  let year = Math.floor(thisYear / 100) * 100 + Number(m[3])
  if (year > thisYear + 50) year -= 100
  return utc(year, m[2] ?? '', Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6]))
}
