// The real serial ports: node-serialport on the system's device files. The scanner and ID-card
// drivers use these unless a test hands them others; the daemon passes the opener to the LED
// board (ui-led may not import drivers). serialport is loaded on the first open, so a gate
// without serial hardware never loads its native binding.
import { PassgateError } from '../firmware/core/errors.js';
import type { OpenSerialPort, SerialPortLike, SerialPortSettings } from '../firmware/core/serial-port.js';
import { pathExists } from './reconnect.js';
import { directIoBinding } from './serial-direct-io.js';

/** Where a driver's serial ports come from: how to open one, and whether its device is there. */
export interface SerialPorts {
  open: OpenSerialPort;
  /** Cheap presence check, polled while the device is away (never a port enumeration). */
  exists(path: string): Promise<boolean>;
}

/** A port as constructed, not yet open: serialport's SerialPort, or a SerialPortStream. */
export interface UnopenedSerialPort extends SerialPortLike {
  open(callback: (error: Error | null) => void): void;
}

export type ConstructSerialPort = (options: SerialPortSettings & { autoOpen: false }) => UnopenedSerialPort;

/**
 * An OpenSerialPort over a port constructor: serialport's own, or (in tests) a SerialPortStream
 * on serialport's mock binding, so both go through the same checks and open sequence.
 */
export function serialPortOpener(loadConstructor: () => Promise<ConstructSerialPort>): OpenSerialPort {
  return async (settings) => {
    const construct = await loadConstructor();
    let port: UnopenedSerialPort;
    try {
      // serialport itself only checks that the rate is a number.
      if (!Number.isInteger(settings.baudRate) || settings.baudRate <= 0) {
        throw new RangeError('baud rate must be a positive integer');
      }
      port = construct({ ...definedSettings(settings), autoOpen: false });
    } catch (error) {
      // Only invalid settings get here (the constructor throws for nothing else): retrying cannot help.
      throw new PassgateError(
        'driver.open-failed',
        'invalid serial port settings',
        { reason: 'invalid-settings' },
        {
          cause: error,
        },
      );
    }
    await new Promise<void>((resolve, reject) => port.open((error) => (error ? reject(error) : resolve())));
    return port;
  };
}

export const openSystemSerialPort: OpenSerialPort = serialPortOpener(async () => {
  const { SerialPort } = await import('serialport');
  // The detected binding with reads and writes on the event loop (serial-direct-io.ts).
  const binding = directIoBinding(SerialPort.binding);
  return (options) => new SerialPort({ ...options, binding } as ConstructorParameters<typeof SerialPort>[0]);
});

export const systemSerialPorts: SerialPorts = {
  open: openSystemSerialPort,
  exists: (path) => pathExists(path)(),
};

/** The settings without unset keys: serialport's bindings would take an explicit undefined as a value. */
function definedSettings(settings: SerialPortSettings): SerialPortSettings {
  return Object.fromEntries(Object.entries(settings).filter(([, value]) => value !== undefined)) as SerialPortSettings;
}
