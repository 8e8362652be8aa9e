// Helpers for Grid Matrix tests: zint matrices as ModuleMatrix, the 8 orientations, and damage
// aimed at chosen codewords (so a test knows exactly how many errors each RS block sees).

import { blockLayout } from '../../../drivers/symbols/gridmatrix/blocks.js';
import { expectedLayerId } from '../../../drivers/symbols/gridmatrix/codewords.js';
import type { ModuleMatrix } from '../../../drivers/symbols/gridmatrix/geometry.js';
import { MACRO, macroIndex, macrosPerSide } from '../../../drivers/symbols/gridmatrix/geometry.js';
import { rsEncode } from '../../../drivers/symbols/gridmatrix/reed-solomon.js';
import { type ZintOptions, zintMatrix } from '../zint.js';

export function toModuleMatrix(rows: boolean[][]): ModuleMatrix {
  const size = rows.length;
  const dark = new Uint8Array(size * size);
  for (const [y, row] of rows.entries()) {
    for (const [x, d] of row.entries()) dark[y * size + x] = d ? 1 : 0;
  }
  return { size, dark };
}

export function toRows(matrix: ModuleMatrix): boolean[][] {
  const rows: boolean[][] = [];
  for (let y = 0; y < matrix.size; y++) {
    rows.push(Array.from(matrix.dark.subarray(y * matrix.size, (y + 1) * matrix.size), (d) => d === 1));
  }
  return rows;
}

export function gmMatrix(data: string | Uint8Array, opts: ZintOptions): ModuleMatrix {
  return toModuleMatrix(zintMatrix('GRIDMATRIX', data, opts));
}

/** One of the 8 dihedral transforms of a matrix (t & 4 transpose, t & 1 flip rows, t & 2 flip columns). */
export function transform(matrix: ModuleMatrix, t: number): ModuleMatrix {
  const n = matrix.size;
  const dark = new Uint8Array(n * n);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      let a = t & 4 ? c : r;
      let b = t & 4 ? r : c;
      if (t & 2) b = n - 1 - b;
      if (t & 1) a = n - 1 - a;
      dark[a * n + b] = matrix.dark[r * n + c];
    }
  }
  return { size: n, dark };
}

/** Module coordinates of the 7 bits of interleaved codeword `index`. */
export function codewordModules(version: number, index: number): [number, number][] {
  const m = macrosPerSide(version);
  const k = index >> 1;
  for (let my = 0; my < m; my++) {
    for (let mx = 0; mx < m; mx++) {
      if (macroIndex(mx, my, m) !== k) continue;
      // Interior raster bits 2..8 hold codeword 2k+1, bits 9..15 codeword 2k.
      const first = index & 1 ? 2 : 9;
      const cells: [number, number][] = [];
      for (let b = first; b < first + 7; b++) cells.push([my * MACRO + 1 + (b >> 2), mx * MACRO + 1 + (b & 3)]);
      return cells;
    }
  }
  throw new RangeError('codeword index out of range');
}

/**
 * Flips bits in `perBlock(ecc)` codewords of every RS block (distinct codewords, chosen with
 * `rng`), so each block sees exactly that many errors.
 */
export function damageCodewords(
  matrix: ModuleMatrix,
  version: number,
  ecl: number,
  perBlock: (ecc: number) => number,
  rng: () => number,
): ModuleMatrix {
  const layout = blockLayout(version, ecl);
  if (!layout) throw new RangeError('no such version/ECL');
  const out = { size: matrix.size, dark: matrix.dark.slice() };
  const nb = layout.blocks.length;
  layout.blocks.forEach(({ length, ecc }, i) => {
    const positions = Array.from({ length }, (_, j) => nb * j + i);
    for (let e = 0; e < perBlock(ecc); e++) {
      const pick = e + Math.floor(rng() * (positions.length - e));
      [positions[e], positions[pick]] = [positions[pick], positions[e]];
      const cells = codewordModules(version, positions[e]);
      // Flip at least one bit, plus random others.
      cells.forEach(([r, c], bit) => {
        if (bit === 0 || rng() < 0.5) out.dark[r * out.size + c] ^= 1;
      });
    }
  });
  return out;
}

/**
 * Builds a symbol from data codewords (test-side, to reach version/ECL pairs zint 2.11.1 never
 * produces: it raises v1 to ECL ≥ 4 and v2 to ECL ≥ 2). Pads with 0x00/0x7E like zint.
 */
export function buildSymbol(version: number, ecl: number, data: ArrayLike<number>): ModuleMatrix {
  const layout = blockLayout(version, ecl);
  if (!layout || data.length > layout.dataTotal) throw new RangeError('does not fit');
  const stream = Array.from(data);
  while (stream.length < layout.dataTotal)
    stream.push(stream.length === data.length || stream.length % 2 === 0 ? 0 : 0x7e);
  const nb = layout.blocks.length;
  const interleaved = new Uint8Array(layout.total);
  let at = 0;
  layout.blocks.forEach(({ length, ecc }, i) => {
    const part = stream.slice(at, at + length - ecc);
    at += length - ecc;
    const block = [...part, ...rsEncode(part, ecc)];
    for (const [j, cw] of block.entries()) interleaved[nb * j + i] = cw;
  });
  const m = macrosPerSide(version);
  const size = 6 * m;
  const dark = new Uint8Array(size * size);
  for (let my = 0; my < m; my++) {
    for (let mx = 0; mx < m; mx++) {
      const frame = (mx + my) % 2 === 0 ? 1 : 0;
      for (let r = 0; r < 6; r++) {
        for (let c = 0; c < 6; c++)
          if (r === 0 || r === 5 || c === 0 || c === 5) dark[(my * 6 + r) * size + mx * 6 + c] = frame;
      }
      const k = macroIndex(mx, my, m);
      const ring = Math.max(Math.abs(mx - version), Math.abs(my - version));
      const word = (expectedLayerId(ring, ecl) << 14) | (interleaved[2 * k + 1] << 7) | interleaved[2 * k];
      for (let b = 0; b < 16; b++) dark[(my * 6 + 1 + (b >> 2)) * size + mx * 6 + 1 + (b & 3)] = (word >> (15 - b)) & 1;
    }
  }
  return { size, dark };
}
