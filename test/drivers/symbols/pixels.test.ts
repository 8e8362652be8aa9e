import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { grayToPgm, grayToRgba, rgbaToGray } from '../../../drivers/symbols/pixels.js';

describe('gray ↔ RGBA', () => {
  it('expands each gray pixel to R = G = B = gray, A = 255', () => {
    const rgba = grayToRgba({ width: 3, height: 1, data: Uint8Array.from([0, 128, 255]) });
    expect(Array.from(rgba)).toEqual([0, 0, 0, 255, 128, 128, 128, 255, 255, 255, 255, 255]);
  });

  it('round-trips any gray image', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 16 }),
        fc.integer({ min: 0, max: 16 }),
        fc.infiniteStream(fc.integer({ min: 0, max: 255 })),
        (w, h, values) => {
          const data = Uint8Array.from(values.take(w * h));
          const back = rgbaToGray(grayToRgba({ width: w, height: h, data }), w, h);
          expect(back).toEqual({ width: w, height: h, data });
        },
      ),
    );
  });

  it('weights colours by BT.601 luma and ignores alpha', () => {
    const g = rgbaToGray(Uint8Array.from([255, 0, 0, 0, 0, 255, 0, 255, 0, 0, 255, 17]), 3, 1);
    expect(Array.from(g.data)).toEqual([76, 150, 29]);
  });

  it('rejects an RGBA buffer smaller than its size', () => {
    expect(() => rgbaToGray(new Uint8Array(15), 2, 2)).toThrow(RangeError);
  });

  it('wraps a frame as a binary PGM', () => {
    const pgm = grayToPgm({ width: 2, height: 1, data: Uint8Array.from([7, 9]) });
    expect(Buffer.from(pgm).toString('latin1')).toBe('P5\n2 1\n255\n\u0007\u0009');
  });
});
