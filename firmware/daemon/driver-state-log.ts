// The daemon's log of driver states. A device that keeps failing reports the same state on every
// retry (once a second at the longest backoff): logged as it comes, that is 600 lines in ten
// minutes that say nothing new. So each change of a driver's state (or of its error code) is
// logged once, at once; a repeat of the logged state is only counted; the count goes out on the
// next change, and while the repeats go on at most once per driverStateRepeatLogMs.
import type { DriverStatus } from '../../drivers/input.js';
import type { Clock } from '../core/clock.js';
import type { Logger, LogLevel } from '../core/log.js';

interface Logged {
  state: DriverStatus['state'];
  code: string | null;
  /** Reports of this same status since the last line about it. */
  repeats: number;
  /** When the last line about it went out (clock ms). */
  loggedAt: number;
}

export class DriverStateLog {
  private readonly last = new Map<string, Logged>();

  /** `repeatLogMs`: read at each report, so a changed timeout table applies at once. */
  constructor(
    private readonly logger: Logger,
    private readonly clock: Pick<Clock, 'now'>,
    private readonly repeatLogMs: () => number,
  ) {}

  record(status: DriverStatus): void {
    const code = status.lastError ?? null;
    const now = this.clock.now();
    const last = this.last.get(status.name);
    if (last !== undefined && last.state === status.state && last.code === code) {
      last.repeats++;
      if (now - last.loggedAt >= this.repeatLogMs()) this.flushRepeats(status.name, last, now);
      return;
    }
    if (last !== undefined && last.repeats > 0) this.flushRepeats(status.name, last, now);
    this.logger.log(levelOf(status.state), 'driver-state', { driver: status.name, state: status.state, code });
    this.last.set(status.name, { state: status.state, code, repeats: 0, loggedAt: now });
  }

  /** How often the logged state came again since its last line, over how long. */
  private flushRepeats(driver: string, last: Logged, now: number): void {
    this.logger.log(levelOf(last.state), 'driver-state-repeated', {
      driver,
      state: last.state,
      code: last.code,
      repeats: last.repeats,
      sinceMs: Math.round(now - last.loggedAt),
    });
    last.repeats = 0;
    last.loggedAt = now;
  }
}

function levelOf(state: DriverStatus['state']): LogLevel {
  return state === 'open' ? 'info' : 'warn';
}
