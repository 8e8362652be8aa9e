// The small-code retry's plan: which crops of a frame are tried, in which order, and how each is
// prepared (enlarged, sharpened) before zxing-wasm reads it again. See code-regions.ts for why
// small codes need this, and sharpen.ts for the Gaussian deblur.
import { cropAndEnlarge, findCodeRegions, type Region, unsharpMask } from './code-regions.js';
import type { GrayImage } from './gray-image.js';
import { sharpenAndEnlarge } from './sharpen.js';

export type RetryBinarizer = 'LocalAverage' | 'GlobalHistogram';

/**
 * One way of preparing a patch: enlarged by `factor` and sharpened, either with a box unsharp
 * mask after enlarging (`box`: radius and amount in enlarged pixels; amount 0 = not sharpened) or
 * with a strong Gaussian unsharp mask before enlarging (`gaussian`: sharpen.ts, σ in frame
 * pixels), then read with the given binariser.
 */
export type RetryVariant =
  | { kind: 'box'; factor: number; radius: number; amount: number; binarizer: RetryBinarizer }
  | {
      kind: 'gaussian';
      factor: number;
      sigma: number;
      amount: number;
      binarizer: RetryBinarizer;
      /** Gray levels raised to this power (v/255)^γ after sharpening; < 1 thins dark modules. */
      gamma?: number;
    };

/**
 * Chosen greedily, most frames read per millisecond first, among 20 candidates (factor 2–4, σ
 * 1–1.5, amount 2–20, both binarisers, γ 0.5–1), on the 3 frames of the 100 QR presentations of
 * two hard corpora (`npm run bench -- --only camera-hard`'s generator, seeds 2026112914 and 4242)
 * that the full frame had not read. γ 0.7 with the mild 2× deblur alone reads 272 of those 383
 * frames: blur and JPEG spread the dark modules into the light ones, and lifting the mid-grays
 * gives the light modules back their width. Then the plain deblur (+23), γ 0.5 with the global
 * binariser (+9), … The first ten together read 90 and 92 of the 100 codes on a presentation's
 * first frame (before: 87 and 92 with the previous 13 variants, 83 and 80 with the 6 before those).
 * A camera tries them over consecutive frames of the same code (ZxingQrDecoder's retry cursor).
 */
export const RETRY_VARIANTS: readonly RetryVariant[] = [
  { kind: 'gaussian', factor: 2, sigma: 1, amount: 6, binarizer: 'LocalAverage', gamma: 0.7 },
  { kind: 'gaussian', factor: 2, sigma: 1, amount: 6, binarizer: 'LocalAverage' },
  { kind: 'gaussian', factor: 2, sigma: 1, amount: 6, binarizer: 'GlobalHistogram', gamma: 0.5 },
  { kind: 'gaussian', factor: 2, sigma: 1, amount: 12, binarizer: 'GlobalHistogram' },
  { kind: 'gaussian', factor: 4, sigma: 1, amount: 12, binarizer: 'GlobalHistogram', gamma: 0.5 },
  { kind: 'gaussian', factor: 2, sigma: 1, amount: 6, binarizer: 'LocalAverage', gamma: 0.5 },
  { kind: 'box', factor: 2, radius: 4, amount: 2, binarizer: 'LocalAverage' },
  { kind: 'gaussian', factor: 3, sigma: 1, amount: 8, binarizer: 'LocalAverage', gamma: 0.5 },
  { kind: 'gaussian', factor: 3, sigma: 1, amount: 8, binarizer: 'GlobalHistogram' },
  { kind: 'gaussian', factor: 4, sigma: 1, amount: 12, binarizer: 'LocalAverage' },
];

/** Crops tried per frame (or per round over consecutive frames) at most: bounds the cost of
 * frames with busy backgrounds and no code. */
export const MAX_RETRY_DECODES = RETRY_VARIANTS.length;
/** An enlarged crop larger than this is not tried (3× and 4× are meant for small patches only). */
const MAX_ENLARGED_PIXELS = 400_000;

export interface RetryAttempt {
  region: Region;
  variant: RetryVariant;
}

/** The crops to try on `image`, in order: each busy patch (largest first) in every variant. */
export function retryAttempts(image: GrayImage): RetryAttempt[] {
  const attempts: RetryAttempt[] = [];
  for (const region of findCodeRegions(image)) {
    for (const variant of RETRY_VARIANTS) {
      if (region.width * region.height * variant.factor ** 2 > MAX_ENLARGED_PIXELS) continue;
      if (attempts.length >= MAX_RETRY_DECODES) return attempts;
      attempts.push({ region, variant });
    }
  }
  return attempts;
}

/** The patch of one attempt, prepared for zxing-wasm. */
export function retryImage(image: GrayImage, { region, variant }: RetryAttempt): GrayImage {
  if (variant.kind === 'gaussian') {
    const sharp = sharpenAndEnlarge(image, region, variant);
    return variant.gamma === undefined ? sharp : applyGamma(sharp, variant.gamma);
  }
  const enlarged = cropAndEnlarge(image, region, variant.factor);
  return variant.amount > 0 ? unsharpMask(enlarged, variant.radius, variant.amount) : enlarged;
}

const gammaTables = new Map<number, Uint8Array>();

/** v → 255 (v/255)^γ through a 256-entry table (one per γ, built once). */
export function applyGamma(image: GrayImage, gamma: number): GrayImage {
  let table = gammaTables.get(gamma);
  if (table === undefined) {
    table = new Uint8Array(256);
    for (let v = 0; v < 256; v++) table[v] = Math.round(255 * (v / 255) ** gamma);
    gammaTables.set(gamma, table);
  }
  const data = new Uint8Array(image.data.length);
  for (let i = 0; i < data.length; i++) data[i] = table[image.data[i]];
  return { width: image.width, height: image.height, data };
}
