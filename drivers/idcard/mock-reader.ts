// An in-memory ID-card reader for other modules' tests: `present(card)` emits a card event,
// `fail(code)` a read-error, `setState` drives the status. No port, no timers.
import type { ErrorCode } from '../../firmware/core/errors.js';
import { driverStatus, type DriverState, type DriverStatus, type InputDriver, type InputEvent } from '../input.js';
import { type IdCardIdentity } from '../../firmware/core/id-number.js';
import { Listeners } from '../../firmware/core/listeners.js';

export class MockIdCardReader implements InputDriver {
  readonly name: string;
  private readonly events = new Listeners<InputEvent>();
  private readonly states = new Listeners<DriverStatus>();
  private current: DriverStatus;

  constructor(name = 'idcard') {
    this.name = name;
    this.current = { name, state: 'closed' };
  }

  status(): DriverStatus {
    return { ...this.current };
  }

  async open(): Promise<void> {
    this.setState('open');
  }

  async close(): Promise<void> {
    if (this.current.state !== 'closed') this.setState('closed');
  }

  onEvent(listener: (event: InputEvent) => void): () => void {
    return this.events.add(listener);
  }

  onState(listener: (status: DriverStatus) => void): () => void {
    return this.states.add(listener);
  }

  /** As if a card was put on the reader and read. Ignored unless the reader is open. */
  present(card: IdCardIdentity): void {
    if (this.current.state !== 'open') return;
    this.events.emit({ kind: 'card', source: this.name, card: { ...card } });
  }

  /** As if a presented card could not be read. Ignored unless the reader is open. */
  fail(code: ErrorCode = 'driver.card-invalid'): void {
    if (this.current.state !== 'open') return;
    this.events.emit({ kind: 'read-error', source: this.name, code });
  }

  /** Drives the status, e.g. 'reconnecting' with 'driver.disconnected'. */
  setState(state: DriverState, lastError?: ErrorCode): void {
    this.current = driverStatus(this.name, state, lastError);
    this.states.emit(this.status());
  }
}
