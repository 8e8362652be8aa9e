// Synthetic camera frames for tests and benches: a symbol's module matrix rendered, then placed
// on a canvas through a homography (rotation, scale, perspective tilt), blurred, noised and
// unevenly lit. Pure TypeScript and seeded: the same seed always gives the same pixels.
import type { GrayImage } from '../../drivers/symbols/gray-image.js';

/** A small seeded PRNG (mulberry32); returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function blank(width: number, height: number, value: number): GrayImage {
  const data = new Uint8Array(width * height);
  if (value !== 0) data.fill(clampByte(value));
  return { width, height, data };
}

function clampByte(v: number): number {
  return v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
}

export interface RenderOptions {
  /** Pixels per module. */
  moduleSize: number;
  /** Quiet zone around the symbol, in modules. */
  quietZone: number;
  /** Gray level of dark modules (default 0). */
  dark?: number;
  /** Gray level of light modules and the quiet zone (default 255). */
  light?: number;
}

/** Renders a module matrix (`true` = dark) as an upright image with a quiet zone. */
export function renderMatrix(matrix: boolean[][], opts: RenderOptions): GrayImage {
  const rows = matrix.length;
  const cols = rows === 0 ? 0 : matrix[0].length;
  const m = Math.max(1, Math.floor(opts.moduleSize));
  const q = Math.max(0, Math.floor(opts.quietZone));
  const dark = clampByte(opts.dark ?? 0);
  const img = blank((cols + 2 * q) * m, (rows + 2 * q) * m, opts.light ?? 255);
  for (let y = 0; y < rows; y++) {
    const row = matrix[y];
    for (let x = 0; x < cols; x++) {
      if (!row[x]) continue;
      for (let dy = 0; dy < m; dy++) {
        const start = ((y + q) * m + dy) * img.width + (x + q) * m;
        img.data.fill(dark, start, start + m);
      }
    }
  }
  return img;
}

/** 3×3 matrix, row-major. */
type Mat3 = [number, number, number, number, number, number, number, number, number];

/** Solves the homography mapping four `from` points onto four `to` points (Gaussian elimination). */
export function homographyFromPoints(from: [number, number][], to: [number, number][]): Mat3 {
  const a: number[][] = [];
  for (let i = 0; i < 4; i++) {
    const [x, y] = from[i];
    const [u, v] = to[i];
    a.push([x, y, 1, 0, 0, 0, -u * x, -u * y, u]);
    a.push([0, 0, 0, x, y, 1, -v * x, -v * y, v]);
  }
  for (let col = 0; col < 8; col++) {
    let pivot = col;
    for (let r = col + 1; r < 8; r++) if (Math.abs(a[r][col]) > Math.abs(a[pivot][col])) pivot = r;
    [a[col], a[pivot]] = [a[pivot], a[col]];
    const p = a[col][col];
    if (Math.abs(p) < 1e-12) throw new RangeError('degenerate placement');
    for (let c = col; c < 9; c++) a[col][c] /= p;
    for (let r = 0; r < 8; r++) {
      if (r === col) continue;
      const f = a[r][col];
      if (f === 0) continue;
      for (let c = col; c < 9; c++) a[r][c] -= f * a[col][c];
    }
  }
  return [a[0][8], a[1][8], a[2][8], a[3][8], a[4][8], a[5][8], a[6][8], a[7][8], 1];
}

export interface PlaceOptions {
  width: number;
  height: number;
  /** In-plane rotation, degrees, counter-clockwise as seen on screen. */
  angleDeg: number;
  /** Tilt of the symbol's plane away from the camera, degrees (≤ 15); 0 = frontal. */
  perspective?: number;
  /** Direction of the tilt axis within the symbol's plane, degrees (default 0: tilt about the x axis). */
  tiltAxisDeg?: number;
  /** Size factor applied to `src` (default 1). */
  scale?: number;
  /** Where the symbol's centre lands (default the canvas centre). */
  centerX?: number;
  centerY?: number;
  /** Gray level outside the symbol (default 255). */
  background?: number;
  /** Samples per axis per output pixel (default 1); 2 averages 2×2 sub-pixels, like a sensor's area. */
  supersample?: number;
}

/**
 * Places `src` on a new canvas: scaled, tilted (a pinhole projection of the tilted plane),
 * rotated and moved to its centre. Pixels are found by inverse mapping through the homography
 * and bilinear interpolation.
 */
