// An in-memory ID-card reader for other modules' tests: `present(card)` emits a card event,
// `fail(code)` a read-error, `setState` drives the status. No port, no timers.
import type { ErrorCode } from '../../firmware/core/errors.js';
import type { IdCardIdentity } from '../../firmware/core/id-number.js';
import { MockInputDriver } from '../mock-input-driver.js';

export class MockIdCardReader extends MockInputDriver {
  constructor(name = 'idcard') {
    super(name);
  }

  /** Straight to 'open' (the mock reader has no opening phase). */
  override async open(): Promise<void> {
    this.setState('open');
  }

  /** As if a card was put on the reader and read. Ignored unless the reader is open. */
  present(card: IdCardIdentity): void {
    this.emitWhileOpen({ kind: 'card', source: this.name, card: { ...card } });
  }

  /** As if a presented card could not be read. Ignored unless the reader is open. */
  fail(code: ErrorCode = 'driver.card-invalid'): void {
    this.emitWhileOpen({ kind: 'read-error', source: this.name, code });
  }
}
