// Stage 2b/3: from a candidate quadrilateral to a module matrix. The version is the one whose
// macromodule frame pattern best matches the image; the map from module to image coordinates
// is then refined by matching each macromodule's frame locally and refitting a homography to
// all those matches (perspective is exactly a homography); finally every module centre is
// sampled and thresholded against the frames around it, which are known to be dark or light.
import type { GrayImage } from '../gray-image.js';
import { equaliseModules } from './equalise.js';
import {
  frameIsDark,
  MACRO,
  MAX_VERSION,
  MIN_VERSION,
  type ModuleMatrix,
  macrosPerSide,
  modulesPerSide,
} from './geometry.js';
import { applyH, fitHomography, type Homography, squareToQuad } from './homography.js';

/** Bilinear gray value at (x, y) in pixel-centre coordinates; edge pixels repeat outside. */
export function sampleGray(img: GrayImage, x: number, y: number): number {
  const { width, height, data } = img;
  let fx = x - 0.5;
  let fy = y - 0.5;
  if (fx < 0) fx = 0;
  if (fy < 0) fy = 0;
  if (fx > width - 1) fx = width - 1;
  if (fy > height - 1) fy = height - 1;
  const x0 = fx | 0;
  const y0 = fy | 0;
  const x1 = x0 + 1 < width ? x0 + 1 : x0;
  const y1 = y0 + 1 < height ? y0 + 1 : y0;
  const ax = fx - x0;
  const ay = fy - y0;
  const top = data[y0 * width + x0] * (1 - ax) + data[y0 * width + x1] * ax;
  const bottom = data[y1 * width + x0] * (1 - ax) + data[y1 * width + x1] * ax;
  return top * (1 - ay) + bottom * ay;
}

/**
 * Contrast score: (mean light − mean dark) / pooled deviation over the frame modules, visiting
 * every `step`-th module along each frame line.
 */
function frameContrast(img: GrayImage, h: Homography, version: number, step: number): number {
  const n = modulesPerSide(version);
  let sd = 0;
  let sd2 = 0;
  let nd = 0;
  let sl = 0;
  let sl2 = 0;
  let nl = 0;
  const visit = (row: number, col: number): void => {
    const u = col + 0.5;
    const v = row + 0.5;
    const w = h[6] * u + h[7] * v + h[8];
    const g = sampleGray(img, (h[0] * u + h[1] * v + h[2]) / w, (h[3] * u + h[4] * v + h[5]) / w);
    if (frameIsDark((col / MACRO) | 0, (row / MACRO) | 0)) {
      sd += g;
      sd2 += g * g;
      nd++;
    } else {
      sl += g;
      sl2 += g * g;
      nl++;
    }
  };
  for (let line = 0; line < n; line++) {
    const a = line % MACRO;
    if (a !== 0 && a !== MACRO - 1) continue;
    for (let k = (line * 7) % step; k < n; k += step) {
      visit(line, k);
      visit(k, line);
    }
  }
  if (nd === 0 || nl === 0) return 0;
  const md = sd / nd;
  const ml = sl / nl;
  const variance = (sd2 - nd * md * md + sl2 - nl * ml * ml) / (nd + nl);
  return (ml - md) / Math.sqrt(variance + 1);
}

export interface GridFit {
  version: number;
  h: Homography;
  /** Frame contrast score of the fit (higher is better; ≈0 for no symbol). */
  score: number;
}

/** Ranks versions for a quadrilateral by frame contrast; returns the best few. */
export function guessVersions(img: GrayImage, corners: [number, number][], minPitch: number, keep: number): GridFit[] {
  const side =
    (Math.hypot(corners[0][0] - corners[1][0], corners[0][1] - corners[1][1]) +
      Math.hypot(corners[1][0] - corners[2][0], corners[1][1] - corners[2][1]) +
      Math.hypot(corners[2][0] - corners[3][0], corners[2][1] - corners[3][1]) +
      Math.hypot(corners[3][0] - corners[0][0], corners[3][1] - corners[0][1])) /
    4;
  const fits: GridFit[] = [];
  for (let v = MIN_VERSION; v <= MAX_VERSION; v++) {
    const n = modulesPerSide(v);
    if (side / n < minPitch) break;
    const h = squareToQuad(n, corners);
    if (!h) continue;
    // About 2000 samples per version are plenty to tell the right frame pattern.
    const step = Math.max(1, Math.floor((4 * n * n) / (MACRO * 2000)));
    fits.push({ version: v, h, score: frameContrast(img, h, v, step) });
  }
  fits.sort((a, b) => b.score - a.score);
  return fits.slice(0, keep);
}

/**
 * Template of one macromodule's frame edges: module-centre offsets from its top-left corner, and
 * whether each is on its own ring (its colour) or on the neighbouring frames just outside it
 * (the other colour; the diagonal corners, which share its colour, are left out).
 */