export function placeOnCanvas(src: GrayImage, opts: PlaceOptions): GrayImage {
  const scale = opts.scale ?? 1;
  const tilt = (Math.min(15, Math.max(-15, opts.perspective ?? 0)) * Math.PI) / 180;
  const axis = ((opts.tiltAxisDeg ?? 0) * Math.PI) / 180;
  const angle = (opts.angleDeg * Math.PI) / 180;
  const cx = opts.centerX ?? opts.width / 2;
  const cy = opts.centerY ?? opts.height / 2;
  const background = clampByte(opts.background ?? 255);
  const hw = src.width / 2;
  const hh = src.height / 2;
  // The camera sits at a distance of about twice the symbol's size, like a hand-held code.
  const distance = 2 * Math.max(src.width, src.height) * scale;
  const forward = (x: number, y: number): [number, number] => {
    // Source coordinates centred and scaled.
    let px = (x - hw) * scale;
    let py = (y - hh) * scale;
    // Tilt about an in-plane axis through the centre at direction `axis`.
    const ax = Math.cos(axis);
    const ay = Math.sin(axis);
    const along = px * ax + py * ay;
    const across = -px * ay + py * ax;
    const acrossFlat = across * Math.cos(tilt);
    const depth = across * Math.sin(tilt);
    px = along * ax - acrossFlat * ay;
    py = along * ay + acrossFlat * ax;
    const f = distance / (distance + depth);
    px *= f;
    py *= f;
    // In-plane rotation (screen y points down, so counter-clockwise on screen is -angle).
    const rx = px * Math.cos(angle) + py * Math.sin(angle);
    const ry = -px * Math.sin(angle) + py * Math.cos(angle);
    return [cx + rx, cy + ry];
  };
  const corners: [number, number][] = [
    [0, 0],
    [src.width, 0],
    [src.width, src.height],
    [0, src.height],
  ];
  const h = homographyFromPoints(
    corners.map(([x, y]) => forward(x, y)),
    corners,
  );
  const out = blank(opts.width, opts.height, background);
  const ss = Math.max(1, Math.floor(opts.supersample ?? 1));
  const sw = src.width;
  const sh = src.height;
  const sd = src.data;
  for (let oy = 0; oy < opts.height; oy++) {
    for (let ox = 0; ox < opts.width; ox++) {
      let sum = 0;
      for (let sy = 0; sy < ss; sy++) {
        for (let sx = 0; sx < ss; sx++) {
          const X = ox + (sx + 0.5) / ss;
          const Y = oy + (sy + 0.5) / ss;
          const w = h[6] * X + h[7] * Y + h[8];
          // Pixel centres sit at +0.5 in both images.
          const u = (h[0] * X + h[1] * Y + h[2]) / w - 0.5;
          const v = (h[3] * X + h[4] * Y + h[5]) / w - 0.5;
          if (u < -0.5 || v < -0.5 || u > sw - 0.5 || v > sh - 0.5) {
            sum += background;
            continue;
          }
          const x0 = Math.max(0, Math.min(sw - 1, Math.floor(u)));
          const y0 = Math.max(0, Math.min(sh - 1, Math.floor(v)));
          const x1 = Math.min(sw - 1, x0 + 1);
          const y1 = Math.min(sh - 1, y0 + 1);
          const fx = Math.max(0, Math.min(1, u - x0));
          const fy = Math.max(0, Math.min(1, v - y0));
          const top = sd[y0 * sw + x0] * (1 - fx) + sd[y0 * sw + x1] * fx;
          const bottom = sd[y1 * sw + x0] * (1 - fx) + sd[y1 * sw + x1] * fx;
          sum += top * (1 - fy) + bottom * fy;
        }
      }
      out.data[oy * opts.width + ox] = clampByte(sum / (ss * ss));
    }
  }
  return out;
}

/** Separable Gaussian blur with clamped edges; sigma ≤ 0 returns a copy. */
export function gaussianBlur(img: GrayImage, sigma: number): GrayImage {
  const { width, height } = img;
  if (sigma <= 0) return { width, height, data: img.data.slice() };
  const radius = Math.max(1, Math.ceil(sigma * 3));
  const kernel = new Float64Array(2 * radius + 1);
  let total = 0;
  for (let i = -radius; i <= radius; i++) {
    kernel[i + radius] = Math.exp(-(i * i) / (2 * sigma * sigma));
    total += kernel[i + radius];
  }
  for (let i = 0; i < kernel.length; i++) kernel[i] /= total;
  const tmp = new Float64Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let s = 0;
      for (let k = -radius; k <= radius; k++) {
        const xx = Math.min(width - 1, Math.max(0, x + k));
        s += img.data[y * width + xx] * kernel[k + radius];
      }
      tmp[y * width + x] = s;
    }
  }
  const out = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let s = 0;
      for (let k = -radius; k <= radius; k++) {
        const yy = Math.min(height - 1, Math.max(0, y + k));
        s += tmp[yy * width + x] * kernel[k + radius];
      }
      out[y * width + x] = clampByte(s);
    }
  }
  return { width, height, data: out };
}

/** Adds Gaussian noise of the given standard deviation (gray levels), clamped to 0..255. */
export function addNoise(img: GrayImage, stddev: number, rng: () => number): GrayImage {
  const out = new Uint8Array(img.data.length);
  for (let i = 0; i < out.length; i++) {
    // Box–Muller; 1 - rng() keeps the logarithm's argument in (0, 1].
    const g = Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
    out[i] = clampByte(img.data[i] + g * stddev);
  }
  return { width: img.width, height: img.height, data: out };
}

/**
 * Multiplies intensities by a smooth field: a linear gradient in a random direction combined
 * with a vignette around a random centre. `strength` (0..1) is the largest darkening.
 */
