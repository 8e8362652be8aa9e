// The hard camera corpus: a phone held at arm's length in front of a cheap MJPEG USB camera, so
// the code's modules are 1.8–3 px wide in a 640×480 frame. Seeded and pure TypeScript: the same
// seed always gives the same frames.
//
// Each frame: the symbol with its whole quiet zone on a screen of another gray level, placed
// through a projective map (any rotation; one side up to 20 % shorter than the opposite one, in
// any direction) and integrated over each pixel's area (3×3 samples, like a sensor's photosite),
// then uneven light, lens blur σ 0.7–1.5, sensor noise, and a JPEG round trip at quality 45–75
// (what MJPEG cameras deliver; jpegRoundTrip below).
//
// A presentation (hardPresentation) is what a camera at 15 fps sees while a phone is held up for
// a fifth of a second: a few frames of the same scene (code, size, angle, perspective, blur, light,
// JPEG quality), each rendered again with the hand's slight motion (up to 1 px of shift and 0.5° of
// turn from where the scene put the code) and its own sensor noise.
import type { GrayImage } from '../../drivers/symbols/gray-image.js';
import { addNoise, gaussianBlur, homographyFromPoints, mulberry32, unevenLighting } from './synth-image.js';
import { zintMatrix } from './zint.js';

export interface HardFrameLimits {
  width: number;
  height: number;
  /** Mean pixels per module, drawn from [minModulePx, maxModulePx]. */
  minModulePx: number;
  maxModulePx: number;
  /** Quiet zone around the symbol, in modules (QR 4, Grid Matrix 6). */
  quietZone: number;
  /** Largest shortening of one side against the opposite one (0.2 = 20 %). */
  maxPerspective: number;
  minBlurSigma: number;
  maxBlurSigma: number;
  minNoiseStd: number;
  maxNoiseStd: number;
  /** Largest darkening of the uneven-lighting field (0..1). */
  maxLighting: number;
  minJpegQuality: number;
  maxJpegQuality: number;
}

export const HARD_FRAME_LIMITS: HardFrameLimits = {
  width: 640,
  height: 480,
  minModulePx: 2.2,
  maxModulePx: 3,
  quietZone: 4,
  maxPerspective: 0.2,
  minBlurSigma: 0.7,
  maxBlurSigma: 1.5,
  minNoiseStd: 2,
  maxNoiseStd: 8,
  maxLighting: 0.5,
  minJpegQuality: 45,
  maxJpegQuality: 75,
};

export interface HardFrameParams {
  modulePx: number;
  angleDeg: number;
  perspective: number;
  perspectiveAxisDeg: number;
  blurSigma: number;
  noiseStd: number;
  lighting: number;
  jpegQuality: number;
  dark: number;
  light: number;
  background: number;
  /** Where the symbol's four outer corners (quiet zone included) landed, clockwise from top-left. */
  corners: [number, number][];
  /** Quiet zone in modules, as drawn. */
  quietZone: number;
  /** Seed of the uneven-lighting field: the same light on every frame of a presentation. */
  lightingSeed: number;
}

function clampByte(v: number): number {
  return v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
}

/** One hard frame of `matrix` (true = dark module), its parameters drawn from `rng`. */
export function hardFrame(
  matrix: boolean[][],
  rng: () => number,
  limits: Partial<HardFrameLimits> = {},
): { image: GrayImage; params: HardFrameParams } {
  const l = { ...HARD_FRAME_LIMITS, ...limits };
  const params = hardScene(matrix.length, rng, l);
  return { image: renderHardFrame(matrix, params, rng, l), params };
}

