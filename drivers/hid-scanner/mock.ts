// A HID device that exists only in memory: tests plug it in and out and play recorded reports.
import { PassgateError } from '../../firmware/core/errors.js';
import type { HidDeviceOpener, HidReportSource } from './device.js';

export class MockHidOpener implements HidDeviceOpener {
  /** Whether the device is "plugged in". */
  present = true;
  opens = 0;
  closes = 0;
  private reportListeners: ((report: Uint8Array) => void)[] = [];
  private errorListeners: ((error: unknown) => void)[] = [];

  async isPresent(): Promise<boolean> {
    return this.present;
  }

  async open(): Promise<HidReportSource> {
    if (!this.present) throw new PassgateError('driver.open-failed', 'no matching HID scanner is connected');
    this.opens += 1;
    const reports: ((report: Uint8Array) => void)[] = [];
    const errors: ((error: unknown) => void)[] = [];
    this.reportListeners = reports;
    this.errorListeners = errors;
    return {
      onReport: (listener) => reports.push(listener),
      onError: (listener) => errors.push(listener),
      close: async () => {
        this.closes += 1;
        if (this.reportListeners === reports) {
          this.reportListeners = [];
          this.errorListeners = [];
        }
      },
    };
  }

  /** Delivers reports to the open device, as node-hid's 'data' events would. */
  play(reports: readonly Uint8Array[]): void {
    for (const report of reports) for (const listener of this.reportListeners) listener(report);
  }

  /** Pulls the plug: the open device reports a read error, and the device is no longer listed. */
  unplug(): void {
    this.present = false;
    const error = Object.assign(new Error('could not read from HID device'), { code: 'EIO' });
    for (const listener of this.errorListeners) listener(error);
  }

  plugIn(): void {
    this.present = true;
  }
}
