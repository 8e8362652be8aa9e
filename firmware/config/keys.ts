// The one declarative table of every config key: its type, default, bounds and meaning. Value
// types are derived from the table, so `ConfigValue<'gate.showMs'>` is `number` and
// `ConfigValue<'gate.busyInput'>` is `'drop' | 'queue'` without a second hand-written list.
//
// A key that configures a part takes its values, bounds and defaults from that part (the serial
// scanner's suffixes, the display backends, the gate's policies…), so the table cannot offer a
// value the part refuses, nor a default the part does not use.
//
// Config only. This table (and so the store) holds device settings; there is no key for, and
// no way to store, a scan, a pass code, a name or an ID number (standard 8.1.2).

import { STANDARD_BAUD_RATES } from '../../drivers/baud-rates.js';
import { DEFAULT_CAMERA_DEVICE } from '../../drivers/camera/camera-driver.js';
import { MAX_USB_ID } from '../../drivers/hid-scanner/usb-id.js';
import { IDCARD_READER_DEFAULT_BAUD_RATE } from '../../drivers/idcard/line-settings.js';
import {
  MAX_CODE_LENGTH_BOUNDS,
  SCANNER_PROFILE_NAMES,
  DEFAULT_SERIAL_SCANNER_OPTIONS as SERIAL,
  SERIAL_DATA_BITS,
  SERIAL_PARITIES,
  SERIAL_STOP_BITS,
  SERIAL_SUFFIXES,
} from '../../drivers/serial-scanner/options.js';
import { MAX_VENUE_CODE_LENGTH, MAX_VENUE_NAME_UNITS } from '../../portal-client/protocol/venue.js';
import { DEFAULT_GPIO_SYSFS_ROOT } from '../../ui-led/backends/gpio-sysfs.js';
import { CONFIGURABLE_DISPLAY_BACKENDS, GPIO_CHIP_MAX_LENGTH, GPIO_CHIP_PATTERN } from '../../ui-led/create-backend.js';
import { MAX_VACCINATION_DOSES, NAT_VALIDITY_HOURS } from '../core/verdict.js';
import { BUSY_INPUT_MODES, REQUIREMENT_POLICIES } from '../gate/model.js';
import { checkPatterns, checkPins, checkTimeouts, PINS_SHAPE } from './json-values.js';
import type { Checked, KeySpec } from './rules.js';
import {
  ABSOLUTE_PATH,
  ABSOLUTE_PATH_OR_EMPTY,
  httpUrlOrEmpty,
  ID_TEXT,
  isoTimeOrEmpty,
  MAX_ID_LENGTH,
  PRINTABLE_TOKEN,
  pemOrEmpty,
} from './text-values.js';
import { boundAtOrEmpty, VENUE_CATEGORY_OR_UNKNOWN, venueCodeOrEmpty, venueNameOrEmpty } from './venue-values.js';

/** The bounds of a key whose values are the standard baud rates. */
const BAUD_RATE_RULE = {
  min: STANDARD_BAUD_RATES[0],
  max: STANDARD_BAUD_RATES[STANDARD_BAUD_RATES.length - 1],
  allowed: STANDARD_BAUD_RATES,
} as const;