/** A scene's parameters: where the code is, how it is blurred, lit and compressed. */
export function hardScene(size: number, rng: () => number, l: HardFrameLimits): HardFrameParams {
  const between = (lo: number, hi: number): number => lo + (hi - lo) * rng();
  const total = size + 2 * l.quietZone;
  const modulePx = between(l.minModulePx, l.maxModulePx);
  const angle = between(0, 2 * Math.PI);
  const perspective = between(0, l.maxPerspective);
  const axis = between(0, 2 * Math.PI);
  const side = total * modulePx;
  // Corners of the upright square, centred; the side facing `axis` shrinks by up to half of the
  // perspective and the opposite side grows by as much, so the mean module size stays modulePx.
  const unit: [number, number][] = [
    [-0.5, -0.5],
    [0.5, -0.5],
    [0.5, 0.5],
    [-0.5, 0.5],
  ];
  const ax = Math.cos(axis);
  const ay = Math.sin(axis);
  const placed = unit.map(([x, y]): [number, number] => {
    const along = (x * ax + y * ay) / Math.SQRT1_2; // −1..1 across the axis's direction
    const f = 1 - (perspective / 2) * along;
    const px = x * side * f;
    const py = y * side * f;
    return [px * Math.cos(angle) - py * Math.sin(angle), px * Math.sin(angle) + py * Math.cos(angle)];
  });
  const xs = placed.map((c) => c[0]);
  const ys = placed.map((c) => c[1]);
  const margin = 2;
  const cx = between(margin - Math.min(...xs), l.width - margin - Math.max(...xs));
  const cy = between(margin - Math.min(...ys), l.height - margin - Math.max(...ys));
  const corners = placed.map(([x, y]): [number, number] => [x + cx, y + cy]);
  return {
    modulePx,
    angleDeg: (angle * 180) / Math.PI,
    perspective,
    perspectiveAxisDeg: (axis * 180) / Math.PI,
    blurSigma: between(l.minBlurSigma, l.maxBlurSigma),
    noiseStd: between(l.minNoiseStd, l.maxNoiseStd),
    lighting: between(0, l.maxLighting),
    jpegQuality: Math.round(between(l.minJpegQuality, l.maxJpegQuality)),
    dark: Math.round(between(0, 70)),
    light: Math.round(between(170, 255)),
    background: Math.round(between(30, 230)),
    corners,
    quietZone: l.quietZone,
    lightingSeed: Math.floor(rng() * 2 ** 32),
  };
}

/** The scene moved a little, as a hand holding a phone does between two frames. */
export function movedScene(
  params: HardFrameParams,
  rng: () => number,
  maxShiftPx: number,
  maxTurnDeg: number,
  bounds: { width: number; height: number },
): HardFrameParams {
  const turn = ((2 * rng() - 1) * maxTurnDeg * Math.PI) / 180;
  const c = params.corners;
  const mx = c.reduce((sum, p) => sum + p[0], 0) / 4;
  const my = c.reduce((sum, p) => sum + p[1], 0) / 4;
  const xs = c.map((p) => p[0]);
  const ys = c.map((p) => p[1]);
  // The shift keeps the whole quiet zone inside the frame, as the scene was drawn.
  const clampShift = (d: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, d));
  const dx = clampShift((2 * rng() - 1) * maxShiftPx, 2 - Math.min(...xs), bounds.width - 2 - Math.max(...xs));
  const dy = clampShift((2 * rng() - 1) * maxShiftPx, 2 - Math.min(...ys), bounds.height - 2 - Math.max(...ys));
  const corners = c.map(([x, y]): [number, number] => [
    mx + dx + (x - mx) * Math.cos(turn) - (y - my) * Math.sin(turn),
    my + dy + (x - mx) * Math.sin(turn) + (y - my) * Math.cos(turn),
  ]);
  return { ...params, corners, angleDeg: params.angleDeg + (turn * 180) / Math.PI };
}

/** One frame of a scene: rendered, lit, blurred, noisy (noise drawn from `rng`), JPEG'd. */
export function renderHardFrame(
  matrix: boolean[][],
  params: HardFrameParams,
  rng: () => number,
  size: { width: number; height: number } = HARD_FRAME_LIMITS,
): GrayImage {
  const total = matrix.length + 2 * params.quietZone;
  // Frame pixel → module coordinates (quiet zone included: 0..total).
  const toModules = homographyFromPoints(params.corners, [
    [0, 0],
    [total, 0],
    [total, total],
    [0, total],
  ]);
  let image = renderQuad(matrix, params.quietZone, toModules, params, size.width, size.height);
  image = unevenLighting(image, params.lighting, mulberry32(params.lightingSeed));
  image = gaussianBlur(image, params.blurSigma);
  image = addNoise(image, params.noiseStd, rng);
  return jpegRoundTrip(image, params.jpegQuality);
}

