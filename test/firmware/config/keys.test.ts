// The key table agrees with the parts it configures: whatever `passgate config set` accepts, the
// part accepts too; what the part refuses, the config refuses; and the defaults are the part's.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { STANDARD_BAUD_RATES } from '../../../drivers/baud-rates.js';
import { DEFAULT_CAMERA_DEVICE } from '../../../drivers/camera/camera-driver.js';
import { hidScannerOptions } from '../../../drivers/hid-scanner/driver.js';
import { IDCARD_READER_DEFAULT_BAUD_RATE } from '../../../drivers/idcard/line-settings.js';
import {
  DEFAULT_SERIAL_SCANNER_OPTIONS,
  SCANNER_PROFILE_NAMES,
  SERIAL_DATA_BITS,
  SERIAL_PARITIES,
  SERIAL_STOP_BITS,
  SERIAL_SUFFIXES,
  serialScannerOptions,
} from '../../../drivers/serial-scanner/options.js';
import {
  CONFIG_KEYS,
  CONFIG_SCHEMA,
  type ConfigKey,
  defaultOf,
  specOf,
  validateValue,
} from '../../../firmware/config/schema.js';
import { isPassgateError } from '../../../firmware/core/errors.js';
import { MAX_VACCINATION_DOSES, NAT_VALIDITY_HOURS } from '../../../firmware/core/verdict.js';
import { boundSettings } from '../../../firmware/daemon/binding-settings.js';
import { BUSY_INPUT_MODES, REQUIREMENT_POLICIES } from '../../../firmware/gate/model.js';
import { readBindResult, readVenueInfo, VENUE_CATEGORIES } from '../../../portal-client/protocol/messages.js';
import { MAX_BOUND_AT_MS } from '../../../portal-client/protocol/venue.js';
import { normalizePins } from '../../../ui-led/backends/pins.js';
import {
  CONFIGURABLE_DISPLAY_BACKENDS,
  createDisplayBackend,
  type DisplayBackendOptions,
} from '../../../ui-led/create-backend.js';
import { OUTPUT_NAMES } from '../../../ui-led/outputs.js';
import { codeOf } from '../../support/failures.js';

const accepts = (key: ConfigKey, value: unknown) => codeOf(() => validateValue(key, value)) === undefined;
const driverAccepts = (work: () => unknown) => codeOf(work) === undefined;

/** The values of an enum key, or the bounds of an int key. */
function valuesOf(key: ConfigKey): readonly unknown[] {
  const spec = specOf(key);
  if (spec.type !== 'enum') throw new Error(`${key} is not an enum`);
  return spec.values;
}
function boundsOf(key: ConfigKey): { min: number; max: number; allowed?: readonly number[] } {
  const spec = specOf(key);
  if (spec.type !== 'int') throw new Error(`${key} is not an int`);
  return spec;
}

