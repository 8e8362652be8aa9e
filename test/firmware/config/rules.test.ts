// The rule engine on made-up specs: it knows no key, so these hold for any table.
import { describe, expect, it } from 'vitest';
import {
  checkValue,
  describeSpec,
  displaySpecValue,
  type EnumSpec,
  type IntSpec,
  type JsonSpec,
  parseText,
  type StringSpec,
} from '../../../firmware/config/rules.js';
import { PassgateError } from '../../../firmware/core/errors.js';
import { codeOf } from '../../support/failures.js';

const word: StringSpec = {
  type: 'string',
  default: '',
  maxLength: 8,
  pattern: /^[a-z]*$/,
  patternHint: 'lower-case letters',
  description: 'a word',
};
const note: StringSpec = { type: 'string', default: '', maxLength: 100, multiline: true, description: 'a note' };
const token: StringSpec = { ...word, secret: true, description: 'a secret word' };
const speed: IntSpec = { type: 'int', default: 2, min: 1, max: 4, allowed: [1, 2, 4], description: 'a speed' };
const count: IntSpec = { type: 'int', default: 0, min: 0, max: 0xffff, description: 'a count' };
const size: EnumSpec = { type: 'enum', values: ['', 'small', 12], default: '', description: 'a size' };
const even: JsonSpec = {
  type: 'json',
  default: 0,
  shape: 'an even number',
  description: 'an even number',
  check: (value) =>
    typeof value === 'number' && value % 2 === 0 ? { ok: true, value } : { ok: false, reason: 'must be even' },
};

function caught(work: () => unknown): PassgateError {
  try {
    work();
  } catch (error) {
    if (error instanceof PassgateError) return error;
    throw error;
  }
  throw new Error('expected a PassgateError');
}

describe('checkValue', () => {
  it('strings: length, pattern, one line unless multiline', () => {
    expect(checkValue('k', word, 'abc')).toBe('abc');
    expect(codeOf(() => checkValue('k', word, 'abcdefghi'))).toBe('config.invalid-value');
    expect(codeOf(() => checkValue('k', word, 'ABC'))).toBe('config.invalid-value');
    expect(codeOf(() => checkValue('k', word, 'a\tb'))).toBe('config.invalid-value');
    expect(checkValue('k', note, 'line one\r\n\tline two')).toBe('line one\r\n\tline two');
    expect(codeOf(() => checkValue('k', note, 'bell\u0007'))).toBe('config.invalid-value');
  });

  it('ints: integral, allowed list, bounds', () => {
    expect(checkValue('k', speed, 4)).toBe(4);
    expect(codeOf(() => checkValue('k', speed, 3))).toBe('config.invalid-value');
    expect(codeOf(() => checkValue('k', count, 1.5))).toBe('config.invalid-value');
    expect(codeOf(() => checkValue('k', count, 0x10000))).toBe('config.invalid-value');
  });

  it('enums compare exactly; json values are checked after a JSON round trip', () => {
    expect(checkValue('k', size, 12)).toBe(12);
    expect(codeOf(() => checkValue('k', size, '12'))).toBe('config.invalid-value');
    expect(checkValue('k', even, 4)).toBe(4);
    expect(codeOf(() => checkValue('k', even, 3))).toBe('config.invalid-value');
    expect(codeOf(() => checkValue('k', even, Number.NaN))).toBe('config.invalid-value'); // NaN becomes null
  });

  it('errors name the key, the rule and the type, never the value; secrets say so', () => {
    const error = caught(() => checkValue('area.word', token, 'SECRETWORD'));
    expect(error.message).toBe('area.word must be at most 8 characters (value not shown)');
    expect(error.details).toEqual({ key: 'area.word', type: 'string' });
    expect(caught(() => checkValue('area.even', even, 7)).message).toBe('area.even must be even');
  });
});

describe('parseText', () => {
  it('ints in decimal or 0x hex, bools as words, enums as written, json as JSON', () => {
    expect(parseText('k', count, ' 0x1EAB ')).toBe(0x1eab);
    expect(parseText('k', count, '+12')).toBe(12);
    expect(codeOf(() => parseText('k', count, '1e3'))).toBe('config.invalid-value');
    const flag = { type: 'bool', default: false, description: 'a flag' } as const;
    expect([parseText('k', flag, 'Yes'), parseText('k', flag, 'off')]).toEqual([true, false]);
    expect(parseText('k', size, '12')).toBe(12);
    expect(parseText('k', size, '')).toBe('');
    expect(parseText('k', even, ' 8 ')).toBe(8);
    expect(caught(() => parseText('k', even, '{')).message).toBe('k must be JSON (an even number)');
  });

  it('reads "-0" as the 0 that config get shows, so the shown text sets the same value (fuzz finding)', () => {
    for (const text of ['-0', '+0', ' -00 ']) expect(Object.is(parseText('k', count, text), 0)).toBe(true);
    expect(Object.is(checkValue('k', count, -0), 0)).toBe(true);
    const zeroOrTwo = { type: 'enum', values: [0, 2], default: 0, description: 'a level' } as const;
    expect(Object.is(checkValue('k', zeroOrTwo, -0), 0)).toBe(true);
    expect(displaySpecValue(count, parseText('k', count, '-0'))).toBe('0');
  });

  it('refuses text longer than any key could hold', () => {
    expect(codeOf(() => parseText('k', note, 'x'.repeat(70_001)))).toBe('config.invalid-value');
  });
});

describe('describeSpec and displaySpecValue', () => {
  it('say the rule in words', () => {
    expect(describeSpec(word)).toBe('text of at most 8 characters (lower-case letters)');
    expect(describeSpec(speed)).toBe('one of 1, 2, 4');
    expect(describeSpec(count)).toBe('an integer from 0 to 65535');
    expect(describeSpec(size)).toBe('one of "", small, 12');
    expect(describeSpec(even)).toBe('JSON: an even number');
  });

  it('show values, masking secrets', () => {
    expect(displaySpecValue(token, 'abc')).toBe('(set)');
    expect(displaySpecValue(token, '')).toBe('(unset)');
    expect(displaySpecValue(even, { a: [1] })).toBe('{"a":[1]}');
    expect(displaySpecValue(size, 12)).toBe('12');
  });
});
