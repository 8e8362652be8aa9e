// The one declarative table of every config key: its type, default, bounds and meaning.
// Value types are derived from the table, so `ConfigValue<'gate.showMs'>` is `number` and
// `ConfigValue<'gate.busyInput'>` is `'drop' | 'queue'` without a second hand-written list.
//
// Config only. This table (and so the store) holds device settings; there is no key for, and
// no way to store, a scan, a pass code, a name or an ID number (standard 8.1.2). Validation
// messages describe the rule that failed and never repeat the value that broke it, so a code
// pasted into the wrong place cannot end up in a log through an error message.
import { DEFAULT_TIMEOUTS, type TimeoutName, type TimeoutTable } from '../core/timeouts.js';
import { ERROR_CODES, PassgateError, type ErrorCode } from '../core/errors.js';

/** The outcome of checking a JSON value: the typed value, or why it breaks the key's rule. */
export type Checked<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

interface SpecBase {
  /** One line of English for `passgate config list` and the docs. */
  readonly description: string;
  /** Never shown in full: list/get print "(set)" or "(unset)". */
  readonly secret?: true;
}

export interface StringSpec extends SpecBase {
  readonly type: 'string';
  readonly default: string;
  readonly maxLength: number;
  /** The whole value must match; `patternHint` says in words what that means. */
  readonly pattern?: RegExp;
  readonly patternHint?: string;
  /** Allows line breaks and tabs (a PEM bundle); every other control character is refused. */
  readonly multiline?: true;
  /** A further semantic check (a parsable date, URL, PEM block). Returns the reason, if broken. */
  readonly refine?: (value: string) => string | undefined;
}

export interface IntSpec extends SpecBase {
  readonly type: 'int';
  readonly default: number;
  readonly min: number;
  readonly max: number;
  /** When present, only these values (e.g. the usual baud rates). */
  readonly allowed?: readonly number[];
}

export interface BoolSpec extends SpecBase {
  readonly type: 'bool';
  readonly default: boolean;
}

export interface EnumSpec extends SpecBase {
  readonly type: 'enum';
  readonly values: readonly (string | number)[];
  readonly default: string | number;
}

export interface JsonSpec extends SpecBase {
  readonly type: 'json';
  readonly default: unknown;
  /** What the value looks like, in words, for error messages and the CLI's help. */
  readonly shape: string;
  readonly check: (value: unknown) => Checked<unknown>;
}

export type KeySpec = StringSpec | IntSpec | BoolSpec | EnumSpec | JsonSpec;
export type ConfigType = KeySpec['type'];

// ---- JSON value shapes ------------------------------------------------------------------------

export const VENUE_CATEGORIES = ['', 'transport', 'enterprise', 'public-place', 'residential'] as const;
export type VenueCategory = (typeof VENUE_CATEGORIES)[number];

/** Written by the daemon when a bind/rebind requested through `binding.scanRequest` ends. */
export interface ScanResult {
  readonly requestId: string;
  readonly ok: boolean;
  readonly errorCode?: ErrorCode;
  readonly venueName?: string;
  readonly venueCategory?: VenueCategory;
}

/** GPIO line numbers of the gate's outputs; `blue` is optional (RG-only light bars). */
export interface DisplayPins {
  readonly red: number;
  readonly green: number;
  readonly blue?: number;
  readonly buzzer: number;
  readonly relay: number;
}

/** Opaque to the config store: ui-led validates the pattern table itself. */
export type DisplayPatterns = { readonly [name: string]: unknown };

const ok = <T>(value: T): Checked<T> => ({ ok: true, value });
const broken = (reason: string): Checked<never> => ({ ok: false, reason });

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

const ID_TEXT = /^[A-Za-z0-9_-]*$/;
const KNOWN_ERROR_CODES: ReadonlySet<string> = new Set(Object.values(ERROR_CODES).flat());

