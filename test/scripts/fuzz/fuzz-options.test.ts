import { describe, expect, it } from 'vitest';
import { FuzzUsageError, parseFuzzArgs } from '../../../scripts/fuzz/fuzz-options.js';

const TARGETS = ['serial-scanner', 'hid-report'];

describe('npm run fuzz arguments', () => {
  it('defaults: 60 s per target, every target, a random seed', () => {
    expect(parseFuzzArgs([], TARGETS)).toEqual({
      seconds: 60,
      only: undefined,
      seed: undefined,
      json: false,
      list: false,
      verbose: false,
      coverage: true,
    });
  });

  it('--seconds, --only, --seed, --json, --verbose, in both spellings', () => {
    expect(
      parseFuzzArgs(
        ['--seconds=2.5', '--only', 'hid-report', '--seed', '9', '--json', '--verbose', '--no-coverage'],
        TARGETS,
      ),
    ).toMatchObject({ seconds: 2.5, only: ['hid-report'], seed: 9, json: true, verbose: true, coverage: false });
  });

  it('refuses unknown targets and arguments, bad numbers, ', () => {
    for (const argv of [
      ['--only', 'nope'],
      ['--seconds', '0'],
      ['--seconds', 'x'],
      ['--seed', '1.5'],
      ['--frobnicate'],
      ['--only'],
    ]) {
      expect(() => parseFuzzArgs(argv, TARGETS), argv.join(' ')).toThrow(FuzzUsageError);
    }
  });
});
