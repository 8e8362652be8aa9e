// A scanner that exists only in memory, for other modules' tests: `inject(text)` is a scan.

import type { Clock } from '../../firmware/core/clock.js';
import type { ErrorCode } from '../../firmware/core/errors.js';
import type { Symbology } from '../input.js';
import { MockInputDriver } from '../mock-input-driver.js';

export class MockSerialScanner extends MockInputDriver {
  /** How many times trigger() was called. */
  triggers = 0;

  /** `clock` stamps the events' arrival (default: the system clock). */
  constructor(name = 'serial-scanner', clock?: Pick<Clock, 'now'>) {
    super(name, clock);
  }

  async trigger(): Promise<void> {
    this.triggers += 1;
  }

  /** A scanned code. Ignored unless open, like a real scanner's bytes on a closed port. */
  inject(text: string, symbology: Symbology = 'qr'): void {
    this.emitWhileOpen({ kind: 'code', source: this.name, text, symbology });
  }

  /** A framing problem such as an overlong or non-UTF-8 code. */
  injectError(code: ErrorCode): void {
    this.emitWhileOpen({ kind: 'read-error', source: this.name, code });
  }

  /** Simulates an unplug: 'reconnecting' with driver.disconnected. */
  unplug(): void {
    this.setState('reconnecting', 'driver.disconnected');
  }

  /** Simulates the device coming back. */
  replug(): void {
    this.setState('open');
  }
}
