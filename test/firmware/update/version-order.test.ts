// Which release versions are newer: the downgrade check of `update apply`.
import { describe, expect, it } from 'vitest';
import { compareVersions, isReleaseVersion } from '../../../firmware/update/version-order.js';

describe('release version order', () => {
  it('orders by major, minor, patch, numbers as numbers', () => {
    const sorted = ['0.9.0', '0.10.0', '1.0.0', '1.0.1', '1.2.0', '1.10.0', '2.0.0'];
    for (let i = 0; i < sorted.length - 1; i++) {
      expect(compareVersions(sorted[i], sorted[i + 1]), `${sorted[i]} < ${sorted[i + 1]}`).toBe(-1);
      expect(compareVersions(sorted[i + 1], sorted[i])).toBe(1);
    }
    expect(compareVersions('1.2.3', '1.2.3')).toBe(0);
  });

  it('puts a pre-release before its release, and orders pre-releases', () => {
    const sorted = [
      '1.0.0-alpha',
      '1.0.0-alpha.1',
      '1.0.0-alpha.beta',
      '1.0.0-beta.2',
      '1.0.0-beta.11',
      '1.0.0-rc.1',
      '1.0.0',
    ];
    for (let i = 0; i < sorted.length - 1; i++) expect(compareVersions(sorted[i], sorted[i + 1])).toBe(-1);
  });

  it('takes only release versions', () => {
    for (const good of ['0.1.0', '10.20.30', '1.0.0-rc.1']) expect(isReleaseVersion(good), good).toBe(true);
    for (const bad of ['1.0', '01.0.0', '1.0.0+build', 'v1.0.0', '1.0.0-', '', '1.0.0-a..b']) {
      expect(isReleaseVersion(bad), bad).toBe(false);
    }
    expect(() => compareVersions('1.0', '1.0.0')).toThrow(RangeError);
  });
});
