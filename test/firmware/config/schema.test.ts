import fc from 'fast-check';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  CONFIG_KEYS,
  CONFIG_SCHEMA,
  type ConfigKey,
  type ConfigValue,
  type DisplayPins,
  defaultOf,
  describeRule,
  displayValue,
  isConfigKey,
  parseValueText,
  validateValue,
} from '../../../firmware/config/schema.js';
import { PassgateError } from '../../../firmware/core/errors.js';
import type { DEFAULT_TIMEOUTS } from '../../../firmware/core/timeouts.js';
import { codeOf } from '../../support/failures.js';

describe('config schema types', () => {
  it('derives each key value type from the table', () => {
    expectTypeOf<ConfigValue<'gate.dedupWindowMs'>>().toEqualTypeOf<number>();
    expectTypeOf<ConfigValue<'portal.url'>>().toEqualTypeOf<string>();
    expectTypeOf<ConfigValue<'portal.allowInsecureHttp'>>().toEqualTypeOf<boolean>();
    expectTypeOf<ConfigValue<'gate.busyInput'>>().toEqualTypeOf<'drop' | 'queue'>();
    expectTypeOf<ConfigValue<'binding.natValidityHours'>>().toEqualTypeOf<0 | 24 | 48 | 72>();
    expectTypeOf<ConfigValue<'drivers.serial.stopBits'>>().toEqualTypeOf<1 | 2>();
    expectTypeOf<ConfigValue<'binding.venueCategory'>>().toEqualTypeOf<
      '' | 'transport' | 'enterprise' | 'public-place' | 'residential'
    >();
    expectTypeOf<ConfigValue<'display.pins'>>().toEqualTypeOf<DisplayPins>();
    expectTypeOf<ConfigValue<'timeouts'>>().toEqualTypeOf<
      Partial<{ readonly [K in keyof typeof DEFAULT_TIMEOUTS]: number }>
    >();
  });

  it('every default passes its own rule, and JSON defaults are fresh copies', () => {
    for (const key of CONFIG_KEYS) expect(validateValue(key, defaultOf(key))).toEqual(CONFIG_SCHEMA[key].default);
    const pins = defaultOf('display.pins') as { red: number };
    pins.red = 99;
    expect(defaultOf('display.pins').red).toBe(17);
  });

  it('every key has a one-line English description', () => {
    for (const key of CONFIG_KEYS) {
      const { description } = CONFIG_SCHEMA[key];
      expect(description.length).toBeGreaterThan(5);
      expect(description).not.toMatch(/\n/);
    }
  });

  it('only vendor.appSecret is secret', () => {
    expect(CONFIG_KEYS.filter((k) => 'secret' in CONFIG_SCHEMA[k])).toEqual(['vendor.appSecret']);
  });
});