function checkScanResult(value: unknown): Checked<ScanResult | null> {
  if (value === null) return ok(null);
  if (!isPlainObject(value)) return broken('must be null or an object');
  const allowed = new Set(['requestId', 'ok', 'errorCode', 'venueName', 'venueCategory']);
  for (const field of Object.keys(value)) {
    if (!allowed.has(field)) return broken('has a field that is not requestId, ok, errorCode, venueName or venueCategory');
  }
  const { requestId, ok: succeeded, errorCode, venueName, venueCategory } = value;
  if (typeof requestId !== 'string' || requestId.length < 1 || requestId.length > 64 || !ID_TEXT.test(requestId)) {
    return broken('requestId must be 1 to 64 letters, digits, "_" or "-"');
  }
  if (typeof succeeded !== 'boolean') return broken('ok must be true or false');
  const result: { -readonly [K in keyof ScanResult]: ScanResult[K] } = { requestId, ok: succeeded };
  if (errorCode !== undefined) {
    if (typeof errorCode !== 'string' || !KNOWN_ERROR_CODES.has(errorCode)) return broken('errorCode must be a passgate error code');
    result.errorCode = errorCode as ErrorCode;
  }
  if (venueName !== undefined) {
    if (typeof venueName !== 'string' || venueName.length > 128 || CONTROL_CHARS.test(venueName)) {
      return broken('venueName must be text of at most 128 characters on one line');
    }
    result.venueName = venueName;
  }
  if (venueCategory !== undefined) {
    if (!(VENUE_CATEGORIES as readonly unknown[]).includes(venueCategory)) return broken('venueCategory must be a venue category');
    result.venueCategory = venueCategory as VenueCategory;
  }
  return ok(result);
}

const PIN_NAMES = ['red', 'green', 'blue', 'buzzer', 'relay'] as const;
const MAX_GPIO_LINE = 65535;

function checkPins(value: unknown): Checked<DisplayPins> {
  if (!isPlainObject(value)) return broken('must be an object {red, green, blue?, buzzer, relay}');
  for (const field of Object.keys(value)) {
    if (!(PIN_NAMES as readonly string[]).includes(field)) return broken('has a field that is not red, green, blue, buzzer or relay');
  }
  const used = new Set<number>();
  for (const name of PIN_NAMES) {
    const line = value[name];
    if (line === undefined && name === 'blue') continue;
    if (!Number.isSafeInteger(line) || (line as number) < 0 || (line as number) > MAX_GPIO_LINE) {
      return broken(`${name} must be a line number from 0 to ${MAX_GPIO_LINE}`);
    }
    // Two outputs on one line would fire the relay whenever the red LED lights: refuse it.
    if (used.has(line as number)) return broken('two outputs share one line');
    used.add(line as number);
  }
  const pins = value as unknown as DisplayPins;
  return ok(
    pins.blue === undefined
      ? { red: pins.red, green: pins.green, buzzer: pins.buzzer, relay: pins.relay }
      : { red: pins.red, green: pins.green, blue: pins.blue, buzzer: pins.buzzer, relay: pins.relay },
  );
}

function checkPatterns(value: unknown): Checked<DisplayPatterns> {
  if (!isPlainObject(value)) return broken('must be an object (empty for the built-in patterns)');
  return ok(value);
}

/** setTimeout fires at once for delays above 2^31-1 ms, which would turn a timeout into none. */
const MAX_TIMER_MS = 2_147_483_647;

function checkTimeouts(value: unknown): Checked<Partial<TimeoutTable>> {
  if (!isPlainObject(value)) return broken('must be an object of timeout name to number');
  const overrides: Partial<Record<TimeoutName, number>> = {};
  for (const [name, ms] of Object.entries(value)) {
    if (!Object.hasOwn(DEFAULT_TIMEOUTS, name)) return broken('names a timeout that firmware/timeouts.ts does not have');
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0 || ms > MAX_TIMER_MS) {
      return broken(`every timeout must be a number from 0 to ${MAX_TIMER_MS}`);
    }
    overrides[name as TimeoutName] = ms;
  }
  return ok(overrides);
}

// ---- string refinements -----------------------------------------------------------------------

