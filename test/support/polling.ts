// Waiting in tests for something that happens asynchronously (a device event, a state change, a
// file change), by polling with a deadline, so a lost event fails the test instead of hanging it.
//
// The deadline is about liveness only: the wait ends as soon as the condition holds, so the
// default is generous enough for a machine busy with other work (EVENT_WAIT_MS). A test that
// means a real-time bound measures it separately (cpu-wait.ts) instead of shortening the wait.

/** How long a test waits for an event before it fails: far beyond any delay a loaded machine adds. */
export const EVENT_WAIT_MS = 20_000;

/**
 * Resolves with the first value of `probe` that is neither undefined nor false; throws after
 * `timeoutMs`, naming `what` it waited for.
 */
export async function until<T>(
  probe: () => T | undefined | false,
  timeoutMs = EVENT_WAIT_MS,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/**
 * For "nothing happens" checks, where there is no event to wait for: waits `turns` timers of
 * `periodMs` one after the other on the real clock. Node runs due timers of equal duration in the
 * order they were set, so a poll of the code under test that repeats every `periodMs` (a driver
 * looking for its device, a store watching for changes) has had about `turns` chances to act
 * meanwhile, however slowly the machine runs. (Fewer when each of its polls also waits for I/O:
 * such a check can miss a fault on a loaded machine, but never fails for the load alone.)
 */
export async function timerTurns(periodMs: number, turns: number): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((r) => setTimeout(r, periodMs));
}
