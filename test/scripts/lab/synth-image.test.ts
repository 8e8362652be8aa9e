import { describe, expect, it } from 'vitest';
import type { GrayImage } from '../../../drivers/symbols/gray-image.js';
import {
  addNoise,
  degrade,
  gaussianBlur,
  invert,
  mulberry32,
  placeOnCanvas,
  renderMatrix,
  unevenLighting,
} from '../../../scripts/lab/synth-image.js';
import { zintMatrix } from '../../../scripts/lab/zint.js';

function mean(img: GrayImage): number {
  let s = 0;
  for (const v of img.data) s += v;
  return s / img.data.length;
}

/** The 7×7 finder pattern of QR in its top-left corner: dark ring, light ring, dark 3×3 core. */
function hasFinderAt(m: boolean[][], top: number, left: number): boolean {
  for (let y = 0; y < 7; y++) {
    for (let x = 0; x < 7; x++) {
      const ring = Math.max(Math.abs(y - 3), Math.abs(x - 3));
      if (m[top + y][left + x] !== (ring !== 2)) return false;
    }
  }
  return true;
}

describe('zint support', () => {
  it('dumps QR, Micro QR and Grid Matrix as square module matrices', () => {
    const qr = zintMatrix('QRCODE', 'PG-SYNTHETIC-1');
    expect(qr.length).toBe(21);
    expect(qr.every((row) => row.length === 21)).toBe(true);
    expect(hasFinderAt(qr, 0, 0) && hasFinderAt(qr, 0, 14) && hasFinderAt(qr, 14, 0)).toBe(true);
    const micro = zintMatrix('MICROQR', '12345');
    expect(micro.length).toBe(11);
    expect(hasFinderAt(micro, 0, 0)).toBe(true);
    const gm = zintMatrix('GRIDMATRIX', '测试通行码');
    expect(gm.length % 6).toBe(0);
    expect(gm.length).toBeGreaterThanOrEqual(18);
  });

  it('honours the version option and passes binary data unchanged', () => {
    expect(zintMatrix('QRCODE', 'A', { vers: 3 }).length).toBe(29);
    const a = zintMatrix('QRCODE', Uint8Array.from([0, 0x2d, 0xff, 0x0a]), { binary: true });
    const b = zintMatrix('QRCODE', Uint8Array.from([0, 0x2d, 0xff, 0x0b]), { binary: true });
    expect(a).not.toEqual(b);
  });

  it('throws when zint rejects the data', () => {
    expect(() => zintMatrix('MICROQR', 'x'.repeat(200))).toThrow(/zint failed/);
  });
});

describe('synthetic images', () => {
  it('mulberry32 is deterministic per seed', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const xs = Array.from({ length: 5 }, () => a());
    expect(xs).toEqual(Array.from({ length: 5 }, () => b()));
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(mulberry32(43)()).not.toBe(xs[0]);
  });

  it('renders modules with a quiet zone', () => {
    const img = renderMatrix(
      [
        [true, false],
        [false, true],
      ],
      { moduleSize: 3, quietZone: 1, dark: 10, light: 200 },
    );
    expect(img.width).toBe(12);
    expect(img.height).toBe(12);
    expect(img.data[0]).toBe(200);
    expect(img.data[3 * 12 + 3]).toBe(10); // first dark module
    expect(img.data[3 * 12 + 6]).toBe(200); // light module
    expect(img.data[8 * 12 + 8]).toBe(10);
  });

  it('placement without rotation, tilt or scale copies the image into the canvas centre', () => {
    const src = renderMatrix(zintMatrix('QRCODE', 'X'), { moduleSize: 2, quietZone: 2 });
    const out = placeOnCanvas(src, { width: src.width + 20, height: src.height + 10, angleDeg: 0, background: 77 });
    expect(out.data[0]).toBe(77);
    for (let y = 0; y < src.height; y++) {
      for (let x = 0; x < src.width; x++) {
        expect(out.data[(y + 5) * out.width + x + 10]).toBe(src.data[y * src.width + x]);
      }
    }
  });

  it('rotates by 90° exactly', () => {
    const src: GrayImage = { width: 2, height: 2, data: Uint8Array.from([0, 50, 100, 150]) };
    const out = placeOnCanvas(src, { width: 2, height: 2, angleDeg: 90 });
    // Counter-clockwise on screen: the top-right pixel moves to the top-left.
    expect(Array.from(out.data)).toEqual([50, 150, 0, 100]);
  });

  it('blur keeps the mean and smooths an edge; noise and lighting are seeded', () => {
    const img = renderMatrix([[true, false]], { moduleSize: 8, quietZone: 0 });
    const blurred = gaussianBlur(img, 1.5);
    expect(Math.abs(mean(blurred) - mean(img))).toBeLessThan(1);
    expect(blurred.data[7]).toBeGreaterThan(0);
    expect(blurred.data[7]).toBeLessThan(255);
    expect(addNoise(img, 5, mulberry32(1))).toEqual(addNoise(img, 5, mulberry32(1)));
    const lit = unevenLighting({ width: 50, height: 50, data: new Uint8Array(2500).fill(200) }, 0.5, mulberry32(3));
    expect(Math.min(...lit.data)).toBeGreaterThanOrEqual(100);
    expect(Math.max(...lit.data)).toBeLessThanOrEqual(200);
    expect(Math.max(...lit.data) - Math.min(...lit.data)).toBeGreaterThan(10);
    expect(invert(invert(img))).toEqual(img);
    expect(invert(img).data[0]).toBe(255);
  });

  it('degrade is deterministic per seed and stays within its limits', () => {
    const m = zintMatrix('QRCODE', 'PG-DEGRADE');
    const a = degrade(m, mulberry32(9));
    const b = degrade(m, mulberry32(9));
    expect(a).toEqual(b);
    expect(a.image.width).toBe(640);
    expect(a.image.height).toBe(480);
    for (let seed = 0; seed < 20; seed++) {
      const { params } = degrade([[true]], mulberry32(seed), { width: 64, height: 48 });
      expect(params.modulePx).toBeGreaterThanOrEqual(2);
      expect(params.modulePx).toBeLessThanOrEqual(6);
      expect(params.blurSigma).toBeLessThanOrEqual(1.5);
      expect(params.perspectiveDeg).toBeLessThanOrEqual(15);
      expect(params.angleDeg).toBeGreaterThanOrEqual(0);
      expect(params.angleDeg).toBeLessThan(360);
    }
  });
});