/** C0 controls and DEL; multiline strings may still hold tab, CR and LF. */
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;
const CONTROL_CHARS_MULTILINE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
function isoTimeOrEmpty(value: string): string | undefined {
  if (value === '') return undefined;
  return ISO_TIME.test(value) && !Number.isNaN(Date.parse(value)) ? undefined : 'must be an ISO 8601 time with zone, e.g. 2026-01-31T08:00:00Z';
}

function httpUrlOrEmpty(value: string): string | undefined {
  if (value === '') return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an absolute http(s) URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be an absolute http(s) URL';
  if (url.username !== '' || url.password !== '') return 'must not carry a user name or password';
  return undefined;
}

function pemOrEmpty(value: string): string | undefined {
  if (value === '') return undefined;
  return /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.test(value)
    ? undefined
    : 'must hold at least one PEM certificate (-----BEGIN CERTIFICATE----- … -----END CERTIFICATE-----)';
}

const BAUD_RATES = [1200, 2400, 4800, 9600, 14400, 19200, 38400, 57600, 115200, 230400] as const;

// ---- the table ----------------------------------------------------------------------------------

export const CONFIG_SCHEMA = {
  // identity
  'identity.deviceId': {
    type: 'string', default: '', maxLength: 64, pattern: ID_TEXT, patternHint: 'letters, digits, "_" or "-"',
    description: 'Device identity code registered at the portal; empty = not provisioned',
  },
  'identity.provisionedAt': {
    type: 'string', default: '', maxLength: 40, refine: isoTimeOrEmpty,
    description: 'When the device identity was provisioned (ISO 8601); empty = never',
  },

  // portal
  'portal.url': {
    type: 'string', default: '', maxLength: 2048, refine: httpUrlOrEmpty,
    description: 'Base URL of the city portal; empty = not configured',
  },
  'portal.publicKey': {
    type: 'string', default: '', maxLength: 130, pattern: /^(04[0-9A-Fa-f]{128})?$/,
    patternHint: '130 hex digits of an uncompressed SM2 point (starting 04), or empty',
    description: "Portal's SM2 public key: 65-byte uncompressed point as hex; empty = not configured",
  },
  'portal.caPem': {
    type: 'string', default: '', maxLength: 65_536, multiline: true, refine: pemOrEmpty,
    description: 'Extra CA certificates (PEM) trusted for the portal; empty = system CAs only',
  },
  'portal.allowInsecureHttp': {
    type: 'bool', default: false,
    description: 'DEVELOPMENT ONLY: allow an http:// portal URL (the mock portal); never on a real gate',
  },

  // vendor
  'vendor.appId': {
    type: 'string', default: '', maxLength: 128, pattern: /^[\x21-\x7e]*$/, patternHint: 'printable ASCII without spaces',
    description: 'Vendor application id issued by the portal',
  },
  'vendor.appSecret': {
    type: 'string', default: '', maxLength: 256, pattern: /^[\x21-\x7e]*$/, patternHint: 'printable ASCII without spaces',
    secret: true,
    description: 'Vendor application secret issued by the portal (never shown)',
  },

  // binding: written by the daemon after a successful bind/rebind
  'binding.venueCode': {
    type: 'string', default: '', maxLength: 64, pattern: ID_TEXT, patternHint: 'letters, digits, "_" or "-"',
    description: 'Venue code the device is bound to; empty = not bound',
  },
  'binding.venueName': {
    type: 'string', default: '', maxLength: 128,
    description: 'Venue name as the portal returned it at binding',
  },
  'binding.venueCategory': {
    type: 'enum', values: VENUE_CATEGORIES, default: '',
    description: 'Venue category (clause 5) as the portal returned it; empty = unknown',
  },
  'binding.natValidityHours': {
    type: 'enum', values: [0, 24, 48, 72], default: 0,
    description: "Venue's NAT validity requirement in hours (7.3.2); 0 = none",
  },
  'binding.vaccinationDoses': {
    type: 'int', default: 0, min: 0, max: 5,
    description: "Venue's required vaccination doses (7.3.3); 0 = none",
  },
  'binding.boundAt': {
    type: 'string', default: '', maxLength: 40, refine: isoTimeOrEmpty,
    description: 'When the device was last bound (ISO 8601); empty = never',
  },
  'binding.scanRequest': {
    type: 'enum', values: ['', 'bind', 'rebind'], default: '',
    description: 'Set by the CLI to put a running daemon in bind mode; the daemon clears it',
  },
  'binding.scanRequestId': {
    type: 'string', default: '', maxLength: 64, pattern: ID_TEXT, patternHint: 'letters, digits, "_" or "-"',
    description: 'Id of the pending bind request, echoed in binding.scanResult',
  },
  'binding.scanResult': {
    type: 'json', default: null, shape: '{requestId, ok, errorCode?, venueName?, venueCategory?} or null',
    check: checkScanResult,
    description: 'Outcome of the last bind request, written by the daemon; null = none yet',
  },

  // gate behaviour
  'gate.busyInput': {
    // Queue by default: a card reader reads a card left on it only once, so a card put down
    // while the previous verdict shows would otherwise be lost until lifted and put down again.
    type: 'enum', values: ['drop', 'queue'], default: 'queue',
    description: 'Input arriving while verifying or showing: queue it (verified when the show ends) or drop it',
  },
  'gate.queueLimit': {
    type: 'int', default: 1, min: 1, max: 10,
    description: 'Inputs queued at most while busy (gate.busyInput = queue)',
  },
  'gate.dedupWindowMs': {
    type: 'int', default: 3000, min: 0, max: 60_000,
    description: 'The same code read again within this many ms is ignored; 0 = never',
  },
  'gate.showMs': {
    type: 'int', default: 2000, min: 200, max: 30_000,
    description: 'How long a verdict stays on the lights, in ms',
  },
  'gate.natPolicy': {
    type: 'enum', values: ['deny', 'warn'], default: 'deny',
    description: 'Venue NAT requirement not met: deny entry, or pass with a notice',
  },
  'gate.vaccinationPolicy': {
    type: 'enum', values: ['deny', 'warn'], default: 'deny',
    description: 'Venue vaccination requirement not met: deny entry, or pass with a notice',
  },

  // display (LEDs, buzzer, relay)
  'display.backend': {
    type: 'enum', values: ['terminal', 'gpio-sysfs', 'gpio-gpioset', 'serial-board', 'none'], default: 'terminal',
    description: 'How verdicts are shown: terminal text, GPIO (sysfs or gpioset), serial LED board, or nothing',
  },
  'display.gpioRoot': {
    type: 'string', default: '/sys/class/gpio', maxLength: 256, pattern: /^\/.*$/, patternHint: 'an absolute path',
    description: 'Sysfs GPIO directory (backend gpio-sysfs)',
  },
  'display.gpioChip': {
    type: 'string', default: 'gpiochip0', maxLength: 256, pattern: /^[A-Za-z0-9_./-]+$/,
    patternHint: 'a chip name or path such as gpiochip0',
    description: 'GPIO chip given to gpioset (backend gpio-gpioset)',
  },
  'display.pins': {
    type: 'json', default: { red: 17, green: 27, buzzer: 22, relay: 23 }, shape: '{red, green, blue?, buzzer, relay} line numbers',
    check: checkPins,
    description: 'GPIO line numbers of the outputs (GPIO backends)',
  },
  'display.serialPath': {
    type: 'string', default: '', maxLength: 256, pattern: /^(\/.*)?$/, patternHint: 'an absolute path, or empty',
    description: 'Serial port of the LED/relay board (backend serial-board)',
  },
  'display.patterns': {
    type: 'json', default: {}, shape: 'an object of signal name to pattern ({} = built-in patterns)',
    check: checkPatterns,
    description: 'Overrides of the built-in light/buzzer patterns; {} = built-in',
  },

  // serial scanner module
  'drivers.serial.enabled': { type: 'bool', default: false, description: 'Read codes from a serial (UART/USB-CDC) scanner module' },
  'drivers.serial.path': {
    type: 'string', default: '/dev/ttyUSB0', maxLength: 256, pattern: /^\/.*$/, patternHint: 'an absolute path',
    description: 'Serial port of the scanner module',
  },
  'drivers.serial.baudRate': {
    type: 'int', default: 9600, min: 1200, max: 230_400, allowed: BAUD_RATES,
    description: 'Scanner baud rate (GM65 default 9600)',
  },
  'drivers.serial.dataBits': { type: 'enum', values: [7, 8], default: 8, description: 'Scanner data bits' },
  'drivers.serial.parity': { type: 'enum', values: ['none', 'even', 'odd'], default: 'none', description: 'Scanner parity' },
  'drivers.serial.stopBits': { type: 'enum', values: [1, 2], default: 1, description: 'Scanner stop bits' },
  'drivers.serial.suffix': {
    type: 'enum', values: ['cr', 'lf', 'crlf', 'none'], default: 'cr',
    description: 'What ends one code on the wire; none = a pause ends it',
  },
  'drivers.serial.profile': {
    type: 'enum', values: ['generic', 'gm65', 'honeywell', 'newland'], default: 'generic',
    description: 'Command set of the module, for triggering and set-up; generic = read only',
  },
  'drivers.serial.maxCodeLength': {
    type: 'int', default: 1024, min: 16, max: 4096,
    description: 'Longest accepted code in bytes; longer input is discarded',
  },
  'drivers.serial.stripAimId': { type: 'bool', default: true, description: 'Remove a leading AIM symbology id (]Q1 …)' },
  'drivers.serial.prefix': {
    type: 'string', default: '', maxLength: 16,
    description: 'Prefix the module puts before every code, removed on reading; empty = none',
  },

  // USB HID keyboard-wedge scanner
  'drivers.hid.enabled': { type: 'bool', default: false, description: 'Read codes from a USB HID keyboard-wedge scanner' },
  'drivers.hid.vendorId': { type: 'int', default: 0, min: 0, max: 65_535, description: 'USB vendor id of the HID scanner; 0 = not set' },
  'drivers.hid.productId': { type: 'int', default: 0, min: 0, max: 65_535, description: 'USB product id of the HID scanner; 0 = not set' },

  // ID-card reader
  'drivers.idcard.enabled': { type: 'bool', default: false, description: 'Read resident ID cards from a GA 467 SAM reader' },
  'drivers.idcard.path': {
    type: 'string', default: '/dev/ttyACM0', maxLength: 256, pattern: /^\/.*$/, patternHint: 'an absolute path',
    description: 'Serial port of the ID-card reader',
  },
  'drivers.idcard.baudRate': {
    type: 'int', default: 115_200, min: 1200, max: 230_400, allowed: BAUD_RATES,
    description: 'ID-card reader baud rate',
  },

  // camera
  'drivers.camera.enabled': { type: 'bool', default: false, description: 'Decode codes from a V4L2 camera' },
  'drivers.camera.device': {
    type: 'string', default: '/dev/video0', maxLength: 256, pattern: /^\/.*$/, patternHint: 'an absolute path',
    description: 'V4L2 camera device',
  },
  'drivers.camera.width': { type: 'int', default: 640, min: 160, max: 4096, description: 'Camera frame width in pixels' },
  'drivers.camera.height': { type: 'int', default: 480, min: 120, max: 4096, description: 'Camera frame height in pixels' },
  'drivers.camera.fps': { type: 'int', default: 10, min: 1, max: 60, description: 'Camera frames per second' },

  // timeouts
  timeouts: {
    type: 'json', default: {}, shape: 'an object of timeout name (firmware/timeouts.ts) to non-negative number',
    check: checkTimeouts,
    description: 'Overrides of firmware/timeouts.ts entries; {} = all defaults',
  },
} as const satisfies Record<string, KeySpec>;

