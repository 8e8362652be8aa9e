// Settings of one serial (UART or USB-CDC) QR scanner. Plain data, so config can produce it.
// The lists and bounds below are the one definition of each setting's values: the config schema
// (firmware/config) offers exactly these, so nothing `passgate config set` accepts is refused here.
import { PassgateError } from '../../firmware/core/errors.js';
import { isStandardBaudRate } from '../baud-rates.js';

export const SERIAL_SUFFIXES = ['cr', 'lf', 'crlf', 'none'] as const;
export type SerialSuffix = (typeof SERIAL_SUFFIXES)[number];
export const SERIAL_PARITIES = ['none', 'even', 'odd'] as const;
export type SerialParity = (typeof SERIAL_PARITIES)[number];
/** 7 or 8: scanner modules offer nothing else, and 5 or 6 bits cannot carry an ASCII code. */
export const SERIAL_DATA_BITS = [7, 8] as const;
export type SerialDataBits = (typeof SERIAL_DATA_BITS)[number];
export const SERIAL_STOP_BITS = [1, 2] as const;
export type SerialStopBits = (typeof SERIAL_STOP_BITS)[number];
export const SCANNER_PROFILE_NAMES = ['generic', 'gm65', 'honeywell', 'newland'] as const;
export type ScannerProfileName = (typeof SCANNER_PROFILE_NAMES)[number];
export const SCAN_MODES = ['trigger', 'continuous'] as const;
export type ScanMode = (typeof SCAN_MODES)[number];

/**
 * Bounds of `maxCodeLength`, in bytes. A QR symbol holds at most 2953 bytes, so 4096 takes any
 * single code with its prefix and AIM id; more would only let line noise fill the buffer. Below 16
 * not even a short pass code fits.
 */
export const MAX_CODE_LENGTH_BOUNDS = { min: 16, max: 4096 } as const;

export interface SerialScannerOptions {
  /**
   * Device path. Prefer the stable `/dev/serial/by-id/usb-<vendor>_<model>_<serial>-if00` link
   * over `/dev/ttyACM0`/`/dev/ttyUSB0`: the numbered names change with plug order, the by-id
   * link follows the device. The driver watches this path to reopen after a replug.
   */
  path: string;
  /** One of STANDARD_BAUD_RATES. Default 9600 (the factory rate of most modules). */
  baudRate: number;
  dataBits: SerialDataBits;
  parity: SerialParity;
  stopBits: SerialStopBits;
  /** What ends one code. 'none': a pause of `serialInterByteMs` ends it. Default 'cr'. */
  suffix: SerialSuffix;
  /** A fixed prefix the scanner is configured to send; removed when present. Default ''. */
  prefix: string;
  /** Remove a leading AIM symbology identifier (`]Q1`) and use it as the symbology. Default true. */
  stripAimId: boolean;
  /**
   * Longest accepted code in bytes, prefix and AIM id included; longer input is discarded.
   * Within MAX_CODE_LENGTH_BOUNDS. Default 2048.
   */
  maxCodeLength: number;
  /** Command set of the module, for trigger and configure. Default 'generic' (no commands). */
  profile: ScannerProfileName;
  /** Mode written by `configure()`. Default 'continuous'. */
  mode: ScanMode;
  /** Run `configure()` after every open. Default false: configure the module once, by hand. */
  configureOnOpen: boolean;
  /** Whether `configure()` stores settings in the module's flash (wears it). Default false. */
  persistConfiguration: boolean;
}

export const DEFAULT_SERIAL_SCANNER_OPTIONS: Omit<SerialScannerOptions, 'path'> = {
  baudRate: 9600,
  dataBits: 8,
  parity: 'none',
  stopBits: 1,
  suffix: 'cr',
  prefix: '',
  stripAimId: true,
  maxCodeLength: 2048,
  profile: 'generic',
  mode: 'continuous',
  configureOnOpen: false,
  persistConfiguration: false,
};

const isOneOf = <T>(list: readonly T[], value: unknown): boolean => (list as readonly unknown[]).includes(value);

function invalid(key: string): PassgateError {
  return new PassgateError('config.invalid-value', `serial scanner option ${key} is invalid`, { key });
}

/** Fills defaults and checks every value; throws `config.invalid-value` naming the bad key. */
export function serialScannerOptions(input: Partial<SerialScannerOptions> & { path: string }): SerialScannerOptions {
  const options: SerialScannerOptions = { ...DEFAULT_SERIAL_SCANNER_OPTIONS, ...input };
  if (typeof options.path !== 'string' || options.path.length === 0) throw invalid('path');
  if (!isStandardBaudRate(options.baudRate)) throw invalid('baudRate');
  if (!isOneOf(SERIAL_DATA_BITS, options.dataBits)) throw invalid('dataBits');
  if (!isOneOf(SERIAL_PARITIES, options.parity)) throw invalid('parity');
  if (!isOneOf(SERIAL_STOP_BITS, options.stopBits)) throw invalid('stopBits');
  if (!isOneOf(SERIAL_SUFFIXES, options.suffix)) throw invalid('suffix');
  if (typeof options.prefix !== 'string') throw invalid('prefix');
  if (typeof options.stripAimId !== 'boolean') throw invalid('stripAimId');
  const { min, max } = MAX_CODE_LENGTH_BOUNDS;
  if (!Number.isInteger(options.maxCodeLength) || options.maxCodeLength < min || options.maxCodeLength > max) {
    throw invalid('maxCodeLength');
  }
  if (!isOneOf(SCANNER_PROFILE_NAMES, options.profile)) throw invalid('profile');
  if (!isOneOf(SCAN_MODES, options.mode)) throw invalid('mode');
  if (typeof options.configureOnOpen !== 'boolean') throw invalid('configureOnOpen');
  if (typeof options.persistConfiguration !== 'boolean') throw invalid('persistConfiguration');
  return options;
}
