import { describe, expect, it } from 'vitest';
import { shorterBytes, shorterList, shorterText } from '../../../scripts/fuzz/minimise.js';

describe('minimising candidates', () => {
  it('bytes: halves first, then quarters, down to single bytes removed', () => {
    const out = [...shorterBytes(Uint8Array.of(1, 2, 3, 4))].map((b) => [...b]);
    expect(out).toEqual([
      [3, 4],
      [1, 2],
      [2, 3, 4],
      [1, 3, 4],
      [1, 2, 4],
      [1, 2, 3],
    ]);
    expect([...shorterBytes(Uint8Array.of(9))].map((b) => [...b])).toEqual([[]]);
    expect([...shorterBytes(new Uint8Array(0))]).toEqual([]);
  });

  it('text by code points, so no candidate splits a character', () => {
    expect([...shorterText('通行码')]).toEqual(['行码', '通码', '通行']);
  });

  it('lists by elements', () => {
    expect([...shorterList(['a', 'b'])]).toEqual([['b'], ['a']]);
  });
});
