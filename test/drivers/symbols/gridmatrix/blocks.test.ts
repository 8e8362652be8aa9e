import { describe, expect, it } from 'vitest';
import { blockLayout, totalCodewords } from '../../../../drivers/symbols/gridmatrix/blocks.js';

describe('Grid Matrix block layout', () => {
  it('reproduces rows of the AIM table', () => {
    const summary = (v: number, ecl: number): string => {
      const l = blockLayout(v, ecl)!;
      return l.blocks.map((b) => `${b.length}:${b.ecc}`).join(' ');
    };
    expect(summary(6, 2)).toBe('113:23 113:22 112:22');
    expect(summary(4, 5)).toBe('81:41 81:40');
    expect(summary(13, 1)).toBe(['122:13', ...Array(5).fill('122:12'), ...Array(6).fill('121:12')].join(' '));
    expect(summary(8, 5)).toBe('116:58 116:58 116:58 115:58 115:57');
    expect(blockLayout(1, 1)).toBeUndefined();
  });

  it('sums to 2·(2v+1)² codewords with about ECL×10% ECC and blocks of at most 126', () => {
    for (let v = 1; v <= 13; v++) {
      expect(totalCodewords(v)).toBe(2 * (2 * v + 1) ** 2);
      for (let ecl = v === 1 ? 2 : 1; ecl <= 5; ecl++) {
        const l = blockLayout(v, ecl)!;
        expect(l.blocks.reduce((s, b) => s + b.length, 0)).toBe(l.total);
        const ecc = l.blocks.reduce((s, b) => s + b.ecc, 0);
        expect(l.total - ecc).toBe(l.dataTotal);
        expect(ecc).toBe(Math.floor((l.total * ecl) / 10));
        for (const b of l.blocks) expect(b.length).toBeLessThanOrEqual(126);
      }
    }
  });
});
