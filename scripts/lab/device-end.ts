// The device's side of a serial line, where a simulator sits: bytes to the host, bytes from it.
// Over a pty pair it is a real serial port on the peer path; in unit tests it is the device end
// of a port on serialport's mock binding (test/support/mock-serial-ports.ts).
import { SerialPort } from 'serialport';
import { closeSerialPort } from '../../firmware/core/serial-port.js';

export interface DeviceEnd {
  /** Sends bytes to the host; dropped while the host does not have the line open. */
  write(bytes: string | Uint8Array): void;
  /** Bytes the host wrote. Returns the unsubscribe function. */
  onData(listener: (chunk: Buffer) => void): () => void;
}

export interface ClosableDeviceEnd extends DeviceEnd {
  close(): Promise<void>;
}

/** Opens the device end at a serial path, e.g. a pty pair's peer. */
export async function openDeviceEnd(path: string, baudRate = 115_200): Promise<ClosableDeviceEnd> {
  const port = new SerialPort({ path, baudRate, autoOpen: false });
  port.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => port.open((error) => (error ? reject(error) : resolve())));
  return {
    write: (bytes) => {
      if (port.isOpen) port.write(bytes);
    },
    onData: (listener) => {
      port.on('data', listener);
      return () => port.off('data', listener);
    },
    close: () => closeSerialPort(port),
  };
}
