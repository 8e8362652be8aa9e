// The ID-number formats of each card type (firmware/core/id-number.ts) and the text block parser
// that applies them: GB 11643 numbers on resident cards and HK/Macau/Taiwan permits, the 2017
// (15-character) and 2023 (18-character, first digit 9) foreigner permanent-residence numbers.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CARD_TYPE_OFFSET, encodeTextBlock, parseTextBlock } from '../../../drivers/idcard/text-block.js';
import { isPassgateError } from '../../../firmware/core/errors.js';
import {
  type CardType,
  hasIdNumberFormat,
  ID_NUMBER_FORMATS,
  type IdNumberFormat,
  idNumberFormatOf,
  isAcceptedIdNumber,
  isIdNumberOfCardType,
  syntheticIdNumberOf,
} from '../../../firmware/core/id-number.js';

const FORMATS: readonly IdNumberFormat[] = ['gb11643', 'foreigner-2017', 'foreigner-2023'];
const CARDS: readonly CardType[] = ['resident', 'hmt-permit', 'foreign-permanent'];

/** A seeded random source for reproducible synthetic numbers. */
function seeded(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31;
  };
}

/** The same number with its last character replaced by another valid-looking one. */
function wrongLast(id: string): string {
  return id.slice(0, -1) + (id.endsWith('0') ? '1' : '0');
}

describe('ID-number formats per card type', () => {
  it('each card type accepts exactly its formats', () => {
    expect(ID_NUMBER_FORMATS).toEqual({
      resident: ['gb11643'],
      'hmt-permit': ['gb11643'],
      'foreign-permanent': ['foreigner-2017', 'foreigner-2023'],
    });
    const resident = syntheticIdNumberOf('gb11643', { random: seeded(1), region: '320213' });
    const hmt = syntheticIdNumberOf('gb11643', { random: seeded(2), region: '810000' });
    const old = syntheticIdNumberOf('foreigner-2017', { random: seeded(3) });
    const fresh = syntheticIdNumberOf('foreigner-2023', { random: seeded(4) });
    expect(old).toMatch(/^[A-Z]{3}[0-9]{12}$/);
    expect(fresh).toMatch(/^9[0-9]{16}[0-9X]$/);
    expect(idNumberFormatOf('resident', resident)).toBe('gb11643');
    expect(idNumberFormatOf('hmt-permit', hmt)).toBe('gb11643');
    expect(idNumberFormatOf('foreign-permanent', old)).toBe('foreigner-2017');
    expect(idNumberFormatOf('foreign-permanent', fresh)).toBe('foreigner-2023');
    // A foreigner's number is no resident's, and a citizen's number no foreigner's.
    expect(isIdNumberOfCardType('resident', old)).toBe(false);
    expect(isIdNumberOfCardType('hmt-permit', old)).toBe(false);
    expect(isIdNumberOfCardType('foreign-permanent', resident)).toBe(false);
    // The first digit 9 marks a foreigner's number: never a resident's, though its check digit is right.
    expect(isIdNumberOfCardType('resident', fresh)).toBe(false);
    expect(isIdNumberOfCardType('hmt-permit', fresh)).toBe(false);
    for (const id of [resident, hmt, old, fresh]) expect(isAcceptedIdNumber(id)).toBe(true);
  });

  it('a wrong check character is refused for every GB 11643 form; the 2017 number has none', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 30 }), (seed) => {
        for (const format of ['gb11643', 'foreigner-2023'] as const) {
          const id = syntheticIdNumberOf(format, { random: seeded(seed) });
          expect(hasIdNumberFormat(format, id)).toBe(true);
          expect(hasIdNumberFormat(format, wrongLast(id))).toBe(false);
        }
        expect(
          hasIdNumberFormat('foreigner-2017', syntheticIdNumberOf('foreigner-2017', { random: seeded(seed) })),
        ).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('refuses near misses: lower-case letters, 14 or 16 characters, an 18-digit number not starting with 9', () => {
    const old = syntheticIdNumberOf('foreigner-2017', { random: seeded(5) });
    const citizen = syntheticIdNumberOf('gb11643', { random: seeded(6) });
    for (const id of [old.toLowerCase(), old.slice(0, 14), `${old}1`, `1${old.slice(1)}`, '']) {
      expect(isIdNumberOfCardType('foreign-permanent', id), id.length.toString()).toBe(false);
    }
    expect(hasIdNumberFormat('foreigner-2023', citizen)).toBe(false);
    // Only an upper-case X is a check character.
    expect(isIdNumberOfCardType('resident', `${citizen.slice(0, 17)}x`)).toBe(false);
  });

  it('never throws on arbitrary strings', () => {
    fc.assert(
      fc.property(fc.constantFrom(...CARDS), fc.string(), (cardType, s) => {
        expect(typeof isIdNumberOfCardType(cardType, s)).toBe('boolean');
      }),
    );
    for (const format of FORMATS) expect(hasIdNumberFormat(format, '')).toBe(false);
  });
});

describe('the text block carries every format of its card type', () => {
  it("an 'I' card with a 2017 number (15 characters at 122) or a 2023 number (18 characters at 122)", () => {
    for (const format of ['foreigner-2017', 'foreigner-2023'] as const) {
      const idNumber = syntheticIdNumberOf(format, { random: seeded(7) });
      const block = encodeTextBlock({ cardType: 'foreign-permanent', name: '安娜', idNumber, englishName: 'DOE JANE' });
      expect(block.subarray(CARD_TYPE_OFFSET, CARD_TYPE_OFFSET + 2).toString('utf16le')).toBe('I');
      expect(block.subarray(122, 122 + 2 * idNumber.length).toString('utf16le')).toBe(idNumber);
      expect(parseTextBlock(block)).toEqual({ cardType: 'foreign-permanent', name: '安娜', idNumber });
    }
  });

  it("refuses a 2023 number with a wrong check character, and a number of another card type's format", () => {
    const fresh = syntheticIdNumberOf('foreigner-2023', { random: seeded(8) });
    const citizen = syntheticIdNumberOf('gb11643', { random: seeded(9) });
    const old = syntheticIdNumberOf('foreigner-2017', { random: seeded(10) });
    for (const [cardType, idNumber] of [
      ['foreign-permanent', wrongLast(fresh)],
      ['foreign-permanent', citizen],
      ['resident', old],
      ['hmt-permit', old],
    ] as const) {
      const block = encodeTextBlock({ cardType, name: '张明华', idNumber });
      try {
        parseTextBlock(block);
        expect.unreachable(`${cardType} with a foreign format was accepted`);
      } catch (error) {
        expect(isPassgateError(error, 'driver.card-invalid')).toBe(true);
        expect(JSON.stringify((error as Error).message)).not.toContain(idNumber);
      }
    }
  });
});
