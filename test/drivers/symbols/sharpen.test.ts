import { describe, expect, it } from 'vitest';
import type { GrayImage } from '../../../drivers/symbols/gray-image.js';
import { sharpenAndEnlarge } from '../../../drivers/symbols/sharpen.js';
import { gaussianBlur } from '../../../scripts/lab/synth-image.js';

/** Columns of modules 2.5 px wide, alternately dark (30) and light (220), 5 px per pair. */
function stripes(width: number, height: number): GrayImage {
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) data[y * width + x] = Math.floor((x + 0.5) / 2.5) % 2 === 0 ? 30 : 220;
  return { width, height, data };
}

/** Mean level of the dark and of the light modules' centre columns (every factor-th output pixel). */
function moduleContrast(image: GrayImage, factor: number): number {
  let dark = 0;
  let light = 0;
  let n = 0;
  const y = image.height >> 1;
  // Modules 4..16, away from the edges: centres at 2.5 k + 1.25 frame pixels.
  for (let k = 4; k < 16; k += 2) {
    dark += image.data[y * image.width + Math.floor((2.5 * k + 1.25) * factor)];
    light += image.data[y * image.width + Math.floor((2.5 * (k + 1) + 1.25) * factor)];
    n++;
  }
  return (light - dark) / n;
}

describe('sharpenAndEnlarge', () => {
  it('gives back most of the module contrast a σ 1.3 blur took, and enlarges the crop', () => {
    const sharp = stripes(60, 20);
    const blurred = gaussianBlur(sharp, 1.3);
    const before = moduleContrast(blurred, 1);
    const out = sharpenAndEnlarge(blurred, { x: 0, y: 0, width: 60, height: 20 }, { factor: 2, sigma: 1.3, amount: 8 });
    expect(out.width).toBe(120);
    expect(out.height).toBe(40);
    // The blur left a small part of the 190 levels between dark and light modules.
    expect(before).toBeLessThan(80);
    expect(moduleContrast(out, 2)).toBeGreaterThan(2 * before);
    expect(moduleContrast(out, 2)).toBeGreaterThan(150);
  });

  it('crops to the region and keeps flat areas flat', () => {
    const flat: GrayImage = { width: 40, height: 30, data: new Uint8Array(1200).fill(140) };
    const out = sharpenAndEnlarge(flat, { x: 10, y: 5, width: 50, height: 10 }, { factor: 3, sigma: 1, amount: 12 });
    expect([out.width, out.height]).toEqual([90, 30]);
    expect(new Set(out.data)).toEqual(new Set([140]));
  });
});
