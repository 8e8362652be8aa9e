import { beforeAll, describe, expect, it } from 'vitest';
import { cropAndEnlarge, findCodeRegions, rowCrossings, unsharpMask } from '../../../drivers/symbols/code-regions.js';
import type { GrayImage } from '../../../drivers/symbols/gray-image.js';
import { ZxingQrDecoder } from '../../../drivers/symbols/zxing-qr-decoder.js';
import { addNoise, degrade, mulberry32, placeOnCanvas, renderMatrix } from '../../../scripts/lab/synth-image.js';
import { zintMatrix } from '../../../scripts/lab/zint.js';

function flat(width: number, height: number, value: number): GrayImage {
  return { width, height, data: new Uint8Array(width * height).fill(value) };
}

function drawBox(img: GrayImage, x0: number, y0: number, w: number, h: number, v: number): void {
  for (let y = y0; y < y0 + h; y++) img.data.fill(v, y * img.width + x0, y * img.width + x0 + w);
}

describe('findCodeRegions', () => {
  it('finds a small code on a noisy frame and nothing on an empty one', () => {
    const code = renderMatrix(zintMatrix('QRCODE', 'PG1-SMALL'), { moduleSize: 2, quietZone: 2 });
    const frame = addNoise(
      placeOnCanvas(code, { width: 640, height: 480, angleDeg: 30, centerX: 450, centerY: 150, background: 255 }),
      4,
      mulberry32(1),
    );
    const regions = findCodeRegions(frame);
    expect(regions.length).toBeGreaterThanOrEqual(1);
    const [r] = regions;
    expect(r.x).toBeLessThanOrEqual(450 - 21);
    expect(r.x + r.width).toBeGreaterThanOrEqual(450 + 21);
    expect(r.y).toBeLessThanOrEqual(150 - 21);
    expect(r.y + r.height).toBeGreaterThanOrEqual(150 + 21);
    expect(findCodeRegions(addNoise(flat(640, 480, 200), 8, mulberry32(2)))).toEqual([]);
  });

  it('leaves out plain dark boxes (busy edges, but too few crossings per row)', () => {
    const frame = flat(320, 240, 220);
    drawBox(frame, 40, 40, 50, 40, 30);
    drawBox(frame, 200, 120, 30, 60, 60);
    expect(findCodeRegions(frame, { minCrossings: 0 }).length).toBeGreaterThan(0);
    expect(findCodeRegions(frame)).toEqual([]);
  });

  it('counts crossings per row and the contrast of a region', () => {
    const stripes: GrayImage = { width: 20, height: 2, data: new Uint8Array(40) };
    for (let i = 0; i < 40; i++) stripes.data[i] = Math.floor((i % 20) / 2) % 2 === 0 ? 0 : 255;
    expect(rowCrossings(stripes, { x: 0, y: 0, width: 20, height: 2 })).toEqual({ contrast: 255, maxCrossings: 9 });
    expect(rowCrossings(flat(10, 10, 5), { x: 0, y: 0, width: 10, height: 10 })).toEqual({
      contrast: 0,
      maxCrossings: 0,
    });
  });
});

describe('cropAndEnlarge and unsharpMask', () => {
  it('enlarges a crop by an integer factor', () => {
    const img: GrayImage = { width: 3, height: 2, data: Uint8Array.from([1, 2, 3, 4, 5, 6]) };
    const out = cropAndEnlarge(img, { x: 1, y: 0, width: 2, height: 2 }, 2);
    expect(out.width).toBe(4);
    expect(out.height).toBe(4);
    expect(out.data[0]).toBe(2);
    expect(out.data[3]).toBe(3);
    expect(out.data[15]).toBe(6);
    expect(cropAndEnlarge(img, { x: 5, y: 5, width: 4, height: 4 }, 2).data.length).toBe(0);
  });

  it('leaves a flat image alone and steepens an edge', () => {
    expect(unsharpMask(flat(9, 9, 77), 2, 2)).toEqual(flat(9, 9, 77));
    const edge: GrayImage = {
      width: 12,
      height: 1,
      data: Uint8Array.from([50, 50, 50, 50, 50, 100, 150, 200, 200, 200, 200, 200]),
    };
    const sharp = unsharpMask(edge, 2, 1);
    expect(sharp.data[4]).toBeLessThan(50);
    expect(sharp.data[7]).toBeGreaterThan(200);
  });
});

describe('small-code retry in ZxingQrDecoder', () => {
  let plain: ZxingQrDecoder;
  let retrying: ZxingQrDecoder;
  beforeAll(async () => {
    plain = await ZxingQrDecoder.create({ smallCodeRetry: false });
    retrying = await ZxingQrDecoder.create();
  });

  it('reads small Micro QR codes that the full-frame pass misses', async () => {
    // Seeds found to give a Micro QR at about 2 px per module that zxing misses on the frame.
    for (const seed of [1, 2]) {
      const { image } = degrade(zintMatrix('MICROQR', '31415'), mulberry32(seed), {
        maxBlurSigma: 0.8,
        maxNoiseStd: 4,
        maxModulePx: 3,
      });
      expect(await plain.decode(image)).toEqual([]);
      expect((await retrying.decode(image)).map((s) => [s.symbology, s.text])).toEqual([['micro-qr', '31415']]);
    }
  });
});
