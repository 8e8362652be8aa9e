// Stage 1 of the reader: a sampled module matrix in, decoded content out. Tries orientations in
// order of layer-ID agreement, and accepts the first whose blocks all pass Reed–Solomon.
import { PassgateError } from '../../../firmware/core/errors.js';
import { decodeBitStream, type GridMatrixContent } from './bitstream.js';
import { blockLayout, deinterleaveAndCorrect } from './blocks.js';
import { rankOrientations, readCodewords } from './codewords.js';
import { type ModuleMatrix, versionForSize } from './geometry.js';
import { rsCorrect } from './reed-solomon.js';

export interface MatrixDecodeResult extends GridMatrixContent {
  version: number;
  ecl: number;
  /** 0..7: bit 2 = transposed, bit 0 = rows reversed, bit 1 = columns reversed. */
  orientation: number;
  /** Codewords Reed–Solomon had to correct. */
  corrected: number;
}

/** How many (orientation, ECL) guesses to try before giving up. */
const MAX_GUESSES = 8;

export function decodeMatrix(matrix: ModuleMatrix): MatrixDecodeResult {
  const version = versionForSize(matrix.size);
  if (version === undefined || matrix.dark.length !== matrix.size * matrix.size) {
    throw new PassgateError('decode.image-unreadable', 'not a Grid Matrix size', { size: matrix.size });
  }
  const guesses = rankOrientations(matrix, version);
  let lastError: PassgateError | undefined;
  const readOrientations = new Map<number, Uint8Array>();
  for (const guess of guesses.slice(0, MAX_GUESSES)) {
    // A guess needs at least a third of the layer IDs right; random data matches a quarter.
    if (guess.matches * 3 < guess.of) break;
    const layout = blockLayout(version, guess.ecl);
    if (!layout) continue;
    let codewords = readOrientations.get(guess.orientation);
    if (!codewords) {
      codewords = readCodewords(matrix, version, guess.orientation);
      readOrientations.set(guess.orientation, codewords);
    }
    const corrected = deinterleaveAndCorrect(codewords, layout, rsCorrect);
    if (!corrected) continue;
    try {
      const content = decodeBitStream(corrected.data);
      return { ...content, version, ecl: guess.ecl, orientation: guess.orientation, corrected: corrected.corrected };
    } catch (error) {
      if (!(error instanceof PassgateError)) throw error;
      lastError = error;
    }
  }
  throw lastError ?? new PassgateError('decode.image-unreadable', 'Grid Matrix error correction failed', { version });
}