function frameTemplate(): { du: number; dv: number; ownRing: boolean }[] {
  const t: { du: number; dv: number; ownRing: boolean }[] = [];
  for (let r = -1; r <= MACRO; r++) {
    for (let c = -1; c <= MACRO; c++) {
      const outside = r < 0 || c < 0 || r >= MACRO || c >= MACRO;
      const corner = (r < 0 || r >= MACRO) && (c < 0 || c >= MACRO);
      if (corner) continue;
      const ring = !outside && (r === 0 || c === 0 || r === MACRO - 1 || c === MACRO - 1);
      if (!outside && !ring) continue;
      t.push({ du: c + 0.5, dv: r + 0.5, ownRing: ring });
    }
  }
  return t;
}
const TEMPLATE = frameTemplate();

/** Macromodule indices to probe along one axis: all when few, else an even spread including both ends. */
function probeAxis(m: number, most: number): number[] {
  if (m <= most) return Array.from({ length: m }, (_, i) => i);
  const out = new Set<number>();
  for (let i = 0; i < most; i++) out.add(Math.round((i * (m - 1)) / (most - 1)));
  return [...out];
}

/**
 * Refines the module→image map: for a spread of macromodules, finds the image shift that best
 * aligns its frame template, then fits one homography to all the aligned centres.
 */
export function refineFit(img: GrayImage, fit: GridFit, rounds: number): GridFit {
  const v = fit.version;
  const m = macrosPerSide(v);
  const n = modulesPerSide(v);
  let h = fit.h;
  const axis = probeAxis(m, 7);
  for (let round = 0; round < rounds; round++) {
    const src: number[] = [];
    const dst: number[] = [];
    for (const my of axis) {
      for (const mx of axis) {
        const dark = frameIsDark(mx, my);
        const u0 = mx * MACRO;
        const v0 = my * MACRO;
        // Image positions and weights of the template at zero shift.
        const xs: number[] = [];
        const ys: number[] = [];
        const ws: number[] = [];
        let wsum = 0;
        for (const t of TEMPLATE) {
          const u = u0 + t.du;
          const vv = v0 + t.dv;
          const outsideSymbol = u < 0 || vv < 0 || u > n || vv > n;
          // Expected darkness: ring = own colour; neighbour frames = opposite; quiet zone = light.
          const expectDark = t.ownRing ? dark : outsideSymbol ? false : !dark;
          const [x, y] = applyH(h, u, vv);
          xs.push(x);
          ys.push(y);
          const w = expectDark ? -1 : 1;
          ws.push(w);
          wsum += w;
        }
        const mean = wsum / ws.length;
        for (let i = 0; i < ws.length; i++) ws[i] -= mean;
        // Pixel step per module here, from the local scale of the map.
        const [cx, cy] = applyH(h, u0 + 3, v0 + 3);
        const [ex, ey] = applyH(h, u0 + 4, v0 + 3);
        const pitch = Math.hypot(ex - cx, ey - cy);
        const score = (dx: number, dy: number): number => {
          let s = 0;
          for (let i = 0; i < xs.length; i++) s += ws[i] * sampleGray(img, xs[i] + dx, ys[i] + dy);
          return s;
        };
        let bx = 0;
        let by = 0;
        let best = score(0, 0);
        // The first round searches ±1 module coarse to fine; later rounds only polish.
        const steps = round === 0 ? [pitch / 2, pitch / 4, pitch / 8] : [pitch / 8];
        for (const step of steps) {
          const ox = bx;
          const oy = by;
          const reach = step === pitch / 2 ? 2 : 1;
          for (let j = -reach; j <= reach; j++) {
            for (let i = -reach; i <= reach; i++) {
              if (i === 0 && j === 0) continue;
              const s = score(ox + i * step, oy + j * step);
              if (s > best) {
                best = s;
                bx = ox + i * step;
                by = oy + j * step;
              }
            }
          }
        }
        if (best <= 0) continue;
        src.push(u0 + 3, v0 + 3);
        dst.push(cx + bx, cy + by);
      }
    }
    const count = src.length / 2;
    let refined = fitHomography(src, dst, count);
    if (!refined) break;
    // One pass of outlier rejection: drop matches far from the fitted map, refit.
    const keepSrc: number[] = [];
    const keepDst: number[] = [];
    const [ax, ay] = applyH(refined, 0, 0);
    const [bx, by] = applyH(refined, 1, 0);
    const limit = Math.hypot(bx - ax, by - ay) * 0.75;
    for (let i = 0; i < count; i++) {
      const [px, py] = applyH(refined, src[2 * i], src[2 * i + 1]);
      if (Math.hypot(px - dst[2 * i], py - dst[2 * i + 1]) <= limit) {
        keepSrc.push(src[2 * i], src[2 * i + 1]);
        keepDst.push(dst[2 * i], dst[2 * i + 1]);
      }
    }
    if (keepSrc.length / 2 >= Math.max(4, count / 2) && keepSrc.length < src.length) {
      refined = fitHomography(keepSrc, keepDst, keepSrc.length / 2) ?? refined;
    }
    h = refined;
  }
  return { version: v, h, score: frameContrast(img, h, v, 2) };
}

