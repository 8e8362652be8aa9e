import jpeg from 'jpeg-js';
import { describe, expect, it } from 'vitest';
import type { GrayImage } from '../../../drivers/symbols/gray-image.js';
import {
  HARD_FRAME_LIMITS,
  hardFrame,
  hardPresentation,
  hardSample,
  jpegRoundTrip,
  PRESENTATION_MOTION,
} from '../../../scripts/lab/hard-frames.js';
import { addNoise, gaussianBlur, mulberry32 } from '../../../scripts/lab/synth-image.js';
import { zintMatrix } from '../../../scripts/lab/zint.js';

const side = (a: [number, number], b: [number, number]) => Math.hypot(a[0] - b[0], a[1] - b[1]);

describe('hard camera frames', () => {
  it('are the same for the same seed and differ for another', () => {
    const matrix = zintMatrix('QRCODE', 'PG1-HARD-FRAME-SEED');
    const a = hardFrame(matrix, mulberry32(11)).image;
    const b = hardFrame(matrix, mulberry32(11)).image;
    const c = hardFrame(matrix, mulberry32(12)).image;
    expect(Buffer.from(a.data).equals(Buffer.from(b.data))).toBe(true);
    expect(Buffer.from(a.data).equals(Buffer.from(c.data))).toBe(false);
  });

  it('make presentations: the same scene on every frame, moved a little, with its own noise', () => {
    const a = hardPresentation('qr', mulberry32(21), 3);
    const b = hardPresentation('qr', mulberry32(21), 3);
    expect(a.frames).toHaveLength(3);
    expect(a.text).toBe(b.text);
    a.frames.forEach((f, i) => {
      expect(Buffer.from(f.data).equals(Buffer.from(b.frames[i].data))).toBe(true);
      expect(f.data.length).toBe(HARD_FRAME_LIMITS.width * HARD_FRAME_LIMITS.height);
    });
    // Consecutive frames differ (motion and noise), but only slightly: same code, same place.
    for (let i = 1; i < 3; i++) {
      const prev = a.frames[i - 1].data;
      const cur = a.frames[i].data;
      expect(Buffer.from(prev).equals(Buffer.from(cur))).toBe(false);
      let sum = 0;
      for (let k = 0; k < cur.length; k++) sum += Math.abs(cur[k] - prev[k]);
      expect(sum / cur.length).toBeLessThan(12);
    }
    // The hand's motion is small: the code's dark centroid moves by about a pixel between frames.
    const xs = a.params.corners.map((c) => c[0]);
    const ys = a.params.corners.map((c) => c[1]);
    const centroid = (f: GrayImage): [number, number] => {
      let n = 0;
      let sx = 0;
      let sy = 0;
      for (let y = Math.floor(Math.min(...ys)); y < Math.ceil(Math.max(...ys)); y++)
        for (let x = Math.floor(Math.min(...xs)); x < Math.ceil(Math.max(...xs)); x++)
          if (f.data[y * f.width + x] < (a.params.dark + a.params.light) / 2) {
            n++;
            sx += x;
            sy += y;
          }
      return [sx / n, sy / n];
    };
    const centres = a.frames.map(centroid);
    for (const c of centres.slice(1)) expect(side(c, centres[0])).toBeLessThan(2 * PRESENTATION_MOTION.maxShiftPx + 1);
  });

  it('draw every condition within its limits and keep the whole quiet zone in the frame', () => {
    const rng = mulberry32(3);
    const l = HARD_FRAME_LIMITS;
    for (let i = 0; i < 6; i++) {
      const s = hardSample(i % 2 === 0 ? 'qr' : 'grid-matrix', rng, { minModulePx: 1.8, maxModulePx: 2.2 });
      const p = s.params;
      expect(p.modulePx).toBeGreaterThanOrEqual(1.8);
      expect(p.modulePx).toBeLessThanOrEqual(2.2);
      expect(p.blurSigma).toBeGreaterThanOrEqual(l.minBlurSigma);
      expect(p.blurSigma).toBeLessThanOrEqual(l.maxBlurSigma);
      expect(p.jpegQuality).toBeGreaterThanOrEqual(l.minJpegQuality);
      expect(p.jpegQuality).toBeLessThanOrEqual(l.maxJpegQuality);
      expect(p.perspective).toBeLessThanOrEqual(l.maxPerspective);
      for (const [x, y] of p.corners) {
        expect(x).toBeGreaterThanOrEqual(0);
        expect(y).toBeGreaterThanOrEqual(0);
        expect(x).toBeLessThanOrEqual(s.image.width);
        expect(y).toBeLessThanOrEqual(s.image.height);
      }
      // Opposite sides differ by at most the perspective (about 20 %), and the mean side is the
      // symbol's modules (quiet zone included) times the module size.
      const [a, b, c, d] = p.corners;
      const sides = [side(a, b), side(b, c), side(c, d), side(d, a)];
      expect(Math.min(sides[0], sides[2]) / Math.max(sides[0], sides[2])).toBeGreaterThan(1 - l.maxPerspective - 0.01);
      const modules = zintMatrix(
        s.symbology === 'qr' ? 'QRCODE' : 'GRIDMATRIX',
        s.text,
        s.symbology === 'qr' ? { secure: 2 } : {},
      ).length;
      const mean = sides.reduce((x, y) => x + y) / 4;
      expect(mean / (modules + 2 * (s.symbology === 'qr' ? 4 : 6))).toBeCloseTo(p.modulePx, 0);
    }
  });

  it('degrade like a real JPEG file of the same quality (jpeg-js)', () => {
    const width = 96;
    const height = 64;
    let image: GrayImage = { width, height, data: new Uint8Array(width * height) };
    for (let i = 0; i < image.data.length; i++) image.data[i] = ((i % width) / 3) % 2 < 1 ? 25 : 230;
    image = addNoise(gaussianBlur(image, 1), 6, mulberry32(5));
    for (const quality of [45, 75]) {
      const ours = jpegRoundTrip(image, quality);
      const rgba = Buffer.alloc(width * height * 4);
      for (let i = 0; i < width * height; i++)
        rgba.fill(image.data[i], 4 * i, 4 * i + 3).fill(255, 4 * i + 3, 4 * i + 4);
      const file = jpeg.decode(jpeg.encode({ data: rgba, width, height }, quality).data, { useTArray: true });
      let fromFile = 0;
      let lost = 0;
      for (let i = 0; i < width * height; i++) {
        fromFile += Math.abs(ours.data[i] - file.data[4 * i]);
        lost += Math.abs(ours.data[i] - image.data[i]);
      }
      // Within a gray level of the real file on average, while both lost several levels.
      expect(fromFile / (width * height)).toBeLessThan(1);
      expect(lost / (width * height)).toBeGreaterThan(2);
    }
  });
});
