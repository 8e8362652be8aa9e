// Reading codewords out of a module matrix. The symbol has no orientation mark, so each of the
// 8 orientations (4 rotations, each optionally mirrored) is scored by how well the 2-bit layer
// IDs agree with one of the 5 error-correction levels' ring patterns.
import { MACRO, type ModuleMatrix, macroIndex, macrosPerSide } from './geometry.js';

/** Maps canonical (row, col) to the observed matrix index for orientation 0..7. */
export function orientedIndex(orientation: number, size: number, row: number, col: number): number {
  let a = row;
  let b = col;
  if (orientation & 4) {
    a = col;
    b = row;
  }
  if (orientation & 1) a = size - 1 - a;
  if (orientation & 2) b = size - 1 - b;
  return a * size + b;
}

/** The layer ID a ring should carry at a given ECL. */
export function expectedLayerId(ring: number, ecl: number): number {
  return ecl === 1 ? 3 - (ring % 4) : (ring + 5 - ecl) % 4;
}

export interface OrientationGuess {
  orientation: number;
  ecl: number;
  /** Macromodules whose layer ID matches, out of `of`. */
  matches: number;
  of: number;
}

/** All (orientation, ECL) guesses, best first. */
export function rankOrientations(matrix: ModuleMatrix, version: number): OrientationGuess[] {
  const m = macrosPerSide(version);
  const size = matrix.size;
  const guesses: OrientationGuess[] = [];
  for (let o = 0; o < 8; o++) {
    const counts = new Int32Array(6);
    for (let my = 0; my < m; my++) {
      for (let mx = 0; mx < m; mx++) {
        const row = my * MACRO + 1;
        const col = mx * MACRO + 1;
        const id =
          (matrix.dark[orientedIndex(o, size, row, col)] << 1) | matrix.dark[orientedIndex(o, size, row, col + 1)];
        const ring = Math.max(Math.abs(mx - version), Math.abs(my - version));
        for (let ecl = 1; ecl <= 5; ecl++) if (expectedLayerId(ring, ecl) === id) counts[ecl]++;
      }
    }
    for (let ecl = 1; ecl <= 5; ecl++) guesses.push({ orientation: o, ecl, matches: counts[ecl], of: m * m });
  }
  guesses.sort((x, y) => y.matches - x.matches);
  return guesses;
}

/** The 2·M² codewords in interleaved (transmission) order, read in the given orientation. */
export function readCodewords(matrix: ModuleMatrix, version: number, orientation: number): Uint8Array {
  const m = macrosPerSide(version);
  const size = matrix.size;
  const out = new Uint8Array(2 * m * m);
  for (let my = 0; my < m; my++) {
    for (let mx = 0; mx < m; mx++) {
      // The 4×4 interior, raster order, big-endian: 2 ID bits, codeword 2k+1, codeword 2k.
      let word = 0;
      for (let r = 1; r <= 4; r++) {
        for (let c = 1; c <= 4; c++) {
          word = (word << 1) | matrix.dark[orientedIndex(orientation, size, my * MACRO + r, mx * MACRO + c)];
        }
      }
      const k = macroIndex(mx, my, m);
      out[2 * k + 1] = (word >> 7) & 0x7f;
      out[2 * k] = word & 0x7f;
    }
  }
  return out;
}