/**
 * Samples every module centre and thresholds it at the midpoint between the dark and light
 * frame modules of its own and neighbouring macromodules (so uneven lighting cancels out).
 */
export function sampleMatrix(img: GrayImage, fit: GridFit, sharpen = 0, equaliseSweeps = 0): ModuleMatrix {
  const m = macrosPerSide(fit.version);
  const n = modulesPerSide(fit.version);
  const raw = new Float32Array(n * n);
  const h = fit.h;
  for (let r = 0; r < n; r++) {
    // Along a row the map's numerators and denominator are linear in the column: step them.
    const v = r + 0.5;
    let xn = h[0] * 0.5 + h[1] * v + h[2];
    let yn = h[3] * 0.5 + h[4] * v + h[5];
    let w = h[6] * 0.5 + h[7] * v + h[8];
    for (let c = 0; c < n; c++) {
      raw[r * n + c] = sampleGray(img, xn / w, yn / w);
      xn += h[0];
      yn += h[3];
      w += h[6];
    }
  }
  // Blur spreads each module into its neighbours; an unsharp mask over the module grid undoes
  // part of that, which matters at 2–3 pixels per module.
  const values = sharpen > 0 ? unsharp(raw, n, sharpen) : raw;
  const levels = frameLevels(values, n, m);
  const dark = new Uint8Array(n * n);
  for (let my = 0; my < m; my++) {
    for (let mx = 0; mx < m; mx++) {
      const threshold = (levels.dark[my * m + mx] + levels.light[my * m + mx]) / 2;
      for (let r = 0; r < MACRO; r++) {
        for (let c = 0; c < MACRO; c++) {
          const i = (my * MACRO + r) * n + mx * MACRO + c;
          dark[i] = values[i] < threshold ? 1 : 0;
        }
      }
    }
  }
  if (equaliseSweeps > 0) {
    // The blur model works on raw samples, so it takes the raw frames' levels.
    const rawLevels = values === raw ? levels : frameLevels(raw, n, m);
    equaliseModules(raw, n, rawLevels.light, rawLevels.dark, dark, equaliseSweeps);
  }
  return { size: n, dark };
}

/** raw + strength · (raw − mean of the 4 edge neighbours), over an n×n grid. */
function unsharp(raw: Float32Array, n: number, strength: number): Float32Array {
  const out = new Float32Array(n * n);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      const i = r * n + c;
      let s = 0;
      let k = 0;
      if (r > 0) {
        s += raw[i - n];
        k++;
      }
      if (r + 1 < n) {
        s += raw[i + n];
        k++;
      }
      if (c > 0) {
        s += raw[i - 1];
        k++;
      }
      if (c + 1 < n) {
        s += raw[i + 1];
        k++;
      }
      out[i] = raw[i] + strength * (raw[i] - s / k);
    }
  }
  return out;
}

/** Mean gray of the dark and of the light frames around each macromodule (3×3 macromodules). */
function frameLevels(values: Float32Array, n: number, m: number): { light: Float32Array; dark: Float32Array } {
  const frameMean = new Float32Array(m * m);
  for (let my = 0; my < m; my++) {
    for (let mx = 0; mx < m; mx++) {
      let s = 0;
      let k = 0;
      for (let r = 0; r < MACRO; r++) {
        for (let c = 0; c < MACRO; c++) {
          if (r !== 0 && c !== 0 && r !== MACRO - 1 && c !== MACRO - 1) continue;
          s += values[(my * MACRO + r) * n + mx * MACRO + c];
          k++;
        }
      }
      frameMean[my * m + mx] = s / k;
    }
  }
  const light = new Float32Array(m * m);
  const dark = new Float32Array(m * m);
  for (let my = 0; my < m; my++) {
    for (let mx = 0; mx < m; mx++) {
      let sd = 0;
      let nd = 0;
      let sl = 0;
      let nl = 0;
      for (let j = Math.max(0, my - 1); j <= Math.min(m - 1, my + 1); j++) {
        for (let i = Math.max(0, mx - 1); i <= Math.min(m - 1, mx + 1); i++) {
          if (frameIsDark(i, j)) {
            sd += frameMean[j * m + i];
            nd++;
          } else {
            sl += frameMean[j * m + i];
            nl++;
          }
        }
      }
      dark[my * m + mx] = sd / nd;
      light[my * m + mx] = sl / nl;
    }
  }
  return { light, dark };
}
