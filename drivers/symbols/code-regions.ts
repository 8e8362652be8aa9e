// Where in a frame a small code might be, and a sharper, larger view of it.
//
// zxing-cpp finds QR finder patterns from runs of pixels; at about 2–3 pixels per module, with
// the blur of a cheap lens, the light rings of the finder patterns wash out and the code is
// missed (Micro QR suffers most: it has a single finder). Those codes are still plainly visible
// as a patch of high contrast. So when the full frame gives nothing, the decoder looks for such
// patches (standard deviation per block, far above the frame's typical block), keeps those whose
// rows cross between dark and light several times (a code's modules do; the edge of a dark box
// does not), cuts each out, enlarges and sharpens it (unsharp mask), and tries again on that
// small image. The search costs under a millisecond per 640×480 frame.
import { enlargeBilinear, pixelBox } from './bilinear-enlarge.js';
import type { GrayImage } from './gray-image.js';

export interface Region {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface RegionSearchOptions {
  /** Block edge in pixels (default 16). */
  block?: number;
  /** A block counts as busy when its standard deviation exceeds this and `relative` × the
   * median block's (default 20). */
  minStdDev?: number;
  relative?: number;
  /** Regions returned at most, largest first (default 3). */
  maxRegions?: number;
  /** Regions with more pixels than this are left out: a code that large is read without help
   * (default 240 × 240). */
  maxPixels?: number;
  /**
   * A region is kept only if one of its rows crosses between dark and light at least this often
   * (default 4). A row through a code crosses its modules many times; a row through a dark box
   * or a bar, busy as well, crosses twice (a few times where boxes overlap).
   */
  minCrossings?: number;
  /** A region is kept only if its 90th and 10th percentile differ by this much (default 32). */
  minContrast?: number;
}

/** Busy patches of the frame (codes, but also text or texture), largest first, with a margin
 * of one block around each. */
export function findCodeRegions(image: GrayImage, opts: RegionSearchOptions = {}): Region[] {
  const B = opts.block ?? 16;
  const gw = Math.floor(image.width / B);
  const gh = Math.floor(image.height / B);
  if (gw === 0 || gh === 0) return [];
  const { data, width } = image;
  const std = new Float64Array(gw * gh);
  const n = B * B;
  for (let by = 0; by < gh; by++) {
    for (let bx = 0; bx < gw; bx++) {
      let sum = 0;
      let sumSq = 0;
      for (let y = by * B; y < by * B + B; y++) {
        let i = y * width + bx * B;
        const end = i + B;
        for (; i < end; i++) {
          const v = data[i];
          sum += v;
          sumSq += v * v;
        }
      }
      const mean = sum / n;
      std[by * gw + bx] = Math.sqrt(Math.max(0, sumSq / n - mean * mean));
    }
  }
  const median = Float64Array.from(std).sort()[Math.floor(std.length / 2)];
  const threshold = Math.max(opts.minStdDev ?? 20, (opts.relative ?? 3) * median);
  const label = new Int32Array(gw * gh).fill(-1);
  const found: { region: Region; blocks: number }[] = [];
  const stack: number[] = [];
  for (let start = 0; start < std.length; start++) {
    if (std[start] <= threshold || label[start] >= 0) continue;
    let x0 = gw;
    let y0 = gh;
    let x1 = -1;
    let y1 = -1;
    let blocks = 0;
    label[start] = found.length;
    stack.push(start);
    while (stack.length > 0) {
      const j = stack.pop() as number;
      const x = j % gw;
      const y = (j - x) / gw;
      blocks += 1;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          const yy = y + dy;
          if (xx < 0 || yy < 0 || xx >= gw || yy >= gh) continue;
          const k = yy * gw + xx;
          if (std[k] > threshold && label[k] < 0) {
            label[k] = found.length;
            stack.push(k);
          }
        }
      }
    }
    // A lone busy block is too small for any code (Micro QR M1 at 2 px/module spans two).
    if (blocks < 2) {
      found.push({ region: { x: 0, y: 0, width: 0, height: 0 }, blocks: 0 });
      continue;
    }
    const left = Math.max(0, (x0 - 1) * B);
    const top = Math.max(0, (y0 - 1) * B);
    const right = Math.min(image.width, (x1 + 2) * B);
    const bottom = Math.min(image.height, (y1 + 2) * B);
    found.push({ region: { x: left, y: top, width: right - left, height: bottom - top }, blocks });
  }
  const maxPixels = opts.maxPixels ?? 240 * 240;
  const minCrossings = opts.minCrossings ?? 4;
  const minContrast = opts.minContrast ?? 32;
  return found
    .filter((f) => f.blocks > 0 && f.region.width * f.region.height <= maxPixels)
    .sort((a, b) => b.blocks - a.blocks)
    .filter((f) => {
      const profile = rowCrossings(image, f.region);
      return profile.contrast >= minContrast && profile.maxCrossings >= minCrossings;
    })
    .slice(0, opts.maxRegions ?? 3)
    .map((f) => f.region);
}

