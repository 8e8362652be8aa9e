// Integer enlargement of a code region with bilinear interpolation, shared by the plain crop and the
// sharpened one: small modules (2–3 px) become wide enough for the binarisers to keep them apart.
import type { Region } from './code-regions.js';
import type { GrayImage } from './gray-image.js';

/** The part of `region` inside the image, in whole pixels. */
export interface PixelBox {
  x0: number;
  y0: number;
  w: number;
  h: number;
}

export function pixelBox(image: GrayImage, region: Region): PixelBox {
  const x0 = Math.max(0, Math.floor(region.x));
  const y0 = Math.max(0, Math.floor(region.y));
  const w = Math.max(0, Math.min(image.width - x0, Math.floor(region.width)));
  const h = Math.max(0, Math.min(image.height - y0, Math.floor(region.height)));
  return { x0, y0, w, h };
}

/**
 * The box of `src` (grey values, `stride` per row; a float buffer may leave 0–255) enlarged `factor`
 * times, each output pixel interpolated from its four nearest source pixels and clamped to 0–255.
 */
export function enlargeBilinear(src: ArrayLike<number>, stride: number, box: PixelBox, factor: number): GrayImage {
  const { x0, y0, w, h } = box;
  const k = Math.max(1, Math.floor(factor));
  const W = w * k;
  const H = h * k;
  const out = new Uint8Array(W * H);
  if (w === 0 || h === 0) return { width: W, height: H, data: out };
  // Source coordinate and weight of every output column, computed once.
  const xs0 = new Int32Array(W);
  const xs1 = new Int32Array(W);
  const fxs = new Float32Array(W);
  for (let x = 0; x < W; x++) {
    const sx = Math.min(w - 1, Math.max(0, (x + 0.5) / k - 0.5));
    xs0[x] = Math.floor(sx);
    xs1[x] = Math.min(w - 1, xs0[x] + 1);
    fxs[x] = sx - xs0[x];
  }
  for (let y = 0; y < H; y++) {
    const sy = Math.min(h - 1, Math.max(0, (y + 0.5) / k - 0.5));
    const ya = Math.floor(sy);
    const fy = sy - ya;
    const ra = (y0 + ya) * stride + x0;
    const rb = (y0 + Math.min(h - 1, ya + 1)) * stride + x0;
    const row = y * W;
    for (let x = 0; x < W; x++) {
      const fx = fxs[x];
      const a = src[ra + xs0[x]] + (src[ra + xs1[x]] - src[ra + xs0[x]]) * fx;
      const b = src[rb + xs0[x]] + (src[rb + xs1[x]] - src[rb + xs0[x]]) * fx;
      const v = a + (b - a) * fy;
      out[row + x] = v <= 0 ? 0 : v >= 255 ? 255 : v + 0.5;
    }
  }
  return { width: W, height: H, data: out };
}
