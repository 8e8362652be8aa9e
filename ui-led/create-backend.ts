// Builds the configured display backend from plain options (the lead maps config onto these).
// The backend names and the gpiochip rule are defined here once; the config schema offers them.
// An error names `details.key` only for an option that is a config key (display.*); the options
// no config key sets (gpiosetMode, gpiosetCommand, baudRate) are named in `details.option`.

import { type Clock, systemClock } from '../firmware/core/clock.js';
import { PassgateError } from '../firmware/core/errors.js';
import type { OpenSerialPort } from '../firmware/core/serial-port.js';
import { DEFAULT_TIMEOUTS, type TimeoutTable } from '../firmware/core/timeouts.js';
import type { DisplayBackend } from './backend.js';
import { GpiosetBackend, type GpiosetMode } from './backends/gpio-gpioset.js';
import { GpioSysfsBackend } from './backends/gpio-sysfs.js';
import { NoneBackend } from './backends/none.js';
import { normalizePins, type PinMapInput } from './backends/pins.js';
import { RecordingBackend } from './backends/recording.js';
import { SerialBoardBackend } from './backends/serial-board.js';
import { TerminalBackend, type TerminalStream } from './backends/terminal.js';

/** The backends `display.backend` may choose, in the order `passgate config` lists them. */
export const CONFIGURABLE_DISPLAY_BACKENDS = [
  'terminal',
  'gpio-sysfs',
  'gpio-gpioset',
  'serial-board',
  'none',
] as const;
/** Every backend this builds: 'recording' too, for tests and harnesses (a gate would show nothing). */
export const DISPLAY_BACKENDS = [...CONFIGURABLE_DISPLAY_BACKENDS, 'recording'] as const;
export type DisplayBackendName = (typeof DISPLAY_BACKENDS)[number];

/**
 * What gpioset is given as its chip: a name (gpiochip0), number or /dev path. The characters keep
 * it a single harmless argument; a kernel chip label is at most 32 characters, so 64 is ample.
 */
export const GPIO_CHIP_MAX_LENGTH = 64;
export const GPIO_CHIP_PATTERN = new RegExp(`^[A-Za-z0-9_./-]{1,${GPIO_CHIP_MAX_LENGTH}}$`);

export interface DisplayBackendOptions {
  backend: string;
  /** gpio-sysfs and gpio-gpioset: output → line (number, or { line, activeLow }). */
  pins?: PinMapInput;
  /** gpio-sysfs: default /sys/class/gpio. */
  gpioRoot?: string;
  /** gpio-gpioset: e.g. gpiochip0. */
  gpioChip?: string;
  /** gpio-gpioset: default `gpioset` on PATH. */
  gpiosetCommand?: string;
  /** gpio-gpioset: default 'signal' (see backends/gpio-gpioset.ts). */
  gpiosetMode?: GpiosetMode;
  /** serial-board: e.g. /dev/ttyACM1. */
  serialPath?: string;
  /** serial-board: default 115200. */
  baudRate?: number;
  /** serial-board: opens its port (the daemon passes the drivers' serialport opener). */
  openSerialPort?: OpenSerialPort;
  /** terminal: where to draw, e.g. process.stdout. */
  stream?: TerminalStream;
  timeouts?: TimeoutTable;
  clock?: Clock;
}

function invalid(key: `display.${string}`, message: string): PassgateError {
  return new PassgateError('config.invalid-value', message, { key });
}

/** For an option no config key sets: only code passes it. */
function invalidOption(option: 'gpiosetMode' | 'gpiosetCommand' | 'baudRate', message: string): PassgateError {
  return new PassgateError('config.invalid-value', message, { option });
}

function isBackendName(value: string): value is DisplayBackendName {
  return (DISPLAY_BACKENDS as readonly string[]).includes(value);
}

/** Throws PassgateError 'config.invalid-value' (details.key or details.option) for missing or bad options. */
export function createDisplayBackend(options: DisplayBackendOptions): DisplayBackend {
  const timeouts = options.timeouts ?? DEFAULT_TIMEOUTS;
  const clock = options.clock ?? systemClock;
  const name = options.backend;
  if (!isBackendName(name))
    throw invalid('display.backend', `display.backend must be one of ${DISPLAY_BACKENDS.join(', ')}`);
  switch (name) {
    case 'gpio-sysfs': {
      const pins = requirePins(options.pins);
      if (options.gpioRoot !== undefined && (typeof options.gpioRoot !== 'string' || options.gpioRoot === '')) {
        throw invalid('display.gpioRoot', 'display.gpioRoot must be a directory path');
      }
      return new GpioSysfsBackend({ pins, root: options.gpioRoot, timeouts, clock });
    }
    case 'gpio-gpioset': {
      const pins = requirePins(options.pins);
      if (typeof options.gpioChip !== 'string' || !GPIO_CHIP_PATTERN.test(options.gpioChip)) {
        throw invalid('display.gpioChip', 'display.gpioChip must name a gpiochip, e.g. gpiochip0');
      }
      if (options.gpiosetMode !== undefined && options.gpiosetMode !== 'signal' && options.gpiosetMode !== 'exit') {
        throw invalidOption('gpiosetMode', "the gpiosetMode option must be 'signal' or 'exit'");
      }
      if (
        options.gpiosetCommand !== undefined &&
        (typeof options.gpiosetCommand !== 'string' || options.gpiosetCommand === '')
      ) {
        throw invalidOption('gpiosetCommand', 'the gpiosetCommand option must be a command path');
      }
      return new GpiosetBackend({
        pins,
        chip: options.gpioChip,
        command: options.gpiosetCommand,
        mode: options.gpiosetMode,
        timeouts,
        clock,
      });
    }
    case 'serial-board': {
      if (typeof options.serialPath !== 'string' || options.serialPath === '') {
        throw invalid('display.serialPath', 'display.serialPath must name the board serial port');
      }
      if (
        options.baudRate !== undefined &&
        (!Number.isSafeInteger(options.baudRate) || options.baudRate < 300 || options.baudRate > 4_000_000)
      ) {
        throw invalidOption('baudRate', 'the serial board baudRate option must be a baud rate');
      }
      const { openSerialPort } = options;
      if (!openSerialPort) throw invalid('display.backend', 'the serial-board backend needs a serial port opener');
      return new SerialBoardBackend({
        path: options.serialPath,
        baudRate: options.baudRate,
        timeouts,
        clock,
        openSerialPort,
      });
    }
    case 'terminal':
      if (!options.stream || typeof options.stream.write !== 'function')
        throw invalid('display.backend', 'the terminal backend needs a stream');
      return new TerminalBackend({ stream: options.stream });
    case 'none':
      return new NoneBackend();
    case 'recording':
      return new RecordingBackend(clock);
  }
}

function requirePins(input: PinMapInput | undefined) {
  const pins = normalizePins(input ?? null);
  if (Object.keys(pins).length === 0) throw invalid('display.pins', 'display.pins must wire at least one output');
  return pins;
}
