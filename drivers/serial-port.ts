// The real serial ports: serialport's native binding on the system's device files, each open
// port driven as a SerialLine (serial-line.ts: no Node stream around it). The scanner and ID-card
// drivers use these unless a test hands them others; the daemon passes the opener to the LED
// board (ui-led may not import drivers). serialport is loaded on the first open, so a gate
// without serial hardware never loads its native binding.
import { PassgateError } from '../firmware/core/errors.js';
import type { OpenSerialPort, SerialPortLike, SerialPortSettings } from '../firmware/core/serial-port.js';
import { pathExists } from './reconnect.js';
import { isDescriptorPortBinding, SerialLine } from './serial-line.js';

/** Where a driver's serial ports come from: how to open one, and whether its device is there. */
export interface SerialPorts {
  open: OpenSerialPort;
  /** Cheap presence check, polled while the device is away (never a port enumeration). */
  exists(path: string): Promise<boolean>;
}

/** A serialport binding (the detected native one, or in tests the mock): what opens a port. */
export interface PortOpeningBinding {
  open(options: never): Promise<unknown>;
}

/**
 * An OpenSerialPort over a serialport binding. A port with a descriptor and a poller (the native
 * Unix binding) becomes a SerialLine; any other (serialport's mock binding in tests, a platform
 * without descriptors) is wrapped in serialport's own stream, after the same checks and open.
 */
export function serialLineOpener(loadBinding: () => Promise<PortOpeningBinding>): OpenSerialPort {
  return async (settings) => {
    const binding = await loadBinding();
    const options = definedSettings(settings);
    try {
      // serialport itself only checks that the rate is a number and the path not empty.
      if (!settings.path) throw new TypeError('the path is empty');
      if (!Number.isInteger(settings.baudRate) || settings.baudRate <= 0) {
        throw new RangeError('baud rate must be a positive integer');
      }
    } catch (error) {
      // Retrying cannot help these.
      throw new PassgateError(
        'driver.open-failed',
        'invalid serial port settings',
        { reason: 'invalid-settings' },
        {
          cause: error,
        },
      );
    }
    // The binding's own failure (ENOENT, EACCES, a held lock ...) goes to the caller as it is.
    const port = await binding.open(options as never);
    if (isDescriptorPortBinding(port)) return new SerialLine(port);
    return streamOver(port, options);
  };
}

/** serialport's stream over a port the binding has already opened. */
async function streamOver(port: unknown, options: SerialPortSettings): Promise<SerialPortLike> {
  const { SerialPort } = await import('serialport');
  const opened = { open: async () => port, list: async () => [] };
  const stream = new SerialPort({ ...options, binding: opened, autoOpen: false } as unknown as ConstructorParameters<
    typeof SerialPort
  >[0]);
  await new Promise<void>((resolve, reject) => stream.open((error) => (error ? reject(error) : resolve())));
  return stream;
}

export const openSystemSerialPort: OpenSerialPort = serialLineOpener(async () => {
  const { SerialPort } = await import('serialport');
  return SerialPort.binding;
});

export const systemSerialPorts: SerialPorts = {
  open: openSystemSerialPort,
  exists: (path) => pathExists(path)(),
};

/** The settings without unset keys: serialport's bindings would take an explicit undefined as a value. */
function definedSettings(settings: SerialPortSettings): SerialPortSettings {
  return Object.fromEntries(Object.entries(settings).filter(([, value]) => value !== undefined)) as SerialPortSettings;
}