// ---- derived types ------------------------------------------------------------------------------

export type ConfigSchema = typeof CONFIG_SCHEMA;
export type ConfigKey = keyof ConfigSchema;

type ValueOfSpec<S> = S extends { type: 'string' }
  ? string
  : S extends { type: 'int' }
    ? number
    : S extends { type: 'bool' }
      ? boolean
      : S extends { type: 'enum'; values: readonly (infer V)[] }
        ? V
        : S extends { type: 'json'; check: (value: unknown) => Checked<infer T> }
          ? T
          : never;

export type ConfigValue<K extends ConfigKey> = ValueOfSpec<ConfigSchema[K]>;
export type ConfigValues = { [K in ConfigKey]: ConfigValue<K> };

// Compile-time proof that every default has its key's type (a wrong default fails `tsc`).
type DefaultsHaveTheirType = {
  [K in ConfigKey]: ConfigSchema[K]['default'] extends ConfigValue<K> ? true : false;
}[ConfigKey];
const defaultsHaveTheirType: DefaultsHaveTheirType = true;
void defaultsHaveTheirType;

export const CONFIG_KEYS = Object.keys(CONFIG_SCHEMA) as ConfigKey[];

export function isConfigKey(key: string): key is ConfigKey {
  return Object.hasOwn(CONFIG_SCHEMA, key);
}