export function unevenLighting(img: GrayImage, strength: number, rng: () => number): GrayImage {
  const { width, height } = img;
  const s = Math.min(1, Math.max(0, strength));
  const dir = rng() * 2 * Math.PI;
  const dx = Math.cos(dir);
  const dy = Math.sin(dir);
  const vx = width * (0.25 + 0.5 * rng());
  const vy = height * (0.25 + 0.5 * rng());
  const mix = rng();
  const diag = Math.hypot(width, height);
  const out = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      // Both terms lie in 0..1.
      const gradient = 0.5 + ((x - width / 2) * dx + (y - height / 2) * dy) / diag;
      const vignette = Math.min(1, Math.hypot(x - vx, y - vy) / (diag / 2));
      const darkening = s * (mix * gradient + (1 - mix) * vignette * vignette);
      out[y * width + x] = clampByte(img.data[y * width + x] * (1 - darkening));
    }
  }
  return { width, height, data: out };
}

/** Swaps dark and light (a code shown on a phone in dark mode). */
export function invert(img: GrayImage): GrayImage {
  const out = new Uint8Array(img.data.length);
  for (let i = 0; i < out.length; i++) out[i] = 255 - img.data[i];
  return { width: img.width, height: img.height, data: out };
}

export interface DegradeLimits {
  width: number;
  height: number;
  minModulePx: number;
  maxModulePx: number;
  maxBlurSigma: number;
  maxNoiseStd: number;
  /** Largest darkening of the uneven-lighting field (0..1). */
  maxLighting: number;
  maxPerspectiveDeg: number;
  /** Quiet zone rendered around the symbol, in modules. */
  quietZone: number;
}

export const DEFAULT_DEGRADE_LIMITS: DegradeLimits = {
  width: 640,
  height: 480,
  minModulePx: 2,
  maxModulePx: 6,
  maxBlurSigma: 1.5,
  maxNoiseStd: 10,
  maxLighting: 0.5,
  maxPerspectiveDeg: 15,
  quietZone: 4,
};

export interface DegradeParams {
  angleDeg: number;
  modulePx: number;
  perspectiveDeg: number;
  tiltAxisDeg: number;
  blurSigma: number;
  noiseStd: number;
  lighting: number;
  dark: number;
  light: number;
  centerX: number;
  centerY: number;
}

export interface Degraded {
  image: GrayImage;
  params: DegradeParams;
}

/** Pixels per module of the intermediate upright rendering that is then resampled. */
const RENDER_MODULE_PX = 4;

/**
 * A random, plausible camera view of a symbol on a `width`×`height` canvas: any rotation,
 * `minModulePx`..`maxModulePx` per module, perspective tilt, uneven lighting, blur and noise,
 * each drawn from `rng` within `limits`. Returns the frame and the parameters drawn.
 */
export function degrade(matrix: boolean[][], rng: () => number, limits: Partial<DegradeLimits> = {}): Degraded {
  const l = { ...DEFAULT_DEGRADE_LIMITS, ...limits };
  const between = (lo: number, hi: number): number => lo + (hi - lo) * rng();
  const modules = matrix.length + 2 * l.quietZone;
  // Keep the symbol on the canvas: shrink the module size if the rotated symbol would not fit.
  const fitPx = (Math.min(l.width, l.height) * 0.95) / (modules * Math.SQRT2);
  const params: DegradeParams = {
    angleDeg: between(0, 360),
    modulePx: Math.min(between(l.minModulePx, l.maxModulePx), Math.max(l.minModulePx, fitPx)),
    perspectiveDeg: between(0, l.maxPerspectiveDeg),
    tiltAxisDeg: between(0, 360),
    blurSigma: between(0, l.maxBlurSigma),
    noiseStd: between(0, l.maxNoiseStd),
    lighting: between(0, l.maxLighting),
    dark: Math.round(between(0, 60)),
    light: Math.round(between(190, 255)),
    centerX: 0,
    centerY: 0,
  };
  const radius = (modules * params.modulePx * Math.SQRT2) / 2;
  const span = (size: number): number => Math.max(0, size / 2 - radius);
  params.centerX = l.width / 2 + between(-1, 1) * span(l.width);
  params.centerY = l.height / 2 + between(-1, 1) * span(l.height);
  const upright = renderMatrix(matrix, {
    moduleSize: RENDER_MODULE_PX,
    quietZone: l.quietZone,
    dark: params.dark,
    light: params.light,
  });
  let image = placeOnCanvas(upright, {
    width: l.width,
    height: l.height,
    angleDeg: params.angleDeg,
    perspective: params.perspectiveDeg,
    tiltAxisDeg: params.tiltAxisDeg,
    scale: params.modulePx / RENDER_MODULE_PX,
    centerX: params.centerX,
    centerY: params.centerY,
    background: params.light,
    supersample: 2,
  });
  image = unevenLighting(image, params.lighting, rng);
  image = gaussianBlur(image, params.blurSigma);
  image = addNoise(image, params.noiseStd, rng);
  return { image, params };
}
