// The mock backend: remembers every write with the clock time, and can be told to fail.
// For tests of the player and of modules that use it.

import type { Clock } from '../../firmware/core/clock.js';
import type { PassgateError } from '../../firmware/core/errors.js';
import { Listeners } from '../../firmware/core/listeners.js';
import { backendFailed, type DisplayBackend } from '../backend.js';
import type { DisplayText } from '../display-text.js';
import { allOutputsOff, OUTPUT_NAMES, type OutputChanges, type OutputState } from '../outputs.js';

export interface RecordedWrite {
  atMs: number;
  changes: OutputChanges;
}

export class RecordingBackend implements DisplayBackend {
  readonly name = 'recording';
  readonly writes: RecordedWrite[] = [];
  readonly shown: DisplayText[] = [];
  private current: OutputState = allOutputsOff();
  private failing: boolean | ((changes: OutputChanges) => boolean) = false;
  private opened = false;
  private closedCount = 0;
  private readonly faults = new Listeners<PassgateError>();

  constructor(private readonly clock: Clock) {}

  async open(): Promise<void> {
    this.opened = true;
    this.current = allOutputsOff();
  }

  set(changes: OutputChanges): Promise<void> {
    // Recorded synchronously, at the time of the call, so fake-clock tests see exact times.
    const fails = typeof this.failing === 'function' ? this.failing(changes) : this.failing;
    if (fails) return Promise.reject(new Error('simulated write failure'));
    const copy: OutputChanges = {};
    for (const name of OUTPUT_NAMES) if (changes[name] !== undefined) copy[name] = changes[name];
    this.writes.push({ atMs: this.clock.now(), changes: copy });
    this.current = { ...this.current, ...copy };
    return Promise.resolve();
  }

  show(text: DisplayText): void {
    this.shown.push(structuredClone(text));
  }

  onFault(listener: (error: PassgateError) => void): () => void {
    return this.faults.add(listener);
  }

  async close(): Promise<void> {
    this.closedCount++;
    this.opened = false;
  }

  /** The outputs as the writes left them. */
  state(): OutputState {
    return { ...this.current };
  }

  isOpen(): boolean {
    return this.opened;
  }

  /** How many times close() was called. */
  closeCalls(): number {
    return this.closedCount;
  }

  /** While failing (or for the writes the predicate picks), set() rejects and nothing is recorded. */
  setFailing(failing: boolean | ((changes: OutputChanges) => boolean)): void {
    this.failing = failing;
  }

  /** Simulates a failure outside any write (e.g. the device was unplugged): outputs become unknown. */
  emitFault(stage = 'simulated'): void {
    this.faults.emit(backendFailed(this.name, stage));
  }
}
