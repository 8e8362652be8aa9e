// Builds the configured display (LEDs, buzzer, relay) from the display.* settings: the daemon's
// and `passgate selftest`'s, which must drive the same outputs the same way.

import { openSystemSerialPort } from '../../drivers/serial-port.js';
import type { DisplayBackend } from '../../ui-led/backend.js';
import type { TerminalStream } from '../../ui-led/backends/terminal.js';
import { createDisplayBackend } from '../../ui-led/create-backend.js';
import { type PatternTable, resolvePatterns } from '../../ui-led/patterns.js';
import { displayBackendSettings } from '../config/combined-rules.js';
import type { ConfigStore } from '../config/store.js';
import type { Clock } from '../core/clock.js';
import type { TimeoutTable } from '../core/timeouts.js';

/** Throws PassgateError 'config.invalid-value' for settings the backend cannot use. */
export function displayBackendFromConfig(
  store: ConfigStore,
  deps: { stream: TerminalStream; timeouts: TimeoutTable; clock: Clock },
): DisplayBackend {
  // The same settings, through the same function, that `passgate config set` checks (combined-rules.ts).
  return createDisplayBackend({
    ...displayBackendSettings((key) => store.get(key)),
    openSerialPort: openSystemSerialPort,
    ...deps,
  });
}

export function patternsFromConfig(store: ConfigStore): PatternTable {
  return resolvePatterns(store.get('display.patterns'));
}
