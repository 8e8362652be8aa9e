// Plays signal patterns on a display backend, on an injected clock.
//
// The player keeps the state it wants (`desired`) apart from the state it last wrote
// successfully (`written`). Writes go to the backend one at a time; a step that falls due
// while a write is in flight does not queue a second write but marks the desired state
// changed, and when the write ends the player sends the difference between what it now wants
// and what the backend has. A slow backend thus skips intermediate states instead of building
// a backlog, and outputs whose value does not change are never written (no glitch when one
// pattern preempts another). When the backend is idle, a step writes synchronously within the
// timer callback, so a recording backend sees the exact step time.
//
// Backend failures never escape: the first failure of a run of failures is reported to the
// onError listeners as 'display.backend-failed' (later ones are counted in status()), the
// outputs of the failed write count as unknown. While what the backend has differs from what
// the player wants, it writes again on a doubling backoff timer, the relay alone first, whether
// or not a pattern is playing: a board that kept a released relay after a failed "relay off"
// must not hold the gate open until the next scan.
//
// The player also caps a continuous relay-on time at PATTERN_LIMITS.maxRelayOnMs on its own,
// whatever the patterns say, so no sequence of signals can hold the gate open.
//
// An overlay signal (OVERLAY_KINDS: a dropped input) does not replace the pattern: it plays beside
// it, and the outputs are the pattern's state with the overlay's lit outputs added (an OR; the
// relay always the pattern's own). Neither ends the other; allOff and close end both.

import { type Clock, sleep, type TimerHandle } from '../firmware/core/clock.js';
import type { PassgateError } from '../firmware/core/errors.js';
import { Listeners } from '../firmware/core/listeners.js';
import type { SignalKind } from '../firmware/core/outcome.js';
import { DEFAULT_TIMEOUTS, type TimeoutTable } from '../firmware/core/timeouts.js';
import type { Verdict } from '../firmware/core/verdict.js';
import { backendFailed, type DisplayBackend } from './backend.js';
import { displayTextFor } from './display-text.js';
import { allOutputsOff, diffOutputs, hasChanges, OUTPUT_NAMES, type OutputName, type OutputState } from './outputs.js';
import {
  DEFAULT_PATTERNS,
  expandPattern,
  isOverlayKind,
  PATTERN_LIMITS,
  type PatternFrame,
  type PatternTable,
} from './patterns.js';

export interface PatternPlayerOptions {
  backend: DisplayBackend;
  clock: Clock;
  /** From resolvePatterns(config display.patterns); the defaults when omitted. */
  patterns?: PatternTable;
  /** Retry and shutdown timing; the defaults when omitted. */
  timeouts?: Pick<TimeoutTable, 'displayRetryInitialMs' | 'displayRetryMaxMs' | 'displayCloseMs'>;
}

export interface PlayerStatus {
  /** The signal playing, or null when idle (all off). */
  playing: SignalKind | null;
  /** The overlay signal playing on top of it, or null. */
  overlay: SignalKind | null;
  /** The state the player wants the outputs in now. */
  outputs: OutputState;
  /** Failed writes since the last successful one. */
  consecutiveFailures: number;
  /** Outputs whose state at the backend is unknown or differs from `outputs` (being retried). */
  mismatched: OutputName[];
  closed: boolean;
}

interface Playing {
  kind: SignalKind;
  frames: PatternFrame[];
  durationMs: number;
  loop: boolean;
  /** Clock time at which the current round started. */
  roundStart: number;
  /** Index of the next frame to apply. */
  next: number;
  timer: TimerHandle | null;
}

export class PatternPlayer {
  private readonly backend: DisplayBackend;
  private readonly clock: Clock;
  private readonly frames = new Map<SignalKind, { frames: PatternFrame[]; durationMs: number; loop: boolean }>();
  private readonly errors = new Listeners<PassgateError>();
  private desired: OutputState = allOutputsOff();
  /** What the backend has; undefined where unknown (before the first write, after a failure). */
  private written: Partial<Record<OutputName, boolean>> = {};
  private version = 0;
  private writing = false;
  private idleWaiters: (() => void)[] = [];
  private playing: Playing | null = null;
  /** The state the pattern (not the overlay) wants. */
  private base: OutputState = allOutputsOff();
  private overlay: Playing | null = null;
  /** The overlay's own state; its lit outputs are added to the pattern's. */
  private overlayState: OutputState = allOutputsOff();
  private failures = 0;
  private closed = false;
  private readonly unsubscribeFault: (() => void) | undefined;
  private readonly timeouts: NonNullable<PatternPlayerOptions['timeouts']>;
  private retryTimer: TimerHandle | null = null;
  private relayCapTimer: TimerHandle | null = null;
  /**
   * The relay was forced off by the cap. It stays off, even through new pass signals, until some
   * state wants it off (a pattern's own relay-off step, or any other signal).
   */
  private relayCapped = false;

