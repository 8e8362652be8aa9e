// The seam between serial-port users (the scanner and ID-card drivers, the LED board) and
// node-serialport. Users take an OpenSerialPort function: the real one (drivers/serial-port.ts)
// loads serialport; unit tests pass one built on serialport's mock binding. Core may not import
// serialport, so the port is described here by the few members its users need: the drivers'
// SerialLine and serialport's own stream (on its mock binding in tests) have them all.

export interface SerialPortSettings {
  /** Device path, e.g. /dev/ttyACM0 or a /dev/serial/by-id link. */
  path: string;
  baudRate: number;
  dataBits?: 5 | 6 | 7 | 8;
  parity?: 'none' | 'even' | 'odd';
  stopBits?: 1 | 2;
  /** Drop DTR and RTS on close (serialport's default, true). */
  hupcl?: boolean;
}

/** An open serial port: a byte stream with node-serialport's open/close semantics. */
export interface SerialPortLike {
  readonly isOpen: boolean;
  write(data: string | Uint8Array, callback?: (error: Error | null | undefined) => void): boolean;
  close(callback?: (error: Error | null) => void): void;
  on(event: 'data', listener: (chunk: Buffer) => void): this;
  /** The port's byte stream ended (end of file on the device). */
  on(event: 'end', listener: () => void): this;
  /** `error` is set when the device went away (node-serialport's DisconnectedError). */
  on(event: 'close', listener: (error?: Error | null) => void): this;
  on(event: 'error', listener: (error: Error) => void): this;
}

/**
 * Opens a port and resolves once it is open. Rejects with a PassgateError 'driver.open-failed'
 * (details.reason 'invalid-settings') when the settings cannot work, so retrying is pointless;
 * otherwise with the error the port gave, which each caller maps to its own code.
 */
export type OpenSerialPort = (settings: SerialPortSettings) => Promise<SerialPortLike>;

/** Closes the port if it is open. Resolves when closed; never rejects (a gone device is closed). */
export function closeSerialPort(port: SerialPortLike): Promise<void> {
  return new Promise((resolve) => {
    if (!port.isOpen) return resolve();
    port.close(() => resolve());
  });
}

/** Writes bytes; resolves once the port has taken them, rejects with the port's error. */
export function writeSerialPort(port: SerialPortLike, data: string | Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    port.write(data, (error) => (error ? reject(error) : resolve()));
  });
}
