import { describe, expect, it } from 'vitest';
import { isPassgateError, type PassgateError } from '../../firmware/core/errors.js';
import { FakeClock } from '../../firmware/core/fake-clock.js';
import type { OpenSerialPort } from '../../firmware/core/serial-port.js';
import { RecordingBackend } from '../../ui-led/backends/recording.js';
import {
  CONFIGURABLE_DISPLAY_BACKENDS,
  createDisplayBackend,
  DISPLAY_BACKENDS,
  type DisplayBackendOptions,
  GPIO_CHIP_MAX_LENGTH,
} from '../../ui-led/create-backend.js';

const openSerialPort: OpenSerialPort = () => Promise.reject(new Error('no port is opened by these tests'));

function invalidDetail(options: DisplayBackendOptions, field: 'key' | 'option'): string | undefined {
  try {
    createDisplayBackend(options);
  } catch (error) {
    expect(isPassgateError(error, 'config.invalid-value')).toBe(true);
    return (error as PassgateError).details[field] as string | undefined;
  }
  return undefined;
}
const invalidKey = (options: DisplayBackendOptions) => invalidDetail(options, 'key');
const invalidOption = (options: DisplayBackendOptions) => invalidDetail(options, 'option');

describe('createDisplayBackend', () => {
  it('builds each backend by name', () => {
    const stream = { isTTY: false, write: () => true };
    expect(createDisplayBackend({ backend: 'none' }).name).toBe('none');
    expect(createDisplayBackend({ backend: 'terminal', stream }).name).toBe('terminal');
    expect(createDisplayBackend({ backend: 'gpio-sysfs', pins: { red: 17 }, gpioRoot: '/tmp/x' }).name).toBe(
      'gpio-sysfs',
    );
    expect(
      createDisplayBackend({
        backend: 'gpio-gpioset',
        pins: { relay: { line: 4, activeLow: true } },
        gpioChip: 'gpiochip0',
      }).name,
    ).toBe('gpio-gpioset');
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
    expect(invalidKey({ backend: 'gpio-sysfs', pins: { red: { line: 3, activeLow: 'yes' } } as never })).toBe(
      'display.pins.red.activeLow',
    );
    expect(invalidKey({ backend: 'gpio-gpioset', pins: { red: 3 } })).toBe('display.gpioChip');
    expect(invalidKey({ backend: 'gpio-gpioset', pins: { red: 3 }, gpioChip: 'chip; rm -rf /' })).toBe(
      'display.gpioChip',
    );
    const longChip = 'x'.repeat(GPIO_CHIP_MAX_LENGTH + 1);
    expect(invalidKey({ backend: 'gpio-gpioset', pins: { red: 3 }, gpioChip: longChip })).toBe('display.gpioChip');
    expect(invalidKey({ backend: 'serial-board' })).toBe('display.serialPath');
    expect(invalidKey({ backend: 'serial-board', serialPath: '/dev/ttyACM0' })).toBe('display.backend'); // no opener
  });

  it('names the option, and no config key, for options no config key sets', () => {
    const gpioset = { backend: 'gpio-gpioset', pins: { red: 3 }, gpioChip: 'gpiochip0' } as const;
    const board = { backend: 'serial-board', serialPath: '/dev/ttyACM0', openSerialPort } as const;
    for (const [options, option] of [
      [{ ...gpioset, gpiosetMode: 'wait' as never }, 'gpiosetMode'],
      [{ ...gpioset, gpiosetCommand: '' }, 'gpiosetCommand'],
      [{ ...board, baudRate: 12.5 }, 'baudRate'],
    ] as const) {
      expect(invalidOption(options), option).toBe(option);
      expect(invalidKey(options), option).toBeUndefined();
    }
  });

  it('builds every backend it names, the ones config may choose among them', () => {
    const options = {
      pins: { red: 3 },
      gpioChip: 'x'.repeat(GPIO_CHIP_MAX_LENGTH),
      serialPath: '/dev/ttyACM1',
      stream: { isTTY: false, write: () => true },
      clock: new FakeClock(),
      openSerialPort,
    };
    for (const backend of DISPLAY_BACKENDS) expect(createDisplayBackend({ ...options, backend }).name).toBe(backend);
    expect(DISPLAY_BACKENDS).toEqual(expect.arrayContaining([...CONFIGURABLE_DISPLAY_BACKENDS]));
    expect(CONFIGURABLE_DISPLAY_BACKENDS).not.toContain('recording');
  });
});
