// Public surface of the Grid Matrix reader. Each stage is usable (and tested) on its own.

export {
  classifyPixels,
  integralImage,
  PIXEL_DARK,
  PIXEL_DARK_SHARP,
  PIXEL_LIGHT,
  PIXEL_LIGHT_SHARP,
} from './binarize.js';
export { decodeBitStream, type GridMatrixContent, type StructuredAppend } from './bitstream.js';
export { decodeMatrix, type MatrixDecodeResult } from './decode-matrix.js';
export { GridMatrixDecoder } from './decoder.js';
export type { ModuleMatrix } from './geometry.js';
export { guessVersions, refineFit, sampleMatrix } from './grid.js';
export { findCandidates } from './locate.js';
export {
  classifyFrame,
  DEFAULT_READ_OPTIONS,
  decodeQuad,
  findQuads,
  type ReadOptions,
  readGridMatrix,
} from './read-image.js';
export { rsCorrect } from './reed-solomon.js';