  constructor(options: PatternPlayerOptions) {
    this.backend = options.backend;
    this.clock = options.clock;
    this.timeouts = options.timeouts ?? DEFAULT_TIMEOUTS;
    const table = options.patterns ?? DEFAULT_PATTERNS;
    for (const [kind, pattern] of Object.entries(table) as [SignalKind, PatternTable[SignalKind]][]) {
      this.frames.set(kind, {
        frames: expandPattern(pattern),
        durationMs: pattern.durationMs,
        loop: pattern.loop === true,
      });
    }
    this.unsubscribeFault = this.backend.onFault?.((error) => this.onBackendFault(error));
  }

  /** Listens for 'display.backend-failed'. Returns the unsubscribe function. */
  onError(listener: (error: PassgateError) => void): () => void {
    return this.errors.add(listener);
  }

  /**
   * Starts the pattern of `kind`, replacing whatever plays. Outputs take the new pattern's
   * first state at once; outputs already in that state are not written. A backend with a screen
   * shows the signal's words, chosen here from the verdict (display-text.ts). Ignored after close().
   */
  play(kind: SignalKind, verdict?: Verdict): void {
    if (this.closed) return;
    const entry = this.frames.get(kind);
    if (!entry) return;
    const overlay = isOverlayKind(kind);
    if (overlay) this.stopOverlay();
    else this.stopPattern();
    if (this.backend.show) {
      try {
        this.backend.show(displayTextFor(kind, verdict));
      } catch (error) {
        this.report(backendFailed(this.backend.name, 'show', error));
      }
    }
    const playing: Playing = { kind, ...entry, roundStart: this.clock.now(), next: 0, timer: null };
    if (overlay) this.overlay = playing;
    else this.playing = playing;
    this.startRound(playing);
  }

  /** Stops any pattern and switches everything off; resolves when the backend has been written. */
  allOff(): Promise<void> {
    if (this.closed) return this.idle();
    this.stopPattern();
    this.stopOverlay();
    this.want(allOutputsOff());
    return this.idle();
  }

  /**
   * Everything off, then releases the backend. A failing backend is retried for up to
   * displayCloseMs first. Idempotent; never rejects.
   */
  async close(): Promise<void> {
    if (this.closed) return this.idle();
    this.closed = true;
    this.stopPattern();
    this.stopOverlay();
    this.want(allOutputsOff());
    await this.settled(this.timeouts.displayCloseMs);
    this.cancelTimer('retryTimer');
    this.cancelTimer('relayCapTimer');
    this.unsubscribeFault?.();
    try {
      await this.backend.close();
    } catch (error) {
      this.report(backendFailed(this.backend.name, 'close', error));
    }
  }

