// Error-correction blocks: how the symbol's codewords split into Reed–Solomon blocks and how
// they are interleaved. Only the data-codeword counts and block counts are tabulated; block
// sizes and ECC sizes follow from them (longer blocks and larger ECC first), which reproduces
// the AIM table (see test/drivers/symbols/gridmatrix/blocks.test.ts).
import { macrosPerSide } from './geometry.js';

/** Data codewords per version (index v−1) and ECL (index ecl−1); 0 = combination not allowed. */
const DATA_CODEWORDS: readonly (readonly number[])[] = [
  [0, 15, 13, 11, 9],
  [45, 40, 35, 30, 25],
  [89, 79, 69, 59, 49],
  [146, 130, 114, 98, 81],
  [218, 194, 170, 146, 121],
  [305, 271, 237, 203, 169],
  [405, 360, 315, 270, 225],
  [521, 463, 405, 347, 289],
  [650, 578, 506, 434, 361],
  [794, 706, 618, 530, 441],
  [953, 847, 741, 635, 529],
  [1125, 1000, 875, 750, 625],
  [1313, 1167, 1021, 875, 729],
];

const BLOCK_COUNT = [1, 1, 1, 2, 2, 3, 4, 5, 6, 7, 9, 10, 12];

export interface BlockLayout {
  /** Total codewords in the symbol. */
  total: number;
  /** Data codewords in the symbol. */
  dataTotal: number;
  /** Per block: its length and its ECC count, in block order. */
  blocks: { length: number; ecc: number }[];
}

export function totalCodewords(version: number): number {
  const m = macrosPerSide(version);
  return 2 * m * m;
}

export function dataCodewords(version: number, ecl: number): number {
  return DATA_CODEWORDS[version - 1]?.[ecl - 1] ?? 0;
}

/** The block layout, or undefined for a version/ECL pair that does not exist (v1 ECL1). */
export function blockLayout(version: number, ecl: number): BlockLayout | undefined {
  const dataTotal = dataCodewords(version, ecl);
  if (dataTotal === 0) return undefined;
  const total = totalCodewords(version);
  const nb = BLOCK_COUNT[version - 1];
  const shortLength = Math.floor(total / nb);
  const longBlocks = total % nb;
  const eccTotal = total - dataTotal;
  const shortEcc = Math.floor(eccTotal / nb);
  const bigEccBlocks = eccTotal % nb;
  const blocks = [];
  for (let i = 0; i < nb; i++) {
    blocks.push({
      length: shortLength + (i < longBlocks ? 1 : 0),
      ecc: shortEcc + (i < bigEccBlocks ? 1 : 0),
    });
  }
  return { total, dataTotal, blocks };
}

/**
 * Splits the interleaved codewords into blocks (codeword j of block i sits at nb·j + i),
 * corrects each, and returns the data codewords in order with the number of corrections, or
 * undefined when a block cannot be corrected.
 */
export function deinterleaveAndCorrect(
  codewords: Uint8Array,
  layout: BlockLayout,
  correct: (block: Uint8Array, ecc: number) => number,
): { data: Uint8Array; corrected: number } | undefined {
  const nb = layout.blocks.length;
  const data = new Uint8Array(layout.dataTotal);
  let out = 0;
  let corrected = 0;
  for (let i = 0; i < nb; i++) {
    const { length, ecc } = layout.blocks[i];
    const block = new Uint8Array(length);
    for (let j = 0; j < length; j++) block[j] = codewords[nb * j + i];
    const fixed = correct(block, ecc);
    if (fixed < 0) return undefined;
    corrected += fixed;
    data.set(block.subarray(0, length - ecc), out);
    out += length - ecc;
  }
  return { data, corrected };
}
