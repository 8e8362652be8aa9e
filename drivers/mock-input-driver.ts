// The shared part of the in-memory drivers other modules' tests use (mock scanner, mock card
// reader): a state set by hand, and events delivered only while open, as a real device's data
// would be on a closed port.
import { type Clock, systemClock } from '../firmware/core/clock.js';
import type { ErrorCode } from '../firmware/core/errors.js';
import { type DriverState, type DriverStatus, driverStatus, type InputEvent } from './input.js';
import { InputDriverBase } from './input-driver-base.js';

type WithoutArrival<E> = E extends InputEvent ? Omit<E, 'arrivedAt'> : never;
/** An event as a mock builds it: the arrival time is stamped on delivery. */
export type UnstampedEvent = WithoutArrival<InputEvent>;

export class MockInputDriver extends InputDriverBase {
  private state: DriverState = 'closed';
  private lastError: ErrorCode | undefined;
  /** Stamps `arrivedAt`; give the gate's clock (a FakeClock in tests) so timings line up. */
  protected readonly clock: Pick<Clock, 'now'>;

  constructor(name: string, clock: Pick<Clock, 'now'> = systemClock) {
    super(name);
    this.clock = clock;
  }

  status(): DriverStatus {
    return driverStatus(this.name, this.state, this.lastError);
  }

  /** 'opening', then 'open'; nothing when already open. */
  async open(): Promise<void> {
    if (this.state === 'open') return;
    this.setState('opening');
    this.setState('open');
  }

  async close(): Promise<void> {
    if (this.state !== 'closed') this.setState('closed');
  }

  /** Drives the status, e.g. 'reconnecting' with 'driver.disconnected'. */
  setState(state: DriverState, lastError?: ErrorCode): void {
    this.state = state;
    this.lastError = lastError;
    this.emitStatus();
  }

  /** Delivers an event arrived now, unless the driver is not open (then it is dropped). */
  protected emitWhileOpen(event: UnstampedEvent): void {
    if (this.state === 'open') this.emitEvent({ ...event, arrivedAt: this.clock.now() } as InputEvent);
  }
}
