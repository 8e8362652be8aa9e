// An in-memory ID-card reader for other modules' tests: `present(card)` puts a card on the reader
// and emits it as read, `fail(code)` a read-error, `setState` drives the status. Like the GA 467,
// it reads a card lying on it once: only `readAgain()` (the gate had no room for it) reads it
// again, and `remove()` takes it off. No port, no timers.
import type { Clock } from '../../firmware/core/clock.js';
import type { ErrorCode } from '../../firmware/core/errors.js';
import type { IdCardIdentity } from '../../firmware/core/id-number.js';
import { MockInputDriver } from '../mock-input-driver.js';

export class MockIdCardReader extends MockInputDriver {
  /** The card lying on the reader, if any. */
  private onReader: IdCardIdentity | undefined;
  /** How many times the gate asked for a card to be read again. */
  readAgainRequests = 0;

  /** `clock` stamps the events' arrival (default: the system clock). */
  constructor(name = 'idcard', clock?: Pick<Clock, 'now'>) {
    super(name, clock);
  }

  /** Straight to 'open' (the mock reader has no opening phase). */
  override async open(): Promise<void> {
    this.setState('open');
  }

  /** As if a card was put on the reader and read; it stays there until remove(). Ignored unless open. */
  present(card: IdCardIdentity): void {
    this.onReader = { ...card };
    this.emitWhileOpen({ kind: 'card', source: this.name, card: { ...card } });
  }

  /** The card is taken off the reader. */
  remove(): void {
    this.onReader = undefined;
  }

  /** As if a presented card could not be read. Ignored unless the reader is open. */
  fail(code: ErrorCode = 'driver.card-invalid'): void {
    this.emitWhileOpen({ kind: 'read-error', source: this.name, code });
  }

  /** Reads the card lying on the reader once more, after the caller returns (as a real read would). */
  override readAgain(): void {
    this.readAgainRequests += 1;
    setImmediate(() => {
      const card = this.onReader;
      if (card !== undefined) this.emitWhileOpen({ kind: 'card', source: this.name, card: { ...card } });
    });
  }
}
