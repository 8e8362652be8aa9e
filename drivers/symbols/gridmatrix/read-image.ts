// The whole reader: grayscale frame in, decoded Grid Matrix symbols out. Each stage is a pure
// function in its own file; this one only chains them and tries the inverted image when the
// normal one yields nothing (light-on-dark printing is allowed).

import { PassgateError } from '../../../firmware/core/errors.js';
import type { GrayImage } from '../gray-image.js';
import {
  classifyPixels,
  halve,
  integralImage,
  PIXEL_DARK,
  PIXEL_DARK_SHARP,
  PIXEL_LIGHT,
  PIXEL_LIGHT_SHARP,
} from './binarize.js';
import { decodeMatrix, type MatrixDecodeResult } from './decode-matrix.js';
import { guessVersions, refineFit, sampleMatrix } from './grid.js';
import { findCandidates } from './locate.js';

export interface ReadOptions {
  /** Also look for light-on-dark symbols. */
  tryInverted: boolean;
  /** Most blobs examined per polarity. */
  maxCandidates: number;
  /** Versions tried per blob, best frame match first. */
  versionsPerCandidate: number;
  /** Smallest module pitch considered, pixels. */
  minPitch: number;
  /** Frame contrast below which a rough (corner-only) fit is not worth refining. */
  minRoughScore: number;
  /** Frame contrast below which a refined fit is not worth sampling. */
  minScore: number;
  /** Frame contrast that only a real symbol reaches (empty scenes stay below ~1.1). */
  clearScore: number;
  /**
   * Ways of deciding module colours, tried in turn (see sampleMatrix): unsharp-mask strength and
   * sweeps of blur equalisation.
   */
  samplings: { sharpen: number; equaliseSweeps: number }[];
}

export const DEFAULT_READ_OPTIONS: ReadOptions = {
  tryInverted: true,
  maxCandidates: 3,
  versionsPerCandidate: 2,
  minPitch: 1.5,
  minRoughScore: 0.3,
  minScore: 1,
  clearScore: 2,
  samplings: [
    { sharpen: 2, equaliseSweeps: 0 },
    { sharpen: 3, equaliseSweeps: 2 },
    { sharpen: 0.5, equaliseSweeps: 0 },
  ],
};

export interface Quad {
  /** True when found as light modules on a dark ground. */
  inverted: boolean;
  /** Image corners, in order around the symbol. */
  corners: [number, number][];
}

function invert(img: GrayImage): GrayImage {
  const data = new Uint8Array(img.data.length);
  for (let i = 0; i < data.length; i++) data[i] = 255 - img.data[i];
  return { width: img.width, height: img.height, data };
}

/** Stage 1 on a frame: pixel classes of a (for large frames half-size) copy. */
export interface ClassifiedFrame {
  classes: Uint8Array;
  width: number;
  height: number;
  /** Frame pixels per class pixel. */
  scale: number;
}

export function classifyFrame(img: GrayImage): ClassifiedFrame {
  // Finding blobs needs no full resolution: work on a half-size copy of large frames (each blob's
  // outline is refined on the full image later), which quarters the cost of this stage.
  const scale = Math.min(img.width, img.height) >= 240 ? 2 : 1;
  const small = scale === 2 ? halve(img) : img;
  const radius = Math.max(6, Math.round(Math.min(small.width, small.height) / 20));
  const classes = classifyPixels(small, { radius, offset: 6 }, integralImage(small));
  return { classes, width: small.width, height: small.height, scale };
}

/** Stage 2a: candidate quadrilaterals of one polarity, in frame coordinates. */
export function findQuads(frame: ClassifiedFrame, inverted: boolean, options: Partial<ReadOptions> = {}): Quad[] {
  const opts = { ...DEFAULT_READ_OPTIONS, ...options };
  const { scale } = frame;
  const candidates = findCandidates(frame.classes, frame.width, frame.height, {
    minSide: (18 * opts.minPitch) / scale,
    maxCandidates: opts.maxCandidates,
    pool: 4 / scale,
    blobBit: inverted ? PIXEL_LIGHT : PIXEL_DARK,
    edgeBit: inverted ? PIXEL_LIGHT_SHARP : PIXEL_DARK_SHARP,
  });
  const quads: Quad[] = [];
  for (const c of candidates) {
    const corners = c.corners.map(([x, y]) => [x * scale, y * scale] as [number, number]);
    if (!squareEnough(corners)) continue;
    if (quads.some((q) => sameCorners(q.corners, corners))) continue;
    quads.push({ inverted, corners });
  }
  return quads;
}