export function specOf(key: ConfigKey): KeySpec {
  return CONFIG_SCHEMA[key];
}

/** A fresh copy of the key's default (JSON defaults are objects a caller could mutate). */
export function defaultOf<K extends ConfigKey>(key: K): ConfigValue<K> {
  return structuredClone(CONFIG_SCHEMA[key].default) as ConfigValue<K>;
}

// ---- validation ---------------------------------------------------------------------------------

/**
 * An unknown key is echoed only when it looks like a key: short dotted words. Anything else (a
 * pass code pasted in the wrong place, say) is shown as "(not shown)".
 */
export function printableKey(key: string): string {
  return /^[a-z][A-Za-z0-9]{0,23}(\.[A-Za-z0-9]{1,24}){0,3}$/.test(key) && key.length <= 48 ? key : '(not shown)';
}

export function unknownKeyError(key: string): PassgateError {
  return new PassgateError('config.unknown-key', `unknown config key ${printableKey(key)}`, { key: printableKey(key) });
}

function invalid(key: ConfigKey, rule: string): PassgateError {
  const spec = specOf(key);
  const tail = spec.secret ? ' (value not shown)' : '';
  return new PassgateError('config.invalid-value', `${key} ${rule}${tail}`, { key, type: spec.type });
}

/** The rule of a key in words, e.g. "an integer from 200 to 30000". */
export function describeRule(key: ConfigKey): string {
  const spec = specOf(key);
  switch (spec.type) {
    case 'string':
      return `text of at most ${spec.maxLength} characters${spec.patternHint ? ` (${spec.patternHint})` : ''}`;
    case 'int':
      return spec.allowed ? `one of ${spec.allowed.join(', ')}` : `an integer from ${spec.min} to ${spec.max}`;
    case 'bool':
      return 'true or false';
    case 'enum':
      return `one of ${spec.values.map((v) => (v === '' ? '""' : String(v))).join(', ')}`;
    case 'json':
      return `JSON: ${spec.shape}`;
  }
}

