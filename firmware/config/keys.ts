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

import { MAX_VENUE_CODE_LENGTH, MAX_VENUE_NAME_UNITS } from '../../portal-client/protocol/venue.js';
import { DEFAULT_GPIO_SYSFS_ROOT } from '../../ui-led/backends/gpio-sysfs.js';
import { CONFIGURABLE_DISPLAY_BACKENDS, GPIO_CHIP_MAX_LENGTH, GPIO_CHIP_PATTERN } from '../../ui-led/create-backend.js';
import { MAX_VACCINATION_DOSES, NAT_VALIDITY_HOURS } from '../core/verdict.js';
import { BUSY_INPUT_MODES, REQUIREMENT_POLICIES } from '../gate/model.js';
import { DRIVER_KEYS } from './driver-keys.js';
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
  'vendor.releasePublicKey': {
    type: 'string',
    default: '',
    maxLength: 130,
    pattern: /^(04[0-9A-Fa-f]{128})?$/,
    patternHint: '130 hex digits of an uncompressed SM2 point (starting 04), or empty',
    description:
      "Vendor's SM2 release public key: `passgate update apply` installs only artifacts it signed; empty = updates refused",
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

  ...DRIVER_KEYS,

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