  /** Resolves when no write is in flight and the backend has (or failed to get) the desired state. */
  idle(): Promise<void> {
    if (!this.writing) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  status(): PlayerStatus {
    return {
      playing: this.playing?.kind ?? null,
      overlay: this.overlay?.kind ?? null,
      outputs: { ...this.desired },
      consecutiveFailures: this.failures,
      mismatched: OUTPUT_NAMES.filter((name) => this.written[name] !== this.desired[name]),
      closed: this.closed,
    };
  }

  /** Resolves once the backend has the wanted state, or after `ms` on the clock, whichever is first. */
  private async settled(ms: number): Promise<void> {
    const deadline = this.clock.now() + ms;
    for (;;) {
      await this.idle();
      const remaining = deadline - this.clock.now();
      if (!hasChanges(diffOutputs(this.written, this.desired)) || remaining <= 0) return;
      // Waits on the clock, so a fake clock in tests drives this like the retries themselves.
      await sleep(this.clock, Math.min(remaining, this.timeouts.displayRetryInitialMs));
    }
  }

  private cancelTimer(name: 'retryTimer' | 'relayCapTimer'): void {
    const timer = this[name];
    if (timer !== null) this.clock.clearTimeout(timer);
    this[name] = null;
  }

  // ---- pattern timing ----------------------------------------------------------------------

  private startRound(p: Playing): void {
    p.next = 0;
    // A round starts from all off; its first frame at 0 ms, if any, applies at once.
    let state = allOutputsOff();
    while (p.next < p.frames.length && p.frames[p.next].atMs === 0) state = p.frames[p.next++].state;
    this.wantFor(p, state);
    this.scheduleNext(p);
  }

  private scheduleNext(p: Playing): void {
    const dueAt = p.next < p.frames.length ? p.roundStart + p.frames[p.next].atMs : p.roundStart + p.durationMs;
    // Times are relative to the round start, not to the previous step, so delays never add up.
    p.timer = this.clock.setTimeout(() => this.onTimer(p), Math.max(0, dueAt - this.clock.now()));
  }

  private onTimer(p: Playing): void {
    if (this.playing !== p && this.overlay !== p) return;
    p.timer = null;
    if (p.next < p.frames.length) {
      this.wantFor(p, p.frames[p.next++].state);
      this.scheduleNext(p);
      return;
    }
    if (p.loop) {
      p.roundStart += p.durationMs;
      this.startRound(p);
      return;
    }
    this.wantFor(p, allOutputsOff());
    if (this.playing === p) this.playing = null;
    else this.overlay = null;
  }

  /** The state `p` asks for: the pattern's own, or the overlay's (added on top of it). */
  private wantFor(p: Playing, state: OutputState): void {
    if (this.overlay === p) {
      this.overlayState = state;
      this.want(this.base);
    } else {
      this.want(state);
    }
  }

  private stopPattern(): void {
    if (this.playing?.timer !== null && this.playing?.timer !== undefined) this.clock.clearTimeout(this.playing.timer);
    this.playing = null;
  }

  private stopOverlay(): void {
    if (this.overlay?.timer !== null && this.overlay?.timer !== undefined) this.clock.clearTimeout(this.overlay.timer);
    this.overlay = null;
    this.overlayState = allOutputsOff();
  }

  // ---- writing -----------------------------------------------------------------------------

  /** The pattern wants `base`; the outputs get it with the overlay's lit outputs (never the relay) added. */
  private want(base: OutputState): void {
    this.base = base;
    const state = { ...base };
    for (const name of OUTPUT_NAMES) if (name !== 'relay' && this.overlayState[name]) state[name] = true;
    const wasOn = this.desired.relay;
    if (!state.relay) this.relayCapped = false;
    this.desired = { ...state, relay: state.relay && !this.relayCapped };
    if (this.desired.relay && !wasOn) {
      this.cancelTimer('relayCapTimer');
      this.relayCapTimer = this.clock.setTimeout(() => this.capRelay(), PATTERN_LIMITS.maxRelayOnMs);
    } else if (!this.desired.relay) {
      this.cancelTimer('relayCapTimer');
    }
    this.version++;
    this.flush();
  }

  private capRelay(): void {
    this.relayCapTimer = null;
    if (!this.desired.relay) return;
    this.relayCapped = true;
    this.want(this.base);
  }

  private flush(): void {
    if (this.writing) return;
    let changes = diffOutputs(this.written, this.desired);
    if (!hasChanges(changes)) {
      this.wakeIdle();
      return;
    }
    // After a failure the relay goes alone first: the one output that must not stay wrong.
    const relayAlone = this.failures > 0 && changes.relay !== undefined && Object.keys(changes).length > 1;
    if (relayAlone) changes = { relay: changes.relay };
    const startedVersion = this.version;
    this.writing = true;
    let pending: Promise<void>;
    try {
      pending = this.backend.set(changes);
    } catch (error) {
      pending = Promise.reject(error);
    }
    let failed = false;
    pending
      .then(
        () => {
          for (const name of OUTPUT_NAMES) if (changes[name] !== undefined) this.written[name] = changes[name];
          // The run of failures ends once the whole state got through, not with the relay alone.
          if (!relayAlone) this.failures = 0;
        },
        (error: unknown) => {
          failed = true;
          for (const name of OUTPUT_NAMES) if (changes[name] !== undefined) delete this.written[name];
          this.failures++;
          if (this.failures === 1) this.report(backendFailed(this.backend.name, 'set', error));
        },
      )
      .finally(() => {
        this.writing = false;
        if (this.version !== startedVersion) return this.flush();
        // A failure is retried on the backoff timer, not in a tight loop; after a relay-only
        // retry succeeded, the rest follows at once.
        if (failed) return this.scheduleRetry();
        if (hasChanges(diffOutputs(this.written, this.desired))) return this.flush();
        this.wakeIdle();
      });
  }

  private scheduleRetry(): void {
    this.wakeIdle();
    if (this.retryTimer !== null) return;
    const { displayRetryInitialMs, displayRetryMaxMs } = this.timeouts;
    const delay = Math.min(displayRetryMaxMs, displayRetryInitialMs * 2 ** Math.min(this.failures - 1, 16));
    this.retryTimer = this.clock.setTimeout(() => {
      this.retryTimer = null;
      this.flush();
    }, delay);
  }

  private wakeIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  private onBackendFault(error: PassgateError): void {
    // The backend lost its outputs (unplugged, reset): everything is unknown and is rewritten
    // at the next step.
    this.written = {};
    this.report(error);
  }

  private report(error: PassgateError): void {
    try {
      this.errors.emit(error);
    } catch {
      // A throwing listener must not stop the player.
    }
  }
}
