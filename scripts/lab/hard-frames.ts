// The hard camera corpus: a phone held at arm's length in front of a cheap MJPEG USB camera, so
// the code's modules are 1.8–3 px wide in a 640×480 frame. Seeded and pure TypeScript: the same
// seed always gives the same frames.
//
// Each frame: the symbol with its whole quiet zone on a screen of another gray level, placed
// through a projective map (any rotation; one side up to 20 % shorter than the opposite one, in
// any direction) and integrated over each pixel's area (3×3 samples, like a sensor's photosite),
// then uneven light, lens blur σ 0.7–1.5, sensor noise, and a JPEG round trip at quality 45–75
// (what MJPEG cameras deliver), through jpeg-js.
import jpeg from 'jpeg-js';
import type { GrayImage } from '../../drivers/symbols/gray-image.js';
import { addNoise, gaussianBlur, homographyFromPoints, unevenLighting } from './synth-image.js';
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
  const between = (lo: number, hi: number): number => lo + (hi - lo) * rng();
  const n = matrix.length;
  const total = n + 2 * l.quietZone;
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
  // Frame pixel → module coordinates (quiet zone included: 0..total).
  const toModules = homographyFromPoints(corners, [
    [0, 0],
    [total, 0],
    [total, total],
    [0, total],
  ]);
  const params: HardFrameParams = {
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
  };
  let image = renderQuad(matrix, l.quietZone, toModules, params, l.width, l.height);
  image = unevenLighting(image, params.lighting, rng);
  image = gaussianBlur(image, params.blurSigma);
  image = addNoise(image, params.noiseStd, rng);
  image = jpegRoundTrip(image, params.jpegQuality);
  return { image, params };
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

/** Encodes the frame as a baseline JPEG of `quality` and decodes it again (luminance kept). */
export function jpegRoundTrip(image: GrayImage, quality: number): GrayImage {
  const { width, height } = image;
  const rgba = Buffer.alloc(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    const v = image.data[i];
    rgba[4 * i] = v;
    rgba[4 * i + 1] = v;
    rgba[4 * i + 2] = v;
    rgba[4 * i + 3] = 255;
  }
  const encoded = jpeg.encode({ data: rgba, width, height }, quality);
  const decoded = jpeg.decode(encoded.data, { useTArray: true, formatAsRGBA: true });
  const out = new Uint8Array(width * height);
  for (let i = 0; i < out.length; i++) {
    const r = decoded.data[4 * i];
    const g = decoded.data[4 * i + 1];
    const b = decoded.data[4 * i + 2];
    out[i] = clampByte(0.299 * r + 0.587 * g + 0.114 * b);
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

/**
 * A pass code of 16–40 characters in a hard frame: QR at error correction M with a 4-module
 * quiet zone, or Grid Matrix (zint's default level) with a 6-module one.
 */
export function hardSample(
  symbology: HardSymbology,
  rng: () => number,
  limits: Partial<HardFrameLimits> = {},
): HardSample {
  const length = 16 + Math.floor(rng() * 25);
  let text = 'PG1-';
  while (text.length < length) text += PASS_CODE_ALPHABET[Math.floor(rng() * PASS_CODE_ALPHABET.length)];
  const matrix = symbology === 'qr' ? zintMatrix('QRCODE', text, { secure: 2 }) : zintMatrix('GRIDMATRIX', text);
  const { image, params } = hardFrame(matrix, rng, { quietZone: symbology === 'qr' ? 4 : 6, ...limits });
  return { symbology, text, image, params };
}
