// Time, injected: the player and the backends schedule through a Clock so tests can run
// patterns on a fake clock and assert exact times (fake-clock.ts beside this file).

/**
 * The longest delay Node's timers honour (2^31 − 1 ms, about 24.8 days). A longer one, NaN or
 * Infinity fires after 1 ms instead, so a delay computed from the portal's answer (a token
 * lifetime of 25 days, say) would turn a refresh timer into a tight loop.
 */
export const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

/**
 * Every timer delay of the runtime goes through this: a whole number of ms from 0 to
 * MAX_TIMER_DELAY_MS. NaN and negative delays become 0; too long ones wait the longest allowed,
 * and whoever set the timer checks again when it fires.
 */
export function clampTimerDelay(ms: number): number {
  if (Number.isNaN(ms) || ms <= 0) return 0;
  return Math.min(Math.ceil(ms), MAX_TIMER_DELAY_MS);
}

/** The global setTimeout with its delay clamped (see clampTimerDelay). */
export function setClampedTimeout(fn: () => void, ms: number): NodeJS.Timeout {
  return setTimeout(fn, clampTimerDelay(ms));
}

/** Opaque: whatever the clock's setTimeout returned, handed back to its clearTimeout. */
export type TimerHandle = unknown;

export interface Clock {
  /** Milliseconds on a monotonic scale; only differences are meaningful. */
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/**
 * The real clock. `now()` is monotonic (performance.now), so a wall-clock step (NTP, RTC
 * set at boot) cannot stretch or cut a relay pulse. Timers are not unref'd: a pending
 * "relay off" must keep the process alive until it has run.
 */
export const systemClock: Clock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setClampedTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** Resolves after `ms` on the given clock. */
export function sleep(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => {
    clock.setTimeout(resolve, ms);
  });
}