describe('config validation', () => {
  it('rejects unknown keys with config.unknown-key', () => {
    expect(codeOf(() => validateValue('gate.nope', 1))).toBe('config.unknown-key');
    expect(codeOf(() => parseValueText('constructor', '1'))).toBe('config.unknown-key');
    expect(codeOf(() => parseValueText('__proto__', '{}'))).toBe('config.unknown-key');
    expect(isConfigKey('toString')).toBe(false);
  });

  it('ints: bounds, integrality, allowed lists', () => {
    expect(validateValue('gate.dedupWindowMs', 0)).toBe(0);
    expect(validateValue('gate.dedupWindowMs', 60_000)).toBe(60_000);
    expect(codeOf(() => validateValue('gate.dedupWindowMs', 60_001))).toBe('config.invalid-value');
    expect(codeOf(() => validateValue('gate.dedupWindowMs', -1))).toBe('config.invalid-value');
    expect(codeOf(() => validateValue('gate.showMs', 199))).toBe('config.invalid-value');
    expect(codeOf(() => validateValue('gate.showMs', 1000.5))).toBe('config.invalid-value');
    expect(codeOf(() => validateValue('gate.showMs', Number.NaN))).toBe('config.invalid-value');
    expect(codeOf(() => validateValue('gate.showMs', '1000'))).toBe('config.invalid-value');
    expect(codeOf(() => validateValue('gate.queueLimit', 11))).toBe('config.invalid-value');
    expect(validateValue('binding.vaccinationDoses', 10)).toBe(10);
    expect(codeOf(() => validateValue('binding.vaccinationDoses', 11))).toBe('config.invalid-value');
    expect(validateValue('drivers.serial.baudRate', 115_200)).toBe(115_200);
    expect(codeOf(() => validateValue('drivers.serial.baudRate', 9601))).toBe('config.invalid-value');
    expect(codeOf(() => validateValue('drivers.camera.fps', 61))).toBe('config.invalid-value');
    expect(codeOf(() => validateValue('drivers.hid.vendorId', 65_536))).toBe('config.invalid-value');
  });

  it('ints parse from decimal and 0x hex text only', () => {
    expect(parseValueText('gate.showMs', ' 2500 ')).toBe(2500);
    expect(parseValueText('drivers.hid.vendorId', '0x1eab')).toBe(0x1eab);
    for (const text of ['', '2.5e3', '1e3', '0b11', 'NaN', 'Infinity', '12abc', '99999999999999999']) {
      expect(
        codeOf(() => parseValueText('gate.showMs', text)),
        text,
      ).toBe('config.invalid-value');
    }
  });

  it('bools accept true/false words only', () => {
    expect(parseValueText('portal.allowInsecureHttp', 'true')).toBe(true);
    expect(parseValueText('portal.allowInsecureHttp', 'OFF')).toBe(false);
    expect(parseValueText('drivers.serial.stripAimId', '0')).toBe(false);
    expect(codeOf(() => parseValueText('portal.allowInsecureHttp', 'maybe'))).toBe('config.invalid-value');
    expect(codeOf(() => validateValue('portal.allowInsecureHttp', 1))).toBe('config.invalid-value');
  });

  it('enums: string and numeric members, exact match', () => {
    expect(parseValueText('gate.busyInput', 'queue')).toBe('queue');
    expect(parseValueText('binding.natValidityHours', '48')).toBe(48);
    expect(parseValueText('drivers.serial.dataBits', '7')).toBe(7);
    expect(parseValueText('binding.venueCategory', '')).toBe('');
    expect(codeOf(() => parseValueText('binding.natValidityHours', '36'))).toBe('config.invalid-value');
    expect(codeOf(() => validateValue('binding.natValidityHours', '24'))).toBe('config.invalid-value');
    expect(codeOf(() => parseValueText('gate.busyInput', 'Queue'))).toBe('config.invalid-value');
    expect(codeOf(() => parseValueText('display.backend', 'hdmi'))).toBe('config.invalid-value');
  });

  it('strings: length, pattern, control characters, refinements', () => {
    expect(validateValue('identity.deviceId', 'GATE-01_a')).toBe('GATE-01_a');
    expect(validateValue('identity.deviceId', '')).toBe('');
    expect(codeOf(() => validateValue('identity.deviceId', 'x'.repeat(65)))).toBe('config.invalid-value');
    expect(codeOf(() => validateValue('identity.deviceId', 'gate 01'))).toBe('config.invalid-value');
    expect(codeOf(() => validateValue('identity.deviceId', 'gate/01'))).toBe('config.invalid-value');
    expect(validateValue('binding.venueName', '某某地铁站 1号口')).toBe('某某地铁站 1号口');
    expect(codeOf(() => validateValue('binding.venueName', 'a\nb'))).toBe('config.invalid-value');
    expect(codeOf(() => validateValue('binding.venueName', 'a\u0000'))).toBe('config.invalid-value');
    expect(validateValue('identity.provisionedAt', '2026-01-31T08:00:00Z')).toBe('2026-01-31T08:00:00Z');
    expect(codeOf(() => validateValue('identity.provisionedAt', '2026-13-45T99:00:00Z'))).toBe('config.invalid-value');
    expect(codeOf(() => validateValue('binding.boundAt', 'yesterday'))).toBe('config.invalid-value');
    expect(validateValue('portal.url', 'https://portal.example/api')).toBe('https://portal.example/api');
    expect(codeOf(() => validateValue('portal.url', 'ftp://portal.example'))).toBe('config.invalid-value');
    expect(codeOf(() => validateValue('portal.url', 'https://u:p@portal.example'))).toBe('config.invalid-value');
    expect(codeOf(() => validateValue('portal.url', 'portal.example'))).toBe('config.invalid-value');
    const point = '04' + 'ab'.repeat(64);
    expect(validateValue('portal.publicKey', point)).toBe(point);
    expect(codeOf(() => validateValue('portal.publicKey', point.slice(2) + '00'))).toBe('config.invalid-value');
    expect(codeOf(() => validateValue('portal.publicKey', point.slice(0, 128)))).toBe('config.invalid-value');
    const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    expect(validateValue('portal.caPem', pem)).toBe(pem);
    expect(codeOf(() => validateValue('portal.caPem', 'not a certificate'))).toBe('config.invalid-value');
    expect(codeOf(() => validateValue('display.gpioRoot', 'sys/class/gpio'))).toBe('config.invalid-value');
    expect(codeOf(() => validateValue('vendor.appSecret', 'has space'))).toBe('config.invalid-value');
  });

  it('json timeouts: known names, non-negative finite numbers within timer range', () => {
    expect(parseValueText('timeouts', '{"verifyDeadlineMs": 2500, "configPollMs": 0}')).toEqual({
      verifyDeadlineMs: 2500,
      configPollMs: 0,
    });
    for (const text of [
      '{"noSuchTimeout": 1}',
      '{"verifyDeadlineMs": -1}',
      '{"verifyDeadlineMs": "100"}',
      '{"verifyDeadlineMs": 1e400}',
      '{"verifyDeadlineMs": 3000000000}',
      '{"toString": 1}',
      '[]',
      'null',
      '{',
    ]) {
      expect(
        codeOf(() => parseValueText('timeouts', text)),
        text,
      ).toBe('config.invalid-value');
    }
  });

  it('json values must be plain JSON data of bounded size', () => {
    expect(codeOf(() => validateValue('display.patterns', { a: 1n }))).toBe('config.invalid-value');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(codeOf(() => validateValue('display.patterns', cyclic))).toBe('config.invalid-value');
    expect(codeOf(() => validateValue('display.patterns', { big: 'x'.repeat(20_000) }))).toBe('config.invalid-value');
    expect(codeOf(() => validateValue('timeouts', { verifyDeadlineMs: Number.NaN }))).toBe('config.invalid-value');
    expect(codeOf(() => validateValue('display.patterns', undefined))).toBe('config.invalid-value');
  });

  it('json pins and scan result: shape, unknown fields, shared lines', () => {
    expect(parseValueText('display.pins', '{"red":5,"green":6,"blue":7,"buzzer":8,"relay":9}')).toEqual({
      red: 5,
      green: 6,
      blue: 7,
      buzzer: 8,
      relay: 9,
    });
    expect(codeOf(() => parseValueText('display.pins', '{"red":5,"green":5,"buzzer":8,"relay":9}'))).toBe(
      'config.invalid-value',
    );
    expect(codeOf(() => parseValueText('display.pins', '{"red":5,"green":6,"buzzer":8}'))).toBe('config.invalid-value');
    expect(codeOf(() => parseValueText('display.pins', '{"red":5,"green":6,"buzzer":8,"relay":9,"fan":1}'))).toBe(
      'config.invalid-value',
    );
    expect(codeOf(() => parseValueText('display.pins', '{"red":-1,"green":6,"buzzer":8,"relay":9}'))).toBe(
      'config.invalid-value',
    );
    expect(codeOf(() => parseValueText('display.patterns', '[1]'))).toBe('config.invalid-value');
    // Checked as the daemon will play it (ui-led resolvePatterns), and stored as given.
    const beep = '{"selftest":{"durationMs":100,"steps":[{"atMs":0,"set":{"buzzer":true}}]}}';
    expect(parseValueText('display.patterns', beep)).toEqual(JSON.parse(beep));
    expect(codeOf(() => parseValueText('display.patterns', '{"pass":{"green":1}}'))).toBe('config.invalid-value');
  });

  it('error messages name the key and rule, never the value; secrets say so', () => {
    const secretText = 'S3CRET VALUE';
    try {
      validateValue('vendor.appSecret', secretText);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(PassgateError);
      const e = error as PassgateError;
      expect(e.message).toContain('vendor.appSecret');
      expect(e.message).toContain('value not shown');
      expect(e.message + JSON.stringify(e.details)).not.toContain('S3CRET');
    }
    try {
      parseValueText('gate.showMs', '987654');
      expect.unreachable();
    } catch (error) {
      expect((error as PassgateError).message).not.toContain('987654');
      expect((error as PassgateError).details.key).toBe('gate.showMs');
    }
  });

  it('describes rules and masks secrets for display', () => {
    expect(describeRule('gate.showMs')).toBe('an integer from 200 to 30000');
    expect(describeRule('drivers.serial.suffix')).toBe('one of cr, lf, crlf, none');
    expect(displayValue('vendor.appSecret', 'abc')).toBe('(set)');
    expect(displayValue('vendor.appSecret', '')).toBe('(unset)');
    expect(displayValue('display.pins', { red: 1, green: 2, buzzer: 3, relay: 4 })).toBe(
      '{"red":1,"green":2,"buzzer":3,"relay":4}',
    );
  });

  it('random text into parseValueText only ever throws PassgateError', () => {
    const anyKey = fc.oneof(fc.constantFrom(...CONFIG_KEYS), fc.string({ maxLength: 40 }));
    const anyText = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc.json({ maxDepth: 3 }),
      fc.integer().map(String),
    );
    fc.assert(
      fc.property(anyKey, anyText, (key, text) => {
        try {
          const value = parseValueText(key, text);
          // Whatever parses must also validate as the typed value it became.
          expect(validateValue(key as ConfigKey, value)).toEqual(value);
        } catch (error) {
          if (!(error instanceof PassgateError)) throw error;
        }
      }),
      { numRuns: 3000 },
    );
  });
});
