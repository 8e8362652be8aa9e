// Matches replies to the requests waiting for them, on any request/reply link: a serial scanner's
// command replies, the ID-card reader's frames, the LED board's OK/PONG lines.
//
// The caller registers the wait (a matcher and a deadline) before it writes the request, so a
// reply that arrives before the write's callback is never missed. Every frame read from the link
// is offered; the oldest pending wait whose matcher accepts it takes it, and no other wait sees
// it. A wait ends exactly once: with its frame, at its deadline (rejecting with the error the
// caller supplies), or when it is cancelled or the waiter is closed. Time comes from an injected
// Clock, so tests run deadlines on a FakeClock.
import type { Clock, TimerHandle } from './clock.js';
import type { PassgateError } from './errors.js';

/** One registered wait. */
export interface ReplyWait<Reply> {
  /** Resolves with the matching frame; rejects with the deadline's or the cancel's error. */
  readonly promise: Promise<Reply>;
  /** Ends the wait with `reason`, e.g. when its request could not be written. No-op once ended. */
  cancel(reason: PassgateError): void;
}

interface PendingWait<Frame> {
  matches(frame: Frame): boolean;
  resolve(frame: Frame): void;
  reject(reason: PassgateError): void;
}

export class ReplyWaiter<Frame> {
  private readonly clock: Clock;
  /** In registration order: the oldest wait is offered a frame first. */
  private readonly waits: PendingWait<Frame>[] = [];
  private closedWith: PassgateError | undefined;

  constructor(clock: Clock) {
    this.clock = clock;
  }

  /** Waits that have not ended yet. */
  get pending(): number {
    return this.waits.length;
  }

  /**
   * Registers a wait for the first offered frame that `matches` accepts. A matcher that throws
   * counts as not matching. After `timeoutMs` the wait rejects with what `onTimeout` returns;
   * `onTimeout` runs exactly then, so it may also undo state the request set up. On a closed
   * waiter the wait rejects at once with the close reason.
   */
  waitFor<Reply extends Frame>(
    matches: (frame: Frame) => frame is Reply,
    timeoutMs: number,
    onTimeout: () => PassgateError,
  ): ReplyWait<Reply>;
  waitFor(matches: (frame: Frame) => boolean, timeoutMs: number, onTimeout: () => PassgateError): ReplyWait<Frame>;
  waitFor(matches: (frame: Frame) => boolean, timeoutMs: number, onTimeout: () => PassgateError): ReplyWait<Frame> {
    let settle!: { resolve: (frame: Frame) => void; reject: (reason: PassgateError) => void };
    const promise = new Promise<Frame>((resolve, reject) => {
      settle = { resolve, reject };
    });
    // A caller whose write failed may cancel and never await: that must not be an unhandled rejection.
    promise.catch(() => undefined);
    if (this.closedWith !== undefined) {
      settle.reject(this.closedWith);
      return { promise, cancel: () => undefined };
    }
    let timer: TimerHandle | undefined;
    const end = (): boolean => {
      const index = this.waits.indexOf(wait);
      if (index < 0) return false;
      this.waits.splice(index, 1);
      this.clock.clearTimeout(timer);
      return true;
    };
    const wait: PendingWait<Frame> = {
      matches,
      resolve: (frame) => {
        if (end()) settle.resolve(frame);
      },
      reject: (reason) => {
        if (end()) settle.reject(reason);
      },
    };
    this.waits.push(wait);
    timer = this.clock.setTimeout(() => {
      if (this.waits.includes(wait)) wait.reject(onTimeout());
    }, timeoutMs);
    return { promise, cancel: (reason) => wait.reject(reason) };
  }

  /**
   * Hands a frame read from the link to the oldest pending wait that accepts it. Returns false
   * when none does (unsolicited, or late after its wait timed out): the caller discards it.
   */
  offer(frame: Frame): boolean {
    for (const wait of this.waits) {
      let accepted: boolean;
      try {
        accepted = wait.matches(frame);
      } catch {
        accepted = false;
      }
      if (accepted) {
        wait.resolve(frame);
        return true;
      }
    }
    return false;
  }

  /** Rejects every pending wait with `reason`; later waits are registered as usual. */
  cancelAll(reason: PassgateError): void {
    for (const wait of [...this.waits]) wait.reject(reason);
  }

  /** Rejects every pending wait with `reason`, and every later one at once: the link is gone. */
  close(reason: PassgateError): void {
    this.closedWith ??= reason;
    this.cancelAll(reason);
  }
}
