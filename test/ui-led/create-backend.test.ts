import { describe, expect, it } from 'vitest';
import { isPassgateError, type PassgateError } from '../../firmware/core/errors.js';
import { createDisplayBackend, type DisplayBackendOptions } from '../../ui-led/create-backend.js';
import { FakeClock } from '../../firmware/core/fake-clock.js';
import { RecordingBackend } from '../../ui-led/backends/recording.js';
import type { OpenSerialPort } from '../../firmware/core/serial-port.js';

const openSerialPort: OpenSerialPort = () => Promise.reject(new Error('no port is opened by these tests'));

function invalidKey(options: DisplayBackendOptions): string | undefined {
  try {
    createDisplayBackend(options);
  } catch (error) {
    expect(isPassgateError(error, 'config.invalid-value')).toBe(true);
    return String((error as PassgateError).details.key);
  }
  return undefined;
}

describe('createDisplayBackend', () => {
  it('builds each backend by name', () => {
    const stream = { isTTY: false, write: () => true };
    expect(createDisplayBackend({ backend: 'none' }).name).toBe('none');
    expect(createDisplayBackend({ backend: 'terminal', stream }).name).toBe('terminal');
    expect(createDisplayBackend({ backend: 'gpio-sysfs', pins: { red: 17 }, gpioRoot: '/tmp/x' }).name).toBe('gpio-sysfs');
    expect(createDisplayBackend({ backend: 'gpio-gpioset', pins: { relay: { line: 4, activeLow: true } }, gpioChip: 'gpiochip0' }).name).toBe('gpio-gpioset');
    const board = createDisplayBackend({ backend: 'serial-board', serialPath: '/dev/ttyACM1', openSerialPort });
    expect(board.name).toBe('serial-board');
    const recording = createDisplayBackend({ backend: 'recording', clock: new FakeClock() });
    expect(recording).toBeInstanceOf(RecordingBackend);
  });

  it('rejects bad options with config.invalid-value naming the key', () => {
    expect(invalidKey({ backend: 'leds' })).toBe('display.backend');
    expect(invalidKey({ backend: 'terminal' })).toBe('display.backend');
    expect(invalidKey({ backend: 'gpio-sysfs' })).toBe('display.pins');
    expect(invalidKey({ backend: 'gpio-sysfs', pins: {} })).toBe('display.pins');
    expect(invalidKey({ backend: 'gpio-sysfs', pins: { red: -1 } })).toBe('display.pins.red');
    expect(invalidKey({ backend: 'gpio-sysfs', pins: { red: 3, green: 3 } })).toBe('display.pins.green');
    expect(invalidKey({ backend: 'gpio-sysfs', pins: { amber: 3 } as never })).toBe('display.pins');
    expect(invalidKey({ backend: 'gpio-sysfs', pins: { red: { line: 3, activeLow: 'yes' } } as never })).toBe('display.pins.red.activeLow');
    expect(invalidKey({ backend: 'gpio-gpioset', pins: { red: 3 } })).toBe('display.gpioChip');
    expect(invalidKey({ backend: 'gpio-gpioset', pins: { red: 3 }, gpioChip: 'chip; rm -rf /' })).toBe('display.gpioChip');
    expect(invalidKey({ backend: 'gpio-gpioset', pins: { red: 3 }, gpioChip: 'gpiochip0', gpiosetMode: 'wait' as never })).toBe('display.gpiosetMode');
    expect(invalidKey({ backend: 'serial-board' })).toBe('display.serialPath');
    expect(invalidKey({ backend: 'serial-board', serialPath: '/dev/ttyACM0', baudRate: 12.5 })).toBe('display.baudRate');
    expect(invalidKey({ backend: 'serial-board', serialPath: '/dev/ttyACM0' })).toBe('display.backend'); // no opener
  });
});