export const CONFIG_SCHEMA = {
  // identity
  'identity.deviceId': {
    type: 'string',
    default: '',
    maxLength: MAX_ID_LENGTH,
    ...ID_TEXT,
    description: 'Device identity code registered at the portal; empty = not provisioned',
  },
  'identity.provisionedAt': {
    type: 'string',
    default: '',
    maxLength: 40,
    refine: isoTimeOrEmpty,
    description: 'When the device identity was provisioned (ISO 8601); empty = never',
  },

  // portal
  'portal.url': {
    type: 'string',
    default: '',
    maxLength: 2048,
    refine: httpUrlOrEmpty,
    description: 'Base URL of the city portal; empty = not configured',
  },
  'portal.publicKey': {
    type: 'string',
    default: '',
    maxLength: 130,
    pattern: /^(04[0-9A-Fa-f]{128})?$/,
    patternHint: '130 hex digits of an uncompressed SM2 point (starting 04), or empty',
    description: "Portal's SM2 public key: 65-byte uncompressed point as hex; empty = not configured",
  },
  'portal.caPem': {
    type: 'string',
    default: '',
    maxLength: 65_536,
    multiline: true,
    refine: pemOrEmpty,
    description: 'Extra CA certificates (PEM) trusted for the portal; empty = system CAs only',
  },
  'portal.allowInsecureHttp': {
    type: 'bool',
    default: false,
    description: 'DEVELOPMENT ONLY: allow an http:// portal URL (the mock portal); never on a real gate',
  },

  // vendor
  'vendor.appId': {
    type: 'string',
    default: '',
    maxLength: 128,
    ...PRINTABLE_TOKEN,
    description: 'Vendor application id issued by the portal',
  },
  'vendor.appSecret': {
    type: 'string',
    default: '',
    maxLength: 256,
    ...PRINTABLE_TOKEN,
    secret: true,
    description: 'Vendor application secret issued by the portal (never shown)',
  },

  // binding: written after a successful bind/rebind; the rules are the protocol's (venue-values.ts)
  'binding.venueCode': {
    type: 'string',
    default: '',
    maxLength: MAX_VENUE_CODE_LENGTH,
    refine: venueCodeOrEmpty,
    description: 'Venue code the device is bound to; empty = not bound',
  },
  'binding.venueName': {
    type: 'string',
    default: '',
    maxLength: MAX_VENUE_NAME_UNITS,
    refine: venueNameOrEmpty,
    description: 'Venue name as the portal returned it at binding',
  },
  'binding.venueCategory': {
    type: 'enum',
    values: VENUE_CATEGORY_OR_UNKNOWN,
    default: '',
    description: 'Venue category (clause 5) as the portal returned it; empty = unknown',
  },
  'binding.natValidityHours': {
    type: 'enum',
    values: [0, ...NAT_VALIDITY_HOURS],
    default: 0,
    description: "Venue's NAT validity requirement in hours (7.3.2); 0 = none",
  },
  'binding.vaccinationDoses': {
    type: 'int',
    default: 0,
    min: 0,
    max: MAX_VACCINATION_DOSES,
    description: "Venue's required vaccination doses (7.3.3); 0 = none",
  },
  'binding.boundAt': {
    type: 'string',
    default: '',
    maxLength: 40,
    refine: boundAtOrEmpty,
    description: 'When the device was last bound (ISO 8601); empty = never',
  },

  // gate behaviour
  'gate.busyInput': {
    // Queue by default: a card reader reads a card left on it only once, so a card put down
    // while the previous verdict shows would otherwise be lost until lifted and put down again.
    type: 'enum',
    values: BUSY_INPUT_MODES,
    default: 'queue',
    description: 'Input arriving while verifying or showing: queue it (verified when the show ends) or drop it',
  },
  'gate.queueLimit': {
    type: 'int',
    default: 1,
    min: 1,
    max: 10,
    description: 'Inputs queued at most while busy (gate.busyInput = queue)',
  },
  'gate.dedupWindowMs': {
    type: 'int',
    default: 3000,
    min: 0,
    max: 60_000,
    description: 'The same code read again within this many ms is ignored; 0 = never',
  },
  'gate.showMs': {
    type: 'int',
    default: 2000,
    min: 200,
    max: 30_000,
    description: 'How long a verdict stays on the lights, in ms',
  },
  'gate.natPolicy': {
    type: 'enum',
    values: REQUIREMENT_POLICIES,
    default: 'deny',
    description: 'Venue NAT requirement not met: deny entry, or pass with a notice',
  },
  'gate.vaccinationPolicy': {
    type: 'enum',
    values: REQUIREMENT_POLICIES,
    default: 'deny',
    description: 'Venue vaccination requirement not met: deny entry, or pass with a notice',
  },

  // display (LEDs, buzzer, relay)
  'display.backend': {
    type: 'enum',
    values: CONFIGURABLE_DISPLAY_BACKENDS,
    default: 'terminal',
    description: 'How verdicts are shown: terminal text, GPIO (sysfs or gpioset), serial LED board, or nothing',
  },
  'display.gpioRoot': {
    type: 'string',
    default: DEFAULT_GPIO_SYSFS_ROOT,
    maxLength: 256,
    ...ABSOLUTE_PATH,
    description: 'Sysfs GPIO directory (backend gpio-sysfs)',
  },
  'display.gpioChip': {
    type: 'string',
    default: 'gpiochip0',
    maxLength: GPIO_CHIP_MAX_LENGTH,
    pattern: GPIO_CHIP_PATTERN,
    patternHint: 'a chip name or path such as gpiochip0',
    description: 'GPIO chip given to gpioset (backend gpio-gpioset)',
  },
  'display.pins': {
    type: 'json',
    default: { red: 17, green: 27, buzzer: 22, relay: 23 },
    shape: `${PINS_SHAPE} line numbers`,
    check: checkPins,
    description: 'GPIO line numbers of the outputs (GPIO backends)',
  },
  'display.serialPath': {
    type: 'string',
    default: '',
    maxLength: 256,
    ...ABSOLUTE_PATH_OR_EMPTY,
    description: 'Serial port of the LED/relay board (backend serial-board)',
  },
  'display.patterns': {
    type: 'json',
    default: {},
    shape: 'an object of signal name to pattern ({} = built-in patterns)',
    check: checkPatterns,
    description: 'Overrides of the built-in light/buzzer patterns; {} = built-in',
  },

  // serial scanner module
  'drivers.serial.enabled': {
    type: 'bool',
    default: false,
    description: 'Read codes from a serial (UART/USB-CDC) scanner module',
  },
  'drivers.serial.path': {
    type: 'string',
    default: '/dev/ttyUSB0',
    maxLength: 256,
    ...ABSOLUTE_PATH,
    description: 'Serial port of the scanner module',
  },
  'drivers.serial.baudRate': {
    type: 'int',
    default: SERIAL.baudRate,
    ...BAUD_RATE_RULE,
    description: 'Scanner baud rate (GM65 default 9600)',
  },
  'drivers.serial.dataBits': {
    type: 'enum',
    values: SERIAL_DATA_BITS,
    default: SERIAL.dataBits,
    description: 'Scanner data bits',
  },
  'drivers.serial.parity': {
    type: 'enum',
    values: SERIAL_PARITIES,
    default: SERIAL.parity,
    description: 'Scanner parity',
  },
  'drivers.serial.stopBits': {
    type: 'enum',
    values: SERIAL_STOP_BITS,
    default: SERIAL.stopBits,
    description: 'Scanner stop bits',
  },
  'drivers.serial.suffix': {
    type: 'enum',
    values: SERIAL_SUFFIXES,
    default: SERIAL.suffix,
    description: 'What ends one code on the wire; none = a pause ends it',
  },
  'drivers.serial.profile': {
    type: 'enum',
    values: SCANNER_PROFILE_NAMES,
    default: SERIAL.profile,
    description: 'Command set of the module, for triggering and set-up; generic = read only',
  },
  'drivers.serial.maxCodeLength': {
    type: 'int',
    default: SERIAL.maxCodeLength,
    ...MAX_CODE_LENGTH_BOUNDS,
    description: 'Longest accepted code in bytes; longer input is discarded',
  },
  'drivers.serial.stripAimId': {
    type: 'bool',
    default: SERIAL.stripAimId,
    description: 'Remove a leading AIM symbology id (]Q1 …)',
  },
  'drivers.serial.prefix': {
    type: 'string',
    default: SERIAL.prefix,
    maxLength: 16,
    description: 'Prefix the module puts before every code, removed on reading; empty = none',
  },

  // USB HID keyboard-wedge scanner
  'drivers.hid.enabled': {
    type: 'bool',
    default: false,
    description: 'Read codes from a USB HID keyboard-wedge scanner',
  },
  'drivers.hid.vendorId': {
    type: 'int',
    default: 0,
    min: 0,
    max: MAX_USB_ID,
    description: 'USB vendor id of the HID scanner; 0 = not set',
  },
  'drivers.hid.productId': {
    type: 'int',
    default: 0,
    min: 0,
    max: MAX_USB_ID,
    description: 'USB product id of the HID scanner; 0 = not set',
  },

  // ID-card reader
  'drivers.idcard.enabled': {
    type: 'bool',
    default: false,
    description: 'Read resident ID cards from a GA 467 SAM reader',
  },
  'drivers.idcard.path': {
    type: 'string',
    default: '/dev/ttyACM0',
    maxLength: 256,
    ...ABSOLUTE_PATH,
    description: 'Serial port of the ID-card reader',
  },
  'drivers.idcard.baudRate': {
    type: 'int',
    default: IDCARD_READER_DEFAULT_BAUD_RATE,
    ...BAUD_RATE_RULE,
    description: 'ID-card reader baud rate',
  },

  // camera
  'drivers.camera.enabled': { type: 'bool', default: false, description: 'Decode codes from a V4L2 camera' },
  'drivers.camera.device': {
    type: 'string',
    default: DEFAULT_CAMERA_DEVICE,
    maxLength: 256,
    ...ABSOLUTE_PATH,
    description: 'V4L2 camera device',
  },
  'drivers.camera.width': {
    type: 'int',
    default: 640,
    min: 160,
    max: 4096,
    description: 'Camera frame width in pixels',
  },
  'drivers.camera.height': {
    type: 'int',
    default: 480,
    min: 120,
    max: 4096,
    description: 'Camera frame height in pixels',
  },
  'drivers.camera.fps': { type: 'int', default: 10, min: 1, max: 60, description: 'Camera frames per second' },

  // timeouts
  timeouts: {
    type: 'json',
    default: {},
    shape: 'an object of timeout name (firmware/core/timeouts.ts) to non-negative number',
    check: checkTimeouts,
    description: 'Overrides of firmware/core/timeouts.ts entries; {} = all defaults',
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
