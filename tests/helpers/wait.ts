/**
 * Waiting in tests for a state, never for a length of time: `waitFor` checks a
 * condition until it holds and fails after a deadline with what it waited
 * for (and the last value seen), so a slow machine makes a test slower, not
 * wrong, and a broken one fails with a message instead of a bare time-out.
 */

/** How often a condition is checked: the state lives in another process (a server, the kernel), no event tells us. */
export const POLL_EVERY_MS = 50;
/** Long enough for a loaded 2-core machine; a test that needs longer says so. */
export const WAIT_TIMEOUT_MS = 30_000;

export interface WaitOptions {
  timeoutMs?: number;
  everyMs?: number;
  /** Describes the last value seen, for the failure message. */
  seen?: () => unknown;
}

/**
 * Resolves with the condition's first truthy value; throws
 * `timed out after N ms waiting for <what>` (plus what was last seen) otherwise.
 */
export async function waitFor<T>(condition: () => T | Promise<T>, what: string, opts: WaitOptions = {}): Promise<NonNullable<T>> {
  const timeoutMs = opts.timeoutMs ?? WAIT_TIMEOUT_MS;
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await condition();
    if (last) return last as NonNullable<T>;
    if (Date.now() >= deadline) {
      const seen = opts.seen ? opts.seen() : last;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last seen: ${JSON.stringify(seen)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, opts.everyMs ?? POLL_EVERY_MS));
  }
}