/** Each pixel the mean of 3×3 samples of the symbol (or the screen around it). */
function renderQuad(
  matrix: boolean[][],
  quietZone: number,
  h: number[],
  p: HardFrameParams,
  width: number,
  height: number,
): GrayImage {
  const n = matrix.length;
  const total = n + 2 * quietZone;
  const data = new Uint8Array(width * height).fill(p.background);
  const xs = p.corners.map((c) => c[0]);
  const ys = p.corners.map((c) => c[1]);
  const x0 = Math.max(0, Math.floor(Math.min(...xs)) - 1);
  const x1 = Math.min(width - 1, Math.ceil(Math.max(...xs)) + 1);
  const y0 = Math.max(0, Math.floor(Math.min(...ys)) - 1);
  const y1 = Math.min(height - 1, Math.ceil(Math.max(...ys)) + 1);
  const S = 3;
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      let sum = 0;
      for (let sy = 0; sy < S; sy++) {
        for (let sx = 0; sx < S; sx++) {
          const X = x + (sx + 0.5) / S;
          const Y = y + (sy + 0.5) / S;
          const w = h[6] * X + h[7] * Y + h[8];
          const u = (h[0] * X + h[1] * Y + h[2]) / w;
          const v = (h[3] * X + h[4] * Y + h[5]) / w;
          if (u < 0 || v < 0 || u >= total || v >= total) {
            sum += p.background;
            continue;
          }
          const mx = Math.floor(u) - quietZone;
          const my = Math.floor(v) - quietZone;
          const dark = mx >= 0 && my >= 0 && mx < n && my < n && matrix[my][mx];
          sum += dark ? p.dark : p.light;
        }
      }
      data[y * width + x] = clampByte(sum / (S * S));
    }
  }
  return { width, height, data };
}

/** The standard JPEG luminance quantisation table (quality 50), row-major. */
const LUMINANCE_TABLE = [
  16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51,
  87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92, 49, 64, 78, 87, 103, 121, 120, 101,
  72, 92, 95, 98, 112, 100, 103, 99,
];

/** cos((2x + 1)uπ / 16) × C(u) / 2, the 8-point DCT basis, [u * 8 + x]. */
const DCT_BASIS = (() => {
  const basis = new Float64Array(64);
  for (let u = 0; u < 8; u++)
    for (let x = 0; x < 8; x++)
      basis[u * 8 + x] = ((u === 0 ? Math.SQRT1_2 : 1) / 2) * Math.cos(((2 * x + 1) * u * Math.PI) / 16);
  return basis;
})();

/**
 * What a baseline JPEG round trip at `quality` does to a gray frame: 8×8 blocks, DCT, each
 * coefficient rounded to a multiple of the luminance table scaled to the quality (the usual
 * scaling: 5000/q below 50, 200 − 2q above), inverse DCT, rounded to bytes. Only the lossy steps:
 * the entropy coding between them is lossless, and a gray frame has no chroma to subsample.
 * (jpeg-js does the same through a real file, but takes a second per 640×480 frame on a loaded
 * 2-core box; this takes milliseconds.)
 */
