// A keyboard-wedge (USB HID keyboard) QR scanner read as raw reports through node-hid.
// Read drivers/hid-scanner/README.md first: the kernel's keyboard driver sees the same keys.

import { type Clock, systemClock } from '../../firmware/core/clock.js';
import { type ErrorCode, PassgateError } from '../../firmware/core/errors.js';
import type { TimeoutTable } from '../../firmware/core/timeouts.js';
import type { InputEvent } from '../input.js';
import { ReconnectingInputDriver } from '../input-driver-base.js';
import { asDriverError } from '../reconnect.js';
import { type HidDeviceOpener, type HidReportSource, nodeHidOpener } from './device.js';
import { type HidDiscardReason, type HidFrame, HidReportDecoder } from './report-decoder.js';
import { isUsbId } from './usb-id.js';

export interface HidScannerOptions {
  /** USB vendor ID, e.g. 0x0c2e. */
  vendorId: number;
  productId: number;
  /** Pick one of several identical scanners by its USB serial number. */
  serialNumber?: string;
  /** Set when the scanner's reports carry a report ID in front of the 8 boot-keyboard bytes. */
  reportId?: number;
  /** Longest accepted code in characters. Default 2048. */
  maxCodeLength: number;
}

export const DEFAULT_HID_SCANNER_OPTIONS: Pick<HidScannerOptions, 'maxCodeLength'> = { maxCodeLength: 2048 };

function invalid(key: string): PassgateError {
  return new PassgateError('config.invalid-value', `HID scanner option ${key} is invalid`, { key });
}

/** Fills defaults and checks every value; throws `config.invalid-value` naming the bad key. */
export function hidScannerOptions(
  input: Partial<HidScannerOptions> & Pick<HidScannerOptions, 'vendorId' | 'productId'>,
): HidScannerOptions {
  const options: HidScannerOptions = { ...DEFAULT_HID_SCANNER_OPTIONS, ...input };
  if (!isUsbId(options.vendorId)) throw invalid('vendorId');
  if (!isUsbId(options.productId)) throw invalid('productId');
  if (options.serialNumber !== undefined && typeof options.serialNumber !== 'string') throw invalid('serialNumber');
  if (
    options.reportId !== undefined &&
    !(Number.isInteger(options.reportId) && options.reportId >= 1 && options.reportId <= 255)
  ) {
    throw invalid('reportId');
  }
  if (!Number.isInteger(options.maxCodeLength) || options.maxCodeLength < 1 || options.maxCodeLength > 65_536) {
    throw invalid('maxCodeLength');
  }
  return options;
}

export type HidScannerTimeouts = Pick<
  TimeoutTable,
  'driverReopenInitialMs' | 'driverReopenMaxMs' | 'driverPathPollMs' | 'hidFrameIdleMs'
>;

export interface HidScannerDeps {
  timeouts: HidScannerTimeouts;
  /** Default: node-hid, filtered by the options' VID/PID/serial. Tests pass a MockHidOpener. */
  opener?: HidDeviceOpener;
  /** Event source name; default 'hid-scanner'. */
  name?: string;
  /** Stamps each report's arrival (monotonic ms); default the system clock. */
  clock?: Pick<Clock, 'now'>;
}

const DISCARD_CODES: Readonly<Record<HidDiscardReason, ErrorCode | undefined>> = {
  'unknown-usage': 'driver.frame-invalid',
  'malformed-report': 'driver.frame-invalid',
  incomplete: 'driver.frame-invalid',
  overlong: 'driver.overlong',
  empty: undefined,
};

interface OpenDevice {
  source: HidReportSource;
  decoder: HidReportDecoder;
  idleTimer: ReturnType<typeof setTimeout> | undefined;
}

export class HidScannerDriver extends ReconnectingInputDriver<OpenDevice> {
  readonly options: HidScannerOptions;
  private readonly timeouts: HidScannerTimeouts;
  private readonly opener: HidDeviceOpener;
  private readonly clock: Pick<Clock, 'now'>;

  constructor(options: HidScannerOptions, deps: HidScannerDeps) {
    const opener =
      deps.opener ??
      nodeHidOpener({ vendorId: options.vendorId, productId: options.productId, serialNumber: options.serialNumber });
    super(deps.name ?? 'hid-scanner', { timeouts: deps.timeouts, isPresent: () => opener.isPresent() });
    this.options = options;
    this.timeouts = deps.timeouts;
    this.opener = opener;
    this.clock = deps.clock ?? systemClock;
  }

  protected async openDevice(): Promise<OpenDevice> {
    return {
      source: await this.opener.open(),
      decoder: new HidReportDecoder({ maxCodeLength: this.options.maxCodeLength, reportId: this.options.reportId }),
      idleTimer: undefined,
    };
  }

  protected attachDevice(device: OpenDevice): void {
    device.source.onReport((report) => {
      if (this.device !== device) return;
      this.clearIdle(device);
      for (const frame of device.decoder.push(report, this.clock.now())) this.handleFrame(frame);
      if (device.decoder.pending > 0) {
        device.idleTimer = setTimeout(() => {
          device.idleTimer = undefined;
          for (const frame of device.decoder.flush()) this.handleFrame(frame);
        }, this.timeouts.hidFrameIdleMs);
      }
    });
    device.source.onError((error) => {
      this.clearIdle(device);
      this.lost(device, asDriverError(error, 'driver.disconnected'));
      void this.releaseDevice(device);
    });
  }

  private clearIdle(device: OpenDevice): void {
    if (device.idleTimer !== undefined) clearTimeout(device.idleTimer);
    device.idleTimer = undefined;
  }

  protected async releaseDevice(device: OpenDevice): Promise<void> {
    this.clearIdle(device);
    try {
      await device.source.close();
    } catch {
      // Closing an unplugged device fails; it is gone either way.
    }
  }

  private handleFrame(frame: HidFrame): void {
    let event: InputEvent | undefined;
    // The decoder stamps every frame with its first report's arrival.
    const arrivedAt = frame.arrivedAt ?? this.clock.now();
    if (frame.kind === 'code') {
      event = { kind: 'code', source: this.name, text: frame.text, symbology: 'unknown', arrivedAt };
    } else {
      const code = DISCARD_CODES[frame.reason];
      if (code !== undefined) event = { kind: 'read-error', source: this.name, code, arrivedAt };
    }
    if (event !== undefined) this.emitEvent(event);
  }
}