export interface CrossingProfile {
  /** 90th minus 10th percentile of the region's gray levels. */
  contrast: number;
  /** Most dark↔light crossings found in one row. */
  maxCrossings: number;
}

/**
 * Dark↔light crossings per row of the region, with hysteresis: the level must pass from below
 * `mid − band` to above `mid + band` (or back), mid and band taken from the region's 10th and
 * 90th percentile, so noise on a flat area does not count.
 */
export function rowCrossings(image: GrayImage, region: Region): CrossingProfile {
  const { data, width } = image;
  const total = region.width * region.height;
  if (total <= 0) return { contrast: 0, maxCrossings: 0 };
  const histogram = new Uint32Array(256);
  for (let y = region.y; y < region.y + region.height; y++) {
    const row = y * width;
    for (let x = region.x; x < region.x + region.width; x++) histogram[data[row + x]]++;
  }
  const percentile = (p: number): number => {
    let seen = 0;
    for (let v = 0; v < 256; v++) {
      seen += histogram[v];
      if (seen >= p * total) return v;
    }
    return 255;
  };
  const low = percentile(0.1);
  const high = percentile(0.9);
  const mid = (low + high) / 2;
  const band = (high - low) / 6;
  let maxCrossings = 0;
  for (let y = region.y; y < region.y + region.height; y++) {
    const row = y * width;
    let state = 0; // -1 dark, +1 light, 0 not yet known
    let crossings = 0;
    for (let x = region.x; x < region.x + region.width; x++) {
      const v = data[row + x];
      if (v > mid + band) {
        if (state === -1) crossings++;
        state = 1;
      } else if (v < mid - band) {
        if (state === 1) crossings++;
        state = -1;
      }
    }
    if (crossings > maxCrossings) maxCrossings = crossings;
  }
  return { contrast: high - low, maxCrossings };
}

/** The region, enlarged by an integer factor with bilinear interpolation. */
export function cropAndEnlarge(image: GrayImage, region: Region, factor: number): GrayImage {
  return enlargeBilinear(image.data, image.width, pixelBox(image, region), factor);
}

/** Unsharp mask with a (2r+1)² box blur: v + amount × (v − blur), clamped. */
export function unsharpMask(image: GrayImage, radius: number, amount: number): GrayImage {
  const { width, height, data } = image;
  const r = Math.max(1, Math.floor(radius));
  const horizontal = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    let sum = 0;
    for (let x = -r; x <= r; x++) sum += data[row + Math.min(width - 1, Math.max(0, x))];
    for (let x = 0; x < width; x++) {
      horizontal[row + x] = sum;
      sum += data[row + Math.min(width - 1, x + r + 1)] - data[row + Math.max(0, x - r)];
    }
  }
  const out = new Uint8Array(width * height);
  const area = (2 * r + 1) * (2 * r + 1);
  for (let x = 0; x < width; x++) {
    let sum = 0;
    for (let y = -r; y <= r; y++) sum += horizontal[Math.min(height - 1, Math.max(0, y)) * width + x];
    for (let y = 0; y < height; y++) {
      const i = y * width + x;
      const v = data[i] + amount * (data[i] - sum / area);
      out[i] = v <= 0 ? 0 : v >= 255 ? 255 : v + 0.5;
      sum += horizontal[Math.min(height - 1, y + r + 1) * width + x] - horizontal[Math.max(0, y - r) * width + x];
    }
  }
  return { width, height, data: out };
}
