// What every input driver shares, so a driver file keeps only its own device logic.
//
// InputDriverBase: the name, the event and state listeners. Events and states reach every
// listener, and a listener's failure never reaches the device's read loop.
// ReconnectingInputDriver: a driver of one device kept open by the Reconnector (reconnect.ts).
// The driver says how to open the device, what to do with a newly opened one, and how to release
// it; the base owns the state, open/close and the retries.

import type { PassgateError } from '../firmware/core/errors.js';
import { Listeners } from '../firmware/core/listeners.js';
import { type DriverStatus, driverStatus, type InputDriver, type InputEvent } from './input.js';
import { Reconnector, type ReconnectorOptions } from './reconnect.js';

export abstract class InputDriverBase implements InputDriver {
  readonly name: string;
  private readonly events = new Listeners<InputEvent>();
  private readonly states = new Listeners<DriverStatus>();

  protected constructor(name: string) {
    this.name = name;
  }

  abstract status(): DriverStatus;
  abstract open(): Promise<void>;
  abstract close(): Promise<void>;

  onEvent(listener: (event: InputEvent) => void): () => void {
    return this.events.add(listener);
  }

  onState(listener: (status: DriverStatus) => void): () => void {
    return this.states.add(listener);
  }

  /** Nothing by default: most devices deliver an input again when it is shown again. */
  readAgain(): void {
    // A scanner or camera reads the code again when the person shows it again.
  }

  protected emitEvent(event: InputEvent): void {
    this.events.emitIgnoringFailures(event);
  }

  /** Tells the state listeners the current status(); call after every state change. */
  protected emitStatus(): void {
    this.states.emitIgnoringFailures(this.status());
  }
}

/** How the device is kept open: the timeouts, and the optional presence and fatality checks. */
export type ReconnectSettings<Device> = Pick<ReconnectorOptions<Device>, 'timeouts' | 'isPresent' | 'isFatal'>;

export abstract class ReconnectingInputDriver<Device> extends InputDriverBase {
  private readonly reconnector: Reconnector<Device>;

  protected constructor(name: string, settings: ReconnectSettings<Device>) {
    super(name);
    this.reconnector = new Reconnector<Device>({
      ...settings,
      open: () => this.openDevice(),
      onOpen: (device) => this.attachDevice(device),
      onClosed: (reason, device) => this.deviceLost(device, reason),
      onState: () => this.emitStatus(),
      release: (device) => this.releaseDevice(device),
    });
  }

  status(): DriverStatus {
    return driverStatus(this.name, this.reconnector.state, this.reconnector.error);
  }

  /** Opens the device; on failure keeps retrying in the background. Resolves after the first try. */
  open(): Promise<void> {
    return this.reconnector.start();
  }

  /** Stops the retries and releases the device. Idempotent. */
  close(): Promise<void> {
    return this.reconnector.stop();
  }

  /** The open device, or undefined while not open. */
  protected get device(): Device | undefined {
    return this.reconnector.handle;
  }

  /** Reports that `device` stopped working: it is reopened. A stale report is ignored. */
  protected lost(device: Device, reason: unknown): void {
    this.reconnector.lost(device, reason);
  }

  /** Opens the device once; rejects (ideally with a PassgateError) when it cannot. */
  protected abstract openDevice(): Promise<Device>;

  /** Starts using a newly opened device: attach its data and failure listeners here. */
  protected abstract attachDevice(device: Device): void;

  /** Releases the device on close(). Its failure is ignored: the device is released either way. */
  protected abstract releaseDevice(device: Device): Promise<void>;

  /** Called once for every device reported lost, with the reason. */
  protected deviceLost(_device: Device, _reason: PassgateError): void {
    // Nothing by default: most drivers hold no state beyond the device.
  }
}
