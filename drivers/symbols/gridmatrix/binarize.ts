// Stage 1 of image reading: an adaptive threshold over an integral image, robust to uneven
// lighting because each pixel is compared with the mean of its own neighbourhood.
import type { GrayImage } from '../gray-image.js';

/** Summed-area table of a gray image, (width+1)×(height+1). */
export interface IntegralImage {
  width: number;
  height: number;
  sums: Uint32Array;
}

export function integralImage(img: GrayImage): IntegralImage {
  const { width, height, data } = img;
  const stride = width + 1;
  const sums = new Uint32Array(stride * (height + 1));
  for (let y = 0; y < height; y++) {
    let rowSum = 0;
    const src = y * width;
    const above = y * stride;
    const here = (y + 1) * stride;
    for (let x = 0; x < width; x++) {
      rowSum += data[src + x];
      sums[here + x + 1] = sums[above + x + 1] + rowSum;
    }
  }
  return { width, height, sums };
}

/** Sum over the box [x0, x1) × [y0, y1), clamped to the image. */
export function boxSum(ii: IntegralImage, x0: number, y0: number, x1: number, y1: number): number {
  const stride = ii.width + 1;
  const s = ii.sums;
  return s[y1 * stride + x1] - s[y0 * stride + x1] - s[y1 * stride + x0] + s[y0 * stride + x0];
}

export interface ThresholdOptions {
  /** Half-size of the neighbourhood window, pixels. */
  radius: number;
  /** How far (gray levels) from the local mean a pixel must be to count as dark or light. */
  offset: number;
}

/** Bits of a pixel class from classifyPixels. */
export const PIXEL_DARK = 1; // its 3×3 mean is dark (noise-robust; for finding blobs)
export const PIXEL_LIGHT = 2; // its 3×3 mean is light
export const PIXEL_DARK_SHARP = 4; // the pixel alone is dark (not widened; for outlines)
export const PIXEL_LIGHT_SHARP = 8; // the pixel alone is light

/**
 * Classes every pixel against the mean of its (2·radius+1)² window, both by its 3×3 mean and by
 * itself, in one pass; returns one byte of PIXEL_* bits per pixel. Light-on-dark symbols use the
 * LIGHT bits as their dark ones.
 */
export function classifyPixels(img: GrayImage, opts: ThresholdOptions, ii = integralImage(img)): Uint8Array {
  const { width, height, data } = img;
  const classes = new Uint8Array(width * height);
  const r = Math.max(1, Math.round(opts.radius));
  const offset = opts.offset;
  const stride = width + 1;
  const s = ii.sums;
  for (let y = 0; y < height; y++) {
    const wy0 = y > r ? y - r : 0;
    const wy1 = Math.min(y + r + 1, height);
    const py0 = y > 0 ? y - 1 : 0;
    const py1 = Math.min(y + 2, height);
    const a0 = wy0 * stride;
    const a1 = wy1 * stride;
    const b0 = py0 * stride;
    const b1 = py1 * stride;
    const wh = wy1 - wy0;
    const ph = py1 - py0;
    for (let x = 0; x < width; x++) {
      const wx0 = x > r ? x - r : 0;
      const wx1 = Math.min(x + r + 1, width);
      const px0 = x > 0 ? x - 1 : 0;
      const px1 = Math.min(x + 2, width);
      const mean = (s[a1 + wx1] - s[a0 + wx1] - s[a1 + wx0] + s[a0 + wx0]) / ((wx1 - wx0) * wh);
      const smooth = (s[b1 + px1] - s[b0 + px1] - s[b1 + px0] + s[b0 + px0]) / ((px1 - px0) * ph);
      const i = y * width + x;
      const pix = data[i];
      let c = 0;
      if (smooth < mean - offset) c |= PIXEL_DARK;
      else if (smooth > mean + offset) c |= PIXEL_LIGHT;
      if (pix < mean - offset) c |= PIXEL_DARK_SHARP;
      else if (pix > mean + offset) c |= PIXEL_LIGHT_SHARP;
      classes[i] = c;
    }
  }
  return classes;
}

/** Averages 2×2 blocks: half the width and height (odd edges dropped). */
export function halve(img: GrayImage): GrayImage {
  const width = img.width >> 1;
  const height = img.height >> 1;
  const data = new Uint8Array(width * height);
  const src = img.data;
  const sw = img.width;
  for (let y = 0; y < height; y++) {
    const a = 2 * y * sw;
    const b = a + sw;
    const o = y * width;
    for (let x = 0; x < width; x++) {
      const c = 2 * x;
      data[o + x] = (src[a + c] + src[a + c + 1] + src[b + c] + src[b + c + 1] + 2) >> 2;
    }
  }
  return { width, height, data };
}
