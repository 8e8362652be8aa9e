// A scanner that exists only in memory, for other modules' tests: `inject(text)` is a scan.
import type { DriverState, DriverStatus, InputDriver, InputEvent, Symbology } from '../input.js';
import { driverStatus } from '../input.js';
import { Listeners } from '../../firmware/core/listeners.js';
import type { ErrorCode } from '../../firmware/core/errors.js';

export class MockSerialScanner implements InputDriver {
  readonly name: string;
  private state: DriverState = 'closed';
  private lastError: ErrorCode | undefined;
  private readonly events = new Listeners<InputEvent>();
  private readonly states = new Listeners<DriverStatus>();
  /** How many times trigger() was called. */
  triggers = 0;

  constructor(name = 'serial-scanner') {
    this.name = name;
  }

  status(): DriverStatus {
    return driverStatus(this.name, this.state, this.lastError);
  }

  async open(): Promise<void> {
    if (this.state === 'open') return;
    this.setState('opening');
    this.setState('open');
  }

  async close(): Promise<void> {
    if (this.state !== 'closed') this.setState('closed');
  }

  async trigger(): Promise<void> {
    this.triggers += 1;
  }

  onEvent(listener: (event: InputEvent) => void): () => void {
    return this.events.add(listener);
  }

  onState(listener: (status: DriverStatus) => void): () => void {
    return this.states.add(listener);
  }

  /** A scanned code. Ignored unless open, like a real scanner's bytes on a closed port. */
  inject(text: string, symbology: Symbology = 'qr'): void {
    if (this.state !== 'open') return;
    this.events.emit({ kind: 'code', source: this.name, text, symbology });
  }

  /** A framing problem such as an overlong or non-UTF-8 code. */
  injectError(code: ErrorCode): void {
    if (this.state !== 'open') return;
    this.events.emit({ kind: 'read-error', source: this.name, code });
  }

  /** Simulates an unplug: 'reconnecting' with driver.disconnected. */
  unplug(): void {
    this.lastError = 'driver.disconnected';
    this.setState('reconnecting');
  }

  /** Simulates the device coming back. */
  replug(): void {
    this.lastError = undefined;
    this.setState('open');
  }

  private setState(state: DriverState): void {
    this.state = state;
    this.states.emit(this.status());
  }
}
