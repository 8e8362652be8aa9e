import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isPassgateError } from '../../../firmware/core/errors.js';
import { gb11643CheckDigit, isValidIdNumber, syntheticIdNumber } from '../../../firmware/core/id-number.js';

describe('gb11643', () => {
  it('computes the check character of the standard worked example', () => {
    // The worked example printed in GB 11643-1999 itself (not a person).
    expect(gb11643CheckDigit('11010519491231002')).toBe('X');
    expect(isValidIdNumber('11010519491231002X')).toBe(true);
    expect(gb11643CheckDigit('44052418800101001')).toBe('4');
  });

  it('rejects a wrong check digit, wrong length, lower-case x and non-digits', () => {
    expect(isValidIdNumber('110105194912310021')).toBe(false);
    expect(isValidIdNumber('11010519491231002x')).toBe(false);
    expect(isValidIdNumber('11010519491231002')).toBe(false);
    expect(isValidIdNumber('1101051949123100 X')).toBe(false);
    expect(isValidIdNumber('')).toBe(false);
  });

  it('throws a typed error without echoing the input for a malformed first17', () => {
    try {
      gb11643CheckDigit('12345');
      expect.unreachable();
    } catch (error) {
      expect(isPassgateError(error, 'driver.card-invalid')).toBe(true);
      expect((error as Error).message).not.toContain('12345');
    }
  });

  it('every synthetic number is valid, and changing any one digit breaks it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 }), fc.integer({ min: 0, max: 16 }), (seed, pos) => {
        let s = seed;
        const random = () => {
          s = (s * 1103515245 + 12345) % 2 ** 31;
          return s / 2 ** 31;
        };
        const id = syntheticIdNumber({ random });
        expect(isValidIdNumber(id)).toBe(true);
        const changed = id.slice(0, pos) + String((Number(id[pos]) + 1) % 10) + id.slice(pos + 1);
        expect(isValidIdNumber(changed)).toBe(false);
      }),
    );
  });

  it('never throws on arbitrary strings', () => {
    fc.assert(fc.property(fc.string(), (s) => typeof isValidIdNumber(s) === 'boolean'));
  });
});
