// Builds the input drivers the config enables. Each driver keeps reopening in the background
// when its device is missing, so a gate that boots before its scanner is plugged in recovers.
import type { ConfigStore } from './config/store.js';
import type { TimeoutTable } from './timeouts.js';
import type { InputDriver } from '../drivers/input.js';
import { SerialScannerDriver } from '../drivers/serial-scanner/driver.js';
import { serialScannerOptions } from '../drivers/serial-scanner/options.js';
import { HidScannerDriver, hidScannerOptions } from '../drivers/hid-scanner/driver.js';

export function inputDriversFromConfig(store: ConfigStore, timeouts: TimeoutTable): InputDriver[] {
  const drivers: InputDriver[] = [];
  if (store.get('drivers.serial.enabled')) {
    drivers.push(
      new SerialScannerDriver(
        serialScannerOptions({
          path: store.get('drivers.serial.path'),
          baudRate: store.get('drivers.serial.baudRate'),
          dataBits: store.get('drivers.serial.dataBits'),
          parity: store.get('drivers.serial.parity'),
          stopBits: store.get('drivers.serial.stopBits'),
          suffix: store.get('drivers.serial.suffix'),
          profile: store.get('drivers.serial.profile'),
          maxCodeLength: store.get('drivers.serial.maxCodeLength'),
          stripAimId: store.get('drivers.serial.stripAimId'),
          prefix: store.get('drivers.serial.prefix'),
        }),
        { timeouts },
      ),
    );
  }
  if (store.get('drivers.hid.enabled')) {
    drivers.push(
      new HidScannerDriver(hidScannerOptions({ vendorId: store.get('drivers.hid.vendorId'), productId: store.get('drivers.hid.productId') }), { timeouts }),
    );
  }
  return drivers;
}