export function jpegRoundTrip(image: GrayImage, quality: number): GrayImage {
  const { width, height } = image;
  const q = Math.min(100, Math.max(1, Math.round(quality)));
  const scale = q < 50 ? 5000 / q : 200 - 2 * q;
  const table = LUMINANCE_TABLE.map((v) => Math.min(255, Math.max(1, Math.floor((v * scale + 50) / 100))));
  const out = new Uint8Array(width * height);
  const block = new Float64Array(64);
  const tmp = new Float64Array(64);
  for (let by = 0; by < height; by += 8) {
    for (let bx = 0; bx < width; bx += 8) {
      // Edge blocks repeat the last row and column, as encoders pad them.
      for (let y = 0; y < 8; y++) {
        const row = Math.min(height - 1, by + y) * width;
        for (let x = 0; x < 8; x++) block[y * 8 + x] = image.data[row + Math.min(width - 1, bx + x)] - 128;
      }
      // Forward DCT (rows, then columns), quantise, inverse DCT (columns, then rows).
      for (let y = 0; y < 8; y++)
        for (let u = 0; u < 8; u++) {
          let sum = 0;
          for (let x = 0; x < 8; x++) sum += DCT_BASIS[u * 8 + x] * block[y * 8 + x];
          tmp[y * 8 + u] = sum;
        }
      for (let v = 0; v < 8; v++)
        for (let u = 0; u < 8; u++) {
          let sum = 0;
          for (let y = 0; y < 8; y++) sum += DCT_BASIS[v * 8 + y] * tmp[y * 8 + u];
          const k = v * 8 + u;
          block[k] = Math.round(sum / table[k]) * table[k];
        }
      for (let y = 0; y < 8; y++)
        for (let u = 0; u < 8; u++) {
          let sum = 0;
          for (let v = 0; v < 8; v++) sum += DCT_BASIS[v * 8 + y] * block[v * 8 + u];
          tmp[y * 8 + u] = sum;
        }
      for (let y = 0; y < 8 && by + y < height; y++)
        for (let x = 0; x < 8 && bx + x < width; x++) {
          let sum = 0;
          for (let u = 0; u < 8; u++) sum += DCT_BASIS[u * 8 + x] * tmp[y * 8 + u];
          out[(by + y) * width + bx + x] = clampByte(sum + 128);
        }
    }
  }
  return { width, height, data: out };
}

export type HardSymbology = 'qr' | 'grid-matrix';

export interface HardSample {
  symbology: HardSymbology;
  text: string;
  image: GrayImage;
  params: HardFrameParams;
}

const PASS_CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ0123456789';

/** A pass code of 16–40 characters and its symbol: QR at error correction M, or Grid Matrix. */
function passCodeSymbol(symbology: HardSymbology, rng: () => number): { text: string; matrix: boolean[][] } {
  const length = 16 + Math.floor(rng() * 25);
  let text = 'PG1-';
  while (text.length < length) text += PASS_CODE_ALPHABET[Math.floor(rng() * PASS_CODE_ALPHABET.length)];
  const matrix = symbology === 'qr' ? zintMatrix('QRCODE', text, { secure: 2 }) : zintMatrix('GRIDMATRIX', text);
  return { text, matrix };
}

/** QR with a 4-module quiet zone, Grid Matrix (zint's default level) with a 6-module one. */
function limitsFor(symbology: HardSymbology, limits: Partial<HardFrameLimits>): HardFrameLimits {
  return { ...HARD_FRAME_LIMITS, quietZone: symbology === 'qr' ? 4 : 6, ...limits };
}

/** A pass code in one hard frame. */
export function hardSample(
  symbology: HardSymbology,
  rng: () => number,
  limits: Partial<HardFrameLimits> = {},
): HardSample {
  const { text, matrix } = passCodeSymbol(symbology, rng);
  const { image, params } = hardFrame(matrix, rng, limitsFor(symbology, limits));
  return { symbology, text, image, params };
}

export interface HardPresentation {
  symbology: HardSymbology;
  text: string;
  /** The scene as drawn; each frame moved from it a little (movedScene). */
  params: HardFrameParams;
  frames: GrayImage[];
}

/** Hand motion between frames at arm's length: up to this shift and turn from the scene. */
export const PRESENTATION_MOTION = { maxShiftPx: 1, maxTurnDeg: 0.5 };

/** A pass code held up to the camera for `frameCount` consecutive frames (see the header). */
export function hardPresentation(
  symbology: HardSymbology,
  rng: () => number,
  frameCount: number,
  limits: Partial<HardFrameLimits> = {},
): HardPresentation {
  const { text, matrix } = passCodeSymbol(symbology, rng);
  const l = limitsFor(symbology, limits);
  const params = hardScene(matrix.length, rng, l);
  const frames: GrayImage[] = [];
  for (let f = 0; f < frameCount; f++) {
    const moved = movedScene(params, rng, PRESENTATION_MOTION.maxShiftPx, PRESENTATION_MOTION.maxTurnDeg, l);
    frames.push(renderHardFrame(matrix, moved, rng, l));
  }
  return { symbology, text, params, frames };
}