describe('the serial scanner keys are the driver settings', () => {
  const serialKeys = {
    dataBits: 'drivers.serial.dataBits',
    parity: 'drivers.serial.parity',
    stopBits: 'drivers.serial.stopBits',
    suffix: 'drivers.serial.suffix',
    profile: 'drivers.serial.profile',
    baudRate: 'drivers.serial.baudRate',
    maxCodeLength: 'drivers.serial.maxCodeLength',
    stripAimId: 'drivers.serial.stripAimId',
    prefix: 'drivers.serial.prefix',
  } as const;
  const optionsOf = (overrides: object) => () => serialScannerOptions({ path: '/dev/ttyUSB0', ...overrides });

  it('offers exactly the driver lists', () => {
    expect(valuesOf('drivers.serial.dataBits')).toEqual(SERIAL_DATA_BITS);
    expect(valuesOf('drivers.serial.parity')).toEqual(SERIAL_PARITIES);
    expect(valuesOf('drivers.serial.stopBits')).toEqual(SERIAL_STOP_BITS);
    expect(valuesOf('drivers.serial.suffix')).toEqual(SERIAL_SUFFIXES);
    expect(valuesOf('drivers.serial.profile')).toEqual(SCANNER_PROFILE_NAMES);
    expect(boundsOf('drivers.serial.baudRate').allowed).toEqual(STANDARD_BAUD_RATES);
  });

  it('defaults to the driver defaults', () => {
    for (const [option, key] of Object.entries(serialKeys)) {
      expect(defaultOf(key), key).toEqual(DEFAULT_SERIAL_SCANNER_OPTIONS[option as keyof typeof serialKeys]);
    }
    const fromConfig = Object.fromEntries(Object.entries(serialKeys).map(([option, key]) => [option, defaultOf(key)]));
    expect(serialScannerOptions({ path: defaultOf('drivers.serial.path'), ...fromConfig })).toEqual({
      ...DEFAULT_SERIAL_SCANNER_OPTIONS,
      path: defaultOf('drivers.serial.path'),
    });
  });

  it('every enum value the config accepts, the driver accepts', () => {
    for (const option of ['dataBits', 'parity', 'stopBits', 'suffix', 'profile'] as const) {
      for (const value of valuesOf(serialKeys[option])) {
        expect(driverAccepts(optionsOf({ [option]: value })), `${option} ${String(value)}`).toBe(true);
      }
    }
    // What the driver once accepted but no scanner module offers, neither takes.
    for (const dataBits of [5, 6]) {
      expect(accepts('drivers.serial.dataBits', dataBits)).toBe(false);
      expect(driverAccepts(optionsOf({ dataBits }))).toBe(false);
    }
  });

  it('maxCodeLength and baudRate: config and driver take the same numbers', () => {
    const { min, max } = boundsOf('drivers.serial.maxCodeLength');
    const maxCodeLength = { min, max, default: defaultOf('drivers.serial.maxCodeLength') };
    expect(maxCodeLength).toEqual({ min: 16, max: 4096, default: 2048 });
    fc.assert(
      fc.property(fc.integer({ min: -10, max: 70_000 }), fc.integer({ min: 0, max: 300_000 }), (length, baud) => {
        const lengthOk = accepts('drivers.serial.maxCodeLength', length);
        expect(driverAccepts(optionsOf({ maxCodeLength: length }))).toBe(lengthOk);
        expect(driverAccepts(optionsOf({ baudRate: baud }))).toBe(accepts('drivers.serial.baudRate', baud));
      }),
    );
    for (const length of [min - 1, min, max, max + 1]) {
      expect(driverAccepts(optionsOf({ maxCodeLength: length }))).toBe(accepts('drivers.serial.maxCodeLength', length));
    }
    for (const baud of STANDARD_BAUD_RATES) expect(driverAccepts(optionsOf({ baudRate: baud }))).toBe(true);
  });
});

describe('the other driver keys', () => {
  it('HID ids: the config takes exactly the USB ids the driver takes', () => {
    for (const id of [-1, 0, 1, 0x1eab, 0xffff, 0x10000]) {
      const driver = driverAccepts(() => hidScannerOptions({ vendorId: id, productId: id }));
      expect(accepts('drivers.hid.vendorId', id), String(id)).toBe(driver);
      expect(accepts('drivers.hid.productId', id), String(id)).toBe(driver);
    }
  });

  it('ID-card reader and camera default to the driver defaults', () => {
    expect(defaultOf('drivers.idcard.baudRate')).toBe(IDCARD_READER_DEFAULT_BAUD_RATE);
    expect(boundsOf('drivers.idcard.baudRate').allowed).toEqual(STANDARD_BAUD_RATES);
    expect(defaultOf('drivers.camera.device')).toBe(DEFAULT_CAMERA_DEVICE);
  });
});

