// Builds the input drivers the config enables. Each driver keeps reopening in the background
// when its device is missing, so a gate that boots before its scanner is plugged in recovers.
import type { ConfigStore } from './config/store.js';
import type { TimeoutTable } from './timeouts.js';
import type { InputDriver } from '../drivers/input.js';
import { SerialScannerDriver } from '../drivers/serial-scanner/driver.js';
import { serialScannerOptions } from '../drivers/serial-scanner/options.js';
import { HidScannerDriver, hidScannerOptions } from '../drivers/hid-scanner/driver.js';
import { IdCardReaderDriver } from '../drivers/idcard/reader-driver.js';
import { CameraDriver } from '../drivers/camera/camera-driver.js';
import { defaultSymbolDecoders } from '../drivers/camera/decoders.js';

export async function inputDriversFromConfig(store: ConfigStore, timeouts: TimeoutTable): Promise<InputDriver[]> {
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
  if (store.get('drivers.idcard.enabled')) {
    drivers.push(new IdCardReaderDriver({ path: store.get('drivers.idcard.path'), baudRate: store.get('drivers.idcard.baudRate'), timeouts }));
  }
  if (store.get('drivers.camera.enabled')) {
    drivers.push(
      new CameraDriver({
        decoders: await defaultSymbolDecoders(),
        timeouts: { ...timeouts, cameraFrameBudgetMs: store.get('drivers.camera.frameBudgetMs') },
        ffmpeg: {
          device: store.get('drivers.camera.device'),
          width: store.get('drivers.camera.width'),
          height: store.get('drivers.camera.height'),
          frameRate: store.get('drivers.camera.fps'),
        },
      }),
    );
  }
  return drivers;
}
