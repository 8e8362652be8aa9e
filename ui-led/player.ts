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
// outputs of the failed write count as unknown and are written again at the next step.
import type { PassgateError } from '../firmware/core/errors.js';
import type { SignalKind } from '../firmware/core/outcome.js';
import { Listeners } from '../firmware/core/listeners.js';
import { backendFailed, type DisplayBackend } from './backend.js';
import type { Clock, TimerHandle } from '../firmware/core/clock.js';
import { displayTextFor } from './display-text.js';
import type { Verdict } from '../firmware/core/verdict.js';
import { OUTPUT_NAMES, allOutputsOff, diffOutputs, hasChanges, type OutputName, type OutputState } from './outputs.js';
import { DEFAULT_PATTERNS, expandPattern, type PatternFrame, type PatternTable } from './patterns.js';

export interface PatternPlayerOptions {
  backend: DisplayBackend;
  clock: Clock;
  /** From resolvePatterns(config display.patterns); the defaults when omitted. */
  patterns?: PatternTable;
}

export interface PlayerStatus {
  /** The signal playing, or null when idle (all off). */
  playing: SignalKind | null;
  /** The state the player wants the outputs in now. */
  outputs: OutputState;
  /** Failed writes since the last successful one. */
  consecutiveFailures: number;
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
  private failures = 0;
  private closed = false;
  private readonly unsubscribeFault: (() => void) | undefined;

  constructor(options: PatternPlayerOptions) {
    this.backend = options.backend;
    this.clock = options.clock;
    const table = options.patterns ?? DEFAULT_PATTERNS;
    for (const [kind, pattern] of Object.entries(table) as [SignalKind, PatternTable[SignalKind]][]) {
      this.frames.set(kind, { frames: expandPattern(pattern), durationMs: pattern.durationMs, loop: pattern.loop === true });
    }
    this.unsubscribeFault = this.backend.onFault?.((error) => this.onBackendFault(error));
  }

  /** Listens for 'display.backend-failed'. Returns the unsubscribe function. */
  onError(listener: (error: PassgateError) => void): () => void {
    return this.errors.add(listener);
  }

  /**
   * Starts the pattern of `kind`, replacing whatever plays. Outputs take the new pattern's
   * first state at once; outputs already in that state are not written. `text` goes to the
   * backend's screen, if it has one. Ignored after close().
   */
  play(kind: SignalKind, verdict?: Verdict): void {
    if (this.closed) return;
    const entry = this.frames.get(kind);
    if (!entry) return;
    this.stopPattern();
    if (this.backend.show) {
      try {
        this.backend.show(displayTextFor(kind, verdict));
      } catch (error) {
        this.report(backendFailed(this.backend.name, 'show', error));
      }
    }
    this.playing = { kind, ...entry, roundStart: this.clock.now(), next: 0, timer: null };
    this.startRound();
  }

  /** Stops any pattern and switches everything off; resolves when the backend has been written. */
  allOff(): Promise<void> {
    if (this.closed) return this.idle();
    this.stopPattern();
    this.want(allOutputsOff());
    return this.idle();
  }

  /** Everything off, then releases the backend. Idempotent; never rejects. */
  async close(): Promise<void> {
    if (this.closed) return this.idle();
    this.closed = true;
    this.stopPattern();
    this.want(allOutputsOff());
    await this.idle();
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
      outputs: { ...this.desired },
      consecutiveFailures: this.failures,
      closed: this.closed,
    };
  }

  // ---- pattern timing ----------------------------------------------------------------------

  private startRound(): void {
    const p = this.playing;
    if (!p) return;
    p.next = 0;
    // A round starts from all off; its first frame at 0 ms, if any, applies at once.
    let state = allOutputsOff();
    while (p.next < p.frames.length && p.frames[p.next].atMs === 0) state = p.frames[p.next++].state;
    this.want(state);
    this.scheduleNext();
  }

  private scheduleNext(): void {
    const p = this.playing;
    if (!p) return;
    const dueAt = p.next < p.frames.length ? p.roundStart + p.frames[p.next].atMs : p.roundStart + p.durationMs;
    // Times are relative to the round start, not to the previous step, so delays never add up.
    p.timer = this.clock.setTimeout(() => this.onTimer(p), Math.max(0, dueAt - this.clock.now()));
  }

  private onTimer(p: Playing): void {
    if (this.playing !== p) return;
    p.timer = null;
    if (p.next < p.frames.length) {
      this.want(p.frames[p.next++].state);
      this.scheduleNext();
      return;
    }
    if (p.loop) {
      p.roundStart += p.durationMs;
      this.startRound();
      return;
    }
    this.playing = null;
    this.want(allOutputsOff());
  }

  private stopPattern(): void {
    if (this.playing?.timer !== null && this.playing?.timer !== undefined) this.clock.clearTimeout(this.playing.timer);
    this.playing = null;
  }

  // ---- writing -----------------------------------------------------------------------------

  private want(state: OutputState): void {
    this.desired = { ...state };
    this.version++;
    this.flush();
  }

  private flush(): void {
    if (this.writing) return;
    const changes = diffOutputs(this.written, this.desired);
    if (!hasChanges(changes)) return this.wakeIdle();
    const startedVersion = this.version;
    this.writing = true;
    let pending: Promise<void>;
    try {
      pending = this.backend.set(changes);
    } catch (error) {
      pending = Promise.reject(error);
    }
    pending.then(
      () => {
        for (const name of OUTPUT_NAMES) if (changes[name] !== undefined) this.written[name] = changes[name];
        this.failures = 0;
      },
      (error: unknown) => {
        for (const name of OUTPUT_NAMES) if (changes[name] !== undefined) delete this.written[name];
        this.failures++;
        if (this.failures === 1) this.report(backendFailed(this.backend.name, 'set', error));
      },
    ).finally(() => {
      this.writing = false;
      // After a failure retry only when the wanted state has moved on: a dead backend is tried
      // once per step, not in a tight loop.
      if (this.version !== startedVersion) this.flush();
      else this.wakeIdle();
    });
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