/** Checks a typed value against its key's rule; returns the value to store or throws. */
export function validateValue<K extends ConfigKey>(key: K, value: unknown): ConfigValue<K>;
export function validateValue(key: string, value: unknown): unknown;
export function validateValue(key: string, value: unknown): unknown {
  if (!isConfigKey(key)) throw unknownKeyError(key);
  const spec = specOf(key);
  switch (spec.type) {
    case 'string': {
      if (typeof value !== 'string') throw invalid(key, 'must be text');
      if (value.length > spec.maxLength) throw invalid(key, `must be at most ${spec.maxLength} characters`);
      if ((spec.multiline ? CONTROL_CHARS_MULTILINE : CONTROL_CHARS).test(value)) {
        throw invalid(key, spec.multiline ? 'must not contain control characters' : 'must be one line without control characters');
      }
      if (spec.pattern && !spec.pattern.test(value)) throw invalid(key, `must be ${spec.patternHint ?? 'of the documented form'}`);
      const reason = spec.refine?.(value);
      if (reason !== undefined) throw invalid(key, reason);
      return value;
    }
    case 'int': {
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw invalid(key, 'must be an integer');
      if (spec.allowed && !spec.allowed.includes(value)) throw invalid(key, `must be one of ${spec.allowed.join(', ')}`);
      if (value < spec.min || value > spec.max) throw invalid(key, `must be from ${spec.min} to ${spec.max}`);
      return value;
    }
    case 'bool': {
      if (typeof value !== 'boolean') throw invalid(key, 'must be true or false');
      return value;
    }
    case 'enum': {
      if (!spec.values.includes(value as string | number)) throw invalid(key, `must be ${describeRule(key)}`);
      return value;
    }
    case 'json': {
      // Check exactly what will be stored: the value after a JSON round trip. This also refuses
      // BigInt and cycles, and bounds the size.
      let text: string | undefined;
      try {
        text = JSON.stringify(value);
      } catch {
        text = undefined;
      }
      if (text === undefined) throw invalid(key, 'must be JSON data');
      if (text.length > MAX_JSON_LENGTH) throw invalid(key, `must be at most ${MAX_JSON_LENGTH} characters as JSON`);
      const checked = spec.check(JSON.parse(text));
      if (!checked.ok) throw invalid(key, checked.reason);
      return checked.value;
    }
  }
}

