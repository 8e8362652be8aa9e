// Undoing a cheap lens's blur on a small code before zxing reads it.
//
// At 2–3 px per module with a lens blur of σ ≈ 1–1.5 px, neighbouring modules bleed into each
// other until a module-wide line keeps only a tenth of its contrast; zxing then finds the finder
// patterns but misreads modules. A strong Gaussian unsharp mask (v + amount × (v − G_σ v)) with
// σ about the lens's blur gives most of that contrast back (a first-order inverse of the blur).
// It is computed on the crop at its own resolution, in floats (nothing clipped in between), and
// only then enlarged (bilinear) to the pixel size zxing samples well, and rounded to bytes.
import { enlargeBilinear, pixelBox } from './bilinear-enlarge.js';
import type { Region } from './code-regions.js';
import type { GrayImage } from './gray-image.js';

/** Normalised 1-D Gaussian of radius ⌈3σ⌉. */
function gaussianKernel(sigma: number): Float32Array {
  const radius = Math.max(1, Math.ceil(3 * sigma));
  const kernel = new Float32Array(2 * radius + 1);
  let total = 0;
  for (let i = -radius; i <= radius; i++) {
    kernel[i + radius] = Math.exp(-(i * i) / (2 * sigma * sigma));
    total += kernel[i + radius];
  }
  for (let i = 0; i < kernel.length; i++) kernel[i] /= total;
  return kernel;
}

/** Separable Gaussian blur of a float image with clamped edges. */
function blurFloat(src: Float32Array, w: number, h: number, sigma: number): Float32Array {
  const kernel = gaussianKernel(sigma);
  const r = (kernel.length - 1) / 2;
  const tmp = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (let k = -r; k <= r; k++) {
        const xx = x + k < 0 ? 0 : x + k >= w ? w - 1 : x + k;
        s += src[row + xx] * kernel[k + r];
      }
      tmp[row + x] = s;
    }
  }
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (let k = -r; k <= r; k++) {
        const yy = y + k < 0 ? 0 : y + k >= h ? h - 1 : y + k;
        s += tmp[yy * w + x] * kernel[k + r];
      }
      out[y * w + x] = s;
    }
  }
  return out;
}

export interface SharpenOptions {
  /** σ of the Gaussian the mask subtracts, in the frame's pixels (about the lens's blur). */
  sigma: number;
  /** How much of the difference is added back. */
  amount: number;
  /** Integer enlargement of the result. */
  factor: number;
}

/** The region cut out, unsharp-masked with a Gaussian, enlarged by `factor` (bilinear). */
export function sharpenAndEnlarge(image: GrayImage, region: Region, opts: SharpenOptions): GrayImage {
  const { x0, y0, w, h } = pixelBox(image, region);
  const crop = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    const row = (y0 + y) * image.width + x0;
    for (let x = 0; x < w; x++) crop[y * w + x] = image.data[row + x];
  }
  const blurred = blurFloat(crop, w, h, opts.sigma);
  for (let i = 0; i < crop.length; i++) crop[i] += opts.amount * (crop[i] - blurred[i]);
  return enlargeBilinear(crop, w, { x0: 0, y0: 0, w, h }, opts.factor);
}
