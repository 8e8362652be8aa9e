// Waiting in tests for something that happens asynchronously (a device event, a state change),
// by polling with a deadline, so a lost event fails the test instead of hanging it.

/**
 * Resolves with the first value of `probe` that is neither undefined nor false; throws after
 * `timeoutMs`, naming `what` it waited for.
 */
export async function until<T>(probe: () => T | undefined | false, timeoutMs = 2000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
