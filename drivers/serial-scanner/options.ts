// Settings of one serial (UART or USB-CDC) QR scanner. Plain data, so config can produce it.
import { PassgateError } from '../../firmware/core/errors.js';

export type SerialSuffix = 'cr' | 'lf' | 'crlf' | 'none';
export type SerialParity = 'none' | 'even' | 'odd';
export type ScannerProfileName = 'generic' | 'gm65' | 'honeywell' | 'newland';
export type ScanMode = 'trigger' | 'continuous';

export interface SerialScannerOptions {
  /**
   * Device path. Prefer the stable `/dev/serial/by-id/usb-<vendor>_<model>_<serial>-if00` link
   * over `/dev/ttyACM0`/`/dev/ttyUSB0`: the numbered names change with plug order, the by-id
   * link follows the device. The driver watches this path to reopen after a replug.
   */
  path: string;
  /** Default 9600 (the factory rate of most modules). */
  baudRate: number;
  dataBits: 5 | 6 | 7 | 8;
  parity: SerialParity;
  stopBits: 1 | 2;
  /** What ends one code. 'none': a pause of `serialInterByteMs` ends it. Default 'cr'. */
  suffix: SerialSuffix;
  /** A fixed prefix the scanner is configured to send; removed when present. Default ''. */
  prefix: string;
  /** Remove a leading AIM symbology identifier (`]Q1`) and use it as the symbology. Default true. */
  stripAimId: boolean;
  /** Longest accepted code in bytes, prefix and AIM id included; longer input is discarded. */
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

const SUFFIXES: readonly SerialSuffix[] = ['cr', 'lf', 'crlf', 'none'];
const PARITIES: readonly SerialParity[] = ['none', 'even', 'odd'];
const PROFILES: readonly ScannerProfileName[] = ['generic', 'gm65', 'honeywell', 'newland'];
const MODES: readonly ScanMode[] = ['trigger', 'continuous'];

function invalid(key: string): PassgateError {
  return new PassgateError('config.invalid-value', `serial scanner option ${key} is invalid`, { key });
}

/** Fills defaults and checks every value; throws `config.invalid-value` naming the bad key. */
export function serialScannerOptions(
  input: Partial<SerialScannerOptions> & { path: string },
): SerialScannerOptions {
  const options: SerialScannerOptions = { ...DEFAULT_SERIAL_SCANNER_OPTIONS, ...input };
  if (typeof options.path !== 'string' || options.path.length === 0) throw invalid('path');
  if (!Number.isInteger(options.baudRate) || options.baudRate < 50 || options.baudRate > 4_000_000) {
    throw invalid('baudRate');
  }
  if (![5, 6, 7, 8].includes(options.dataBits)) throw invalid('dataBits');
  if (!PARITIES.includes(options.parity)) throw invalid('parity');
  if (options.stopBits !== 1 && options.stopBits !== 2) throw invalid('stopBits');
  if (!SUFFIXES.includes(options.suffix)) throw invalid('suffix');
  if (typeof options.prefix !== 'string') throw invalid('prefix');
  if (typeof options.stripAimId !== 'boolean') throw invalid('stripAimId');
  if (!Number.isInteger(options.maxCodeLength) || options.maxCodeLength < 1 || options.maxCodeLength > 65_536) {
    throw invalid('maxCodeLength');
  }
  if (!PROFILES.includes(options.profile)) throw invalid('profile');
  if (!MODES.includes(options.mode)) throw invalid('mode');
  if (typeof options.configureOnOpen !== 'boolean') throw invalid('configureOnOpen');
  if (typeof options.persistConfiguration !== 'boolean') throw invalid('persistConfiguration');
  return options;
}