describe('the gate and binding keys are the gate and portal values', () => {
  it('gate policies', () => {
    expect(valuesOf('gate.busyInput')).toEqual(BUSY_INPUT_MODES);
    expect(valuesOf('gate.natPolicy')).toEqual(REQUIREMENT_POLICIES);
    expect(valuesOf('gate.vaccinationPolicy')).toEqual(REQUIREMENT_POLICIES);
  });

  it('every venue the portal protocol accepts can be stored as the binding', () => {
    expect(valuesOf('binding.venueCategory')).toEqual(['', ...VENUE_CATEGORIES]);
    expect(valuesOf('binding.natValidityHours')).toEqual([0, ...NAT_VALIDITY_HOURS]);
    const venue = (vaccinationDoses: number | null) => ({
      code: 'V-1',
      name: 'Venue',
      category: 'transport',
      natValidityHours: 72,
      vaccinationDoses,
    });
    // The daemon stores a bound venue's doses (null as 0): up to the protocol's most, and no more.
    for (const doses of [null, 1, 5, 6, MAX_VACCINATION_DOSES]) {
      const read = readVenueInfo(venue(doses));
      expect(accepts('binding.vaccinationDoses', read.vaccinationDoses ?? 0), String(doses)).toBe(true);
      expect(accepts('binding.natValidityHours', read.natValidityHours ?? 0)).toBe(true);
      expect(accepts('binding.venueCategory', read.category)).toBe(true);
    }
    expect(isPassgateError(catching(() => readVenueInfo(venue(MAX_VACCINATION_DOSES + 1))))).toBe(true);
    expect(accepts('binding.vaccinationDoses', MAX_VACCINATION_DOSES + 1)).toBe(false);
  });

  it('the readers and the binding keys take the same venue codes and names (one definition)', () => {
    const venue = (code: string, name: string) => ({
      code,
      name,
      category: 'enterprise',
      natValidityHours: null,
      vaccinationDoses: null,
    });
    const readerAccepts = (code: string, name: string) =>
      catching(() => readVenueInfo(venue(code, name))) === undefined;
    const text = fc.oneof(
      fc.string({ unit: 'binary', minLength: 1, maxLength: 110 }),
      fc.stringMatching(/^[A-Za-z0-9_.:-]{1,70}$/),
      fc.constantFrom('A\tB', '示例商场1号入口', '𠀀'.repeat(100), '𠀀'.repeat(101), 'PGC1.abc_-', 'x'.repeat(64)),
    );
    fc.assert(
      fc.property(text, (value) => {
        expect(readerAccepts(value, 'Venue')).toBe(accepts('binding.venueCode', value));
        expect(readerAccepts('V-1', value)).toBe(accepts('binding.venueName', value));
      }),
      { numRuns: 500 },
    );
  });

  it('every bind result the reader accepts is stored whole; boundAt included', () => {
    const result = fc.record({
      venue: fc.record({
        code: fc.oneof(fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/), fc.string({ unit: 'binary', maxLength: 70 })),
        name: fc.oneof(fc.string({ unit: 'binary', maxLength: 110 }), fc.constant('A\tB')),
        category: fc.constantFrom(...VENUE_CATEGORIES, 'harbour'),
        natValidityHours: fc.constantFrom(null, ...NAT_VALIDITY_HOURS, 36),
        vaccinationDoses: fc.oneof(fc.constant(null), fc.integer({ min: -1, max: MAX_VACCINATION_DOSES + 2 })),
      }),
      boundAt: fc.oneof(
        fc.integer({ min: 0, max: 2 ** 45 }),
        fc.constantFrom(MAX_BOUND_AT_MS, MAX_BOUND_AT_MS + 1, 8.64e15 + 1, Number.MAX_SAFE_INTEGER),
      ),
    });
    fc.assert(
      fc.property(result, (value) => {
        const read = catching(() => readBindResult(value));
        if (read !== undefined) return; // refused by the reader: nothing to store
        const bound = readBindResult(value);
        const settings = boundSettings(bound.venue, new Date(bound.boundAt));
        for (const [key, stored] of Object.entries(settings)) expect(accepts(key as ConfigKey, stored), key).toBe(true);
      }),
      { numRuns: 500 },
    );
    // The boundAt that broke `new Date(…).toISOString()` is the reader's to refuse.
    const huge = {
      venue: { code: 'V-1', name: 'V', category: 'transport', natValidityHours: null, vaccinationDoses: null },
    };
    expect(catching(() => readBindResult({ ...huge, boundAt: Number.MAX_SAFE_INTEGER }))).toBeInstanceOf(Error);
  });
});

