// A clock that moves only when a test says so. `advance(ms)` runs every timer that falls due,
// in order of due time (then of creation), setting `now()` to each timer's due time before it
// runs; between timers it lets pending promise callbacks and I/O callbacks run, so a chain of
// async writes started by one timer settles before the next timer fires.
import { setImmediate as nextMacrotask } from 'node:timers/promises';
import type { Clock, TimerHandle } from './clock.js';

interface FakeTimer {
  id: number;
  dueMs: number;
  fn: () => void;
}

export class FakeClock implements Clock {
  private current: number;
  private nextId = 1;
  private readonly timers = new Map<number, FakeTimer>();

  constructor(startMs = 0) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = this.nextId++;
    const delay = Number.isFinite(ms) && ms > 0 ? ms : 0;
    this.timers.set(id, { id, dueMs: this.current + delay, fn });
    return id;
  }

  clearTimeout(handle: TimerHandle): void {
    if (typeof handle === 'number') this.timers.delete(handle);
  }

  /** Timers not yet run. */
  pendingTimers(): number {
    return this.timers.size;
  }

  /** Due time of the earliest pending timer, or undefined. */
  nextDueMs(): number | undefined {
    return this.earliest()?.dueMs;
  }

  /** Moves time forward by `ms`, running due timers in order; ends at exactly now + ms. */
  async advance(ms: number): Promise<void> {
    const target = this.current + ms;
    await settle();
    for (;;) {
      const timer = this.earliest();
      if (!timer || timer.dueMs > target) break;
      this.timers.delete(timer.id);
      this.current = timer.dueMs;
      timer.fn();
      await settle();
    }
    this.current = target;
  }

  /** Moves time to an absolute `ms` (not backwards). */
  async advanceTo(ms: number): Promise<void> {
    await this.advance(Math.max(0, ms - this.current));
  }

  private earliest(): FakeTimer | undefined {
    let best: FakeTimer | undefined;
    for (const timer of this.timers.values()) {
      if (!best || timer.dueMs < best.dueMs || (timer.dueMs === best.dueMs && timer.id < best.id)) best = timer;
    }
    return best;
  }
}

async function settle(): Promise<void> {
  // Two macrotask turns: promise chains of one or two awaits complete, as do immediate callbacks.
  await nextMacrotask();
  await nextMacrotask();
}
