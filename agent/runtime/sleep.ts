/**
 * Waits `ms`, or less when `signal` aborts: a stage polling a slow tool (a disk's self-test, the
 * BMC, PSU sensors) stops waiting as soon as its run is cancelled, and never throws for it.
 */
export function sleepUnlessAborted(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    if (signal.aborted) return done();
    signal.addEventListener('abort', done, { once: true });
  });
}
