// The device's end of a soak pty pair, opened as a plain terminal (Node's tty streams) rather
// than through serialport: a fleet's worth of serialport instances, each answering the card
// reader's polls five times a second, cost the soak more CPU than the daemons' own polling. A pty
// has no baud rate, parity or modem lines to set, so nothing of serialport is needed here.
import { constants, openSync } from 'node:fs';
import { ReadStream, WriteStream } from 'node:tty';
import type { ClosableDeviceEnd } from '../lab/device-end.js';

export function openPtyEnd(path: string): ClosableDeviceEnd {
  const fd = openSync(path, constants.O_RDWR | constants.O_NOCTTY);
  const input = new ReadStream(fd);
  input.setRawMode(true);
  const output = new WriteStream(fd);
  let open = true;
  input.on('error', () => undefined); // EIO when the other side goes away: the line is unplugged
  output.on('error', () => undefined);
  return {
    write: (bytes) => {
      if (open) output.write(bytes);
    },
    onData: (listener) => {
      input.on('data', listener);
      return () => input.off('data', listener);
    },
    close: async () => {
      if (!open) return;
      open = false;
      input.destroy();
      output.destroy();
    },
  };
}
