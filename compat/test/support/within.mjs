// A deadline for one awaited step, so that a test names what did not happen instead of timing out.

/** `promise`, or a rejection after `ms` that says `what` did not happen. */
export function within(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`${what} not within ${ms} ms`)), ms); });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
