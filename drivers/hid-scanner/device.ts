// How the HID scanner driver reaches a device: a tiny interface, with node-hid behind the real one
// and recorded reports behind the mock (drivers/hid-scanner/mock.ts).
import { type Device, devicesAsync, HIDAsync } from 'node-hid';
import { PassgateError } from '../../firmware/core/errors.js';

/** An open HID device delivering input reports. */
export interface HidReportSource {
  onReport(listener: (report: Uint8Array) => void): void;
  /** Read failures, including the device being unplugged. */
  onError(listener: (error: unknown) => void): void;
  close(): Promise<void>;
}

export interface HidDeviceOpener {
  /** Whether a matching device is listed now (cheap; polled while it is absent). */
  isPresent(): Promise<boolean>;
  /** Opens the matching device; rejects with `driver.open-failed` when there is none. */
  open(): Promise<HidReportSource>;
}

export interface HidDeviceFilter {
  vendorId: number;
  productId: number;
  /** Pick one of several identical scanners. */
  serialNumber?: string;
}

/** Generic Desktop page, Keyboard usage: the interface that carries the boot keyboard reports. */
const GENERIC_DESKTOP = 0x01;
const KEYBOARD = 0x06;

function matches(device: Device, filter: HidDeviceFilter): boolean {
  if (device.vendorId !== filter.vendorId || device.productId !== filter.productId) return false;
  if (filter.serialNumber !== undefined && device.serialNumber !== filter.serialNumber) return false;
  // hidraw reports usage page and usage; where they are missing, accept the interface.
  if (device.usagePage !== undefined && device.usage !== undefined) {
    return device.usagePage === GENERIC_DESKTOP && device.usage === KEYBOARD;
  }
  return true;
}

/** The real opener: node-hid's device list, filtered by VID/PID (and serial), then HIDAsync. */
export function nodeHidOpener(filter: HidDeviceFilter): HidDeviceOpener {
  const find = async (): Promise<Device | undefined> => {
    const devices = await devicesAsync(filter.vendorId, filter.productId);
    return devices.find((device) => device.path !== undefined && matches(device, filter));
  };
  return {
    async isPresent() {
      return (await find()) !== undefined;
    },
    async open() {
      const device = await find();
      if (device?.path === undefined) {
        throw new PassgateError('driver.open-failed', 'no matching HID scanner is connected', {
          vendorId: filter.vendorId,
          productId: filter.productId,
        });
      }
      let hid: HIDAsync;
      try {
        hid = await HIDAsync.open(device.path);
      } catch (error) {
        throw new PassgateError('driver.open-failed', 'the HID scanner could not be opened', {}, { cause: error });
      }
      return {
        onReport: (listener) => hid.on('data', (data: Buffer) => listener(data)),
        onError: (listener) => hid.on('error', listener),
        close: () => hid.close(),
      };
    },
  };
}