/** Largest JSON value, as text. */
const MAX_JSON_LENGTH = 16_384;

/** Longest text accepted by parseValueText (the biggest key, caPem, is 64 KiB). */
const MAX_TEXT_LENGTH = 70_000;

const TRUE_WORDS = new Set(['true', '1', 'yes', 'on']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'off']);

/**
 * Turns the text a person typed (`passgate config set KEY TEXT`) into the key's typed value,
 * validated. Ints accept decimal or 0x hex (USB ids); bools accept true/false, 1/0, yes/no,
 * on/off; enums their values as written; json keys JSON text.
 */
export function parseValueText<K extends ConfigKey>(key: K, text: string): ConfigValue<K>;
export function parseValueText(key: string, text: string): unknown;
export function parseValueText(key: string, text: string): unknown {
  if (!isConfigKey(key)) throw unknownKeyError(key);
  if (typeof text !== 'string') throw invalid(key, 'must be given as text');
  if (text.length > MAX_TEXT_LENGTH) throw invalid(key, `is longer than ${MAX_TEXT_LENGTH} characters`);
  const spec = specOf(key);
  switch (spec.type) {
    case 'string':
      return validateValue(key, text);
    case 'int': {
      const trimmed = text.trim();
      let parsed: number;
      if (/^[+-]?\d{1,16}$/.test(trimmed)) parsed = Number(trimmed);
      else if (/^0x[0-9a-f]{1,13}$/i.test(trimmed)) parsed = Number.parseInt(trimmed.slice(2), 16);
      else throw invalid(key, `must be ${describeRule(key)}`);
      return validateValue(key, parsed);
    }
    case 'bool': {
      const word = text.trim().toLowerCase();
      if (TRUE_WORDS.has(word)) return true;
      if (FALSE_WORDS.has(word)) return false;
      throw invalid(key, 'must be true or false');
    }
    case 'enum': {
      const match = spec.values.find((v) => String(v) === text.trim());
      if (match === undefined) throw invalid(key, `must be ${describeRule(key)}`);
      return match;
    }
    case 'json': {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        throw invalid(key, `must be JSON (${spec.shape})`);
      }
      return validateValue(key, parsed);
    }
  }
}

/** A value as `passgate config get/list` prints it; secrets only as "(set)" or "(unset)". */
export function displayValue(key: ConfigKey, value: unknown): string {
  const spec = specOf(key);
  if (spec.secret) return value === '' || value === undefined ? '(unset)' : '(set)';
  if (spec.type === 'json') return JSON.stringify(value);
  return String(value);
}
