// Every fuzz target: its name, what it feeds to what, and how to load it (on demand, so the
// parent process loads no parser and each child only its own).
import type { FuzzTarget } from '../target.js';

interface TargetEntry {
  about: string;
  load(): Promise<FuzzTarget<unknown>>;
}

export const FUZZ_TARGETS = {
  'serial-scanner': {
    about: 'serial bytes in any chunks → ScanFrameParser (every suffix, prefix, AIM, reply recogniser)',
    load: async () => (await import('./serial-scanner.js')).serialScannerTarget(),
  },
} satisfies Record<string, TargetEntry> as Record<string, TargetEntry>;

export const FUZZ_TARGET_NAMES: readonly string[] = Object.keys(FUZZ_TARGETS);