/**
 * A square seen with at most ~15° of tilt keeps its sides within a factor 1.6 of each other and
 * its diagonals within 1.4; blobs of other shapes are not worth a version search.
 */
export function squareEnough(c: [number, number][]): boolean {
  const d = (a: [number, number], b: [number, number]): number => Math.hypot(a[0] - b[0], a[1] - b[1]);
  const sides = [d(c[0], c[1]), d(c[1], c[2]), d(c[2], c[3]), d(c[3], c[0])];
  const diagonals = [d(c[0], c[2]), d(c[1], c[3])];
  return Math.max(...sides) <= 1.6 * Math.min(...sides) && Math.max(...diagonals) <= 1.4 * Math.min(...diagonals);
}

function sameCorners(a: [number, number][], b: [number, number][]): boolean {
  return a.every(([x, y]) => b.some(([u, v]) => Math.abs(x - u) < 1 && Math.abs(y - v) < 1));
}

export function readGridMatrix(img: GrayImage, options: Partial<ReadOptions> = {}): MatrixDecodeResult[] {
  const opts = { ...DEFAULT_READ_OPTIONS, ...options };
  const { width, height } = img;
  if (width < 18 || height < 18 || img.data.length !== width * height) return [];
  const frame = classifyFrame(img);
  const found: MatrixDecodeResult[] = [];
  let clearSymbolSeen = false;
  for (const inverted of opts.tryInverted ? [false, true] : [false]) {
    // Light-on-dark is only looked for when nothing was read the ordinary way, and not when an
    // unmistakable dark-on-light symbol was there but could not be decoded.
    if (found.length > 0 || clearSymbolSeen) break;
    const quads = findQuads(frame, inverted, opts);
    const view = inverted && quads.length > 0 ? invert(img) : img;
    for (const quad of quads) {
      const { result, score } = tryQuad(view, quad.corners, opts);
      if (score >= opts.clearScore) clearSymbolSeen = true;
      // Two quads (a blob alone and joined with nearby pieces) may find the same symbol.
      if (result && !found.some((f) => sameSymbol(f, result))) found.push(result);
    }
  }
  return found;
}

function sameSymbol(a: MatrixDecodeResult, b: MatrixDecodeResult): boolean {
  return (
    a.version === b.version &&
    a.text === b.text &&
    a.bytes.length === b.bytes.length &&
    a.bytes.every((x, i) => x === b.bytes[i])
  );
}

/** Stages 2b–6 for one quadrilateral: version, refined grid, sampling, then the matrix decoder. */
export function decodeQuad(
  view: GrayImage,
  corners: [number, number][],
  options: Partial<ReadOptions> = {},
): MatrixDecodeResult | undefined {
  return tryQuad(view, corners, { ...DEFAULT_READ_OPTIONS, ...options }).result;
}

/** decodeQuad, also reporting the best refined frame contrast seen. */
function tryQuad(
  view: GrayImage,
  corners: [number, number][],
  opts: ReadOptions,
): { result?: MatrixDecodeResult; score: number } {
  const fits = guessVersions(view, corners, opts.minPitch, opts.versionsPerCandidate);
  let best = 0;
  for (const rough of fits) {
    if (rough.score < opts.minRoughScore) break;
    const fit = refineFit(view, rough, 2);
    best = Math.max(best, fit.score);
    if (fit.score < opts.minScore) continue;
    for (const { sharpen, equaliseSweeps } of opts.samplings) {
      try {
        return { result: decodeMatrix(sampleMatrix(view, fit, sharpen, equaliseSweeps)), score: best };
      } catch (error) {
        if (!(error instanceof PassgateError)) throw error;
      }
    }
  }
  return { score: best };
}
