// Camera-like frames for Grid Matrix tests and the bench (640×480 by default).
import type { GrayImage } from '../../../drivers/symbols/gray-image.js';
import {
  addNoise,
  type DegradeParams,
  degrade,
  gaussianBlur,
  invert,
  placeOnCanvas,
  renderMatrix,
  unevenLighting,
} from '../synth-image.js';
import type { CorpusSymbol } from './corpus.js';
import { paintDamage } from './damage.js';

export const FRAME_WIDTH = 640;
export const FRAME_HEIGHT = 480;

/** The symbol upright and sharp, at the largest whole pixel pitch (2–8) that fits, 6-module quiet zone. */
export function cleanFrame(entry: CorpusSymbol): GrayImage {
  const n = entry.matrix.length + 12;
  const pitch = Math.max(2, Math.min(8, Math.floor((FRAME_HEIGHT * 0.95) / n)));
  const symbol = renderMatrix(entry.matrix, { moduleSize: pitch, quietZone: 6 });
  const data = new Uint8Array(FRAME_WIDTH * FRAME_HEIGHT).fill(255);
  const ox = (FRAME_WIDTH - symbol.width) >> 1;
  const oy = (FRAME_HEIGHT - symbol.height) >> 1;
  for (let y = 0; y < symbol.height; y++) {
    const ty = y + oy;
    if (ty < 0 || ty >= FRAME_HEIGHT) continue;
    for (let x = 0; x < symbol.width; x++) {
      const tx = x + ox;
      if (tx >= 0 && tx < FRAME_WIDTH) data[ty * FRAME_WIDTH + tx] = symbol.data[y * symbol.width + x];
    }
  }
  return { width: FRAME_WIDTH, height: FRAME_HEIGHT, data };
}

export interface DegradedFrame {
  image: GrayImage;
  params: DegradeParams;
  damagedMacros: number;
  inverted: boolean;
}

/**
 * Any rotation, 2–8 px per module (as far as the symbol fits), perspective ≤ 15°, blur σ ≤ 1.5,
 * noise, uneven lighting, up to the ECL's correctable damage painted over, 1 in 8 inverted.
 */
export function degradedFrame(entry: CorpusSymbol, rng: () => number): DegradedFrame {
  const damage = paintDamage(entry.matrix, entry.version, entry.actualEcl, rng(), rng);
  const { image, params } = degrade(damage.matrix, rng, { maxModulePx: 8, quietZone: 6 });
  const inverted = rng() < 0.125;
  return { image: inverted ? invert(image) : image, params, damagedMacros: damage.macros, inverted };
}

/**
 * A frame with no symbol: a lit gradient, noise, and clutter (bars, blocks, a chequered patch
 * and text-like dots), so the reader's early rejection is exercised.
 */
export function emptyFrame(rng: () => number): GrayImage {
  const w = FRAME_WIDTH;
  const h = FRAME_HEIGHT;
  const data = new Uint8Array(w * h);
  const base = 120 + rng() * 100;
  const gx = (rng() - 0.5) * 0.2;
  const gy = (rng() - 0.5) * 0.2;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++)
      data[y * w + x] = Math.max(0, Math.min(255, base + gx * x + gy * y + (rng() - 0.5) * 16));
  }
  const rect = (x0: number, y0: number, rw: number, rh: number, v: number): void => {
    for (let y = Math.max(0, y0); y < Math.min(h, y0 + rh); y++) {
      for (let x = Math.max(0, x0); x < Math.min(w, x0 + rw); x++) data[y * w + x] = v;
    }
  };
  const shapes = 5 + Math.floor(rng() * 10);
  for (let s = 0; s < shapes; s++) {
    const x = Math.floor(rng() * w);
    const y = Math.floor(rng() * h);
    const kind = Math.floor(rng() * 4);
    if (kind === 0) for (let b = 0; b < 12; b++) rect(x + b * 6, y, 2 + Math.floor(rng() * 3), 60, 20);
    else if (kind === 1) rect(x, y, 20 + rng() * 120, 20 + rng() * 120, Math.floor(rng() * 80));
    else if (kind === 2) {
      const cell = 4 + Math.floor(rng() * 8);
      for (let j = 0; j < 8; j++)
        for (let i = 0; i < 8; i++) if ((i + j) % 2 === 0) rect(x + i * cell, y + j * cell, cell, cell, 30);
    } else for (let d = 0; d < 80; d++) rect(x + Math.floor(rng() * 150), y + Math.floor(rng() * 30), 3, 5, 40);
  }
  return { width: w, height: h, data };
}

/** One kind of degradation, applied alone (on top of a random rotation and placement). */
export type Distortion = 'rotation' | 'scale' | 'perspective' | 'blur' | 'noise-lighting' | 'damage';
export const DISTORTIONS: readonly Distortion[] = [
  'rotation',
  'scale',
  'perspective',
  'blur',
  'noise-lighting',
  'damage',
];

export interface DistortedFrame {
  image: GrayImage;
  distortion: Distortion;
  modulePx: number;
  angleDeg: number;
  detail: number;
}

/**
 * The symbol under one distortion from the list: any rotation; 2–8 px per module;
 * perspective up to 15°; blur σ ≤ 1.5; noise σ ≤ 10 with uneven lighting ≤ 0.5; or up to the
 * ECL's correctable damage painted over. Every frame is rotated by a random angle and placed at
 * a random spot; the pitch is 3–6 px unless the distortion is scale (fitted to the frame).
 */
export function distortedFrame(entry: CorpusSymbol, distortion: Distortion, rng: () => number): DistortedFrame {
  const between = (lo: number, hi: number): number => lo + (hi - lo) * rng();
  const quiet = 6;
  const modules = entry.matrix.length + 2 * quiet;
  const fit = (Math.min(FRAME_WIDTH, FRAME_HEIGHT) * 0.95) / (modules * Math.SQRT2);
  const wanted = distortion === 'scale' ? between(2, 8) : between(3, 6);
  const modulePx = Math.max(2, Math.min(wanted, fit));
  const angleDeg = between(0, 360);
  let matrix = entry.matrix;
  let detail = 0;
  if (distortion === 'damage') {
    const damage = paintDamage(entry.matrix, entry.version, entry.actualEcl, between(0.5, 1), rng);
    matrix = damage.matrix;
    detail = damage.macros;
  }
  const perspective = distortion === 'perspective' ? between(5, 15) : 0;
  if (distortion === 'perspective') detail = perspective;
  const radius = (modules * modulePx * Math.SQRT2) / 2;
  const span = (size: number): number => Math.max(0, size / 2 - radius);
  const upright = renderMatrix(matrix, { moduleSize: 4, quietZone: quiet });
  let image = placeOnCanvas(upright, {
    width: FRAME_WIDTH,
    height: FRAME_HEIGHT,
    angleDeg,
    perspective,
    tiltAxisDeg: between(0, 360),
    scale: modulePx / 4,
    centerX: FRAME_WIDTH / 2 + between(-1, 1) * span(FRAME_WIDTH),
    centerY: FRAME_HEIGHT / 2 + between(-1, 1) * span(FRAME_HEIGHT),
    supersample: 2,
  });
  if (distortion === 'blur') {
    detail = between(0.5, 1.5);
    image = gaussianBlur(image, detail);
  }
  if (distortion === 'noise-lighting') {
    detail = between(0.2, 0.5);
    image = unevenLighting(image, detail, rng);
    image = addNoise(image, between(3, 10), rng);
  }
  return { image, distortion, modulePx, angleDeg, detail };
}
