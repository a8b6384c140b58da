/**
 * The requests of the browser test (test/runtime/browser.test.ts), shared by the page that runs
 * them in Chromium (browser-page.ts, bundled against the package's `browser` condition) and the
 * test, which prepares the signed ones on Node.js to compare: with the same clock and random
 * numbers, the browser build must sign exactly as Node's does (its SHA-256, HMAC and query
 * parsing are its own).
 */
import { pipe } from 'fp-ts/lib/function.js'
import * as H from '../../src/index.js'

/** The clock and random numbers both sides sign with. */
export const SIGNING_ENV: H.Env = { now: () => Date.UTC(2026, 0, 2, 3, 4, 5), random: () => 0.25 }

/** Basic auth's user and password. */
export const BASIC = { user: 'ann', password: 's3cret:x' } as const

/** AWS4-signed GET, a query with a repeated name, an escaped space and an unsorted order. */
export const aws4Request = (base: string): H.Request =>
  pipe(
    H.newRequest(),
    H.initialize(`${base}/api/signed/aws4?b=2&a=1&a=3&c=x%20y`),
    H.addAws4Authorization('AKIDEXAMPLE', 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', 'eu-west-1', 'execute-api'),
  )

/** OAuth1 HMAC-SHA1 POST of a form body (its fields are signed too). */
export const oauth1Request = (base: string): H.Request =>
  pipe(
    H.newRequest(),
    H.initialize(`${base}/api/signed/oauth1?q=fp%20ts`),
    H.setFormBody({ status: 'héllo wörld', n: 1 }),
    H.addOAuthV1Authorization('token-1', 'token-secret', 'consumer-1', 'consumer-secret'),
  )