function catching(work: () => unknown): unknown {
  try {
    work();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('the display keys are what ui-led builds', () => {
  const stream = { isTTY: false, write: () => true };
  const fromDefaults = (backend: string): DisplayBackendOptions => ({
    backend,
    pins: defaultOf('display.pins'),
    gpioRoot: defaultOf('display.gpioRoot'),
    gpioChip: defaultOf('display.gpioChip'),
    serialPath: '/dev/ttyACM1',
    openSerialPort: () => Promise.reject(new Error('no port is opened by this test')),
    stream,
  });

  it('every backend the config offers builds from the default settings; test backends are not offered', () => {
    expect(valuesOf('display.backend')).toEqual(CONFIGURABLE_DISPLAY_BACKENDS);
    for (const backend of CONFIGURABLE_DISPLAY_BACKENDS) {
      expect(createDisplayBackend(fromDefaults(backend)).name, backend).toBe(backend);
    }
    expect(accepts('display.backend', 'recording')).toBe(false);
  });

  it('gpioChip: the config takes exactly the chips the gpioset backend takes', () => {
    const chip = fc.oneof(
      fc.stringMatching(/^[A-Za-z0-9_./-]{0,70}$/),
      fc.string({ maxLength: 70 }),
      fc.constantFrom('gpiochip0', '/dev/gpiochip1', 'x'.repeat(64), 'x'.repeat(65), 'chip; rm -rf /'),
    );
    fc.assert(
      fc.property(chip, (gpioChip) => {
        const built = driverAccepts(() => createDisplayBackend({ ...fromDefaults('gpio-gpioset'), gpioChip }));
        expect(built).toBe(accepts('display.gpioChip', gpioChip));
      }),
    );
  });

  it('pins: the config names the ui-led outputs, and every pin map it takes, ui-led takes', () => {
    const outputs: readonly string[] = OUTPUT_NAMES;
    expect(Object.keys(defaultOf('display.pins')).every((name) => outputs.includes(name))).toBe(true);
    const line = fc.oneof(fc.integer({ min: -2, max: 70_000 }), fc.constantFrom(0, 65_535, 65_536));
    const pins = fc.record(
      { red: line, green: line, blue: line, buzzer: line, relay: line },
      { requiredKeys: ['red', 'green', 'buzzer', 'relay'] },
    );
    fc.assert(
      fc.property(pins, (map) => {
        if (accepts('display.pins', map)) expect(() => normalizePins(map)).not.toThrow();
      }),
    );
    expect(accepts('display.pins', { red: 1, green: 2, buzzer: 3, relay: 65_535 })).toBe(true);
    expect(accepts('display.pins', { red: 1, green: 2, buzzer: 3, relay: 65_536 })).toBe(false);
    expect(() => normalizePins({ relay: 65_536 })).toThrow();
  });

  it('every config key createDisplayBackend names in an error is a key of the schema', () => {
    const bad: DisplayBackendOptions[] = [
      { backend: 'leds' },
      { backend: 'terminal' },
      { backend: 'gpio-sysfs' },
      { backend: 'gpio-sysfs', pins: {} },
      { backend: 'gpio-sysfs', pins: { red: -1 } },
      { backend: 'gpio-sysfs', pins: { red: { line: 3, activeLow: 'yes' } } as never },
      { backend: 'gpio-sysfs', pins: { red: 3 }, gpioRoot: '' },
      { backend: 'gpio-gpioset', pins: { red: 3 } },
      { backend: 'gpio-gpioset', pins: { red: 3 }, gpioChip: 'gpiochip0', gpiosetMode: 'wait' as never },
      { backend: 'gpio-gpioset', pins: { red: 3 }, gpioChip: 'gpiochip0', gpiosetCommand: '' },
      { backend: 'serial-board' },
      { backend: 'serial-board', serialPath: '/dev/ttyACM0', baudRate: 12.5 },
    ];
    const named = new Set<string>();
    for (const options of bad) {
      const error = catching(() => createDisplayBackend(options));
      expect(isPassgateError(error, 'config.invalid-value'), JSON.stringify(options)).toBe(true);
      if (isPassgateError(error) && typeof error.details.key === 'string') named.add(error.details.key);
    }
    expect(named.size).toBeGreaterThan(4);
    for (const key of named) expect(configKeyOf(key), key).toBeDefined();
  });
});

/** The schema key `name` is, or the JSON key it is a field of (display.pins.red → display.pins). */
function configKeyOf(name: string): ConfigKey | undefined {
  return CONFIG_KEYS.find((key) => name === key || (CONFIG_SCHEMA[key].type === 'json' && name.startsWith(`${key}.`)));
}
