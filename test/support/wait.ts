/**
 * Waiting in tests without guessing how long something takes (not a test file itself): poll for
 * a condition, or put a safety ceiling over a promise. Neither is a time budget: a machine four
 * times oversubscribed still meets several seconds.
 */
/**
 * Polls `cond` every few ms until it holds; fails (with `what`) if it still does not after
 * `ms`. For waiting on something another party does (a server counting a request, a socket
 * closing) without guessing how long it takes on a busy machine.
 * @example
 * await waitFor(() => server.count() >= 3, 10_000, 'three requests')
 */
export const waitFor = async (cond: () => boolean, ms = 10_000, what = 'the condition'): Promise<void> => {
  const until = Date.now() + ms
  while (!cond()) {
    if (Date.now() > until) throw new Error(`waitFor: ${what} did not hold within ${ms} ms`)
    await new Promise((r) => setTimeout(r, 5))
  }
}

/**
 * `p`, or a failure (naming `what`) if it has not settled after `ms`: a safety ceiling, so that
 * a run that never ends fails its test instead of hanging the suite. Not a performance bound:
 * use several seconds, what a machine four times oversubscribed still meets.
 * @example
 * const r = await settlesWithin(H.processRequest('GET', env)(req)(), 30_000, 'the run')
 */
export const settlesWithin = <A>(p: Promise<A>, ms: number, what = 'the promise'): Promise<A> => {
  let timer: NodeJS.Timeout | undefined
  const ceiling = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not end within ${ms} ms: it hangs`)), ms)
  })
  return Promise.race([p, ceiling]).finally(() => clearTimeout(timer))
}
