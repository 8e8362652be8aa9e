// Builds the input drivers the config enables. Each driver keeps reopening in the background
// when its device is missing, so a gate that boots before its scanner is plugged in recovers.
// Driver modules are imported only when enabled: native bindings and the wasm decoder cost
// megabytes of memory a gate without that hardware should not carry.

import type { InputDriver } from '../../drivers/input.js';
import type { ConfigStore } from '../config/store.js';
import type { ErrorCode } from '../core/errors.js';
import type { TimeoutTable } from '../core/timeouts.js';

/** A driver's fault that leaves it open (the camera's decode worker crashed and restarts). */
export type DriverFaultListener = (driver: string, code: ErrorCode) => void;

export async function inputDriversFromConfig(
  store: ConfigStore,
  timeouts: TimeoutTable,
  onFault: DriverFaultListener = () => undefined,
): Promise<InputDriver[]> {
  const drivers: InputDriver[] = [];
  if (store.get('drivers.serial.enabled')) {
    const { SerialScannerDriver } = await import('../../drivers/serial-scanner/driver.js');
    const { serialScannerOptions } = await import('../../drivers/serial-scanner/options.js');
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
    const { HidScannerDriver, hidScannerOptions } = await import('../../drivers/hid-scanner/driver.js');
    drivers.push(
      new HidScannerDriver(
        hidScannerOptions({
          vendorId: store.get('drivers.hid.vendorId'),
          productId: store.get('drivers.hid.productId'),
        }),
        { timeouts },
      ),
    );
  }
  if (store.get('drivers.idcard.enabled')) {
    const { IdCardReaderDriver } = await import('../../drivers/idcard/reader-driver.js');
    drivers.push(
      new IdCardReaderDriver({
        path: store.get('drivers.idcard.path'),
        baudRate: store.get('drivers.idcard.baudRate'),
        timeouts,
      }),
    );
  }
  if (store.get('drivers.camera.enabled')) {
    const { CameraDriver } = await import('../../drivers/camera/camera-driver.js');
    const { CAMERA_CAPTURE_NICE } = await import('../../drivers/camera/ffmpeg-source.js');
    const { WorkerSymbolDecoder } = await import('../../drivers/symbols/worker/worker-decoder.js');
    // zxing-wasm and the Grid Matrix reader run in a worker thread, off the gate's event loop,
    // at a lower priority than the gate's thread; ffmpeg writes its frames straight into the
    // worker (a frame inlet), so no pixel ever reaches this thread. A crash of the worker is
    // logged with its code; the camera then restarts ffmpeg into the restarted worker.
    const decoder = await WorkerSymbolDecoder.start({ timeouts });
    decoder.onFailure((error) => onFault('camera', error.code));
    drivers.push(
      new CameraDriver({
        decoders: [decoder],
        ownsDecoders: true,
        onDecoderError: (_decoder, error) => onFault('camera', error.code),
        timeouts, // the frame budget is cameraFrameBudgetMs, set through the `timeouts` key
        ffmpeg: {
          device: store.get('drivers.camera.device'),
          width: store.get('drivers.camera.width'),
          height: store.get('drivers.camera.height'),
          frameRate: store.get('drivers.camera.fps'),
          inlet: (width, height) => decoder.openFrameInlet(width, height),
          nice: CAMERA_CAPTURE_NICE,
        },
      }),
    );
  }
  return drivers;
}
