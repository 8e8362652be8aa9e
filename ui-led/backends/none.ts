// No lights at all: for a gate whose outcome is shown elsewhere, or a headless test run.
import type { DisplayBackend } from '../backend.js';
import type { OutputChanges } from '../outputs.js';

export class NoneBackend implements DisplayBackend {
  readonly name = 'none';
  async open(): Promise<void> {}
  async set(_changes: OutputChanges): Promise<void> {}
  async close(): Promise<void> {}
}
