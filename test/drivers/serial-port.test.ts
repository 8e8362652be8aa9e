// The serial port opener shared by the real ports and the mock-binding ones (the real one differs
// only in the port constructor; driver-pty tests cover it on real ptys).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { systemSerialPorts } from '../../drivers/serial-port.js';
import { isPassgateError, type PassgateError } from '../../firmware/core/errors.js';
import { closeSerialPort, writeSerialPort } from '../../firmware/core/serial-port.js';
import { MockSerialPorts } from '../support/mock-serial-ports.js';

const PATH = '/dev/ttyMOCK0';

describe('serial port opener', () => {
  it('resolves with an open port; unset settings keep the binding defaults', async () => {
    const ports = new MockSerialPorts();
    const device = ports.plugIn(PATH);
    const port = await ports.open({ path: PATH, baudRate: 19_200, dataBits: undefined, parity: undefined });
    expect(port.isOpen).toBe(true);
    const defaults = { dataBits: 8, parity: 'none', stopBits: 1 };
    expect(device.openOptions).toMatchObject({ path: PATH, baudRate: 19_200, ...defaults });
    await writeSerialPort(port, 'PING\n');
    expect(device.received().toString()).toBe('PING\n');
    await closeSerialPort(port);
    expect(port.isOpen).toBe(false);
    await closeSerialPort(port); // closing a closed port is fine
  });

  it.each([
    ['a negative baud rate', { path: PATH, baudRate: -5 }],
    ['a fractional baud rate', { path: PATH, baudRate: 9600.5 }],
    ['an empty path', { path: '', baudRate: 9600 }],
  ])('rejects %s as invalid settings (retrying cannot help)', async (_what, settings) => {
    const ports = new MockSerialPorts();
    ports.plugIn(PATH);
    const error = await ports.open(settings).catch((e: unknown) => e);
    expect(isPassgateError(error, 'driver.open-failed')).toBe(true);
    expect((error as PassgateError).details).toEqual({ reason: 'invalid-settings' });
  });

  it('passes an open failure on as the port gave it, for the caller to code', async () => {
    const error = await new MockSerialPorts().open({ path: PATH, baudRate: 9600 }).catch((e: unknown) => e);
    expect(isPassgateError(error)).toBe(false);
    expect((error as { code?: string }).code).toBe('ENOENT');
  });

  it('the system ports see a device path by a cheap stat', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ports-'));
    writeFileSync(join(dir, 'ttyACM0'), '');
    expect(await systemSerialPorts.exists(join(dir, 'ttyACM0'))).toBe(true);
    expect(await systemSerialPorts.exists(join(dir, 'ttyACM1'))).toBe(false);
  });
});
