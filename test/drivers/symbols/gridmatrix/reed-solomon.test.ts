import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { blockLayout } from '../../../../drivers/symbols/gridmatrix/blocks.js';
import { rsCorrect, rsEncode } from '../../../../drivers/symbols/gridmatrix/reed-solomon.js';
import { mulberry32 } from '../../../../scripts/lab/synth-image.js';

function randomBlock(rng: () => number, dataLen: number, ecc: number): Uint8Array {
  const data = Array.from({ length: dataLen }, () => Math.floor(rng() * 128));
  return Uint8Array.from([...data, ...rsEncode(data, ecc)]);
}

describe('Reed–Solomon over GF(2^7)', () => {
  it('leaves a valid block alone', () => {
    const block = randomBlock(mulberry32(1), 40, 10);
    const copy = block.slice();
    expect(rsCorrect(block, 10)).toBe(0);
    expect(block).toEqual(copy);
  });

  it('corrects up to floor(E/2) errors for every ECC size the symbol uses', () => {
    const rng = mulberry32(7);
    const sizes = new Set<string>();
    for (let v = 1; v <= 13; v++) {
      for (let ecl = 1; ecl <= 5; ecl++) {
        for (const b of blockLayout(v, ecl)?.blocks ?? []) sizes.add(`${b.length}/${b.ecc}`);
      }
    }
    for (const key of sizes) {
      const [length, ecc] = key.split('/').map(Number);
      const block = randomBlock(rng, length - ecc, ecc);
      const damaged = block.slice();
      const t = Math.floor(ecc / 2);
      const positions = new Set<number>();
      while (positions.size < t) positions.add(Math.floor(rng() * length));
      for (const p of positions) damaged[p] ^= 1 + Math.floor(rng() * 127);
      expect(rsCorrect(damaged, ecc), key).toBe(t);
      expect(damaged, key).toEqual(block);
    }
  });

  it('reports failure rather than a wrong block when errors exceed the limit (mostly)', () => {
    const rng = mulberry32(3);
    let wrong = 0;
    for (let trial = 0; trial < 50; trial++) {
      const block = randomBlock(rng, 60, 20);
      const damaged = block.slice();
      for (let i = 0; i < 15; i++) damaged[i * 3] ^= 1 + Math.floor(rng() * 127);
      const r = rsCorrect(damaged, 20);
      if (r >= 0) wrong++;
    }
    expect(wrong).toBeLessThan(3);
  });

  it('never throws on random input', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 2, maxLength: 126 }), fc.integer({ min: 1, max: 63 }), (bytes, e) => {
        const block = bytes.map((b) => b & 0x7f);
        const ecc = Math.min(e, block.length - 1);
        const r = rsCorrect(block, ecc);
        expect(r).toBeGreaterThanOrEqual(-1);
      }),
    );
  });
});
