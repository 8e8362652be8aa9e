import { describe, expect, it } from 'vitest';
import {
  ABSOLUTE_PATH,
  ABSOLUTE_PATH_OR_EMPTY,
  httpUrlOrEmpty,
  ID_TEXT,
  isoTimeOrEmpty,
  PRINTABLE_TOKEN,
  pemOrEmpty,
} from '../../../firmware/config/text-values.js';

describe('text value forms', () => {
  it('patterns', () => {
    expect(['GATE-01_a', ''].every((text) => ID_TEXT.pattern.test(text))).toBe(true);
    expect(['gate 01', 'gate/01'].some((text) => ID_TEXT.pattern.test(text))).toBe(false);
    expect(ABSOLUTE_PATH.pattern.test('/dev/ttyUSB0')).toBe(true);
    expect(ABSOLUTE_PATH.pattern.test('')).toBe(false);
    expect(ABSOLUTE_PATH_OR_EMPTY.pattern.test('')).toBe(true);
    expect(ABSOLUTE_PATH_OR_EMPTY.pattern.test('dev/ttyACM0')).toBe(false);
    expect(PRINTABLE_TOKEN.pattern.test('a!b~c')).toBe(true);
    expect(PRINTABLE_TOKEN.pattern.test('a b')).toBe(false);
  });

  it('refinements accept empty, and say what a bad value breaks', () => {
    for (const refine of [isoTimeOrEmpty, httpUrlOrEmpty, pemOrEmpty]) expect(refine('')).toBeUndefined();
    expect(isoTimeOrEmpty('2026-01-31T08:00:00+08:00')).toBeUndefined();
    expect(isoTimeOrEmpty('2026-01-31T08:00:00')).toMatch(/with zone/);
    expect(isoTimeOrEmpty('2026-02-31T99:00:00Z')).toMatch(/ISO 8601/);
    expect(httpUrlOrEmpty('http://127.0.0.1:8080/api')).toBeUndefined();
    expect(httpUrlOrEmpty('ftp://portal.example')).toBe('must be an absolute http(s) URL');
    expect(httpUrlOrEmpty('https://user@portal.example')).toBe('must not carry a user name or password');
    expect(pemOrEmpty('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----')).toBeUndefined();
    expect(pemOrEmpty('-----BEGIN CERTIFICATE-----')).toMatch(/PEM certificate/);
  });
});
